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
    # 3: events and numeric claims. Evidence is kept as offsets into the document text (the
    # text itself is read back from the document, so the two cannot disagree); actors and
    # speakers keep their mention's span, so entity corrections reach them through `mentions`.
    """
    CREATE TABLE events (
        rowid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        doc_rowid INTEGER NOT NULL REFERENCES documents(rowid),
        type TEXT NOT NULL,
        attack_type TEXT,
        weapon TEXT,
        date TEXT,
        location TEXT,
        location_id TEXT,
        country TEXT,
        lat REAL,
        lon REAL,
        killed INTEGER,
        injured INTEGER,
        arrested INTEGER,
        story_id TEXT,
        evidence TEXT NOT NULL,
        fields TEXT NOT NULL
    );
    CREATE INDEX events_doc ON events(doc_rowid);
    CREATE INDEX events_type ON events(type);
    CREATE INDEX events_date ON events(date);
    CREATE TABLE event_actors (
        event_rowid INTEGER NOT NULL REFERENCES events(rowid),
        role TEXT NOT NULL,
        name TEXT NOT NULL,
        entity_id TEXT,
        start_char INTEGER NOT NULL,
        end_char INTEGER NOT NULL
    );
    CREATE INDEX event_actors_event ON event_actors(event_rowid);
    CREATE TABLE claims (
        rowid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        doc_rowid INTEGER NOT NULL REFERENCES documents(rowid),
        subject TEXT NOT NULL,
        value REAL NOT NULL,
        value_max REAL,
        qualifier TEXT NOT NULL,
        unit TEXT,
        speaker TEXT,
        speaker_entity_id TEXT,
        speaker_start INTEGER,
        speaker_end INTEGER,
        said_on TEXT,
        start_char INTEGER NOT NULL,
        end_char INTEGER NOT NULL
    );
    CREATE INDEX claims_doc ON claims(doc_rowid);
    """,
    # 4: stories and near-duplicates. `story_docs` keeps each stored document's story cues
    # (hashed features and their weights, the title-and-lead embedding, the MinHash signature);
    # `minhash_bands` and `story_postings` are the indexes that find a new document's
    # candidates in constant time however large the store is; `story_features` holds each
    # feature's document frequency (for idf); `story_events` are the canonical events that
    # merge the same happening reported by several documents of a story (an event's
    # `story_event_rowid` names its canonical event). Day numbers are date.toordinal(), 0
    # when the publication day is not known.
    """
    CREATE TABLE stories (
        rowid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        title TEXT,
        first_published TEXT,
        last_published TEXT,
        first_day INTEGER NOT NULL,
        last_day INTEGER NOT NULL,
        size INTEGER NOT NULL
    );
    CREATE TABLE story_docs (
        doc_rowid INTEGER PRIMARY KEY REFERENCES documents(rowid),
        story_rowid INTEGER NOT NULL REFERENCES stories(rowid),
        day INTEGER NOT NULL,
        feature_keys BLOB NOT NULL,
        feature_weights BLOB NOT NULL,
        embedding BLOB,
        minhash BLOB NOT NULL
    );
    CREATE INDEX story_docs_story ON story_docs(story_rowid);
    CREATE INDEX story_docs_day ON story_docs(day);
    CREATE TABLE minhash_bands (
        key INTEGER NOT NULL,
        doc_rowid INTEGER NOT NULL,
        PRIMARY KEY (key, doc_rowid)
    ) WITHOUT ROWID;
    CREATE TABLE story_postings (
        feature INTEGER NOT NULL,
        day INTEGER NOT NULL,
        doc_rowid INTEGER NOT NULL,
        PRIMARY KEY (feature, day, doc_rowid)
    ) WITHOUT ROWID;
    CREATE TABLE story_features (
        feature INTEGER PRIMARY KEY,
        df INTEGER NOT NULL
    );
    CREATE TABLE story_events (
        rowid INTEGER PRIMARY KEY,
        story_rowid INTEGER NOT NULL REFERENCES stories(rowid),
        type TEXT NOT NULL,
        place_id TEXT,
        country TEXT,
        date TEXT,
        first_event_rowid INTEGER NOT NULL
    );
    CREATE INDEX story_events_story ON story_events(story_rowid, type);
    ALTER TABLE events ADD COLUMN story_event_rowid INTEGER;
    CREATE INDEX events_story_event ON events(story_event_rowid);
    CREATE INDEX events_story ON events(story_id);
    CREATE INDEX documents_story ON documents(story_id);
    """,
)

LATEST = len(MIGRATIONS)
