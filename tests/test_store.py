"""The store survives restarts and interruptions, and never holds a document twice."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.helpers import ARTICLE_EN, long_paragraphs
from threatwatch.errors import StoreError
from threatwatch.pipeline import ingest
from threatwatch.store import Store
from threatwatch.store.migrations import LATEST


def _corpus(folder: Path, count: int) -> Path:
    folder.mkdir()
    for i in range(count):
        (folder / f"a{i:02d}.txt").write_text(f"Report {i}\n" + "\n".join(long_paragraphs(f"case {i}")), "utf-8")
    return folder


def test_store_is_wal_and_migrated(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.schema_version() == LATEST


def test_documents_survive_a_restart(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE_EN, "utf-8")
    with Store(tmp_path / "s.db") as store:
        ingest(store, [tmp_path / "a.txt"])
    with Store(tmp_path / "s.db") as store:
        (doc,) = list(store.documents())
        assert doc.title == "Gunmen attack a concert hall near Moscow"
        assert store.get_document(doc.id) == doc


def test_same_content_twice_is_stored_once_under_the_first_path(tmp_path: Path, store) -> None:
    (tmp_path / "first.txt").write_text(ARTICLE_EN, "utf-8")
    (tmp_path / "second.txt").write_text(ARTICLE_EN, "utf-8")
    summary = ingest(store, [tmp_path / "first.txt", tmp_path / "second.txt"])
    assert (summary.stored, summary.duplicates) == (1, 1)
    (doc,) = list(store.documents())
    assert doc.path.endswith("first.txt")
    assert store.db.execute("SELECT count(*) FROM documents_fts").fetchone()[0] == 1


def test_interrupted_ingest_leaves_a_consistent_store_and_a_rerun_completes(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "in", 12)
    calls = 0

    def interrupt() -> None:
        nonlocal calls
        calls += 1
        if calls == 5:
            raise KeyboardInterrupt

    with Store(tmp_path / "s.db") as store, pytest.raises(KeyboardInterrupt):
        ingest(store, [corpus], progress=interrupt)
    with Store(tmp_path / "s.db") as store:
        stored = store.count_documents()
        assert stored == 5
        assert store.db.execute("SELECT count(*) FROM documents_fts").fetchone()[0] == stored
        summary = ingest(store, [corpus])
        assert (summary.stored, summary.duplicates) == (12 - stored, stored)
        assert store.count_documents() == 12


def test_a_store_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    Store(path).close()
    with sqlite3.connect(path) as raw:
        raw.execute(f"PRAGMA user_version = {LATEST + 1}")
    with pytest.raises(StoreError, match="upgrade threatwatch"):
        Store(path)


def test_a_file_that_is_not_a_store_is_named(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match="notes.db"):
        Store(path)


def test_readonly_open_of_a_missing_store_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="threatwatch ingest"):
        Store(tmp_path / "missing.db", readonly=True)
