"""Near-duplicate detection: MinHash over word shingles of the cleaned text, LSH bands as keys.

Two copies of one article scraped with different boilerplate keep nearly the same word
3-grams once cleaned. A document's MinHash signature (NUM_PERM minimum hash values) estimates
the Jaccard similarity of two shingle sets as the share of equal values; cutting it into
BANDS bands of ROWS values gives keys that collide for similar sets (threshold about
(1/BANDS)^(1/ROWS) = 0.55), which the store indexes, so finding the candidates of a new
document is one indexed lookup per band however large the store grows. A candidate is a
duplicate when its estimated Jaccard similarity reaches DUPLICATE_JACCARD.

The hashing is our own (numpy, affine permutations of CRC-32 values, as datasketch's
`legacy` scheme): datasketch itself costs 3.3 s to import in every worker.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable

import numpy as np

from threatwatch.normalize import TOKEN, fold

NUM_PERM = 100
BANDS = 20
ROWS = 5
SHINGLE_WORDS = 3
DUPLICATE_JACCARD = 0.7

_PRIME = np.uint64((1 << 61) - 1)
_MAX_HASH = np.uint64((1 << 32) - 1)
_rng = np.random.RandomState(1)
_A = _rng.randint(1, (1 << 61) - 1, NUM_PERM, dtype=np.uint64)
_B = _rng.randint(0, (1 << 61) - 1, NUM_PERM, dtype=np.uint64)
_CHUNK = 2048  # shingles hashed at a time, so a long text never needs a large matrix


def shingles(text: str) -> set[str]:
    """Word 3-grams of the folded text (case, Arabic letter variants, ё); the words themselves
    for texts shorter than three words."""
    words = [fold(w) for w in TOKEN.findall(text)]
    if len(words) < SHINGLE_WORDS:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


def signature(items: Iterable[str]) -> np.ndarray:
    """MinHash signature (NUM_PERM uint32 values) of a set of strings."""
    values = np.fromiter((zlib.crc32(s.encode("utf-8")) for s in items), dtype=np.uint64)
    result = np.full(NUM_PERM, _MAX_HASH, dtype=np.uint64)
    for start in range(0, len(values), _CHUNK):
        chunk = values[start : start + _CHUNK, None]
        with np.errstate(over="ignore"):  # the products wrap modulo 2^64 by design, as in datasketch
            hashed = ((chunk * _A + _B) % _PRIME) & _MAX_HASH
        np.minimum(result, hashed.min(axis=0), out=result)
    return result.astype(np.uint32)


def text_signature(text: str) -> np.ndarray:
    return signature(shingles(text))


def band_keys(sig: np.ndarray) -> tuple[int, ...]:
    """One signed 64-bit key per band (SQLite INTEGER), the band's number included."""
    keys = []
    for band in range(BANDS):
        digest = hashlib.blake2b(bytes([band]) + sig[band * ROWS : (band + 1) * ROWS].tobytes(), digest_size=8)
        keys.append(int.from_bytes(digest.digest(), "little", signed=True))
    return tuple(keys)


def estimated_jaccard(a: bytes, b: bytes) -> float:
    """Share of equal MinHash values of two stored signatures."""
    left, right = np.frombuffer(a, dtype=np.uint32), np.frombuffer(b, dtype=np.uint32)
    return float(np.mean(left == right)) if len(left) == len(right) and len(left) else 0.0
