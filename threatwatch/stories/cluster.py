"""How alike a new document is to a stored one, and whether it joins that one's story (pure).

Three similarities, each in [0, 1] (embedding cosine may be negative):
- words: cosine of the tf-idf vectors of title-and-lead stems (same-language reports);
- names: cosine of the tf-idf vectors of linked entities and event signatures (these ids are
  the same in every script, so they match across languages);
- embedding: cosine of the multilingual title-and-lead embeddings (absent when either
  document has none).
A document joins the story of the most alike candidate when the combined score reaches the
threshold (one rule for two documents in one language, one for two languages; `StoryParams`)
and the candidate's story is still open: published within `window_days` of the candidate and
no more than `max_span_days` after the story began.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

FEATURE_KINDS = {"w": 0, "e": 1, "v": 2}  # 3 marks the title's dates (`d:`) and names (`t:`), keyed apart
UNKNOWN_DAY = 0


@dataclass(frozen=True, slots=True)
class StoryParams:
    """The story stage's settings. The weights and thresholds were chosen on the DEV halves of the
    pair and cluster sets (QUALITY.md); the windows are editorial choices.

    Two documents in one language are compared on words, names and embedding; two in different
    languages share no words, so they are compared on names and embedding alone."""

    same_words: float = 2.0
    same_names: float = 0.25
    same_embedding: float = 1.0
    same_floor: float = 0.2
    same_threshold: float = 1.1
    cross_names: float = 1.0
    cross_embedding: float = 2.0
    cross_floor: float = 0.2
    cross_threshold: float = 0.7
    # Either document without an embedding (`ingest --no-embeddings`): the same sums, other thresholds.
    plain_same_threshold: float = 0.6
    plain_cross_threshold: float = 0.5
    window_days: int = 7  # a candidate must be published this close to the new document
    max_span_days: int = 30  # a story takes no document published this long after it began
    neighbour_days: int = 2  # documents this close in time are compared by embedding even with no shared cue
    block_candidates: int = 12  # candidates from shared cues compared in full
    neighbours: int = 48  # documents near in time whose embeddings are compared
    neighbour_min_cosine: float = 0.45
    close_neighbours: int = 8  # of those, the closest compared in full
    postings_per_feature: int = 64
    lookup_features: int = 16
    undated_df_cap: int = 256  # an undated document only looks up features this rare


DEFAULT_PARAMS = StoryParams()


DATE_KEYS = 1 << 32  # date keys are YYYYMMDD << 2 | 3, far below this


def feature_key(feature: str) -> int:
    """A signed 64-bit key whose two low bits say the feature's kind (word, name, event, title mark).
    Title marks veto and are never compared as weights:
    - a date (`d:2016`, `d:2016-11-08`, `d:--11-08` for a day named without its year) is not
      hashed but written in the key (YYYYMMDD, 0 for what it does not say), so two can be compared;
    - a name of the title (`t:<entity id>`) is the key of its name feature (`e:<entity id>`) with
      the low bits of a mark, so it can be looked up among the other document's names."""
    if feature.startswith("d:"):
        value = feature[2:]
        year, _, rest = ("", "", value[2:]) if value.startswith("--") else value.partition("-")
        month, _, day = rest.partition("-")
        return (int(year or 0) * 10_000 + int(month or 0) * 100 + int(day or 0)) << 2 | 3
    if feature.startswith("t:"):
        return feature_key("e:" + feature[2:]) | 3
    digest = int.from_bytes(hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest(), "little", signed=True)
    return (digest & ~3) | FEATURE_KINDS.get(feature[:1], 0)


def is_word(key: int) -> bool:
    return key & 3 == 0


def is_title_mark(key: int) -> bool:
    """A date or a name of the title: these only veto (`dates_differ`, `names_differ`)."""
    return key & 3 == 3


def is_date(key: int) -> bool:
    """A title mark that is a date (a name's hashed key lands below DATE_KEYS once in 2**32)."""
    return key & 3 == 3 and 0 <= key < DATE_KEYS


def dates_agree(a: int, b: int) -> bool:
    """Two date keys may name one day: year, month and day each equal where both say it."""
    return all(x == y or not x or not y for x, y in zip(_ymd(a), _ymd(b), strict=True))


def dates_differ(a: Sequence[int] | np.ndarray, b: Sequence[int] | np.ndarray) -> bool:
    """Both name dates in their titles and no date of one can be a date of the other: reports of
    two happenings (the forecasts for 8 and for 18 November, the semi-finals of 2010 and 2012)."""
    return len(a) > 0 and len(b) > 0 and not any(dates_agree(int(x), int(y)) for x in a for y in b)


def names_differ(a: Vector, b: Vector) -> bool:
    """Both titles name specific entities and neither document names any entity of the other's
    title: two happenings of one kind (the weather in Brest and in Gomel, two bands' releases)."""
    if not len(a.title_names) or not len(b.title_names):
        return False
    return not (_named(a.title_names, b) or _named(b.title_names, a))


