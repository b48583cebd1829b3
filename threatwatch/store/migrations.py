"""Versioned schema. Each migration runs once, in order, in its own transaction; the version
reached is kept in SQLite's `user_version`. Never edit a released migration: add the next one."""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: documents and their full-text index (title and body, both in normalised search form).
    """
    CREATE TABLE documents (
        rowid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        path TEXT NOT NULL,
        url TEXT,
        title TEXT,
        published TEXT,
        source TEXT,
        lang TEXT,
        langs TEXT NOT NULL,
        text TEXT NOT NULL,
        raw TEXT NOT NULL,
        paragraphs TEXT NOT NULL,
        story_id TEXT,
        duplicate_of TEXT,
        ingested_at TEXT NOT NULL
    );
    CREATE INDEX documents_published ON documents(published);
    CREATE INDEX documents_lang ON documents(lang);
    CREATE VIRTUAL TABLE documents_fts USING fts5(
        title, body, tokenize = 'unicode61 remove_diacritics 0'
    );
    """,
)

LATEST = len(MIGRATIONS)
