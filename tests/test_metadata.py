"""Dates, titles and sources read from article heads; unknown stays None."""

from __future__ import annotations

import pytest

from threatwatch.metadata import find_dates, looks_like_headline, normalise_date, source_from_line, source_from_url


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("Mon Nov 21, 2016 17:48:36", "2016-11-21"),
        ("Mondialisation.ca, 02 août 2016", "2016-08-02"),
        ("٢١ نوفمبر ٢٠١٦", "2016-11-21"),
        ("15 تشرين الثاني 2016", "2016-11-15"),
        ("3 كانون الأول 2015", "2015-12-03"),
        ("15 марта 2017 года", "2017-03-15"),
        ("1er janvier 2020", "2020-01-01"),
        ("November 3rd, 2019", "2019-11-03"),
        ("Published 2019-11-19T10:00:00Z", "2019-11-19"),
        ("24.02.2022", "2022-02-24"),
    ],
)
def test_dates_in_four_languages(text: str, iso: str) -> None:
    assert [d.iso for d in find_dates(text)] == [iso]


@pytest.mark.parametrize("text", ["31 February 2016", "on Tuesday", "in March", "Room 12 May 1st floor", "13.13.2020"])
def test_no_date_is_invented(text: str) -> None:
    assert find_dates(text) == []


def test_date_offsets_survive_arabic_indic_digits() -> None:
    text = "نشر في ٢١ نوفمبر ٢٠١٦ مساء"
    (found,) = find_dates(text)
    assert text[found.start : found.end] == "٢١ نوفمبر ٢٠١٦"


def test_container_dates_keep_their_precision() -> None:
    assert normalise_date("2016-08") == "2016-08"
    assert normalise_date("2016") == "2016"
    assert normalise_date("2016-08-01T10:00:00+02:00") == "2016-08-01"
    assert normalise_date("21 November 2016") == "2016-11-21"
    assert normalise_date("soon") is None


def test_sources_named_in_head_lines() -> None:
    assert source_from_line("Mondialisation.ca, 02 août 2016") == "Mondialisation.ca"
    assert source_from_line("Reuters, 21 November 2016") == "Reuters"
    assert source_from_line("Source: RIA Novosti") == "RIA Novosti"
    assert source_from_line("Alahednews 1 août 2016") is None  # no comma, no domain: not sure it is the site
    assert source_from_url("https://www.example.org/a/b") == "example.org"
    assert source_from_url(None) is None


def test_headlines() -> None:
    assert looks_like_headline("Russia’s Caucasus Islamists ‘pledge allegiance’ to ISIS")
    assert not looks_like_headline("- It’s been 10 years since ISIS declared a caliphate.")
    assert not looks_like_headline("Mon Nov 21, 2016 17:48:36")
    assert not looks_like_headline("Word")
