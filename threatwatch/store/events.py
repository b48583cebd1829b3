"""Events and claims in the SQLite store: written with their document, read back as SPEC records.

Evidence text is never stored: it is cut from the document's text on the way out, so
`text[start:end] == evidence.text` holds by construction. An actor's or a speaker's entity is
looked up through the mention at its span, so `entities merge/split` reach events too.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator

from threatwatch.records import Document

EVENT_COLUMNS = ("id", "type", "attack_type", "weapon", "date", "location", "country", "lat", "lon", "actors",
                 "killed", "injured", "arrested", "doc_ids", "story_id", "evidence", "fields")
CLAIM_COLUMNS = ("id", "subject", "value", "value_max", "qualifier", "unit", "speaker", "speaker_entity_id",
                 "said_on", "doc_id", "evidence")
_CURRENT_ENTITY = (
    "COALESCE((SELECT m.entity_id FROM mentions m WHERE m.doc_rowid = {doc} AND m.start_char = {start} "
    "AND m.end_char = {end} LIMIT 1), {stored})"
)
# SQL for an event actor's (`a` joined to `e`) and a claim speaker's (`c`) entity after the
# users' corrections; the web's filters use the same expressions.
ACTOR_ENTITY = _CURRENT_ENTITY.format(doc="e.doc_rowid", start="a.start_char", end="a.end_char", stored="a.entity_id")
SPEAKER_ENTITY = _CURRENT_ENTITY.format(doc="c.doc_rowid", start="c.speaker_start", end="c.speaker_end",
                                        stored="c.speaker_entity_id")
# An event's place after the users' corrections (`entities merge/split`): the entity of the
# mention at its `location` span, as `ACTOR_ENTITY` does for actors; else the place stored with it.
PLACE_ENTITY = "CASE WHEN e.location_id IS NULL THEN NULL ELSE " + _CURRENT_ENTITY.format(
    doc="e.doc_rowid", start="json_extract(e.fields, '$.location[0]')", end="json_extract(e.fields, '$.location[1]')",
    stored="e.location_id") + " END"


def add_events(db: sqlite3.Connection, doc_rowid: int, doc: Document) -> None:
    for event in doc.events:
        cursor = db.execute(
            "INSERT OR IGNORE INTO events (id, doc_rowid, type, attack_type, weapon, date, location, location_id, "
            "country, lat, lon, killed, injured, arrested, story_id, evidence, fields) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (event.id, doc_rowid, event.type, event.attack_type, event.weapon, event.date, event.location,
             event.location_id, event.country, event.lat, event.lon, event.killed, event.injured, event.arrested,
             doc.story_id, json.dumps([[s.start, s.end] for s in event.evidence]),
             json.dumps({name: [s.start, s.end] for name, s in event.fields})),
        )
        for actor in event.actors:
            db.execute(
                "INSERT INTO event_actors (event_rowid, role, name, entity_id, start_char, end_char) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (cursor.lastrowid, actor.role, actor.name, actor.entity_id, actor.span.start, actor.span.end),
            )
    for claim in doc.claims:
        speaker = claim.speaker_span
        db.execute(
            "INSERT OR IGNORE INTO claims (id, doc_rowid, subject, value, value_max, qualifier, unit, speaker, "
            "speaker_entity_id, speaker_start, speaker_end, said_on, start_char, end_char) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (claim.id, doc_rowid, claim.subject, claim.value, claim.value_max, claim.qualifier, claim.unit,
             claim.speaker, claim.speaker_entity_id, speaker.start if speaker else None,
             speaker.end if speaker else None, claim.said_on, claim.evidence.start, claim.evidence.end),
        )


def events(db: sqlite3.Connection, where: str = "", params: tuple[object, ...] = ()) -> Iterator[dict[str, object]]:
    """SPEC event records, in document order. `where` is a fixed SQL condition on `e` with `?` parameters."""
    texts = _TextCache(db)
    rows = db.execute(
        f"SELECT e.*, d.id AS doc_id FROM events e JOIN documents d ON d.rowid = e.doc_rowid "
        f"{'WHERE ' + where if where else ''} ORDER BY e.rowid",
        params,
    )
    for row in rows:
        text = texts.get(row["doc_rowid"])
        actors = db.execute(
            f"SELECT a.role, a.name, {ACTOR_ENTITY} AS entity_id FROM event_actors a JOIN events e "
            "ON e.rowid = a.event_rowid WHERE a.event_rowid = ? ORDER BY a.rowid",
            (row["rowid"],),
        ).fetchall()
        yield {
            "id": row["id"],
            "type": row["type"],
            "attack_type": row["attack_type"],
            "weapon": row["weapon"],
            "date": row["date"],
            "location": row["location"],
            "country": row["country"],
            "lat": row["lat"],
            "lon": row["lon"],
            "actors": [{"entity_id": a["entity_id"], "name": a["name"], "role": a["role"]} for a in actors],
            "killed": row["killed"],
            "injured": row["injured"],
            "arrested": row["arrested"],
            "doc_ids": [row["doc_id"]],
            "story_id": row["story_id"],
            "evidence": [_span(row["doc_id"], text, start, end) for start, end in json.loads(row["evidence"])],
            "fields": {name: _span(row["doc_id"], text, start, end)
                       for name, (start, end) in json.loads(row["fields"]).items()},
        }


def claims(db: sqlite3.Connection, where: str = "", params: tuple[object, ...] = ()) -> Iterator[dict[str, object]]:
    texts = _TextCache(db)
    rows = db.execute(
        f"SELECT c.*, d.id AS doc_id, {SPEAKER_ENTITY} AS current_speaker_entity FROM claims c "
        f"JOIN documents d ON d.rowid = c.doc_rowid {'WHERE ' + where if where else ''} ORDER BY c.rowid",
        params,
    )
    for row in rows:
        text = texts.get(row["doc_rowid"])
        yield {
            "id": row["id"],
            "subject": row["subject"],
            "value": _number(row["value"]),
            "value_max": _number(row["value_max"]),
            "qualifier": row["qualifier"],
            "unit": row["unit"],
            "speaker": row["speaker"],
            "speaker_entity_id": row["current_speaker_entity"],
            "said_on": row["said_on"],
            "doc_id": row["doc_id"],
            "evidence": _span(row["doc_id"], text, row["start_char"], row["end_char"]),
        }


def _number(value: float | None) -> float | int | None:
    return int(value) if value is not None and float(value).is_integer() else value


def _span(doc_id: str, text: str, start: int, end: int) -> dict[str, object]:
    return {"doc_id": doc_id, "start": start, "end": end, "text": text[start:end]}


class _TextCache:
    """The text of the last document read: events and claims come grouped by document."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.rowid: int | None = None
        self.text = ""

    def get(self, rowid: int) -> str:
        if rowid != self.rowid:
            self.rowid = rowid
            self.text = self.db.execute("SELECT text FROM documents WHERE rowid = ?", (rowid,)).fetchone()[0]
        return self.text
