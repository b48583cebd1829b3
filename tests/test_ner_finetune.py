"""training/ner_finetune.py: a `ner` cut down to fewer labels keeps every trained weight of what it keeps, and
training references are relabelled as the recipe says. The model is a tiny one trained here."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import numpy
import pytest
import spacy
from spacy.training import Example

TRAINING = Path(__file__).resolve().parents[1] / "training"


@pytest.fixture(scope="module")
def finetune():
    sys.path.insert(0, str(TRAINING))
    try:
        return importlib.import_module("ner_finetune")
    finally:
        sys.path.remove(str(TRAINING))


SENTENCES = [
    ("Anna Berg met Karl Lund in Oslo on Monday .", [(0, 9, "PERSON"), (14, 23, "PERSON"), (27, 31, "GPE"),
                                                      (35, 41, "DATE")]),
    ("The Nordic Bank opened in Bergen in 2019 .", [(4, 15, "ORG"), (26, 32, "GPE"), (36, 40, "DATE")]),
    ("Police in Oslo said Anna Berg left on Friday .", [(10, 14, "GPE"), (20, 29, "PERSON"), (38, 44, "DATE")]),
]


def _examples(nlp):
    out = []
    for text, spans in SENTENCES:
        doc = nlp.make_doc(text)
        ref = doc.copy()
        ref.ents = [ref.char_span(s, e, label=label) for s, e, label in spans]
        out.append(Example(doc, ref))
    return out


@pytest.fixture(scope="module")
def trained():
    spacy.util.fix_random_seed(0)
    nlp = spacy.blank("en")
    nlp.add_pipe("ner")
    examples = _examples(nlp)
    nlp.initialize(lambda: examples)
    for _ in range(30):
        nlp.update(examples, drop=0.0)
    return nlp


def _moves(ner) -> dict[str, int]:
    return {ner.moves.get_class_name(i): i for i in range(ner.moves.n_moves)}


def test_kept_labels_drop_and_rename(finetune) -> None:
    labels = ["DATE", "GPE", "NORP", "ORG", "PERSON"]
    assert finetune.kept_labels(labels, {"DATE": None, "NORP": "MISC"}) == ["GPE", "ORG", "PERSON", "MISC"]


def test_relabel_reference_renames_and_drops(finetune, trained) -> None:
    (example,) = _examples(trained)[:1]
    finetune.relabel_reference(example, {"DATE": None, "GPE": "LOC"})
    ents = [(e.text, e.label_) for e in example.reference.ents]
    assert ents == [("Anna Berg", "PERSON"), ("Karl Lund", "PERSON"), ("Oslo", "LOC")]
    assert example.reference[-2].ent_iob_ == "O"  # "Monday" is now outside, not missing


def test_keep_only_labels_carries_the_weights_of_the_kept_moves(finetune, trained) -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("ner", source=trained)
    before = nlp.get_pipe("ner")
    old_moves, old_upper = _moves(before), before.model.get_ref("upper").get_param("W").copy()
    old_vectors = before.model.get_ref("tok2vec").predict([nlp.make_doc(SENTENCES[0][0])])[0]

    finetune.keep_only_labels(nlp, ["GPE", "ORG", "PERSON"])
    after = nlp.get_pipe("ner")
    assert set(after.labels) == {"GPE", "ORG", "PERSON"}
    new_moves = _moves(after)
    assert len(new_moves) < len(old_moves) and not any(name.endswith("-DATE") for name in new_moves)
    upper = after.model.get_ref("upper").get_param("W")
    for name, index in new_moves.items():
        numpy.testing.assert_array_equal(upper[index], old_upper[old_moves[name]])
    new_vectors = after.model.get_ref("tok2vec").predict([nlp.make_doc(SENTENCES[0][0])])[0]
    numpy.testing.assert_array_equal(new_vectors, old_vectors)
    # The names it was taught are still found. (Where a dropped move won before, another move wins now: that is
    # what the fine-tuning after the cut teaches away.)
    doc = nlp("Anna Berg met Karl Lund in Oslo on Monday .")
    assert [(e.text, e.label_) for e in doc.ents][:3] == [("Anna Berg", "PERSON"), ("Karl Lund", "PERSON"),
                                                          ("Oslo", "GPE")]
    assert not any(e.label_ == "DATE" for e in doc.ents)
