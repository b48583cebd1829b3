"""spaCy's hash-embedding CNN token encoder, run forward in plain numpy.

The English, French and Arabic NERs all read their tokens through spaCy's `HashEmbedCNN`: four
hashed embeddings of each token's NORM, PREFIX, SUFFIX and SHAPE, a maxout layer that mixes them,
then residual convolution blocks (each token with its neighbours, maxout, layer norm). thinc runs
that through generic wrappers around the matrix products: lists flattened and padded at every
call, ragged arrays, a compiled maxout that walks each row's pieces. Here the same layers run as a
handful of whole-batch numpy operations; an ingest worker's NER calls cost about a tenth less
(BENCHMARKS.md, stop 16).

The products, sums and norms are the ones thinc computes, on arrays of the same shape and in the
same order (the padding rows between paragraphs included, which the convolution reads at each
paragraph's edges), so the vectors are identical bit for bit (tests/test_spacy_tok2vec.py
compares them with thinc's). Only the maxout is written differently, as element-wise maxima of
the pieces: the same largest value (thinc keeps the first of equal pieces, so a tie between -0.0
and +0.0 could differ in sign, and a NaN would spread differently; neither changes an entity).

`HashCnn.read` recognises the architecture from the model's layer names and returns None for
anything else (static vectors, other encoders, layers that thinc multiplies through BLIS rather
than numpy: see backends.use_numpy_matmul), which then runs through thinc as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np


@cache
def _ops() -> Any:
    """thinc's compiled hash and gather-add, the ones its HashEmbed calls (thinc is imported only
    once a model is read: spaCy imports it anyway)."""
    from thinc.api import NumpyOps

    return NumpyOps(use_blis=False)


@dataclass(frozen=True, eq=False)
class _Maxout:
    """A maxout layer followed by a layer norm, as spaCy's encoders chain them."""

    weights: np.ndarray  # (outputs x pieces) x inputs, rows in thinc's order (output-major)
    bias: np.ndarray  # outputs x pieces, flattened
    pieces: int
    gain: np.ndarray
    shift: np.ndarray

    def __call__(self, inputs: np.ndarray) -> np.ndarray:
        summed = np.dot(inputs, self.weights.T)
        summed += self.bias
        best = summed[:, 0 :: self.pieces] if self.pieces == 1 else np.maximum(summed[:, 0 :: self.pieces],
                                                                                 summed[:, 1 :: self.pieces])
        for piece in range(2, self.pieces):
            np.maximum(best, summed[:, piece :: self.pieces], out=best)
        # thinc's LayerNorm, operation for operation
        mean = best.mean(axis=1, keepdims=True)
        variance = best.var(axis=1, keepdims=True) + 1e-08
        normed = (best - mean) * variance ** (-1.0 / 2.0)
        out = normed * self.gain
        out += self.shift
        return out


def _maxout(maxout: Any, norm: Any) -> _Maxout:
    outputs, pieces, inputs = (maxout.get_dim(name) for name in ("nO", "nP", "nI"))
    return _Maxout(
        weights=maxout.get_param("W").reshape(outputs * pieces, inputs),
        bias=maxout.get_param("b").reshape(outputs * pieces),
        pieces=pieces,
        gain=norm.get_param("G"),
        shift=norm.get_param("b"),
    )


def _expected_name(tables: int, blocks: int) -> str:
    embed = "|".join(["ints-getitem>>hashembed"] * tables)
    encode = ">>".join(["residual(expand_window>>maxout>>layernorm>>dropout)"] * blocks)
    return (f"extract_features>>list2ragged>>with_array({embed})>>with_array(maxout>>layernorm>>dropout)"
            f">>ragged2list>>with_array({encode})")


