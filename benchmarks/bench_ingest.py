"""Ingest throughput, peak memory and search latency on a 10,000-document corpus.

The corpus is built from the texts in ../shared/eval (news articles of the pair sets, GTD and
RAND incident summaries, ACLED notes, ITN blurbs) and the five seeds, written out as one .txt
file per document, as a user's scraped folder would be. Nothing from the eval data is kept
after the run (its licences forbid redistribution): the corpus lives in a temporary folder.

    python benchmarks/bench_ingest.py [--docs 10000] [--workers 2] [--corpus mixed|news|html] [--shared ../shared]

Prints one JSON object; BENCHMARKS.md records the figures with this command.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _jsonl(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def corpus_texts(shared: Path) -> dict[str, list[str]]:
    """Unique texts per kind, longest kinds first."""
    ev = shared / "eval"
    kinds: dict[str, list[str]] = {"news": [], "seed": [], "incident": [], "note": [], "blurb": []}
    for row in _jsonl(ev / "news_pairs_tgcontest" / "pairs.jsonl"):
        for side in ("first", "second"):
            kinds["news"].append(f"{row[side + '_title'] or ''}\n\n{row[side + '_text'] or ''}")
    for row in _jsonl(ev / "news_pairs_semeval2022t8" / "pairs.jsonl"):
        for side in ("1", "2"):
            kinds["news"].append(f"{row['title' + side] or ''}\n\n{row['text' + side] or ''}")
    kinds["seed"] = [p.read_text("utf-8") for p in sorted((shared / "seeds").glob("*.txt"))]
    kinds["incident"] = [r["summary"] for r in _jsonl(ev / "gtd_summaries" / "events.jsonl") if r.get("summary")]
    kinds["incident"] += [r["description"] for r in _jsonl(ev / "rand_rdwti_1968_1987" / "incidents.jsonl")
                          if r.get("description")]
    for name in ("acled_2020_global_sample", "acled_asia_2015"):
        kinds["note"] += [r["notes"] for r in _jsonl(ev / name / "events.jsonl") if r.get("notes")]
    kinds["blurb"] = [r["text"] for r in _jsonl(ev / "news_clusters_itn" / "items.jsonl")]
    return {k: list(dict.fromkeys(t for t in v if t and len(t.split()) >= 5)) for k, v in kinds.items()}


def build_corpus(shared: Path, folder: Path, count: int, corpus: str) -> dict[str, int]:
    """`count` files. mixed: every news article and seed, then incidents, notes and blurbs in
    turn (.txt); news: news articles and seeds only (.txt); html: the article-extraction pages."""
    chosen: list[tuple[str, str]]
    suffix = ".txt"
    if corpus == "html":
        suffix = ".html"
        chosen = [("html", r["html"]) for r in _jsonl(shared / "eval" / "article_extraction_aeb" / "pages.jsonl")]
    else:
        texts = corpus_texts(shared)
        chosen = [("news", t) for t in texts["news"]] + [("seed", t) for t in texts["seed"]]
        if corpus == "mixed":
            rest = [(k, t) for k in ("incident", "note", "blurb") for t in texts[k]]
            random.Random(20261126).shuffle(rest)
            chosen += rest
    chosen = chosen[:count]
    folder.mkdir(parents=True)
    mix: dict[str, int] = {}
    words = 0
    for index, (kind, text) in enumerate(chosen):
        (folder / f"{index:05d}_{kind}{suffix}").write_text(text, "utf-8")
        mix[kind] = mix.get(kind, 0) + 1
        words += len(text.split())
    mix["mean_words"] = round(words / max(len(chosen), 1))
    return mix


def _tree_rss(pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        stack.extend(children.get(current, []))
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def run_ingest(folder: Path, db: Path, workers: int) -> dict[str, float]:
    # Issue #2's figure is ingest + clean + language: entity extraction (bench_entities.py) is off.
    command = [sys.executable, "-m", "threatwatch.cli", "ingest", "--quiet", "--no-entities", "--db", str(db),
               "--workers", str(workers), str(folder)]
    start = time.perf_counter()
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_rss(process.pid))
            time.sleep(0.25)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    elapsed = time.perf_counter() - start
    stop.set()
    sampler.join()
    return {"seconds": round(elapsed, 2), "peak_rss_mib": round(peak / 1024**2, 1),
            "summary": stderr.strip().splitlines()[-1] if stderr.strip() else "", "exit": process.returncode}


def search_latency(db: Path, queries: int = 300) -> dict[str, float]:
    sys.path.insert(0, str(REPO))
    from threatwatch.search import search
    from threatwatch.store import Store

    terms = ["attack", "Kabul", "bombing", "police", "killed", "Islamic State", "Taliban", "protest",
             "Москва", "теракт", "взрыв", "داعش", "هجوم", "الإرهاب", "attentat", "Syria", "Boko Haram",
             "suicide bomber", "explosion market", "Pakistan army"]
    timings = []
    with Store(db, readonly=True) as store:
        search(store, "warm up")
        for i in range(queries):
            started = time.perf_counter()
            search(store, terms[i % len(terms)], limit=10)
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {"queries": queries, "median_ms": round(statistics.median(timings), 2),
            "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 2)}


def steady_state(folder: Path) -> dict[str, float]:
    """Documents per second of `process` in one warm process (models loaded, no start-up, no store)."""
    sys.path.insert(0, str(REPO))
    from threatwatch.ingest import read_inputs
    from threatwatch.pipeline import process
    from threatwatch.records import RawDocument

    raws = [r for r in read_inputs([folder]) if isinstance(r, RawDocument)]
    for raw in raws[:200]:
        process(raw, entities=False)  # warm-up: loads the language models this corpus needs
    started = time.perf_counter()
    for raw in raws:
        process(raw, entities=False)
    elapsed = time.perf_counter() - started
    return {"docs": len(raws), "docs_per_second_one_process": round(len(raws) / elapsed, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--corpus", choices=("mixed", "news", "html"), default="mixed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="threatwatch-bench-") as tmp:
        folder, db = Path(tmp, "corpus"), Path(tmp, "bench.db")
        mix = build_corpus(args.shared, folder, args.docs, args.corpus)
        docs = sum(v for k, v in mix.items() if k != "mean_words")
        ingest = run_ingest(folder, db, args.workers)
        rerun = run_ingest(folder, db, args.workers)
        result = {
            "corpus": args.corpus,
            "docs": docs,
            "mix": mix,
            "workers": args.workers,
            "cpus": os.cpu_count(),
            "ingest": ingest,
            "docs_per_second": round(docs / ingest["seconds"], 1),
            "rerun_all_duplicates": rerun,
            "store_mib": round(db.stat().st_size / 1024**2, 1),
            "search": search_latency(db),
            "steady_state": steady_state(folder),
        }
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
