"""Events + claims throughput: the stage after entities, on 600-word articles in four languages.

    python benchmarks/bench_events.py [--shared ../shared] [--per-lang 40] [--words 600]

The articles are the ones bench_entities.py builds. Each is cleaned and its entities found first
(not timed); then `extract_events` runs over all of them, once in one warm process and once
handed to two worker processes in chunks of 8 (the issue's "2 cores"), and the seconds are divided into the
document count. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from bench_entities import articles  # noqa: E402

from threatwatch.events.extract import extract_events  # noqa: E402
from threatwatch.pipeline import process  # noqa: E402
from threatwatch.records import Document, RawDocument  # noqa: E402


def _events_of(docs: list[Document]) -> tuple[int, int]:
    found = [extract_events(doc) for doc in docs]
    return sum(len(e) for e, _ in found), sum(len(c) for _, c in found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--per-lang", type=int, default=40)
    parser.add_argument("--words", type=int, default=600)
    args = parser.parse_args()
    texts = articles(args.shared, args.per_lang, args.words)
    docs = [process(RawDocument(f"{lang}{i}.txt", text, False), entities=True)
            for lang, batch in texts.items() for i, text in enumerate(batch)]
    # compile every language's vocabularies before the clock (the first documents are all English)
    warm_up = list({d.lang: d for d in reversed(docs)}.values())  # one document of each language
    _events_of(warm_up)
    started = time.perf_counter()
    events, claims = _events_of(docs)
    one = time.perf_counter() - started
    # chunks of 8, as the ingest hands documents to its workers: the two stay evenly loaded and
    # the next chunk is pickled while they work (two halves sent whole left one worker idle)
    chunks = [docs[i : i + 8] for i in range(0, len(docs), 8)]
    with ProcessPoolExecutor(2) as pool:
        # start the workers before the clock, each on the warm-up documents (forked after the
        # warm-up, they come compiled; started some other way, they compile them here)
        list(pool.map(_events_of, [warm_up, warm_up]))
        started = time.perf_counter()
        list(pool.map(_events_of, chunks))
        two = time.perf_counter() - started
    print(json.dumps({
        "docs": len(docs),
        "mean_words": round(sum(len(d.text.split()) for d in docs) / len(docs)),
        "events": events,
        "claims": claims,
        "docs_per_second_one_process": round(len(docs) / one, 1),
        "docs_per_second_2_workers": round(len(docs) / two, 1),
    }, indent=2))


if __name__ == "__main__":
    main()
