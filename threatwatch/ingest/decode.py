"""Bytes to text: UTF-8 first, else a detected legacy encoding; binary data is refused."""

from __future__ import annotations

from charset_normalizer import from_bytes

from threatwatch.errors import InputRejected

# Control characters other than tab, newline, carriage return and form feed: a text file
# has almost none, a binary one has many. A NUL byte alone is decisive.
_CONTROL_BYTES = frozenset(range(0, 32)) - {9, 10, 12, 13, 27}
_SAMPLE = 8192


def looks_binary(data: bytes) -> bool:
    sample = data[:_SAMPLE]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b in _CONTROL_BYTES)
    return controls > max(4, len(sample) // 100)


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Decode `data` to str, or raise InputRejected saying why it is not text.

    `declared` is an encoding named by the container (an HTTP header in a WARC record);
    it is tried after UTF-8, because mislabelled pages are common and UTF-8 rarely decodes
    by accident.
    """
    if not data.strip():
        raise InputRejected("empty file: there is no text to ingest")
    if looks_binary(data):
        raise InputRejected("binary data, not text: pass .txt, .html, .jsonl or .warc files")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if declared:
        try:
            return data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            pass
    best = from_bytes(data).best()
    if best is None:
        raise InputRejected("unknown text encoding: convert the file to UTF-8")
    return str(best)
