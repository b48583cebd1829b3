"""Title, publication date and source from the head of a scraped article.

Everything here prefers null to a guess: a date is read only from the lines before the body
starts (a date in the body is the date of something else), a title only from a first line that
looks like a headline, a source only from a line that names the site.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from urllib.parse import urlsplit

from threatwatch.data import load_json

# Arabic-Indic and Eastern Arabic-Indic digits map one to one onto ASCII, so offsets survive.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_ORDINAL = r"(?:st|nd|rd|th|er| er|-?го|-?е)?"


@dataclass(frozen=True, slots=True)
class DateMatch:
    start: int
    end: int
    iso: str


@cache
def _month_table() -> dict[str, int]:
    raw = load_json("months.json")
    table: dict[str, int] = {}
    for names in raw["months"].values():
        table.update(names)
    return table


@cache
def _date_patterns() -> tuple[re.Pattern[str], ...]:
    # Longest names first, so "تشرين الثاني" wins over a shorter prefix.
    names = sorted(_month_table(), key=len, reverse=True)
    month = "(?P<month>" + "|".join(re.escape(n) for n in names) + r")\.?"
    day = rf"(?P<day>\d{{1,2}}){_ORDINAL}"
    year = r"(?P<year>\d{4})"
    # (?<!\w) and (?!\w) instead of \b: Arabic prefixes like "في" are separate words here.
    return (
        re.compile(rf"(?<!\w){day}\s+(?:de\s+)?{month}(?!\w)\s*,?\s*{year}(?!\d)", re.IGNORECASE),
        re.compile(rf"(?<!\w){month}(?!\w)\s+{day},?\s+{year}(?!\d)", re.IGNORECASE),
        re.compile(r"(?<!\d)(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})(?!\d)"),
        re.compile(r"(?<!\d)(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4})(?!\d)"),
    )


def _to_iso(year: str, month: str, day: str) -> str | None:
    month_number = int(month) if month.isdigit() else _month_table().get(month.lower().rstrip("."))
    if month_number is None:
        return None
    try:
        value = date(int(year), month_number, int(day))
    except ValueError:
        return None
    if not 1900 <= value.year <= date.today().year + 1:
        return None
    return value.isoformat()


def find_dates(text: str) -> list[DateMatch]:
    """Full calendar dates written out in `text`, in order of appearance."""
    ascii_digits = text.translate(_DIGITS)
    found: list[DateMatch] = []
    for pattern in _date_patterns():
        for match in pattern.finditer(ascii_digits):
            iso = _to_iso(match["year"], match["month"], match["day"])
            if iso and not any(m.start < match.end() and match.start() < m.end for m in found):
                found.append(DateMatch(match.start(), match.end(), iso))
    return sorted(found, key=lambda m: m.start)


_SLASH_DATE = re.compile(r"(?<![\w/])(?P<first>\d{1,2})/(?P<second>\d{1,2})/(?P<year>\d{4})(?![\w/])")


def find_slash_dates(text: str, day_first: bool | None = None) -> list[DateMatch]:
    """Dates written 04/01/2000, in order. Which number is the month differs by country (April 1 in
    the US, 4 January in Europe), so the text decides: a valid date whose first number cannot be a
    month (21/11/2016) puts the day first in every date of the text, one whose second cannot be
    (11/21/2016) the month first. Where nothing decides, or the text holds both shapes, `day_first`
    does (the convention of the text's language); when it is None too (English is written both
    ways), a date keeps only its year."""
    matches = list(_SLASH_DATE.finditer(text.translate(_DIGITS)))
    day_first_seen = any(int(m["first"]) > 12 and _to_iso(m["year"], m["second"], m["first"]) for m in matches)
    month_first_seen = any(int(m["second"]) > 12 and _to_iso(m["year"], m["first"], m["second"]) for m in matches)
    order = day_first if day_first_seen == month_first_seen else day_first_seen
    found = []
    for m in matches:
        if order is not None:
            day, month = (m["first"], m["second"]) if order else (m["second"], m["first"])
            iso = _to_iso(m["year"], month, day)
        else:  # a valid date in either order (04/01/2000): the year is all the text says for sure
            iso = m["year"] if _to_iso(m["year"], m["first"], m["second"]) or \
                _to_iso(m["year"], m["second"], m["first"]) else None
        if iso:
            found.append(DateMatch(m.start(), m.end(), iso))
    return found


def normalise_date(value: str | None) -> str | None:
    """An ISO date (possibly partial) from a container field such as JSONL `published`."""
    if not value:
        return None
    iso = re.match(r"\s*(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", value)
    if iso:
        year, month, day = iso.groups()
        if day and _to_iso(year, month, day):
            return f"{year}-{month}-{day}"
        return f"{year}-{month}" if month and 1 <= int(month) <= 12 else year
    dates = find_dates(value)
    return dates[0].iso if dates else None


# --- title -------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"[.!…:;،؛]['\"”’»)\]]*$")
_BULLET = re.compile(r"^[-–—•*·]\s")


def looks_like_headline(line: str) -> bool:
    words = line.split()
    return (
        2 <= len(words) <= 30
        and len(line) <= 250
        and not _SENTENCE_END.search(line)
        and not _BULLET.match(line)
        and not find_dates(line)
    )


# --- source ------------------------------------------------------------------------------

_DOMAIN = re.compile(r"(?<![\w@.])((?:[a-z0-9-]+\.)+(?:com|net|org|info|news|ca|ru|fr|uk|ae|sa|eg|qa|lb|sy|iq|ir|"
                     r"tr|ua|by|kz|be|ch|de|af|pk|in|us|int|tv|me|io))(?![\w.])", re.IGNORECASE)
_SOURCE_LABEL = re.compile(r"^(?:source|источник|المصدر)\s*:\s*(?P<name>\S.{0,60})$", re.IGNORECASE)


def source_from_line(line: str) -> str | None:
    """The site or agency a head line names: "Mondialisation.ca, 02 août 2016" → "Mondialisation.ca"."""
    label = _SOURCE_LABEL.match(line)
    if label:
        return label["name"].strip(" .")
    dates = find_dates(line)
    if dates:
        before, after = line[: dates[0].start].strip(), line[dates[0].end :].strip()
        rest = (before or after).strip(" ,|-–—·\t")
        if not rest or len(rest.split()) > 3 or (before and after):
            return None
        # A domain names the site; a bare name only when set off by a comma ("Reuters, 2 May 2016").
        if _DOMAIN.fullmatch(rest) or (before.endswith(",") and rest[:1].isupper()):
            return rest
    return None


def source_from_url(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    host = host.removeprefix("www.")
    return host or None
