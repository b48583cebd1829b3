"""One reader per input format. Each yields RawDocument values, or Rejection values for
records it cannot read, and never raises for bad content: one bad record must not stop a batch."""

from __future__ import annotations

import gzip
import io
import json
import zlib
from collections.abc import Iterator
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord

from threatwatch.errors import InputRejected
from threatwatch.ingest.decode import decode_bytes
from threatwatch.records import RawDocument, Rejection

Item = RawDocument | Rejection


def read_text(path: Path, data: bytes) -> Iterator[Item]:
    yield RawDocument(path=str(path), content=decode_bytes(data), is_html=False)


def read_html(path: Path, data: bytes) -> Iterator[Item]:
    yield RawDocument(path=str(path), content=decode_bytes(data), is_html=True)


def _optional_str(record: dict[str, object], key: str) -> str | None:
    value = record.get(key)
    return value.strip() or None if isinstance(value, str) else None


def jsonl_record(path: str, record: object) -> RawDocument:
    """One JSONL line (already parsed) as a RawDocument; `text` or `html` is required."""
    if not isinstance(record, dict):
        raise InputRejected("a line is not a JSON object: write one {\"text\": ...} object a line")
    html, text = _optional_str(record, "html"), _optional_str(record, "text")
    if not html and not text:
        raise InputRejected('the object has no "text" or "html" field: add one with the article')
    return RawDocument(
        path=path,
        content=html or text or "",
        is_html=bool(html),
        url=_optional_str(record, "url"),
        title=_optional_str(record, "title"),
        published=_optional_str(record, "published"),
        source=_optional_str(record, "source"),
    )


def read_jsonl(path: Path, data: bytes) -> Iterator[Item]:
    text = decode_bytes(data)
    # split on "\n" only: str.splitlines() would also split on U+2028 inside JSON strings.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            yield jsonl_record(where, json.loads(line))
        except json.JSONDecodeError as exc:
            yield Rejection(where, f"invalid JSON ({exc.msg} at column {exc.colno}): fix or remove the line")
        except InputRejected as exc:
            yield Rejection(where, exc.reason)


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            return value.strip("\"' ")
    return None


def _complete(path: Path, data: bytes) -> bool:
    """Whether the file ends where a WARC should: a whole gzip stream, or a record's closing CRLFs.

    warcio reads a cut-off file without complaint, returning the last record short; this check
    lets the reader drop that record and say the file is damaged.
    """
    if not path.name.endswith(".gz"):
        return data.endswith(b"\r\n\r\n")
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            while stream.read(1 << 20):
                pass
    except (EOFError, OSError, zlib.error):
        return False
    return True


def read_warc(path: Path, data: bytes) -> Iterator[Item]:
    """HTML response records of a WARC file; a truncated file keeps the whole records before the damage."""
    if path.name.endswith(".gz") and not data.startswith(b"\x1f\x8b"):
        yield Rejection(str(path), "named .gz but not gzip data: rename it or compress it with gzip")
        return
    complete = _complete(path, data)
    pending: Item | None = None  # held back one step: if the file is cut, the last record is partial
    count = 0
    error = ""
    try:
        for record in ArchiveIterator(io.BytesIO(data)):
            item = _html_response(path, record, count + 1)
            if item is None:
                continue
            count += 1
            if pending is not None:
                yield pending
            pending = item
    except (ArchiveLoadFailed, EOFError, OSError, zlib.error, ValueError) as exc:
        complete, error = False, f" ({exc.__class__.__name__})"
    if complete and pending is not None:
        yield pending
    elif not complete:
        kept = max(count - 1, 0)
        yield Rejection(
            str(path),
            f"truncated or corrupt WARC{error}: kept the {kept} whole HTML record(s) before the damage;"
            " re-download or repair the file for the rest",
        )


def _html_response(path: Path, record: ArcWarcRecord, number: int) -> Item | None:
    if record.rec_type != "response" or record.http_headers is None:
        return None
    content_type = record.http_headers.get_header("Content-Type") or ""
    if "html" not in content_type.lower():
        return None
    where = f"{path}#{number}"
    try:
        html = decode_bytes(record.content_stream().read(), declared=_charset(content_type))
    except InputRejected as exc:
        return Rejection(where, exc.reason)
    url = record.rec_headers.get_header("WARC-Target-URI")
    return RawDocument(path=where, content=html, is_html=True, url=url)
