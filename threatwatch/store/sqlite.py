"""SQLite store: WAL mode, versioned migrations, one transaction per document.

A crash mid-ingest leaves every committed document whole and nothing half-written; a re-run
skips what is stored (ids are content hashes) and completes the rest.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from threatwatch.entities.overrides import Override, resolve, split_id
from threatwatch.errors import StoreError
from threatwatch.normalize import index_text
from threatwatch.records import Document, Entity, Mention, Paragraph, Placement
from threatwatch.store import stories as story_sql
from threatwatch.store.events import add_events, claims, events
from threatwatch.store.migrations import LATEST, MIGRATIONS

DB_ENV = "THREATWATCH_DB"
DEFAULT_DB = "threatwatch.db"

_DOCUMENT_COLUMNS = (
    "id, path, url, title, published, source, lang, langs, text, raw, paragraphs, story_id, duplicate_of"
)


def default_db_path() -> str:
    return os.environ.get(DB_ENV) or DEFAULT_DB


class Store:
    def __init__(self, path: str | Path, readonly: bool = False) -> None:
        self.path = str(path)
        if readonly and not Path(self.path).exists():
            raise StoreError(f"no store at {self.path}: run `threatwatch ingest` first or pass --db")
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
            self.db.execute("PRAGMA busy_timeout = 5000")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the store {self.path} ({exc}): pass --db with a threatwatch store") from exc

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    # --- schema ---------------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception (KeyboardInterrupt included),
        so an interrupted write leaves nothing half-done."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        version = self.schema_version()
        if version > LATEST:
            raise StoreError(
                f"the store {self.path} has schema {version}, newer than this threatwatch ({LATEST}):"
                " upgrade threatwatch"
            )
        for number in range(version + 1, LATEST + 1):
            with self._transaction():
                for statement in _statements(MIGRATIONS[number - 1]):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {number}")

    # --- documents ------------------------------------------------------------------------

    def has_document(self, doc_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,)).fetchone() is not None

    def add_document(self, doc: Document, placement: Placement | None = None) -> bool:
        """Store `doc` and its search index entry atomically (with its story cues and canonical
        events when the story stage placed it); False when it was already stored."""
        with self._transaction():
            cursor = self.db.execute(
                f"INSERT OR IGNORE INTO documents ({_DOCUMENT_COLUMNS}, ingested_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    doc.id, doc.path, doc.url, doc.title, doc.published, doc.source, doc.lang,
                    json.dumps(list(doc.langs)), doc.text, doc.raw,
                    json.dumps([[p.start, p.end, p.lang] for p in doc.paragraphs]),
                    doc.story_id, doc.duplicate_of, datetime.now(UTC).isoformat(timespec="seconds"),
                ),
            )
            if cursor.rowcount == 0:
                return False  # already stored: the transaction wrote nothing
            self.db.execute(
                "INSERT INTO documents_fts (rowid, title, body) VALUES (?, ?, ?)",
                (cursor.lastrowid, index_text(doc.title or "", doc.lang), search_body(doc)),
            )
            self._add_mentions(int(cursor.lastrowid), doc)
            add_events(self.db, int(cursor.lastrowid), doc)
            if placement is not None and doc.signals is not None:
                story_sql.add_story_document(self.db, int(cursor.lastrowid), doc, placement)
            return True

    # --- entities ---------------------------------------------------------------------------

    def _add_mentions(self, doc_rowid: int, doc: Document) -> None:
        # one statement per table, not per row: a 600-word article has about a hundred mentions,
        # and the ingest process stores every worker's output alone
        overrides = self.overrides()
        self._add_entities(doc.entities)
        types = {e.id: e.type for e in doc.entities}
        self.db.executemany(
            "INSERT INTO mentions (doc_rowid, start_char, end_char, text, type, linked_id, entity_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(doc_rowid, m.start, m.end, m.text, m.type, m.entity_id,
              self._corrected(m.entity_id, m.text, types.get(m.entity_id, m.type), overrides))
             for m in doc.mentions],
        )

    def _corrected(self, linked_id: str, surface: str, entity_type: str, overrides: list[Override]) -> str:
        """The entity a linked mention belongs to after the users' corrections; a split's new
        entity is stored when it first appears."""
        entity_id = resolve(linked_id, surface, overrides)
        if entity_id != linked_id:
            self._add_entity(Entity(entity_id, surface, entity_type))  # type: ignore[arg-type]
        return entity_id

    def _add_entity(self, entity: Entity) -> None:
        self._add_entities((entity,))

    def _add_entities(self, entities: Iterable[Entity]) -> None:
        self.db.executemany(
            "INSERT OR IGNORE INTO entities (id, name, type, country, lat, lon) VALUES (?, ?, ?, ?, ?, ?)",
            [(e.id, e.name, e.type, e.country, e.lat, e.lon) for e in entities],
        )

    def overrides(self) -> list[Override]:
        rows = self.db.execute("SELECT action, target, argument FROM entity_overrides ORDER BY rowid").fetchall()
        return [Override(r["action"], r["target"], r["argument"]) for r in rows]

    def get_entity_row(self, entity_id: str) -> sqlite3.Row | None:
        return self.db.execute("SELECT * FROM entities WHERE id = ?", (entity_id,)).fetchone()

    def correct_entities(self, override: Override) -> int:
        """Record a correction and apply it to the stored mentions; returns the mentions moved."""
        for entity_id in (override.target, override.argument if override.action == "merge" else None):
            if entity_id and self.get_entity_row(entity_id) is None:
                raise StoreError(f"no entity {entity_id!r}: list ids with `threatwatch export entities`")
        with self._transaction():
            self.db.execute(
                "INSERT INTO entity_overrides (action, target, argument, created_at) VALUES (?, ?, ?, ?)",
                (override.action, override.target, override.argument, datetime.now(UTC).isoformat(timespec="seconds")),
            )
            return self._apply(override)

    def _apply(self, override: Override) -> int:
        if override.action == "rename":
            self.db.execute("UPDATE entities SET name = ? WHERE id = ?", (override.argument, override.target))
            return 0
        if override.action == "merge":
            return self.db.execute(
                "UPDATE mentions SET entity_id = ? WHERE entity_id = ?", (override.target, override.argument)
            ).rowcount
        new_id = split_id(override.target, override.argument)
        row = self.get_entity_row(override.target)
        moved = 0
        for mention in self.db.execute(
            "SELECT rowid, text FROM mentions WHERE entity_id = ?", (override.target,)
        ).fetchall():
            if resolve(override.target, mention["text"], [override]) == new_id:
                moved += self.db.execute("UPDATE mentions SET entity_id = ? WHERE rowid = ?",
                                         (new_id, mention["rowid"])).rowcount
        if moved:
            self._add_entity(Entity(new_id, override.argument, row["type"] if row else "other"))
        return moved

    def relink(self, link: Callable[[str, str], Entity | None]) -> int:
        """Link every stored mention again with `link(text, type)` (after a registry update, say;
        None keeps the stored link), then apply the users' corrections again; returns the
        mentions whose entity changed."""
        overrides = self.overrides()
        changed = 0
        with self._transaction():
            rows = self.db.execute("SELECT rowid, text, type, linked_id, entity_id FROM mentions").fetchall()
            for row in rows:
                entity = link(row["text"], row["type"])
                linked_id, entity_type = (entity.id, entity.type) if entity else (row["linked_id"], row["type"])
                if entity:
                    self._add_entity(entity)
                entity_id = self._corrected(linked_id, row["text"], entity_type, overrides)
                changed += entity_id != row["entity_id"]
                self.db.execute("UPDATE mentions SET linked_id = ?, entity_id = ?, type = ? WHERE rowid = ?",
                                (linked_id, entity_id, entity_type, row["rowid"]))
        return changed

    def entities(self) -> Iterator[dict[str, object]]:
        """SPEC.md entity records: every entity some mention points to, most mentioned first."""
        rows = self.db.execute(
            "SELECT e.*, count(*) AS n FROM entities e JOIN mentions m ON m.entity_id = e.id "
            "GROUP BY e.id ORDER BY n DESC, e.id"
        ).fetchall()
        for row in rows:
            mentions = self.db.execute(
                "SELECT d.id AS doc_id, m.start_char, m.end_char, m.text FROM mentions m "
                "JOIN documents d ON d.rowid = m.doc_rowid WHERE m.entity_id = ? ORDER BY m.doc_rowid, m.start_char",
                (row["id"],),
            ).fetchall()
            yield {
                "id": row["id"],
                "name": row["name"],
                "type": row["type"],
                "aliases": list(dict.fromkeys(m["text"] for m in mentions)),
                "country": row["country"],
                "lat": row["lat"],
                "lon": row["lon"],
                "doc_ids": list(dict.fromkeys(m["doc_id"] for m in mentions)),
                "mentions": [{"doc_id": m["doc_id"], "start": m["start_char"], "end": m["end_char"], "text": m["text"]}
                             for m in mentions],
            }

    def events(self) -> Iterator[dict[str, object]]:
        """Event records as each document reports them (one document in `doc_ids`)."""
        return events(self.db)

    def merged_events(self) -> Iterator[dict[str, object]]:
        """SPEC event records, one per canonical event (the reports of one happening in a story
        merged: every source and evidence span, tolls by the ledger's rule), plus `ledger`."""
        return story_sql.merged_events(self.db)

    def stories(self) -> Iterator[dict[str, object]]:
        return story_sql.stories(self.db)

    def claims(self) -> Iterator[dict[str, object]]:
        return claims(self.db)

    def document_mentions(self, doc_id: str) -> list[Mention]:
        rows = self.db.execute(
            "SELECT m.* FROM mentions m JOIN documents d ON d.rowid = m.doc_rowid WHERE d.id = ? ORDER BY m.start_char",
            (doc_id,),
        ).fetchall()
        return [Mention(r["start_char"], r["end_char"], r["text"], r["type"], r["entity_id"]) for r in rows]

    def get_document(self, doc_id: str) -> Document | None:
        row = self.db.execute(f"SELECT {_DOCUMENT_COLUMNS} FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return _document(row) if row else None

    def documents(self, batch: int = 500) -> Iterator[Document]:
        """Every document in ingest order, read in batches so memory stays flat."""
        last = 0
        while True:
            rows = self.db.execute(
                f"SELECT rowid, {_DOCUMENT_COLUMNS} FROM documents WHERE rowid > ? ORDER BY rowid LIMIT ?",
                (last, batch),
            ).fetchall()
            if not rows:
                return
            for row in rows:
                yield _document(row)
            last = rows[-1]["rowid"]

    def count_documents(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM documents").fetchone()[0])


def search_body(doc: Document) -> str:
    """The body in search form, each paragraph normalised by its own language."""
    if not doc.paragraphs:
        return index_text(doc.text, doc.lang)
    return " ".join(index_text(doc.text[p.start : p.end], p.lang or doc.lang) for p in doc.paragraphs)


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";\n") if s.strip()]


def _document(row: sqlite3.Row) -> Document:
    return Document(
        id=row["id"],
        path=row["path"],
        raw=row["raw"],
        text=row["text"],
        url=row["url"],
        title=row["title"],
        published=row["published"],
        source=row["source"],
        lang=row["lang"],
        langs=tuple(json.loads(row["langs"])),
        paragraphs=tuple(Paragraph(start, end, lang) for start, end, lang in json.loads(row["paragraphs"])),
        story_id=row["story_id"],
        duplicate_of=row["duplicate_of"],
    )
