"""The NER interface loads spaCy pipelines from disk and plug-ins from entry points; tested with a
tiny model built here, as a bigger downloaded model would be loaded."""

from __future__ import annotations

import json
from pathlib import Path

import spacy

from threatwatch.entities import ner
from threatwatch.entities.backends import SpacyRecognizer, load_spacy
from threatwatch.eval.ner import evaluate, load_gold


def _tiny_model(path: Path) -> Path:
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "PERSON", "pattern": "Ivan Petrov"}, {"label": "GPE", "pattern": "Grozny"}])
    nlp.to_disk(path)
    return path


def test_a_pipeline_on_disk_loads_and_finds_spans(tmp_path: Path) -> None:
    recognizer = SpacyRecognizer("en", load_spacy([str(tmp_path / "missing"), str(_tiny_model(tmp_path / "m"))]))
    (spans,) = recognizer.find(["Ivan Petrov left Grozny."])
    assert [(s.start, s.end, s.label) for s in spans] == [(0, 11, "person"), (17, 23, "location")]


def test_an_entry_point_plugin_replaces_the_builtin_backend(tmp_path: Path, monkeypatch) -> None:
    model = _tiny_model(tmp_path / "m")

    class FakeEntryPoint:
        name = "xx"

        def load(self):
            return lambda: SpacyRecognizer("xx", load_spacy([str(model)]))

    monkeypatch.setattr(ner, "entry_points", lambda group: [FakeEntryPoint()] if group == ner.ENTRY_POINT_GROUP else [])
    ner.recognizer_for.cache_clear()
    try:
        recognizer = ner.recognizer_for("xx")
        assert recognizer is not None and recognizer.lang == "xx"
        assert "xx" in ner.supported_languages()
    finally:
        ner.recognizer_for.cache_clear()


def test_eval_ner_scores_exact_spans(tmp_path: Path) -> None:
    rows = [
        {"doc_id": "d1", "sent_id": 0, "lang": "en",
         "tokens": ["Security", "forces", "arrested", "two", "men", "in", "Paris", "on", "Monday", ",",
                    "Interior", "Minister", "Gerald", "Darmanin", "said", "."],
         "tags": ["O", "O", "O", "O", "O", "O", "B-LOC", "O", "O", "O", "O", "O", "B-PER", "I-PER", "O", "O"]},
    ]
    gold_file = tmp_path / "gold.jsonl"
    gold_file.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    (doc,) = load_gold(gold_file)
    assert {doc.text[s:e] for s, e, _ in doc.spans} == {"Paris", "Gerald Darmanin"}
    scores = evaluate(gold_file, workers=1)
    assert scores["per_type"]["LOC"]["gold"] == 1 and scores["per_type"]["PER"]["gold"] == 1
    assert scores["recall"] == 1.0  # both names found with their exact spans
    assert scores["precision"] == round(2 / scores["predicted"], 4)
