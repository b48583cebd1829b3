"""SQLite store: WAL mode, versioned migrations, one transaction per document.

A crash mid-ingest leaves every committed document whole and nothing half-written; a re-run
skips what is stored (ids are content hashes) and completes the rest.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from threatwatch.errors import StoreError
from threatwatch.normalize import index_text
from threatwatch.records import Document, Paragraph
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
            self.db.execute("BEGIN IMMEDIATE")
            try:
                for statement in _statements(MIGRATIONS[number - 1]):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {number}")
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise

    # --- documents ------------------------------------------------------------------------

    def has_document(self, doc_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,)).fetchone() is not None

    def add_document(self, doc: Document) -> bool:
        """Store `doc` and its search index entry atomically; False when it was already stored."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
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
                self.db.execute("ROLLBACK")
                return False
            self.db.execute(
                "INSERT INTO documents_fts (rowid, title, body) VALUES (?, ?, ?)",
                (cursor.lastrowid, index_text(doc.title or "", doc.lang), search_body(doc)),
            )
            self.db.execute("COMMIT")
            return True
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

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
