"""The shipped French NER model (training/train_fr_ner.py): it loads, finds names, tokenizes like
fr_core_news_sm, stores no corpus words, records its non-commercial licence, and the French backend
prefers it but falls back to the stock model when the folder is gone."""

from __future__ import annotations

import json

import pytest
import spacy

from threatwatch.entities import backends


@pytest.fixture(scope="module")
def model_path():
    path = backends.french_model_path()
    assert (path / "meta.json").is_file(), "run training/train_fr_ner.py (see training/README.md)"
    return path


def test_the_french_backend_prefers_the_shipped_model(model_path) -> None:
    recognizer = backends.french()
    assert recognizer.lang == "fr"
    assert recognizer.nlp.meta["name"] == "threatwatch_fr_ner"
    assert recognizer.nlp.pipe_names == ["ner"]  # its own tok2vec inside: nothing else runs


def test_it_falls_back_to_fr_core_news_sm_without_the_folder(model_path, monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(backends, "french_model_path", lambda: tmp_path / "fr_ner")
    recognizer = backends.french()
    assert recognizer.nlp.meta["name"] != "threatwatch_fr_ner"
    assert recognizer.nlp.meta["lang"] == "fr" and "tok2vec" in recognizer.nlp.pipe_names


def test_it_finds_people_places_and_a_body_in_modern_news(model_path) -> None:
    recognizer = backends.SpacyRecognizer("fr", backends.load_spacy([str(model_path)]))
    text = (
        "Le ministre de l'Intérieur, Gérald Darmanin, s'est rendu mardi à Marseille après la fusillade. "
        "Selon le parquet national antiterroriste, deux suspects ont été interpellés à Lyon. "
        "L'Organisation des Nations unies a condamné l'attaque."
    )
    (spans,) = recognizer.find([text])
    found = {(text[s.start : s.end], s.label) for s in spans}
    assert ("Gérald Darmanin", "person") in found
    assert ("Marseille", "location") in found and ("Lyon", "location") in found
    assert ("Organisation des Nations unies", "organization") in found
    assert all(s.label in ("person", "organization", "location") for s in spans)


def test_it_tokenizes_like_fr_core_news_sm(model_path) -> None:
    base = spacy.load("fr_core_news_sm")
    ours = spacy.load(model_path)
    text = "L'attentat d'aujourd'hui, à Saint-Étienne-du-Rouvray (Seine-Maritime), a fait 2 morts vers 9h30."
    assert [t.text for t in ours.make_doc(text)] == [t.text for t in base.make_doc(text)]


def test_no_corpus_words_and_the_licence_is_recorded(model_path) -> None:
    strings = json.loads((model_path / "vocab" / "strings.json").read_text("utf-8"))
    assert len(strings) < 500  # labels and transition names only
    meta = json.loads((model_path / "meta.json").read_text("utf-8"))
    assert "HIPE" in json.dumps(meta["sources"]) and "CC BY-NC-SA 4.0" in meta["license"]
    training = meta["threatwatch_training"]
    assert training["refit_on_all_documents"] is True
    held = training["heldback"]
    assert held["fine_tuned"]["pipeline"]["ALL"]["f"] > held["base"]["pipeline"]["ALL"]["f"]
    readme = (model_path / "README.md").read_text("utf-8")
    assert "CC BY-NC-SA 4.0" in readme and "non-commercial" in readme
