"""Stories, near-duplicates and canonical events in the SQLite store: SQL only.

The decisions (which story a document joins, which events are one) are made in
`threatwatch/stories/`; this module finds candidates through indexed tables, writes what was
decided, and reads stories and merged events back as SPEC records.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence

import numpy as np

from threatwatch.records import Document, Placement
from threatwatch.store.events import events
from threatwatch.stories.cluster import UNKNOWN_DAY
from threatwatch.stories.merge import Context, EventKey, compatible, match_rank, merge_records, refined

STORY_COLUMNS = ("id", "title", "doc_ids", "langs", "first_published", "last_published", "event_ids")
_CHUNK = 900  # parameters per IN (...) query


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

def add_story_document(db: sqlite3.Connection, doc_rowid: int, doc: Document, placement: Placement) -> None:
    """Write a placed document's story cues and indexes, its story, and its events' canonical events
    (inside the caller's transaction, after the document and its events)."""
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
    _link_events(db, doc_rowid, rowid, doc.published)


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


def _link_events(db: sqlite3.Connection, doc_rowid: int, story: int, published: str | None) -> None:
    """Each event of the document joins a compatible canonical event of its story, or starts one."""
    rows = db.execute("SELECT rowid, type, location_id, country, date FROM events WHERE doc_rowid = ? ORDER BY rowid",
                      (doc_rowid,)).fetchall()
    taken: set[int] = set()  # the document kept these events apart: they never share a canonical event
    for row in rows:
        report = EventKey(row["type"], row["location_id"] or _country_id(row["country"]), row["country"],
                          row["date"] or published)
        known = db.execute("SELECT rowid, type, place_id, country, date FROM story_events "
                           "WHERE story_rowid = ? AND type = ? ORDER BY rowid", (story, row["type"])).fetchall()
        keys = {k["rowid"]: EventKey(k["type"], k["place_id"], k["country"], k["date"]) for k in known}
        fits = [rowid for rowid, key in keys.items() if rowid not in taken and compatible(key, report)]
        if fits:
            chosen = min(fits, key=lambda r: (match_rank(keys[r], report), r))
            key = refined(keys[chosen], report)
            db.execute("UPDATE story_events SET place_id = ?, country = ?, date = ? WHERE rowid = ?",
                       (key.place_id, key.country, key.date, chosen))
        else:
            chosen = int(db.execute(
                "INSERT INTO story_events (story_rowid, type, place_id, country, date, first_event_rowid) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (story, report.type, report.place_id, report.country, report.date, row["rowid"]),
            ).lastrowid)
        taken.add(chosen)
        db.execute("UPDATE events SET story_event_rowid = ? WHERE rowid = ?", (chosen, row["rowid"]))


def _country_id(country: str | None) -> str | None:
    return f"country:{country}" if country else None


# --- records ------------------------------------------------------------------------------------

def stories(db: sqlite3.Connection, where: str = "", params: tuple[object, ...] = ()) -> Iterator[dict[str, object]]:
    """SPEC story records in the order the stories began; `where` is a condition on `s`."""
    rows = db.execute(f"SELECT * FROM stories s {'WHERE ' + where if where else ''} ORDER BY s.rowid", params)
    for story in rows:
        docs = db.execute(
            "SELECT d.id, d.lang FROM story_docs sd JOIN documents d ON d.rowid = sd.doc_rowid "
            "WHERE sd.story_rowid = ? ORDER BY sd.doc_rowid", (story["rowid"],)).fetchall()
        event_ids = db.execute(
            "SELECT e.id FROM story_events se JOIN events e ON e.rowid = se.first_event_rowid "
            "WHERE se.story_rowid = ? ORDER BY se.rowid", (story["rowid"],)).fetchall()
        yield {
            "id": story["id"],
            "title": story["title"],
            "doc_ids": [d["id"] for d in docs],
            "langs": list(dict.fromkeys(d["lang"] for d in docs if d["lang"])),
            "first_published": story["first_published"],
            "last_published": story["last_published"],
            "event_ids": [e["id"] for e in event_ids],
        }


def merged_events(db: sqlite3.Connection) -> Iterator[dict[str, object]]:
    """SPEC event records with one record per canonical event: the reports of one happening in a
    story merged (every source and evidence span, tolls by the ledger's rule), plus `ledger`."""
    rows = db.execute(
        "SELECT e.rowid, e.story_event_rowid, se.first_event_rowid FROM events e "
        "LEFT JOIN story_events se ON se.rowid = e.story_event_rowid ORDER BY e.rowid"
    )
    for row in rows:
        if row["story_event_rowid"] is None:
            where, value = "e.rowid = ?", row["rowid"]
        elif row["first_event_rowid"] == row["rowid"]:
            where, value = "e.story_event_rowid = ?", row["story_event_rowid"]
        else:
            continue  # a later report of a canonical event already written
        yield merge_records(list(events(db, where, (value,))), _context(db, where, value))


def story_events(db: sqlite3.Connection, story_id: str) -> Iterator[tuple[dict[str, object], list[dict[str, object]]]]:
    """Each canonical event of one story, in the order of the story's `event_ids`: its merged
    record (as `merged_events` writes it, with `ledger`) and the records of its reports. Read-only."""
    rows = db.execute("SELECT se.rowid FROM story_events se JOIN stories s ON s.rowid = se.story_rowid "
                      "WHERE s.id = ? ORDER BY se.rowid", (story_id,)).fetchall()
    for row in rows:
        members = list(events(db, "e.story_event_rowid = ?", (row[0],)))
        if members:
            yield merge_records(members, _context(db, "e.story_event_rowid = ?", row[0])), members


def _context(db: sqlite3.Connection, where: str, value: int) -> Context:
    rows = db.execute(
        "SELECT e.id, e.location_id, e.country, e.killed, e.injured, e.arrested, e.doc_rowid, e.fields, "
        f"d.id AS doc_id, d.published FROM events e JOIN documents d ON d.rowid = e.doc_rowid WHERE {where}",
        (value,),
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
