"""Boilerplate rules on small constructed texts, each rule checked both ways."""

from __future__ import annotations

from threatwatch.clean import clean_paragraphs, is_data_blob, load_rules, split_paragraphs
from threatwatch.language import detect_language

BODY = [
    "Security forces said on Monday that they had arrested three suspects after the bombing of a market "
    "in the north of the city, which killed at least twelve people.",
    "The interior ministry said the suspects belonged to a cell that had planned further attacks, and that "
    "weapons and explosives had been found during searches.",
    "Witnesses described a powerful blast shortly after noon, when the market was crowded with shoppers "
    "buying food ahead of the holiday.",
]


def _clean(paragraphs: list[str], **kwargs):
    return clean_paragraphs(paragraphs, detect_language, **kwargs)


def _texts(result) -> list[str]:
    return [text for text, _ in result.paragraphs]


def test_rules_load_from_every_language_file() -> None:
    rules = load_rules()
    assert rules.tail.search("La source originale de cet article est X")
    assert rules.tail.search("شكرا للتعليق على الموضوع")
    assert rules.tail.search("Читайте также: другие новости")
    assert rules.drop.search("[ad_1]")


def test_footer_in_another_language_is_cut() -> None:
    disclaimer = ("Avis de non-responsabilité : Les opinions exprimées dans cet article n'engagent que le ou "
                  "les auteurs et le site se dégage de toute responsabilité concernant le contenu.")
    result = _clean(["Market bombing kills twelve", *BODY, disclaimer, "Contact média: media@example.org"])
    assert _texts(result) == BODY
    assert result.title == "Market bombing kills twelve"
    assert disclaimer in result.removed


def test_trailing_foreign_disclaimer_without_a_marker_is_dropped_but_inner_quotes_stay() -> None:
    quote = "« Nous ne céderons jamais à la terreur », a déclaré le président dans un discours à la nation."
    trailing = ("Le Centre de recherche accorde la permission de reproduire la version intégrale des articles "
                "du site sur des sites de médias alternatifs.")
    result = _clean([BODY[0], quote, BODY[1], BODY[2], trailing])
    assert quote in _texts(result) and trailing not in _texts(result)


def test_footer_marker_early_in_the_text_removes_only_itself() -> None:
    result = _clean([BODY[0], "Read more: earlier coverage", BODY[1], BODY[2]])
    assert _texts(result) == BODY


def test_footer_marker_followed_by_article_text_does_not_cut_it() -> None:
    result = _clean([BODY[0], BODY[1], "Comments", BODY[2]])
    assert _texts(result) == BODY


def test_related_list_after_a_separator_is_cut() -> None:
    related = ["How the group recruits online", "Explainer: who are the militants Middle East -",
               "Five things to know about the attack"]
    result = _clean([*BODY, "-", *related])
    assert _texts(result) == BODY


def test_head_lines_go_to_metadata_not_text() -> None:
    result = _clean(["Market bombing kills twelve", "By Jane Doe", "Kabul, 21 November 2016", *BODY])
    assert _texts(result) == BODY
    assert result.head == ("By Jane Doe", "Kabul, 21 November 2016")


def test_by_later_in_the_article_is_text() -> None:
    late = "By the evening, the death toll had risen to fifteen."
    assert late in _texts(_clean([*BODY, late, BODY[0].replace("Monday", "Tuesday")]))


def test_standfirst_repeated_in_the_body_is_kept_once_in_context() -> None:
    standfirst = "The interior ministry said the suspects belonged to a cell"
    result = _clean(["Market bombing kills twelve", standfirst, BODY[0], standfirst + ".", BODY[1]])
    assert _texts(result) == [BODY[0], standfirst + ".", BODY[1]]


def test_html_output_keeps_repeated_lines_and_short_lists() -> None:
    lines = [BODY[0], "Eat every 2 hours", BODY[1], "Eat every 2 hours", "Step one", "Step two", "Step three"]
    assert _texts(_clean(lines, title="Recipes", from_html=True)) == lines


def test_data_blobs() -> None:
    assert is_data_blob('string(1147) "[{"id":"1886413","sort":"3668625","title":"VIDEO: Russia"}]"')
    assert is_data_blob('{"id": "1", "title": "x", "pic": "/a.jpg", "sort": "2", "type": "21"}')
    assert not is_data_blob("He said: \"we will respond\" and left the room after the meeting ended.")


def test_hard_wrapped_text_is_unwrapped_but_lines_stay_lines() -> None:
    wrapped = ("Security forces said on Monday that they had arrested three\n"
               "suspects after the bombing of a market in the north of the\n"
               "city, which killed at least twelve people.\n\n"
               "The interior ministry said the suspects belonged to a cell that\n"
               "had planned further attacks in the capital over the holiday.\n")
    assert len(split_paragraphs(wrapped)) == 2
    assert len(split_paragraphs("\n".join(BODY))) == 3
    assert split_paragraphs("See [the report](https://x.org/r) &amp; more") == ["See the report & more"]


def test_a_single_paragraph_without_a_full_stop_is_text_not_a_title() -> None:
    note = "Four suspected militants on two motorcycles opened fire at crowds in Yala, killing a villager"
    result = _clean([note])
    assert result.title is None and _texts(result) == [note]