def _named(title_names: np.ndarray, other: Vector) -> bool:
    as_names = {(key & ~3) | 1 for key in title_names.tolist()}  # back to the keys of their `e:` features
    # Python sets: np.isin costs 100 µs a call, and this runs for every candidate compared
    return not as_names.isdisjoint(other.names.keys.tolist()) or \
        not set(title_names.tolist()).isdisjoint(other.title_names.tolist())


def _ymd(key: int) -> tuple[int, int, int]:
    value = key >> 2
    return value // 10_000, value // 100 % 100, value % 100


def idf(df: int, n_docs: int) -> float:
    return math.log((n_docs + 1) / (df + 1)) + 1.0


@dataclass(frozen=True, slots=True)
class Part:
    """Sorted feature keys and their L2-normalised weights."""

    keys: np.ndarray
    values: np.ndarray

    @classmethod
    def of(cls, keys: np.ndarray, values: np.ndarray) -> Part:
        order = np.argsort(keys)
        norm = float(np.linalg.norm(values))
        return cls(keys[order], values[order] / norm if norm else values[order])

    def cosine(self, other: Part) -> float:
        _, mine, theirs = np.intersect1d(self.keys, other.keys, assume_unique=True, return_indices=True)
        return float(self.values[mine] @ other.values[theirs]) if len(mine) else 0.0


@dataclass(frozen=True, slots=True)
class Vector:
    """A document's features weighted by idf, split in words and names, each L2-normalised."""

    words: Part
    names: Part
    dates: np.ndarray  # the date keys of the title (`is_date`)
    title_names: np.ndarray  # the keys of the title's specific names (`t:` features, `names_differ`)

    @classmethod
    def build(cls, keys: Sequence[int] | np.ndarray, weights: Sequence[float] | np.ndarray,
              df: Mapping[int, int], n_docs: int) -> Vector:
        keys = np.asarray(keys, dtype=np.int64)
        counts = np.fromiter((df.get(k, 0) for k in keys.tolist()), dtype=np.float64, count=len(keys))
        values = np.asarray(weights, dtype=np.float64) * (np.log((n_docs + 1) / (counts + 1)) + 1.0)
        kinds = keys & 3
        words, names = kinds == 0, (kinds == 1) | (kinds == 2)
        marks = kinds == 3
        dates = marks & (keys >= 0) & (keys < DATE_KEYS)  # `is_date`, over the array
        return cls(Part.of(keys[words], values[words]), Part.of(keys[names], values[names]),
                   keys[dates], keys[marks & ~dates])


@dataclass(frozen=True, slots=True)
class Similarity:
    words: float
    names: float
    embedding: float | None
    same_language: bool
    dates_differ: bool = False  # the titles name different days or years (`dates_differ`)
    names_differ: bool = False  # the titles name different specific entities (`names_differ`)

    def score(self, params: StoryParams = DEFAULT_PARAMS) -> float:
        """The combined score over the threshold: 1.0 or more joins the story; 0 when the titles
        name different dates or different names, however alike the rest."""
        p = params
        if self.dates_differ or self.names_differ:
            return 0.0
        if self.same_language:
            total = p.same_words * self.words + p.same_names * self.names
            if self.embedding is None:
                return total / p.plain_same_threshold
            return (total + p.same_embedding * max(0.0, self.embedding - p.same_floor)) / p.same_threshold
        if self.embedding is None:
            return p.cross_names * self.names / p.plain_cross_threshold
        return (p.cross_names * self.names + p.cross_embedding * max(0.0, self.embedding - p.cross_floor)) / \
            p.cross_threshold


def similarity(
    a: Vector, b: Vector, emb_a: np.ndarray | None, emb_b: np.ndarray | None, same_language: bool = True
) -> Similarity:
    embedding = float(emb_a @ emb_b) if emb_a is not None and emb_b is not None else None
    return Similarity(a.words.cosine(b.words), a.names.cosine(b.names), embedding, same_language,
                      dates_differ(a.dates, b.dates), names_differ(a, b))


def within(day: int, other: int, days: int) -> bool:
    """Whether two publication days are at most `days` apart; an unknown day is near every day."""
    return day == UNKNOWN_DAY or other == UNKNOWN_DAY or abs(day - other) <= days


def story_open(day: int, first_day: int, last_day: int, params: StoryParams = DEFAULT_PARAMS) -> bool:
    """A story is closed to a document published more than max_span_days after it began (or as
    long before it ended): a long-running subject becomes a new story, not one endless chain."""
    if day == UNKNOWN_DAY:
        return True
    if first_day != UNKNOWN_DAY and day - first_day > params.max_span_days:
        return False
    return not (last_day != UNKNOWN_DAY and last_day - day > params.max_span_days)
