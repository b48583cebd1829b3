"""The store as the web server sees it: opened read-only, one connection per thread.

`Store` opens read-write and migrates; the server must never write, so it opens the file with
SQLite's `mode=ro` and `query_only` instead, and refuses a store whose schema is not the one this
threatwatch reads (`threatwatch serve` migrates before it starts serving, as every command does).
Every `Store` read method works unchanged on it, since they only use `self.db`.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from urllib.parse import quote

from threatwatch.errors import StoreError
from threatwatch.store import Store
from threatwatch.store.migrations import LATEST


class ReadOnlyStore(Store):
    def __init__(self, path: str | Path) -> None:  # noqa: D107 - no super().__init__: it would migrate (write)
        self.path = str(path)
        if not Path(self.path).is_file():
            raise StoreError(f"no store at {self.path}: run `threatwatch ingest` first or pass --db")
        uri = f"file:{quote(str(Path(self.path).resolve()))}?mode=ro"
        try:
            self.db = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA query_only = ON")
            self.db.execute("PRAGMA busy_timeout = 5000")
            # Read through the OS page cache instead of copying into SQLite's small default
            # cache: joins from search matches to their documents touch rows all over the file.
            self.db.execute("PRAGMA mmap_size = 1073741824")
            version = self.schema_version()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the store {self.path} ({exc}): pass --db with a threatwatch store") from exc
        if version != LATEST:
            self.db.close()
            raise StoreError(
                f"the store {self.path} has schema {version}, this threatwatch reads {LATEST}: "
                "run `threatwatch serve` (it migrates on start) or upgrade threatwatch"
            )


class StorePool:
    """One read-only connection per worker thread: a sqlite3 connection must not run two
    statements at once, and the server answers requests on several threads."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._local = threading.local()
        ReadOnlyStore(self.path).close()  # fail at start-up, not on the first request

    def get(self) -> ReadOnlyStore:
        store: ReadOnlyStore | None = getattr(self._local, "store", None)
        if store is None:
            store = ReadOnlyStore(self.path)
            self._local.store = store
        return store
