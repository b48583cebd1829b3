"""HTTP API latency on a large store: GET /api/search through a real `threatwatch serve`.

    python benchmarks/bench_api.py [--docs 100000] [--queries 300] [--shared ../shared] [--db FILE]

Builds a synthetic store of `--docs` documents (unless --db names one that exists): a pool of
paragraphs from the examples and seeds (cleaned by `process`) and, when ../shared is there, the
news, incident and note texts bench_ingest.py reads, cut into pieces of about 60 words whose
language is detected; every synthetic document is 2 to 8 pieces drawn at random, with a random
title and date, stored through `Store.add_document` (search index included). Nothing from
../shared is kept in the repository: the store lives in a temporary folder unless --db is given
(then keep it outside the repository: it holds those texts). Then `threatwatch serve
--rate-limit 0` runs as a subprocess and one client sends the queries one after another over a
kept-alive connection (20 queries in en/ar/ru/fr, default limit 20, snippets included), after a
warm-up. Prints one JSON object; BENCHMARKS.md records it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from threatwatch.records import Document, Paragraph, RawDocument  # noqa: E402

TERMS = ["attack", "Kabul", "bombing", "police", "killed", "Islamic State", "Taliban", "protest", "Москва",
         "теракт", "взрыв", "داعش", "هجوم", "الإرهاب", "attentat", "Syria", "Boko Haram", "suicide bomber",
         "explosion market", "Pakistan army"]


def paragraph_pool(shared: Path, limit: int = 4000) -> tuple[list[tuple[str, str | None]], list[str]]:
    """(text, lang) paragraphs of about 40 to 80 words and a list of titles: the cleaned
    examples and seeds, plus (when ../shared is there) the texts bench_ingest.py reads, cut at
    line breaks and sentence ends, each piece's language detected as ingest does."""
    from threatwatch.ingest import read_inputs
    from threatwatch.language import detect_language
    from threatwatch.pipeline import process

    pool: list[tuple[str, str | None]] = []
    titles: list[str] = []
    sources = [REPO / "examples"] + ([shared / "seeds"] if (shared / "seeds").is_dir() else [])
    for raw in read_inputs(sources):
        if isinstance(raw, RawDocument):
            doc = process(raw, entities=False)
            pool += [(doc.text[p.start : p.end], p.lang or doc.lang) for p in doc.paragraphs]
            titles.append(doc.title or doc.text[:60])
    if (shared / "eval").is_dir():
        from bench_ingest import corpus_texts

        texts = corpus_texts(shared)
        for text in (texts["news"] + texts["incident"] + texts["note"])[:limit]:
            lines = [line.strip() for line in text.splitlines() if line.strip()]
            if len(lines) > 1 and len(lines[0].split()) < 20:
                titles.append(lines.pop(0))
            for piece in _pieces(" ".join(lines)):
                pool.append((piece, detect_language(piece)))
    return pool, titles


def _pieces(text: str, words: int = 60) -> list[str]:
    """Runs of whole sentences of about `words` words."""
    out, current = [], []
    for sentence in text.replace("? ", "?\n").replace("! ", "!\n").replace(". ", ".\n").split("\n"):
        current.append(sentence)
        if sum(len(s.split()) for s in current) >= words:
            out.append(" ".join(current))
            current = []
    if current and sum(len(s.split()) for s in current) >= 8:
        out.append(" ".join(current))
    return out


def synthetic(index: int, rng: random.Random, pool: list[tuple[str, str | None]], titles: list[str]) -> Document:
    chosen = [rng.choice(pool) for _ in range(rng.randint(2, 8))]
    parts, paragraphs, offset = [], [], 0
    for text, lang in chosen:
        paragraphs.append(Paragraph(offset, offset + len(text), lang))
        parts.append(text)
        offset += len(text) + 2
    langs = Counter(lang for _, lang in chosen if lang)
    published = f"{rng.randint(2000, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    return Document(id=f"{index:016x}", path=f"synthetic/{index}.txt", raw="", text="\n\n".join(parts),
                    title=f"{rng.choice(titles)} ({index})", published=published,
                    lang=langs.most_common(1)[0][0] if langs else None, langs=tuple(sorted(langs)),
                    paragraphs=tuple(paragraphs))


def build_store(db: Path, docs: int, shared: Path) -> dict[str, float]:
    from threatwatch.store import Store

    started = time.perf_counter()
    pool, titles = paragraph_pool(shared)
    rng = random.Random(20261126)
    with Store(db) as store:
        for index in range(docs):
            store.add_document(synthetic(index, rng, pool, titles))
    return {"docs": docs, "source_paragraphs": len(pool), "build_seconds": round(time.perf_counter() - started, 1),
            "store_mib": round(db.stat().st_size / 1024**2, 1)}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def measure(base: str, paths: list[str], queries: int) -> dict[str, float]:
    import httpx

    with httpx.Client(base_url=base, timeout=30) as client:
        for path in paths[:20]:
            client.get(path).raise_for_status()  # warm-up: page cache, stemmers, connection
        timings = []
        for i in range(queries):
            started = time.perf_counter()
            client.get(paths[i % len(paths)]).raise_for_status()
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {"requests": queries, "median_ms": round(statistics.median(timings), 1),
            "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 1), "max_ms": round(timings[-1], 1)}


def serve_and_measure(db: Path, queries: int) -> dict[str, object]:
    import httpx

    port = _free_port()
    command = [sys.executable, "-m", "threatwatch.cli", "serve", "--db", str(db), "--port", str(port),
               "--rate-limit", "0"]
    server = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(base + "/api/stories", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        search = [f"/api/search?q={term}" for term in TERMS]
        return {
            "search": measure(base, search, queries),
            "search_with_facets": measure(base, [p + "&facets=true" for p in search], queries // 3),
            "search_page_5": measure(base, [p + "&offset=80" for p in search], queries // 3),
            "search_exact_ranking": measure(base, [p + "&exact=true" for p in search], queries // 3),
            "events_by_type": measure(base, ["/api/events?type=attack", "/api/events?country=AF&sort=date"],
                                      queries // 3),
        }
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--db", type=Path, default=None, help="Reuse (or keep) the store at this path.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="threatwatch-bench-api-") as tmp:
        db = args.db or Path(tmp, "api.db")
        built = build_store(db, args.docs, args.shared) if not db.exists() else {"reused": str(db)}
        result = {"store": built, "cpus": os.cpu_count(), **serve_and_measure(db, args.queries)}
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
