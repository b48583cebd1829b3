"""Dated events and claims of one entity or one story, in date order (`threatwatch timeline`).

An event belongs to an entity's timeline when the entity is one of its actors or its place;
a claim when the entity is its speaker or is named inside the claim's sentence. A story's
timeline holds the events and claims of its documents. An event is dated by its own date, else
its earliest report's publication date; a claim by the day it was said, else its document's
publication date. Undated entries come last.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from threatwatch.errors import ThreatwatchError
from threatwatch.store import Store
from threatwatch.store.events import PLACE_ENTITY
from threatwatch.stories.claims import with_claim_groups

UNDATED = "undated"


@dataclass(frozen=True, slots=True)
class Entry:
    date: str | None
    kind: str  # "event" | "claim"
    record: dict[str, object]

    def line(self) -> str:
        when = (self.date or UNDATED).ljust(10)
        r = self.record
        if self.kind == "event":
            place = ", ".join(str(p) for p in (r["location"], r["country"]) if p)
            tolls = " ".join(f"{name} {r[name]}" for name in ("killed", "injured", "arrested") if r[name] is not None)
            docs = r["doc_ids"]
            return (f"{when}  event  {r['type']}{' (' + str(r['attack_type']) + ')' if r['attack_type'] else ''}"
                    f"{'  ' + place if place else ''}{'  ' + tolls if tolls else ''}  [{r['id']}; "
                    f"{len(docs)} report{'s' if len(docs) != 1 else ''}]")  # type: ignore[arg-type]
        value = _figure(r)
        speaker = f" ({r['speaker']})" if r["speaker"] else ""
        return f"{when}  claim  {r['claim_group']}: {value} {r['subject']}{speaker}  [{r['doc_id']}]"


def _figure(record: dict[str, object]) -> str:
    value, top, qualifier = record["value"], record["value_max"], record["qualifier"]
    words = {"more_than": "more than ", "less_than": "less than ", "about": "about ", "up_to": "up to "}
    shown = f"{value:,}" if isinstance(value, int | float) else str(value)
    if top is not None:
        shown += f"-{top:,}" if isinstance(top, int | float) else f"-{top}"
    return words.get(str(qualifier), "") + shown


def resolve_entity(store: Store, name_or_id: str) -> str:
    """An entity id from an id or a name (canonical or any surface form, any case)."""
    if store.get_entity_row(name_or_id) is not None:
        return name_or_id
    row = store.db.execute(
        "SELECT entity_id FROM (SELECT m.entity_id, count(*) AS n FROM mentions m "
        "JOIN entities e ON e.id = m.entity_id WHERE lower(e.name) = lower(?) OR lower(m.text) = lower(?) "
        "GROUP BY m.entity_id) ORDER BY n DESC LIMIT 1",
        (name_or_id, name_or_id),
    ).fetchone()
    if row is None:
        raise ThreatwatchError(
            f"no entity named or with id {name_or_id!r}: list them with `threatwatch export entities`"
        )
    return str(row[0])


def timeline(store: Store, entity: str | None = None, story: str | None = None) -> list[Entry]:
    """Events and claims (optionally of one entity and/or one story) in date order."""
    entity_id = resolve_entity(store, entity) if entity else None
    if story and store.db.execute("SELECT 1 FROM stories WHERE id = ?", (story,)).fetchone() is None:
        raise ThreatwatchError(f"no story {story!r}: list them with `threatwatch export stories`")
    published = dict(store.db.execute("SELECT id, published FROM documents").fetchall())
    story_docs = ({r[0] for r in store.db.execute("SELECT id FROM documents WHERE story_id = ?", (story,))}
                  if story else None)
    named = _mentions(store, entity_id) if entity_id else {}
    entries = [Entry(_event_date(r, published), "event", r) for r in _events(store, entity_id, story)]
    for claim in with_claim_groups(store, store.claims()):
        if story_docs is not None and claim["doc_id"] not in story_docs:
            continue
        if entity_id and not _claim_names(claim, entity_id, named):
            continue
        entries.append(Entry(str(claim["said_on"] or published.get(claim["doc_id"]) or "") or None, "claim", claim))
    return sorted(entries, key=lambda e: (e.date is None, e.date or "", e.kind))


def _events(store: Store, entity_id: str | None, story: str | None) -> Iterator[dict[str, object]]:
    # The place after the users' corrections (an `entities merge` of a place reaches its events).
    places = ({r[0] for r in store.db.execute(
        f"SELECT e.id FROM events e WHERE (e.location_id = ? OR e.doc_rowid IN "
        f"(SELECT doc_rowid FROM mentions WHERE entity_id = ?)) AND {PLACE_ENTITY} = ?",
        (entity_id, entity_id, entity_id))} if entity_id else set())
    for record in store.merged_events():
        if story and record["story_id"] != story:
            continue
        if entity_id and not (any(a["entity_id"] == entity_id for a in record["actors"])  # type: ignore[attr-defined]
                              or record["id"] in places):
            continue
        yield record


def _event_date(record: dict[str, object], published: dict[str, str | None]) -> str | None:
    if record["date"]:
        return str(record["date"])
    dates = [published.get(d) for d in record["doc_ids"]]  # type: ignore[attr-defined]
    return min((d for d in dates if d), default=None)


def _mentions(store: Store, entity_id: str) -> dict[str, list[tuple[int, int]]]:
    spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for doc_id, start, end in store.db.execute(
        "SELECT d.id, m.start_char, m.end_char FROM mentions m JOIN documents d ON d.rowid = m.doc_rowid "
        "WHERE m.entity_id = ?", (entity_id,)):
        spans[doc_id].append((start, end))
    return spans


def _claim_names(claim: dict[str, object], entity_id: str, named: dict[str, list[tuple[int, int]]]) -> bool:
    if claim["speaker_entity_id"] == entity_id:
        return True
    evidence = claim["evidence"]
    start, end = evidence["start"], evidence["end"]  # type: ignore[index]
    return any(start <= s and e <= end for s, e in named.get(str(claim["doc_id"]), ()))
