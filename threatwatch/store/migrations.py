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
    # 2: entities, the mentions that link to them, and the users' corrections to the linking.
    """
    CREATE TABLE entities (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        type TEXT NOT NULL,
        country TEXT,
        lat REAL,
        lon REAL
    );
    CREATE TABLE mentions (
        doc_rowid INTEGER NOT NULL REFERENCES documents(rowid),
        start_char INTEGER NOT NULL,
        end_char INTEGER NOT NULL,
        text TEXT NOT NULL,
        type TEXT NOT NULL,
        linked_id TEXT NOT NULL,
        entity_id TEXT NOT NULL
    );
    CREATE INDEX mentions_entity ON mentions(entity_id);
    CREATE INDEX mentions_doc ON mentions(doc_rowid);
    CREATE TABLE entity_overrides (
        rowid INTEGER PRIMARY KEY,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        argument TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    """,
)

LATEST = len(MIGRATIONS)
