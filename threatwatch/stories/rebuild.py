"""`threatwatch stories rebuild`: the story stage run again over every stored document.

For a store made before schema 4, one ingested before a change to the story rules, or one whose
entities were corrected since (`entities merge/split`: story assignment compared the names as
they were then). Near-duplicates, stories and canonical events are forgotten and computed again
from the stored documents, in publication order (undated last, then in ingest order), each
document placed as ingest places a new one (`StoryIndex.place`) from its cues made again from the
store: its text (MinHash), its title and lead (words), its mentions with the corrected entities
and its events with their corrected places. A document keeps the embedding it was stored with;
one without gets it computed (unless `embeddings` is False). Claim groups are not stored (they
are made when claims are read), so they need no rebuild.

All of it is one transaction: an interrupted rebuild leaves the stories as they were, and
running it twice gives the same stories (story ids are named after the document that began them).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from threatwatch.records import Document, Event, Mention, Paragraph, Span
from threatwatch.store import Store
from threatwatch.store import stories as sql
from threatwatch.stories.assign import StoryIndex
from threatwatch.stories.cluster import DEFAULT_PARAMS, StoryParams
from threatwatch.stories.embed import embed, lead_text, to_bytes
from threatwatch.stories.signals import story_signals

BATCH = 64  # documents read (and embedded) at a time


@dataclass(slots=True)
class RebuildSummary:
    documents: int = 0
    stories: int = 0
    near_duplicates: int = 0
    embedded: int = 0  # embeddings computed (documents stored without one)
    without_embedding: int = 0

    def line(self) -> str:
        return (f"rebuilt {self.stories} stories from {self.documents} documents ({self.near_duplicates}"
                f" near-duplicates; {self.embedded} embeddings computed,"
                f" {self.without_embedding} documents without one)")


def rebuild(store: Store, embeddings: bool = True, params: StoryParams = DEFAULT_PARAMS,
            progress: Callable[[], None] | None = None) -> RebuildSummary:
    """Recompute near-duplicates, stories and canonical events of every stored document."""
    summary = RebuildSummary()
    db = store.db
    db.execute("BEGIN IMMEDIATE")
    try:
        sql.clear_stories(db)
        index = StoryIndex(store, params, overrides=[])  # the cues are read with the corrected entities
        for rowid, doc in _documents(store, embeddings, summary):
            placement = index.place(doc)
            assert placement is not None and doc.signals is not None
            sql.set_document_story(db, rowid, placement.story_id, placement.duplicate_of)
            sql.add_story_document(db, rowid, replace(doc, story_id=placement.story_id), placement, link_events=False)
            index.added(placement, doc.signals.day)
            summary.documents += 1
            summary.near_duplicates += placement.duplicate_of is not None
            summary.without_embedding += doc.signals.embedding is None
            if progress:
                progress()
        sql.link_all_events(db)
        summary.stories = int(db.execute("SELECT count(*) FROM stories").fetchone()[0])
        db.execute("DROP TABLE IF EXISTS temp.kept_embeddings")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
    return summary


def _documents(store: Store, embeddings: bool, summary: RebuildSummary) -> Iterator[tuple[int, Document]]:
    """(rowid, document with its story signals) in publication order, BATCH at a time."""
    order = sql.rebuild_order(store.db)
    for start in range(0, len(order), BATCH):
        batch = [(rowid, stored_document(store, rowid)) for rowid in order[start : start + BATCH]]
        kept = {rowid: sql.kept_embedding(store.db, rowid) for rowid, _ in batch}
        missing = [rowid for rowid, _ in batch if kept[rowid] is None] if embeddings else []
        if missing:
            docs = dict(batch)
            vectors = embed([lead_text(docs[r].title, docs[r].text) for r in missing])
            kept.update({rowid: to_bytes(vector) for rowid, vector in zip(missing, vectors, strict=True)})
            summary.embedded += len(missing)
        for rowid, doc in batch:
            yield rowid, replace(doc, signals=story_signals(doc, embeddings=False, embedding=kept[rowid]))


def stored_document(store: Store, rowid: int) -> Document:
    """A stored document with what its story cues are made of: its mentions (corrected entities)
    and its events (type, corrected place and that place's country)."""
    row = store.db.execute("SELECT id, path, title, published, lang, langs, text, paragraphs FROM documents "
                           "WHERE rowid = ?", (rowid,)).fetchone()
    mentions, events = sql.document_cues(store.db, rowid)
    return Document(
        id=row["id"], path=row["path"], raw="", text=row["text"], title=row["title"], published=row["published"],
        lang=row["lang"], langs=tuple(json.loads(row["langs"])),
        paragraphs=tuple(Paragraph(start, end, lang) for start, end, lang in json.loads(row["paragraphs"])),
        mentions=tuple(Mention(m["start_char"], m["end_char"], m["text"], m["type"], m["entity_id"]) for m in mentions),
        events=tuple(Event(id=e["id"], type=e["type"], evidence=(Span(0, 0, ""),), location_id=e["place"],
                           country=(e["place_country"] or e["country"]) if e["place"] != e["location_id"]
                           else e["country"]) for e in events),
    )
