"""Exports per SPEC.md: JSONL (one record a line) or CSV (same columns, lists joined by `|`)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import IO

from threatwatch.errors import ThreatwatchError
from threatwatch.store import Store
from threatwatch.store.events import CLAIM_COLUMNS, EVENT_COLUMNS
from threatwatch.store.stories import STORY_COLUMNS
from threatwatch.stories.claims import with_claim_groups

DOCUMENT_COLUMNS = ("id", "path", "url", "title", "published", "source", "lang", "langs", "text",
                    "story_id", "duplicate_of")
ENTITY_COLUMNS = ("id", "name", "type", "aliases", "country", "lat", "lon", "doc_ids", "mentions")
KINDS = ("documents", "entities", "events", "claims", "stories")
FORMATS = ("jsonl", "csv")


def records(store: Store, kind: str) -> tuple[tuple[str, ...], Iterator[dict[str, object]]]:
    if kind == "documents":
        return DOCUMENT_COLUMNS, (doc.to_dict() for doc in store.documents())
    if kind == "entities":
        return ENTITY_COLUMNS, store.entities()
    if kind == "events":
        return (*EVENT_COLUMNS, "ledger"), store.merged_events()
    if kind == "claims":
        return (*CLAIM_COLUMNS, "claim_group"), with_claim_groups(store, store.claims())
    if kind == "stories":
        return STORY_COLUMNS, store.stories()
    raise ThreatwatchError(f"unknown export kind {kind!r}: use one of {', '.join(KINDS)}")


def write_jsonl(rows: Iterable[dict[str, object]], out: IO[str]) -> int:
    count = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count


def write_csv(columns: tuple[str, ...], rows: Iterable[dict[str, object]], out: IO[str]) -> int:
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow({k: _cell(row.get(k)) for k in columns})
        count += 1
    return count


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        # Lists of records (entity mentions) stay JSON inside the cell; lists of values are joined.
        return "|".join(json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else str(v) for v in value)
    return value


def export(store: Store, kind: str, fmt: str, out: IO[str]) -> int:
    if fmt not in FORMATS:
        raise ThreatwatchError(f"unknown format {fmt!r}: use jsonl or csv")
    columns, rows = records(store, kind)
    return write_jsonl(rows, out) if fmt == "jsonl" else write_csv(columns, rows, out)
