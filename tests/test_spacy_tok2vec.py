"""entities/spacy_tok2vec.py computes the same token vectors as thinc, bit for bit."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import spacy

from tests.test_spacy_fast import MODELS, _texts
from threatwatch.entities import backends, spacy_fast
from threatwatch.entities.spacy_tok2vec import HashCnn


def _encoder_model(nlp: Any) -> Any:
    """The HashEmbedCNN the NER reads through: a shared tok2vec component's, or the NER's own."""
    if "tok2vec" in nlp.pipe_names:
        return nlp.get_pipe("tok2vec").model
    return nlp.get_pipe("ner").model.get_ref("tok2vec").layers[0]


def _same_as_thinc(nlp: Any, texts: list[str], size: int) -> int:
    model = _encoder_model(nlp)
    encoder = HashCnn.read(model)
    assert encoder is not None
    tokens = 0
    for first in range(0, len(texts), size):
        docs = [nlp.make_doc(text) for text in texts[first : first + size]]
        expected = model.ops.flatten(model.predict(docs))
        got = encoder(docs)
        assert got.shape == (sum(len(doc) for doc in docs), expected.shape[1] if len(expected) else got.shape[1])
        assert np.array_equal(got, expected.reshape(got.shape))
        tokens += len(got)
    return tokens


@pytest.mark.parametrize("lang", sorted(MODELS))
def test_the_shipped_models_vectors_are_thincs(lang: str) -> None:
    nlp = backends.use_numpy_matmul(backends.load_spacy([str(MODELS[lang]())]))
    texts = _texts()
    # batches of one (empty docs alone), of a few, and large ones with empty docs among them
    for size in (1, 5, 64):
        assert _same_as_thinc(nlp, texts, size) > 1000


def _tiny(encode: dict[str, Any], shared: bool = False) -> Any:
    """An untrained English pipeline whose NER reads through `encode`, made here: weights random
    but seeded, which is all a comparison of two forward passes needs."""
    spacy.util.fix_random_seed(0)
    tok2vec = {"@architectures": "spacy.Tok2Vec.v2",
               "embed": {"@architectures": "spacy.MultiHashEmbed.v2", "width": 16,
                         "attrs": ["NORM", "PREFIX", "SHAPE"], "rows": [40, 20, 10],
                         "include_static_vectors": False},
               "encode": encode}
    nlp = spacy.blank("en")
    if shared:
        nlp.add_pipe("tok2vec", config={"model": tok2vec})
        tok2vec = {"@architectures": "spacy.Tok2VecListener.v1", "width": 16, "upstream": "*"}
    ner = nlp.add_pipe("ner", config={"model": {
        "@architectures": "spacy.TransitionBasedParser.v2", "state_type": "ner", "extra_state_tokens": False,
        "hidden_width": 8, "maxout_pieces": 2, "use_upper": True, "tok2vec": tok2vec}})
    for label in ("PERSON", "GPE", "ORG"):
        ner.add_label(label)
    nlp.initialize()
    # an untrained model says Out everywhere; random output weights make it open entities too
    upper = ner.model.get_ref("upper")
    upper.set_param("W", np.random.default_rng(0).normal(0, 3, upper.get_param("W").shape).astype("f"))
    return backends.use_numpy_matmul(nlp)


WINDOW_2 = {"@architectures": "spacy.MaxoutWindowEncoder.v2", "width": 16, "depth": 3, "window_size": 2,
            "maxout_pieces": 2}


@pytest.mark.parametrize("shared", [False, True])
def test_other_widths_windows_and_pieces_too(shared: bool) -> None:
    nlp = _tiny(WINDOW_2, shared)
    texts = _texts()[:60]
    assert _same_as_thinc(nlp, texts, 7) > 500
    # and the NER decoded on those vectors finds what spaCy's own loop finds
    greedy = spacy_fast.GreedyNer(nlp)
    assert greedy.encoder is not None
    expected = [[(e.start, e.end, e.label_) for e in doc.ents] for doc in nlp.pipe(texts)]
    assert sum(map(len, expected)) > 10
    found: list[list[spacy_fast.Entity]] = []
    for first in range(0, len(texts), 7):
        found += greedy.entities([nlp.make_doc(text) for text in texts[first : first + 7]])
    assert found == expected


def test_blis_products_run_through_thinc() -> None:
    nlp = _tiny(WINDOW_2)
    for node in nlp.get_pipe("ner").model.walk():
        node.ops = type(node.ops)()  # thinc's default, BLIS
    assert HashCnn.read(_encoder_model(nlp)) is None
    assert spacy_fast.GreedyNer(nlp).encoder is None
    # a shared encoder in numpy, but the NER's own projection through BLIS
    nlp = _tiny(WINDOW_2, shared=True)
    for node in nlp.get_pipe("ner").model.walk():
        node.ops = type(node.ops)()
    assert HashCnn.read(_encoder_model(nlp)) is not None
    assert spacy_fast.GreedyNer(nlp).encoder is None


def test_other_encoders_run_through_thinc() -> None:
    mish = {"@architectures": "spacy.MishWindowEncoder.v2", "width": 16, "depth": 2, "window_size": 1}
    nlp = _tiny(mish)
    assert HashCnn.read(_encoder_model(nlp)) is None
    greedy = spacy_fast.GreedyNer(nlp)
    assert greedy.encoder is None  # still decoded in numpy, with thinc's vectors
    texts = _texts()[:20]
    # one doc at a time: this encoder's vectors depend on the batch (spaCy's NER re-batches by length)
    expected = [[(e.start, e.end, e.label_) for e in nlp(text).ents] for text in texts]
    assert sum(map(len, expected)) > 10
    assert [greedy.entities([nlp.make_doc(text)])[0] for text in texts] == expected
