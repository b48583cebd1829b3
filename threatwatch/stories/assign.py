"""Online story assignment: each new document joins the story of its most alike stored document
or starts a new one; nothing stored is ever clustered again.

Per document, in `ingest()` (the worker has already computed its `StorySignals`):
1. near-duplicate: documents sharing an LSH band and published within the time window, checked
   by MinHash agreement; a duplicate takes the story of the document it copies;
2. candidates: documents indexed under the document's rarest features (entities, event
   signatures, words) within the time window, and, when embeddings are on, documents published
   within `neighbour_days` whose embedding is close; each lookup is an indexed range read with a
   LIMIT, so the cost per document does not grow with the store;
3. the best candidate by combined similarity (`cluster.py`) gives its story when the score
   reaches the threshold and the story is open.
Document frequencies for idf come from the store, cached in memory for the run (bounded).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass

import numpy as np

from threatwatch.entities.overrides import Override
from threatwatch.records import Document, Placement, StorySignals
from threatwatch.store import Store
from threatwatch.store import stories as sql
from threatwatch.stories.cluster import (
    DEFAULT_PARAMS,
    UNKNOWN_DAY,
    StoryParams,
    Vector,
    feature_key,
    idf,
    is_title_mark,
    is_word,
    similarity,
    story_open,
    within,
)
from threatwatch.stories.duplicates import DUPLICATE_JACCARD, estimated_jaccard
from threatwatch.stories.embed import from_bytes
from threatwatch.stories.signals import features, with_corrections

POSTED_WORDS = 16  # a document is indexed under all its names and event signatures and its rarest words
_CACHE_LIMIT = 400_000  # document frequencies kept in memory


def story_id(doc_id: str) -> str:
    """A story is named after the document that began it, so re-runs in the same order agree."""
    return "st-" + hashlib.sha256(f"story:{doc_id}".encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Match:
    story_id: str
    story_rowid: int
    doc_rowid: int
    score: float


class StoryIndex:
    """The story stage of one ingest run over one store."""

    def __init__(self, store: Store, params: StoryParams = DEFAULT_PARAMS,
                 overrides: list[Override] | None = None) -> None:
        """`overrides`: the entity corrections to apply to each document's names before they are
        compared (default: the store's; the worker links without them)."""
        self.db = store.db
        self.params = params
        self.overrides = store.overrides() if overrides is None else overrides
        self.n_docs = sql.count_documents(self.db)
        self.undated = sql.count_documents(self.db, UNKNOWN_DAY)  # none in a dated stream: no lookups for them
        self._df: dict[int, int] = {}

    def place(self, doc: Document) -> Placement | None:
        signals = doc.signals
        if signals is None:
            return None
        cues = features(with_corrections(doc, self.overrides)) if self.overrides else signals.features
        keys = tuple(feature_key(name) for name, _ in cues)
        weights = tuple(weight for _, weight in cues)
        copied = self._duplicate_of(signals)
        if copied is not None:
            return Placement(copied["story_id"], copied["story_rowid"], copied["duplicate_of"], keys, weights, ())
        df = self.frequencies(keys)
        gain = {key: weight * idf(df.get(key, 0), self.n_docs) for key, weight in zip(keys, weights, strict=True)}
        # the title's dates and names only veto: they are no cues to look candidates up by
        cued = [(key, weight) for key, weight in zip(keys, weights, strict=True) if not is_title_mark(key)]
        ranked = sorted(cued, key=lambda kw: (-gain[kw[0]], kw[0]))  # rarest first
        match = self.best_match(Vector.build(keys, weights, df, self.n_docs), signals, ranked, df, doc.lang)
        words = [k for k, _ in ranked if is_word(k)][:POSTED_WORDS]
        posted = tuple(k for k, _ in cued if not is_word(k)) + tuple(words)
        if match is None:
            return Placement(story_id(doc.id), None, None, keys, weights, posted)
        return Placement(match.story_id, match.story_rowid, None, keys, weights, posted)

    def added(self, placement: Placement, day: int | None) -> None:
        """Keep the in-memory counts right after the store took the document."""
        self.n_docs += 1
        self.undated += not day
        if placement.duplicate_of is None:
            for key in set(placement.feature_keys):
                if key in self._df:
                    self._df[key] += 1

    # --- steps ----------------------------------------------------------------------------------

    def _duplicate_of(self, signals: StorySignals) -> dict[str, object] | None:
        best: tuple[float, int, dict[str, object]] | None = None
        day = signals.day or UNKNOWN_DAY
        for row in sql.duplicate_candidates(self.db, signals.bands):
            if not within(day, row["day"], self.params.window_days):
                continue  # the same template weeks apart (a weather report, a results table) is another report
            jaccard = estimated_jaccard(signals.minhash, row["minhash"])
            if jaccard >= DUPLICATE_JACCARD and (best is None or jaccard > best[0]):
                found = {"story_id": row["story_id"], "story_rowid": row["story_rowid"],
                         "duplicate_of": row["duplicate_of"] or row["doc_id"]}
                best = (jaccard, row["doc_rowid"], found)
        return best[2] if best else None

    def frequencies(self, keys: tuple[int, ...] | set[int]) -> dict[int, int]:
        missing = [k for k in set(keys) if k not in self._df]
        if missing:
            if len(self._df) + len(missing) > _CACHE_LIMIT:
                self._df.clear()
            found = sql.document_frequencies(self.db, missing)
            self._df.update({k: found.get(k, 0) for k in missing})
        return {k: self._df.get(k, 0) for k in keys}

    def _blocked(self, signals: StorySignals, ranked: list[tuple[int, float]], df: dict[int, int]) -> list[int]:
        """Candidates sharing the document's rarest features, by the idf weight they share."""
        p = self.params
        day = signals.day or UNKNOWN_DAY
        shared: Counter[int] = Counter()
        for key, weight in ranked[: p.lookup_features]:
            if day == UNKNOWN_DAY and df.get(key, 0) > p.undated_df_cap:
                continue
            gain = weight * idf(df.get(key, 0), self.n_docs)
            for rowid in sql.postings(self.db, key, day, p.window_days, p.postings_per_feature, self.undated > 0):
                shared[rowid] += gain
        return [rowid for rowid, _ in shared.most_common(p.block_candidates)]

    def _near_in_time(self, signals: StorySignals, embedding: np.ndarray) -> list[int]:
        """Documents published within neighbour_days whose embedding is close, shared cues or not."""
        p = self.params
        near = sql.neighbours(self.db, signals.day or UNKNOWN_DAY, p.neighbour_days, p.neighbours)
        if not near:
            return []
        matrix = np.stack([from_bytes(blob) for _, blob in near])
        cosines = matrix @ embedding
        close = [(float(c), rowid) for (rowid, _), c in zip(near, cosines, strict=True) if c >= p.neighbour_min_cosine]
        return [rowid for _, rowid in sorted(close, reverse=True)[: p.close_neighbours]]

    def best_match(
        self, vector: Vector, signals: StorySignals, ranked: list[tuple[int, float]], df: dict[int, int],
        doc_lang: str | None = None,
    ) -> Match | None:
        p = self.params
        day = signals.day or UNKNOWN_DAY
        rowids = self._blocked(signals, ranked, df)
        embedding = from_bytes(signals.embedding) if signals.embedding is not None else None
        if embedding is not None:
            rowids = list(dict.fromkeys(rowids + self._near_in_time(signals, embedding)))
        rows = sql.candidates(self.db, rowids)
        all_keys = {int(k) for row in rows for k in np.frombuffer(row["feature_keys"], dtype=np.int64)}
        frequencies = self.frequencies(all_keys)
        best: Match | None = None
        for row in rows:
            if not within(day, row["day"], p.window_days) or not story_open(day, row["first_day"], row["last_day"], p):
                continue
            other = Vector.build(np.frombuffer(row["feature_keys"], dtype=np.int64),
                                 np.frombuffer(row["feature_weights"], dtype=np.float32), frequencies, self.n_docs)
            other_embedding = from_bytes(row["embedding"]) if row["embedding"] is not None else None
            same = (doc_lang or None) == (row["lang"] or None)
            score = similarity(vector, other, embedding, other_embedding, same).score(p)
            if score >= 1.0 and (best is None or score > best.score):
                best = Match(row["story_id"], row["story_rowid"], row["doc_rowid"], score)
        return best
