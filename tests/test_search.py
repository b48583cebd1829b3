"""Search finds documents across spelling variants in each language, ranks and cuts snippets."""

from __future__ import annotations

from pathlib import Path

import pytest

from threatwatch.normalize import fold, query_variants, stem
from threatwatch.pipeline import process
from threatwatch.records import RawDocument
from threatwatch.search import fts_query, search

ARTICLES = {
    "ar.txt": ("هجوم على قاعة حفلات قرب موسكو\n"
               "أعلن تنظيم الدولة الإسلامية مسؤوليته عن الهجوم الإرهابيّ على قاعة كروكوس قرب العاصمة الروسية موسكو، "
               "وقالت السلطات إن المهاجمين أطلقوا النار على الحضور.\n"),
    "ru.txt": ("Теракт в «Крокус Сити Холле»\n"
               "Вооружённые люди открыли огонь по зрителям в концертном зале под Москвой, сообщили в ФСБ. "
               "Ответственность за нападение взяло на себя «Исламское государство».\n"),
    "en.txt": ("Attack on a Moscow concert hall\n"
               "Gunmen attacked concertgoers at Crocus City Hall near Moscow, officials said on Saturday, "
               "and the Islamic State group claimed the attacks in a statement.\n"),
    "fr.txt": ("Attentat près de Moscou\n"
               "Des hommes armés ont attaqué une salle de concert près de Moscou, ont indiqué les autorités russes, "
               "et l'État islamique a revendiqué les attaques dans un communiqué.\n"),
}


@pytest.fixture
def filled(store):
    for name, text in ARTICLES.items():
        store.add_document(process(RawDocument(path=name, content=text, is_html=False)))
    return store


def _paths(result) -> set[str]:
    return {Path(h.doc_id).name for h in result.hits}


def test_arabic_folding_matches_hamza_and_diacritic_variants(filled) -> None:
    # The article writes الإرهابيّ (hamza under alef, shadda); the query writes neither.
    result = search(filled, "الارهابي")
    assert result.total == 1 and result.hits[0].lang == "ar"
    assert fold("الإرهابيّ") == fold("الارهابي")


def test_russian_case_forms_match(filled) -> None:
    result = search(filled, "Москва")  # the text has "Москвой"
    assert result.total == 1 and result.hits[0].lang == "ru"
    assert stem("Москвой", "ru") == stem("Москва", "ru")


def test_english_and_french_stemming(filled) -> None:
    assert {h.lang for h in search(filled, "attacking").hits} == {"en"}  # attacked, attacks
    assert {h.lang for h in search(filled, "attaque").hits} == {"fr"}  # attaqué, attaques
    assert search(filled, "Moscou", lang="en").total == 0
    assert {h.lang for h in search(filled, "revendiquer").hits} == {"fr"}


def test_snippet_marks_the_matched_words(filled) -> None:
    (hit,) = search(filled, "Crocus concertgoers").hits
    assert "[Crocus]" in hit.snippet and "[concertgoers]" in hit.snippet
    assert hit.title == "Attack on a Moscow concert hall"


def test_title_matches_rank_first(store) -> None:
    for name, text in {
        "body.txt": "Weekly roundup\n" + "Officials discussed the budget and, in passing, Kabul airport security. " * 3,
        "title.txt": "Kabul airport bombing\nA suicide bomber struck the crowd at the gate, officials said.",
    }.items():
        store.add_document(process(RawDocument(path=name, content=text, is_html=False)))
    assert search(store, "Kabul airport").hits[0].title == "Kabul airport bombing"


@pytest.mark.parametrize("hostile", ['"', 'a" OR "b', "NEAR(x y)", "col:value", "*", "AND OR NOT", "( )"])
def test_query_syntax_cannot_break_or_inject(filled, hostile: str) -> None:
    result = search(filled, hostile)
    assert result.total >= 0
    expression, _ = fts_query(hostile)
    assert "NEAR(" not in expression and ":" not in expression.replace('":"', "")


def test_latin_words_get_english_and_french_forms() -> None:
    assert query_variants("attaques") == {stem("attaques", "en"), stem("attaques", "fr")}