@dataclass(frozen=True, eq=False)
class HashCnn:
    """The weights of one encoder, read once: a model changed afterwards (trained, resized) needs
    a new HashCnn."""

    columns: list[str]  # the token attributes hashed, in column order
    tables: list[tuple[np.ndarray, int]]  # (embedding rows, hash seed) per column
    mix: _Maxout  # the maxout over the concatenated embeddings
    blocks: list[_Maxout]  # the residual convolution blocks
    window: int  # neighbours on each side that a block reads
    pad: int  # zero rows thinc puts before, between and after the paragraphs

    @classmethod
    def read(cls, model: Any) -> HashCnn | None:
        """The encoder's weights, or None when `model` is not exactly this architecture."""
        nodes = list(model.walk())
        by_name: dict[str, list[Any]] = {}
        for node in nodes:
            by_name.setdefault(node.name, []).append(node)
        extract, hashed = by_name.get("extract_features", []), by_name.get("hashembed", [])
        maxouts, norms = by_name.get("maxout", []), by_name.get("layernorm", [])
        windows = by_name.get("expand_window", [])
        padded = [node for node in nodes if node.name.startswith("with_array(residual(")]
        if (len(extract) != 1 or not hashed or len(padded) != 1 or len(maxouts) != len(norms)
                or len(maxouts) != len(windows) + 1
                or model.name != _expected_name(len(hashed), len(windows))):
            return None
        if any(type(node.ops) is not type(_ops()) or node.ops.use_blis for node in maxouts):
            return None  # thinc would multiply through BLIS or another library, with other last bits
        columns = list(extract[0].attrs["columns"])
        if [node.attrs["column"] for node in hashed] != list(range(len(columns))):
            return None
        sizes = {node.attrs["window_size"] for node in windows}
        if len(sizes) != 1:
            return None
        return cls(
            columns=columns,
            tables=[(node.get_param("E"), int(node.attrs["seed"])) for node in hashed],
            mix=_maxout(maxouts[0], norms[0]),
            blocks=[_maxout(m, n) for m, n in zip(maxouts[1:], norms[1:], strict=True)],
            window=sizes.pop(),
            pad=int(padded[0].attrs["pad"]),
        )

    def __call__(self, docs: Sequence[Any]) -> np.ndarray:
        """The vectors of every token of `docs`, one row each, the docs one after another (what
        thinc's list2array makes of the encoder's output)."""
        lengths = [len(doc) for doc in docs]
        total = sum(lengths)
        width = self.tables[0][0].shape[1]
        if not total:
            return np.zeros((0, self.mix.gain.shape[0]), np.float32)
        ids = np.concatenate([doc.to_array(self.columns).reshape(len(doc), len(self.columns))
                              for doc in docs if len(doc)]).astype(np.uint64, copy=False)
        embedded = np.empty((total, width * len(self.tables)), np.float32)
        for column, (table, seed) in enumerate(self.tables):
            keys = _ops().hash(np.ascontiguousarray(ids[:, column]), seed) % table.shape[0]
            embedded[:, column * width : (column + 1) * width] = _ops().gather_add(table, keys)
        mixed = self.mix(embedded)
        # thinc's flatten: `pad` zero rows before each non-empty doc and after the last one
        sizes = [length for length in lengths if length]
        rows = np.arange(total) + self.pad * (np.repeat(np.arange(len(sizes)), sizes) + 1)
        flat = np.zeros((total + self.pad * (len(sizes) + 1), mixed.shape[1]), np.float32)
        flat[rows] = mixed
        for block in self.blocks:
            flat = flat + block(self._with_neighbours(flat))
        return flat[rows]

    def _with_neighbours(self, flat: np.ndarray) -> np.ndarray:
        """thinc's seq2col over one sequence: each row beside the `window` rows before and after
        it, zeros past either end."""
        size, width = flat.shape
        out = np.zeros((size, (2 * self.window + 1) * width), np.float32)
        for offset in range(-self.window, self.window + 1):
            column = (offset + self.window) * width
            if offset < 0:
                out[-offset:, column : column + width] = flat[:offset]
            elif offset > 0:
                out[:-offset, column : column + width] = flat[offset:]
            else:
                out[:, column : column + width] = flat
        return out

