"""spaCy's greedy NER decoding, batched in numpy.

spaCy's transition-based NER reads a paragraph one token at a time. At each token it sums three
precomputed feature rows (the token, the first token of the entity it has open, the token before),
takes a maxout and scores its moves (Begin, In, Last, Unit, Out for each label). Its compiled loop
does that state by state, with a BLAS call per feature; on this project's English bench that loop
cost a third of the NER (3.1 of 9.7 CPU seconds for 163,000 tokens).

Each NER move consumes exactly one token, so every paragraph of a batch is at the same token at
the same step, and one step can be a handful of numpy operations over all of them. The moves'
validity rules are spaCy's (`spacy/pipeline/_parser_internals/ner.pyx`) for text without preset
entities: an entity does not begin on the last token or on white space, In and Last keep the open
entity's label. Ties go to the first move, as spaCy's arg-max does; the sums are float32 in spaCy's
order, so the entities are the same (checked against `nlp.pipe` in tests/test_spacy_fast.py).

Only a pipeline whose last component is a greedy `ner` with three state features, fed by its own
embedding layers or by a `tok2vec` component, is decoded here (`supports`); any other runs
through spaCy as before. When those layers are spaCy's HashEmbedCNN, as in every shipped model,
the token vectors come from numpy too (entities/spacy_tok2vec.py), the same bit for bit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from blis.py import gemm as blis_gemm

from threatwatch.entities.spacy_tok2vec import HashCnn

# move kinds, from spaCy's class names ("B-PERSON", "O", "U-")
BEGIN, IN, LAST, UNIT, OUT = range(5)
_KINDS = {"B": BEGIN, "I": IN, "L": LAST, "U": UNIT, "O": OUT}

Entity = tuple[int, int, str]  # first token, token after the last, label


def supports(nlp: Any) -> bool:
    names = nlp.pipe_names
    if not names or names[-1] != "ner" or any(name != "tok2vec" for name in names[:-1]):
        return False
    ner = nlp.get_pipe("ner")
    model = ner.model
    return (
        type(ner.moves).__name__ == "BiluoPushDown"
        and ner.cfg.get("beam_width", 1) == 1
        and all(model.has_ref(ref) for ref in ("tok2vec", "lower", "upper"))
        and model.get_ref("lower").get_dim("nF") == 3
        and model.attrs.get("has_upper", False)  # without an output layer the hiddens are the scores
        and not model.attrs.get("unseen_classes")
    )


class GreedyNer:
    """The decoding tables of one spaCy NER, read once: a model changed afterwards (trained,
    resized) needs a new GreedyNer."""

    def __init__(self, nlp: Any) -> None:
        ner = nlp.get_pipe("ner")
        self.before = [proc for name, proc in nlp.pipeline if name != "ner"]
        model = ner.model
        self.tok2vec = model.get_ref("tok2vec")
        self.lower = model.get_ref("lower")
        upper = model.get_ref("upper")
        self.upper_w = np.ascontiguousarray(upper.get_param("W"))  # moves x hiddens
        self.upper_b = upper.get_param("b")
        self.bias = self.lower.get_param("b")  # hiddens x pieces
        names = [ner.moves.get_class_name(i) for i in range(ner.moves.n_moves)]
        kinds, labels = zip(*[(_KINDS[n[0]], n[2:]) for n in names], strict=True)
        self.kind = np.array(kinds)
        self.labels = list(dict.fromkeys(label for label in labels if label))
        self.encoder, self.projection = _numpy_encoder(self.tok2vec, self.before)
        # the label of each move as an index into self.labels, -1 for Out and label-less moves
        self.label = np.array([self.labels.index(label) if label else -1 for label in labels])

    def entities(self, docs: Sequence[Any]) -> list[list[Entity]]:
        """The entities of each doc as `ner` would set them, for docs fresh from `nlp.make_doc`:
        spaCy also honours entities or sentence starts already set on a doc, which this does not.
        With the numpy encoder, a `tok2vec` component is not run, so `doc.tensor` stays unset."""
        docs = list(docs)
        if not docs:
            return []
        lengths = np.array([len(doc) for doc in docs])
        if not lengths.sum():
            return [[] for _ in docs]
        if self.encoder is not None and self.projection is not None:
            weights, bias = self.projection  # thinc's Linear after the encoder, as it computes it
            vectors = np.dot(self.encoder(docs), weights.T)
            vectors += bias
        else:
            for proc in self.before:  # a shared tok2vec component leaves its vectors on the docs
                docs = list(proc.pipe(docs))
            vectors = self.tok2vec.predict(docs)
        cached = self.lower.predict(vectors)  # (tokens + 1) x 3 x hiddens x pieces
        spaces = np.fromiter((token.is_space for doc in docs for token in doc), bool, int(lengths.sum()))
        return self._decode(cached, lengths, spaces)

    def _scores(self, cached: np.ndarray, token: np.ndarray, first: np.ndarray | None) -> np.ndarray:
        """Move scores at `token`, with an entity open since `first` (None: no entity open). Row 0
        of `cached` is spaCy's padding for a missing feature; the float32 sums go in spaCy's order."""
        if first is None:
            summed = cached[token + 1, 0] + cached[0, 1]
            summed += cached[0, 2]
        else:
            summed = cached[token + 1, 0] + cached[first + 1, 1]
            summed += cached[token, 2]  # the token before (row token - 1 + 1)
        summed += self.bias
        # BLIS, as spaCy's loop scores with it: numpy's BLAS rounds the last bits differently
        scores = blis_gemm(np.ascontiguousarray(summed.max(axis=2)), self.upper_w, trans2=True)
        scores += self.upper_b
        return scores

    def _decode(self, cached: np.ndarray, lengths: np.ndarray, spaces: np.ndarray) -> list[list[Entity]]:
        """The greedy parse, in two vectorised parts. With no entity open, a token's features are
        its own row and two paddings, so its move does not depend on what came before: it is read
        for every token at once. Each Begin found so is then followed, all of them side by side,
        until its Last. A last pass walks the tokens in order and keeps the entities that start
        where no kept entity is open, as the one-token-at-a-time parse would."""
        kind, label = self.kind, self.label
        has_label = label >= 0
        total = int(lengths.sum())
        ends = np.cumsum(lengths)
        last = np.zeros(total, bool)
        last[ends[lengths > 0] - 1] = True
        tokens = np.arange(total)
        valid = (kind == OUT) | (((kind == BEGIN) | (kind == UNIT)) & has_label & ~spaces[:, None]
                                 & ~((kind == BEGIN) & last[:, None]))
        move = np.where(valid, self._scores(cached, tokens, None), -np.inf).argmax(axis=1)
        starts = np.flatnonzero(kind[move] != OUT)
        end = starts + 1  # Unit: one token
        begun = np.flatnonzero(kind[move[starts]] == BEGIN)
        # follow every Begin: at each step an open entity takes In or Last of its own label
        first, entity_label, token, which = starts[begun], label[move[starts[begun]]], starts[begun] + 1, begun
        continues = ((kind == IN) | (kind == LAST)) & has_label
        while len(which):
            allowed = continues & (label == entity_label[:, None]) & ~((kind == IN) & last[token][:, None])
            step = np.where(allowed, self._scores(cached, token, first), -np.inf).argmax(axis=1)
            closed = kind[step] == LAST
            end[which[closed]] = token[closed] + 1
            first, entity_label, token, which = (a[~closed] for a in (first, entity_label, token, which))
            token = token + 1
        offsets = ends - lengths
        doc_of = np.searchsorted(ends, starts, side="right")
        found: list[list[Entity]] = [[] for _ in lengths]
        reached = 0
        for start, stop, doc, m in zip(starts.tolist(), end.tolist(), doc_of.tolist(),
                                       move[starts].tolist(), strict=True):
            if start >= reached:  # a Begin or Unit inside a kept entity was never the parse's choice
                found[doc].append((start - int(offsets[doc]), stop - int(offsets[doc]), self.labels[label[m]]))
                reached = stop
        return found


def _numpy_encoder(tok2vec: Any, before: list[Any]) -> tuple[HashCnn | None, tuple[np.ndarray, np.ndarray] | None]:
    """The NER's token encoder in numpy (entities/spacy_tok2vec.py) and the linear layer after it,
    when the NER reads its tokens through a HashEmbedCNN: its own (`<encoder> >> list2array >>
    linear`) or a `tok2vec` component's, through a listener. (None, None) otherwise."""
    from thinc.api import NumpyOps

    layers = getattr(tok2vec, "layers", [])
    if len(layers) != 3 or [layer.name for layer in layers[1:]] != ["list2array", "linear"]:
        return None, None
    if layers[0].name == "tok2vec-listener":
        if len(before) != 1 or getattr(layers[0], "upstream_name", None) not in ("tok2vec", "*"):
            return None, None
        encoder = HashCnn.read(before[0].model)
    else:
        encoder = None if before else HashCnn.read(layers[0])
    linear = layers[2]
    if encoder is None or type(linear.ops) is not NumpyOps or linear.ops.use_blis:
        return None, None  # the projection is multiplied below with numpy, as thinc's NumpyOps would
    return encoder, (linear.get_param("W"), linear.get_param("b"))
