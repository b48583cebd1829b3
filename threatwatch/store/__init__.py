"""The document store. SQLite (a single file) is the default and only backend so far."""

from threatwatch.store.sqlite import Store, default_db_path

__all__ = ["Store", "default_db_path"]
