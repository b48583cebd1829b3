"""Token overlap scores shared by the scorers."""

from __future__ import annotations

import re
from collections import Counter

_WORD = re.compile(r"\w+")


def token_prf(predicted: str, gold: str) -> tuple[float, float, float]:
    """Precision, recall and F1 of lower-cased `\\w+` tokens, counted as multisets."""
    p, g = Counter(_WORD.findall(predicted.lower())), Counter(_WORD.findall(gold.lower()))
    if not p and not g:
        return 1.0, 1.0, 1.0
    overlap = sum((p & g).values())
    if overlap == 0:
        return 0.0, 0.0, 0.0
    precision, recall = overlap / sum(p.values()), overlap / sum(g.values())
    return precision, recall, 2 * precision * recall / (precision + recall)
