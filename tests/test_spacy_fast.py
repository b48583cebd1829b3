"""entities/spacy_fast.py finds exactly the entities spaCy's own NER loop finds."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy

from tests.conftest import seed_files
from threatwatch.entities import backends, spacy_fast

MODELS = {"en": backends.english_model_path, "fr": backends.french_model_path, "ar": backends.arabic_model_path}
EDGES = [
    "",
    "Paris",  # one token, an entity on the last token
    "Talks in Geneva",  # an entity that ends the text
    "Vladimir  Putin   met\n\nEmmanuel Macron in  Moscow .",  # white-space tokens inside and between names
    "   ",
    "The United Nations Security Council met the Islamic State of Iraq and the Levant",
]


EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _texts() -> list[str]:
    files = seed_files() + sorted(EXAMPLES.glob("*.txt"))  # English, Arabic and Russian articles
    paragraphs = [p.strip() for f in files for p in f.read_text("utf-8").split("\n") if p.strip()]
    return EDGES + paragraphs


@pytest.mark.parametrize("lang", sorted(MODELS))
def test_the_batched_decoding_finds_what_spacy_finds(lang: str) -> None:
    nlp = backends.use_numpy_matmul(backends.load_spacy([str(MODELS[lang]())]))
    assert spacy_fast.supports(nlp)
    greedy = spacy_fast.GreedyNer(nlp)
    texts = _texts()
    expected = [[(e.start, e.end, e.label_) for e in doc.ents] for doc in nlp.pipe(texts)]
    assert sum(map(len, expected)) > 20  # the texts hold names for every model
    for size in (1, 7, 64):  # batches of different sizes: each doc is decoded on its own
        found: list[list[spacy_fast.Entity]] = []
        for first in range(0, len(texts), size):
            found += greedy.entities([nlp.make_doc(t) for t in texts[first : first + size]])
        assert found == expected


def test_the_recogniser_uses_it_and_reports_character_spans() -> None:
    recognizer = backends.english()
    assert isinstance(recognizer, backends.SpacyRecognizer) and recognizer.greedy is not None
    text = "Officials in Kabul said the Taliban denied it."
    spans = recognizer.find([text])[0]
    slow = [(e.start_char, e.end_char) for e in recognizer.nlp(text).ents if e.label_ in backends.SPACY_LABELS]
    assert [(s.start, s.end) for s in spans] == slow and any(text[s.start : s.end] == "Kabul" for s in spans)


def test_other_pipelines_run_through_spacy() -> None:
    nlp = spacy.blank("en")
    assert not spacy_fast.supports(nlp)
    nlp.add_pipe("entity_ruler")
    assert not spacy_fast.supports(nlp)
    nlp = backends.load_spacy([str(backends.english_model_path())])
    nlp.add_pipe("entity_ruler", last=True)  # rules after the model would be skipped
    assert not spacy_fast.supports(nlp)


def test_a_model_without_an_output_layer_runs_through_spacy() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("ner", config={"model": {"@architectures": "spacy.TransitionBasedParser.v2", "state_type": "ner",
                                          "extra_state_tokens": False, "hidden_width": 8, "maxout_pieces": 2,
                                          "use_upper": False, "tok2vec": {
                                              "@architectures": "spacy.HashEmbedCNN.v2", "width": 8, "depth": 1,
                                              "embed_size": 50, "window_size": 1, "maxout_pieces": 2,
                                              "subword_features": True, "pretrained_vectors": None}}})
    nlp.get_pipe("ner").add_label("PERSON")
    nlp.initialize()
    assert not spacy_fast.supports(nlp)
    assert backends.SpacyRecognizer("en", nlp).greedy is None
