"""natasha's NER and morphology networks (slovnet) run in fewer numpy operations: the same results.

The CNN encoder. slovnet computes each convolution by copying every window of three tokens out of a strided view
(a tokens x 3·channels matrix) before one product, keeps activations channels-first (two axis
swaps per layer) and normalises in four passes. The same arithmetic here, per layer:
- one product of the padded tokens (all sequences of the batch stacked, tokens-first) with the
  kernel's taps side by side (channels x taps·filters), whose tap outputs are then summed with
  each tap's rows shifted by its offset: no window copy;
- ReLU in place, and the batch norm folded to one multiply and one add;
- padding positions zeroed after each layer, as slovnet does, so a sequence's result does not
  depend on the batch it is in.

The NER's CRF decoding (Viterbi): each step's best previous tag is read with one `max` instead
of building index grids for a fancy-indexed gather (`np.indices`: 8,600 calls for 25 bench articles).

Results equal slovnet's to float32 rounding (the factRuEval spans and the bench documents'
mentions are unchanged); BENCHMARKS.md has the cost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True, slots=True, eq=False)
class Layer:
    taps: np.ndarray  # channels x (kernel · filters): tap k's filters in columns k·F .. (k+1)·F
    bias: np.ndarray
    scale: np.ndarray  # batch norm: weight / std
    shift: np.ndarray  # batch norm: bias - mean · weight / std
    kernel: int
    padding: int

    @staticmethod
    def supports(layer: Any) -> bool:
        """Whether the layer keeps the sequence length (padding on each side = (kernel - 1) / 2), as
        natasha's do: the row shifts below assume it."""
        kernel = layer.conv.weight.shape[2]
        return 2 * int(layer.conv.padding) == kernel - 1

    @classmethod
    def of(cls, layer: Any) -> Layer:
        """From a slovnet `CNNEncoderLayer` (conv, relu, norm) that `supports` accepts."""
        if not cls.supports(layer):
            raise ValueError(f"a convolution with kernel {layer.conv.weight.shape[2]} and padding "
                             f"{layer.conv.padding} changes the sequence length; keep slovnet's encoder")
        conv, norm = layer.conv, layer.norm
        weight = np.asarray(conv.weight.array, dtype=np.float32)  # filters x channels x kernel
        filters, channels, kernel = weight.shape
        taps = np.ascontiguousarray(weight.transpose(1, 2, 0).reshape(channels, kernel * filters))
        scale = (norm.weight.array / norm.std.array).astype(np.float32)
        shift = (norm.bias.array - norm.mean.array * scale).astype(np.float32)
        return cls(taps, conv.bias.array.astype(np.float32), scale, shift, kernel, int(conv.padding))

    def __call__(self, x: np.ndarray, pad_mask: np.ndarray) -> np.ndarray:
        batch, length, channels = x.shape
        filters = self.taps.shape[1] // self.kernel
        padded_length = length + 2 * self.padding
        padded = np.zeros((batch, padded_length, channels), dtype=np.float32)
        padded[:, self.padding : self.padding + length] = x
        rows = batch * padded_length
        products = padded.reshape(rows, channels) @ self.taps
        valid = rows - self.kernel + 1  # output row r reads padded rows r .. r + kernel - 1
        out = np.zeros((rows, filters), dtype=np.float32)
        for k in range(self.kernel):
            out[:valid] += products[k : k + valid, k * filters : (k + 1) * filters]
        out = out.reshape(batch, padded_length, filters)[:, :length]  # the rows that straddle two sequences fall out
        out += self.bias
        np.maximum(out, 0, out=out)
        out *= self.scale
        out += self.shift
        out[pad_mask] = 0
        return out


class CNNEncoder:
    """A drop-in for a slovnet model's `encoder`: called with (batch x tokens x features, pad mask)
    and returning batch x tokens x filters."""

    def __init__(self, layers: Sequence[Any]) -> None:
        self.layers = [Layer.of(layer) for layer in layers]

    def __call__(self, x: np.ndarray, pad_mask: np.ndarray) -> np.ndarray:
        out = np.asarray(x, dtype=np.float32)
        for layer in self.layers:
            out = layer(out, pad_mask)
        return out


class CRF:
    """A drop-in for slovnet's CRF head: `decode` gives the same best tag paths."""

    def __init__(self, transitions: np.ndarray) -> None:
        self.transitions = np.asarray(transitions)  # previous tag x next tag

    def decode(self, emissions: np.ndarray, mask: np.ndarray) -> list[np.ndarray]:
        """emissions: batch x tokens x tags; mask: batch x tokens, True on real tokens."""
        _, length, _ = emissions.shape
        score = emissions[:, 0]
        history = []
        for i in range(1, length):
            candidates = score[:, :, None] + self.transitions + emissions[:, i, None, :]  # batch x prev x next
            history.append(candidates.argmax(1))
            score = np.where(mask[:, i, None], candidates.max(1), score)
        paths = []
        # a sequence without tokens gets one tag (slovnet's would walk the whole history): never met
        for b, size in enumerate(mask.sum(1).tolist()):
            best = int(score[b].argmax())
            tags = [best]
            for step in reversed(history[: max(size - 1, 0)]):
                best = int(step[b, best])
                tags.append(best)
            paths.append(np.array(tags[::-1]))
        return paths


def speed_up(model: Any) -> None:
    """Give a slovnet tagging model (natasha's NER or morphology) this encoder and, for NER, this
    CRF, where it has slovnet's."""
    encoder = getattr(model, "encoder", None)
    if _is_slovnets(encoder, "CNNEncoder") and all(Layer.supports(layer) for layer in encoder.layers):
        model.encoder = CNNEncoder(encoder.layers)
    head = getattr(model, "head", None)
    crf = getattr(head, "crf", None)
    if _is_slovnets(crf, "CRF"):
        head.crf = CRF(crf.transitions.array)


def _is_slovnets(part: Any, name: str) -> bool:
    """slovnet's own class of that name (ours have the same names: a second call changes nothing)."""
    return type(part).__name__ == name and type(part).__module__.startswith("slovnet.")
