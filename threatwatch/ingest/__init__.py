"""Finding input files and reading them into RawDocument records.

`read_inputs` walks files and folders and yields, in a stable order, either RawDocument or
Rejection values. Rejections carry the file (or file:line) and a reason with the fix.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from threatwatch.errors import InputRejected
from threatwatch.ingest import readers
from threatwatch.records import RawDocument, Rejection

DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024

Reader = Callable[[Path, bytes], Iterator[readers.Item]]

READERS: dict[str, Reader] = {
    ".txt": readers.read_text,
    ".html": readers.read_html,
    ".htm": readers.read_html,
    ".jsonl": readers.read_jsonl,
    ".warc": readers.read_warc,
    ".warc.gz": readers.read_warc,
}
SUPPORTED = ", ".join(READERS)


def format_of(path: Path) -> str | None:
    name = path.name.lower()
    for suffix in sorted(READERS, key=len, reverse=True):
        if name.endswith(suffix):
            return suffix
    return None


def find_files(paths: Iterable[str | Path]) -> Iterator[Path | Rejection]:
    """Files named directly, and supported files found recursively under folders.

    A file named directly with an unsupported type is rejected; inside folders, other files
    (images, stylesheets) are skipped, because scraped folders are full of them.
    """
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if format_of(child) and not child.name.startswith("."):
                    yield child
        elif path.is_file():
            if format_of(path):
                yield path
            else:
                yield Rejection(str(path), f"unsupported file type: use one of {SUPPORTED}")
        else:
            yield Rejection(str(path), "no such file or folder: check the path")


def read_file(path: Path, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> Iterator[RawDocument | Rejection]:
    suffix = format_of(path)
    if suffix is None:
        yield Rejection(str(path), f"unsupported file type: use one of {SUPPORTED}")
        return
    try:
        size = path.stat().st_size
        if size > max_bytes:
            yield Rejection(
                str(path),
                f"file is {size:,} bytes, over the {max_bytes:,}-byte limit: split it or raise --max-file-size",
            )
            return
        data = path.read_bytes()
    except OSError as exc:
        yield Rejection(str(path), f"cannot read the file ({exc.strerror}): check its permissions")
        return
    try:
        yield from READERS[suffix](path, data)
    except InputRejected as exc:
        yield Rejection(str(path), exc.reason)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        yield Rejection(str(path), f"truncated or corrupt file ({exc}): re-download it")


def read_inputs(
    paths: Iterable[str | Path], max_bytes: int = DEFAULT_MAX_FILE_BYTES
) -> Iterator[RawDocument | Rejection]:
    for found in find_files(paths):
        if isinstance(found, Rejection):
            yield found
        else:
            yield from read_file(found, max_bytes)
