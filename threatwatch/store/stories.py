"""Stories, near-duplicates and canonical events in the SQLite store: SQL only.

The decisions (which story a document joins, which events are one) are made in
`threatwatch/stories/`; this module finds candidates through indexed tables, writes what was
decided, and reads stories and merged events back as SPEC records.

A document's story is decided once, at ingest (or by `threatwatch stories rebuild`). Which reports
of a story are one canonical event is decided again whenever records are read (`canonical_groups`),
from the events' places after the users' entity corrections, by the same rule as at ingest; the
`story_events` rows and `events.story_event_rowid` keep the grouping as it was made at ingest or
rebuild.
"""

from __future__ import annotations

import json
import sqlite3
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from itertools import groupby

import numpy as np

from threatwatch.records import Document, Placement
from threatwatch.store.events import PLACE_ENTITY, events
from threatwatch.stories.cluster import UNKNOWN_DAY
from threatwatch.stories.merge import Context, EventKey, link_reports, merge_records

STORY_COLUMNS = ("id", "title", "doc_ids", "langs", "first_published", "last_published", "event_ids")
_CHUNK = 900  # parameters per IN (...) query
_GROUPS_CACHED = 1024  # stories whose canonical events `merged_events` keeps while it reads


def _chunks(items: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


# --- lookups ------------------------------------------------------------------------------------

def duplicate_candidates(db: sqlite3.Connection, bands: Sequence[int]) -> list[sqlite3.Row]:
    """Stored documents sharing an LSH band with the new one: rowid, id, day, story, MinHash signature."""
    marks = ",".join("?" * len(bands))
    return db.execute(
        "SELECT sd.doc_rowid, sd.minhash, sd.story_rowid, sd.day, d.id AS doc_id, d.duplicate_of, s.id AS story_id "
        "FROM story_docs sd "
        "JOIN documents d ON d.rowid = sd.doc_rowid JOIN stories s ON s.rowid = sd.story_rowid "
        f"WHERE sd.doc_rowid IN (SELECT DISTINCT doc_rowid FROM minhash_bands WHERE key IN ({marks})) "
        "ORDER BY sd.doc_rowid",
        tuple(bands),
    ).fetchall()


def postings(db: sqlite3.Connection, key: int, day: int, window: int, limit: int, undated: bool = True) -> list[int]:
    """Documents indexed under `key`: for a dated document those published within `window` days
    (the latest first) and, when `undated`, some undated ones; for an undated one the latest stored."""
    if day == UNKNOWN_DAY:
        rows = db.execute("SELECT doc_rowid FROM story_postings WHERE feature = ? ORDER BY doc_rowid DESC LIMIT ?",
                          (key, limit)).fetchall()
        return [r[0] for r in rows]
    rows = db.execute(
        "SELECT doc_rowid FROM story_postings WHERE feature = ? AND day BETWEEN ? AND ? ORDER BY day DESC LIMIT ?",
        (key, day - window, day + window, limit),
    ).fetchall()
    if undated:
        rows += db.execute(
            "SELECT doc_rowid FROM story_postings WHERE feature = ? AND day = ? ORDER BY doc_rowid DESC LIMIT ?",
            (key, UNKNOWN_DAY, limit // 4),
        ).fetchall()
    return [r[0] for r in rows]


def neighbours(db: sqlite3.Connection, day: int, days: int, limit: int) -> list[tuple[int, bytes]]:
    """Documents with an embedding published within `days` of `day`, the latest first (the latest
    stored when undated)."""
    if day == UNKNOWN_DAY:
        rows = db.execute("SELECT doc_rowid, embedding FROM story_docs WHERE embedding IS NOT NULL "
                          "ORDER BY doc_rowid DESC LIMIT ?", (limit,)).fetchall()
    else:
        rows = db.execute("SELECT doc_rowid, embedding FROM story_docs WHERE day BETWEEN ? AND ? "
                          "AND embedding IS NOT NULL ORDER BY day DESC LIMIT ?",
                          (day - days, day + days, limit)).fetchall()
    return [(r[0], r[1]) for r in rows]


def candidates(db: sqlite3.Connection, rowids: Sequence[int]) -> list[sqlite3.Row]:
    """The story cues of the given documents, with their language and their story's id and days."""
    rows: list[sqlite3.Row] = []
    for chunk in _chunks(list(rowids)):
        rows += db.execute(
            "SELECT sd.*, s.id AS story_id, s.first_day, s.last_day, d.lang FROM story_docs sd "
            "JOIN stories s ON s.rowid = sd.story_rowid JOIN documents d ON d.rowid = sd.doc_rowid "
            f"WHERE sd.doc_rowid IN ({','.join('?' * len(chunk))})",
            tuple(chunk),
        ).fetchall()
    return rows


def document_frequencies(db: sqlite3.Connection, keys: Iterable[int]) -> dict[int, int]:
    found: dict[int, int] = {}
    for chunk in _chunks(list(keys)):
        marks = ",".join("?" * len(chunk))
        found.update(db.execute(f"SELECT feature, df FROM story_features WHERE feature IN ({marks})",
                                tuple(chunk)).fetchall())
    return found


def count_documents(db: sqlite3.Connection, day: int | None = None) -> int:
    """Documents with story cues (only those of this day number, when given)."""
    if day is None:
        return int(db.execute("SELECT count(*) FROM story_docs").fetchone()[0])
    return int(db.execute("SELECT count(*) FROM story_docs WHERE day = ?", (day,)).fetchone()[0])


def story_rowid(db: sqlite3.Connection, story_id: str) -> int | None:
    row = db.execute("SELECT rowid FROM stories WHERE id = ?", (story_id,)).fetchone()
    return int(row[0]) if row else None


# --- writes -------------------------------------------------------------------------------------

def add_story_document(db: sqlite3.Connection, doc_rowid: int, doc: Document, placement: Placement,
                       link_events: bool = True) -> None:
    """Write a placed document's story cues and indexes, its story, and (unless `link_events` is
    False) its events' canonical events (inside the caller's transaction, after the document and
    its events)."""
    signals = doc.signals
    assert signals is not None, "a placed document has story signals"
    day = signals.day or UNKNOWN_DAY
    rowid = _story(db, doc, placement, day)
    db.execute(
        "INSERT INTO story_docs (doc_rowid, story_rowid, day, feature_keys, feature_weights, embedding, minhash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (doc_rowid, rowid, day, np.asarray(placement.feature_keys, dtype=np.int64).tobytes(),
         np.asarray(placement.feature_weights, dtype=np.float32).tobytes(), signals.embedding, signals.minhash),
    )
    db.executemany("INSERT OR IGNORE INTO minhash_bands (key, doc_rowid) VALUES (?, ?)",
                   [(key, doc_rowid) for key in signals.bands])
    if placement.duplicate_of is None:
        db.executemany("INSERT INTO story_features (feature, df) VALUES (?, 1) "
                       "ON CONFLICT(feature) DO UPDATE SET df = df + 1", [(k,) for k in set(placement.feature_keys)])
        db.executemany("INSERT OR IGNORE INTO story_postings (feature, day, doc_rowid) VALUES (?, ?, ?)",
                       [(key, day, doc_rowid) for key in placement.posted])
    if link_events:
        _link_events(db, doc_rowid, rowid)


def _story(db: sqlite3.Connection, doc: Document, placement: Placement, day: int) -> int:
    if placement.story_rowid is None:
        return int(db.execute(
            "INSERT INTO stories (id, title, first_published, last_published, first_day, last_day, size) "
            "VALUES (?, ?, ?, ?, ?, ?, 1)",
            (placement.story_id, doc.title, doc.published, doc.published, day, day),
        ).lastrowid)
    db.execute(
        "UPDATE stories SET size = size + 1, title = COALESCE(title, ?), "
        "first_published = CASE WHEN first_published IS NULL OR ? < first_published THEN ? ELSE first_published END, "
        "last_published = CASE WHEN last_published IS NULL OR ? > last_published THEN ? ELSE last_published END, "
        "first_day = CASE WHEN first_day = 0 OR (? > 0 AND ? < first_day) THEN ? ELSE first_day END, "
        "last_day = CASE WHEN ? > last_day THEN ? ELSE last_day END WHERE rowid = ?",
        (doc.title, doc.published, doc.published, doc.published, doc.published, day, day, day, day, day,
         placement.story_rowid),
    )
    return placement.story_rowid


def _link_events(db: sqlite3.Connection, doc_rowid: int, story: int) -> None:
    """Each event of the document joins a compatible canonical event of its story, or starts one
    (`merge.link_reports`); written to `story_events` and `events.story_event_rowid`."""
    reports = [(event, key) for event, _, key in report_keys(db, "e.doc_rowid = ?", (doc_rowid,))]
    if not reports:
        return
    known = db.execute("SELECT rowid, type, place_id, country, date FROM story_events "
                       "WHERE story_rowid = ? ORDER BY rowid", (story,)).fetchall()
    rowids: list[int] = [k["rowid"] for k in known]
    keys = [EventKey(k["type"], k["place_id"], k["country"], k["date"]) for k in known]
    before = list(keys)
    for (event_rowid, _), index in zip(reports, link_reports(keys, [key for _, key in reports]), strict=True):
        key = keys[index]
        if index >= len(rowids):
            rowids.append(int(db.execute(
                "INSERT INTO story_events (story_rowid, type, place_id, country, date, first_event_rowid) "
                "VALUES (?, ?, ?, ?, ?, ?)", (story, key.type, key.place_id, key.country, key.date, event_rowid),
            ).lastrowid))
        elif key != before[index]:
            db.execute("UPDATE story_events SET place_id = ?, country = ?, date = ? WHERE rowid = ?",
                       (key.place_id, key.country, key.date, rowids[index]))
            before[index] = key
        db.execute("UPDATE events SET story_event_rowid = ? WHERE rowid = ?", (rowids[index], event_rowid))


def report_keys(db: sqlite3.Connection, where: str, params: tuple[object, ...]) -> list[tuple[int, int, EventKey]]:
    """(event rowid, document rowid, key) of the events matching `where` (a condition on `e`), in
    ingest order. The key's place is the one after the users' corrections (its country from the
    corrected entity), its date the event's, else its document's publication date."""
    rows = db.execute(
        f"SELECT e.rowid, e.doc_rowid, e.type, e.location_id, e.country, e.date, d.published, {PLACE_ENTITY} AS place "
        f"FROM events e JOIN documents d ON d.rowid = e.doc_rowid WHERE {where} ORDER BY e.rowid", params,
    ).fetchall()
    keys = []
    for row in rows:
        place, country = row["place"], row["country"]
        if place != row["location_id"]:
            found = db.execute("SELECT country FROM entities WHERE id = ?", (place,)).fetchone()
            country = (found[0] if found else None) or country
        key = EventKey(row["type"], place or _country_id(country), country, row["date"] or row["published"])
        keys.append((int(row["rowid"]), int(row["doc_rowid"]), key))
    return keys


def canonical_groups(db: sqlite3.Connection, story: int) -> list[list[int]]:
    """The canonical events of one story as lists of event rowids (each in ingest order; the
    events in the order they began), grouped when read from the corrected entities, so an
    `entities merge/split` of a place reaches them at once. The same rule as at ingest."""
    reports = report_keys(db, "e.doc_rowid IN (SELECT doc_rowid FROM story_docs WHERE story_rowid = ?)", (story,))
    known: list[EventKey] = []
    groups: list[list[int]] = []
    for _, same_document in groupby(reports, key=lambda report: report[1]):  # one document's events at a time
        batch = list(same_document)
        for (event_rowid, _, _), index in zip(batch, link_reports(known, [key for *_, key in batch]), strict=True):
            if index == len(groups):
                groups.append([])
            groups[index].append(event_rowid)
    return groups


def _country_id(country: str | None) -> str | None:
    return f"country:{country}" if country else None


# --- rebuild (`threatwatch stories rebuild`) -------------------------------------------------------

def clear_stories(db: sqlite3.Connection) -> None:
    """Forget every story, near-duplicate mark, story cue and canonical event (inside the caller's
    transaction); the documents' embeddings are kept aside in the temporary table `kept_embeddings`."""
    db.execute("DROP TABLE IF EXISTS temp.kept_embeddings")
    db.execute("CREATE TEMP TABLE kept_embeddings (doc_rowid INTEGER PRIMARY KEY, embedding BLOB NOT NULL)")
    db.execute("INSERT INTO temp.kept_embeddings SELECT doc_rowid, embedding FROM story_docs "
               "WHERE embedding IS NOT NULL")
    for table in ("minhash_bands", "story_postings", "story_features", "story_events", "story_docs", "stories"):
        db.execute(f"DELETE FROM {table}")
    db.execute("UPDATE events SET story_id = NULL, story_event_rowid = NULL")
    db.execute("UPDATE documents SET story_id = NULL, duplicate_of = NULL")


def kept_embedding(db: sqlite3.Connection, doc_rowid: int) -> bytes | None:
    row = db.execute("SELECT embedding FROM temp.kept_embeddings WHERE doc_rowid = ?", (doc_rowid,)).fetchone()
    return row[0] if row else None


def rebuild_order(db: sqlite3.Connection) -> list[int]:
    """Every document's rowid in publication order (undated last, then in ingest order)."""
    return [r[0] for r in db.execute("SELECT rowid FROM documents ORDER BY published IS NULL, published, rowid")]


def document_cues(db: sqlite3.Connection, doc_rowid: int) -> tuple[list[sqlite3.Row], list[sqlite3.Row]]:
    """A stored document's mentions (with the corrected entity) and its events (type, corrected
    place and its country): what its story cues are made of."""
    mentions = db.execute("SELECT start_char, end_char, text, type, entity_id FROM mentions WHERE doc_rowid = ? "
                          "ORDER BY start_char", (doc_rowid,)).fetchall()
    events = db.execute(
        f"SELECT e.id, e.type, e.location_id, e.country, {PLACE_ENTITY} AS place, "
        "(SELECT country FROM entities WHERE id = " + PLACE_ENTITY + ") AS place_country "
        "FROM events e WHERE e.doc_rowid = ? ORDER BY e.rowid", (doc_rowid,)).fetchall()
    return mentions, events


def set_document_story(db: sqlite3.Connection, doc_rowid: int, story_id: str, duplicate_of: str | None) -> None:
    db.execute("UPDATE documents SET story_id = ?, duplicate_of = ? WHERE rowid = ?",
               (story_id, duplicate_of, doc_rowid))
    db.execute("UPDATE events SET story_id = ? WHERE doc_rowid = ?", (story_id, doc_rowid))


def link_all_events(db: sqlite3.Connection) -> None:
    """Write the canonical events of every story again, each story's documents in ingest order
    (the order `canonical_groups` reads them in)."""
    db.execute("DELETE FROM story_events")
    db.execute("UPDATE events SET story_event_rowid = NULL")
    rows = db.execute("SELECT sd.doc_rowid, sd.story_rowid FROM story_docs sd "
                      "WHERE EXISTS (SELECT 1 FROM events e WHERE e.doc_rowid = sd.doc_rowid) ORDER BY sd.doc_rowid")
    for doc_rowid, story in rows.fetchall():
        _link_events(db, doc_rowid, story)


# --- records ------------------------------------------------------------------------------------

def stories(db: sqlite3.Connection, where: str = "", params: tuple[object, ...] = ()) -> Iterator[dict[str, object]]:
    """SPEC story records in the order the stories began; `where` is a condition on `s`."""
    rows = db.execute(f"SELECT * FROM stories s {'WHERE ' + where if where else ''} ORDER BY s.rowid", params)
    for story in rows:
        docs = db.execute(
            "SELECT d.id, d.lang FROM story_docs sd JOIN documents d ON d.rowid = sd.doc_rowid "
            "WHERE sd.story_rowid = ? ORDER BY sd.doc_rowid", (story["rowid"],)).fetchall()
        firsts = [group[0] for group in canonical_groups(db, story["rowid"])]
        yield {
            "id": story["id"],
            "title": story["title"],
            "doc_ids": [d["id"] for d in docs],
            "langs": list(dict.fromkeys(d["lang"] for d in docs if d["lang"])),
            "first_published": story["first_published"],
            "last_published": story["last_published"],
            "event_ids": [db.execute("SELECT id FROM events WHERE rowid = ?", (first,)).fetchone()[0]
                          for first in firsts],
        }


def merged_events(db: sqlite3.Connection) -> Iterator[dict[str, object]]:
    """SPEC event records with one record per canonical event: the reports of one happening in a
    story merged (every source and evidence span, tolls by the ledger's rule), plus `ledger`;
    in the order of each canonical event's first report."""
    rows = db.execute("SELECT e.rowid, sd.story_rowid FROM events e "
                      "LEFT JOIN story_docs sd ON sd.doc_rowid = e.doc_rowid ORDER BY e.rowid")
    cached: OrderedDict[int, dict[int, list[int]]] = OrderedDict()  # story -> first report -> its group
    for event_rowid, story in rows:
        if story is None:
            group = [event_rowid]
        else:
            if story not in cached:
                cached[story] = {members[0]: members for members in canonical_groups(db, story)}
                if len(cached) > _GROUPS_CACHED:
                    cached.popitem(last=False)
            group = cached[story].get(event_rowid)
            if group is None:
                continue  # a later report of a canonical event already written
        yield _merged(db, group)[0]


def story_events(db: sqlite3.Connection, story_id: str) -> Iterator[tuple[dict[str, object], list[dict[str, object]]]]:
    """Each canonical event of one story, in the order of the story's `event_ids`: its merged
    record (as `merged_events` writes it, with `ledger`) and the records of its reports. Read-only."""
    row = db.execute("SELECT rowid FROM stories WHERE id = ?", (story_id,)).fetchone()
    for group in canonical_groups(db, row[0]) if row else []:
        yield _merged(db, group)


def _merged(db: sqlite3.Connection, group: Sequence[int]) -> tuple[dict[str, object], list[dict[str, object]]]:
    where = f"e.rowid IN ({','.join('?' * len(group))})"
    members = list(events(db, where, tuple(group)))
    return merge_records(members, _context(db, where, tuple(group))), members


def _context(db: sqlite3.Connection, where: str, params: tuple[object, ...]) -> Context:
    rows = db.execute(
        "SELECT e.id, e.location_id, e.country, e.killed, e.injured, e.arrested, e.doc_rowid, e.fields, "
        f"d.id AS doc_id, d.published FROM events e JOIN documents d ON d.rowid = e.doc_rowid WHERE {where}",
        params,
    ).fetchall()
    speakers: dict[str, str | None] = {}
    for row in rows:
        fields = json.loads(row["fields"])
        for name in ("killed", "injured", "arrested"):
            if row[name] is not None and name in fields:
                speakers[f"{row['id']}:{name}"] = _speaker(db, row["doc_rowid"], row[name], *fields[name])
    return Context(
        published={r["doc_id"]: r["published"] for r in rows},
        place_ids={r["id"]: r["location_id"] or _country_id(r["country"]) for r in rows},
        speakers=speakers,
    )


def _speaker(db: sqlite3.Connection, doc_rowid: int, value: int, start: int, end: int) -> str | None:
    """The speaker of the claim that states this figure in the sentence holding its span."""
    row = db.execute(
        "SELECT speaker FROM claims WHERE doc_rowid = ? AND value = ? AND start_char <= ? AND end_char >= ? "
        "AND speaker IS NOT NULL ORDER BY rowid LIMIT 1", (doc_rowid, value, start, end)).fetchone()
    return row[0] if row else None
