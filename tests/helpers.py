"""Small builders for test inputs."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

ARTICLE_EN = (
    "Gunmen attack a concert hall near Moscow\n"
    "Gunmen opened fire on concertgoers at Crocus City Hall in Krasnogorsk near Moscow on 22 March 2024, "
    "and set the building on fire, Russian officials said on Saturday.\n"
    "The Islamic State group claimed responsibility for the attack in a statement carried by its news agency.\n"
)


def html_page(title: str, body_paragraphs: list[str], charset: str = "utf-8") -> str:
    paras = "\n".join(f"<p>{p}</p>" for p in body_paragraphs)
    return (
        f'<html><head><meta charset="{charset}"><title>{title}</title></head><body>'
        f'<nav><a href="/">Home</a> <a href="/world">World</a></nav>'
        f"<article><h1>{title}</h1>{paras}</article>"
        f"<footer>Copyright 2024 Example News. All rights reserved.</footer></body></html>"
    )


def write_warc(path: Path, pages: list[tuple[str, str]], gzipped: bool) -> None:
    """A WARC with one HTML response record per (url, html)."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gzipped)
    for url, html in pages:
        payload = html.encode("utf-8")
        headers = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(payload)))],
            protocol="HTTP/1.1",
        )
        writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(payload),
                                                      http_headers=headers))
    path.write_bytes(buffer.getvalue())


def long_paragraphs(topic: str, count: int = 3) -> list[str]:
    return [
        f"Paragraph {i} about {topic}: officials said the investigation was continuing and that several "
        f"people had been detained for questioning in connection with the case, according to local media."
        for i in range(1, count + 1)
    ]


def gzip_bytes(data: bytes) -> bytes:
    return gzip.compress(data)
