"""Story stage at scale: near-duplicates and online story assignment over a growing store.

    python benchmarks/bench_stories.py [--docs 100000] [--block 10000] [--embedding-sample 300]

Documents are synthetic (no NER can make 100,000 real ones in minutes): each is built like a
news report of one of many happenings. A happening has a date (spread over three years, about
90 documents a day), a place, two to five named actors drawn from a Zipf-like pool of 50,000
entities (a few countries appear in most reports), an event type and a vocabulary of its own;
its reports (1 to 20) fall within a few days, reuse its names and words with noise, and mix in
common words; its title is its first eight words, which begin with one of its names, so the
titles-name-different-entities veto (`cluster.names_differ`) is computed as in real news. 5% of
the documents are re-scraped copies of an earlier one with other boilerplate lines added.
Embeddings are synthetic too (the happening's unit vector plus noise), so that the store holds
and compares real 512-dimension vectors; the cost of computing real USE embeddings is measured
apart on `--embedding-sample` real texts (the seeds and shared eval texts when present, else
synthetic sentences).

Per block of `--block` documents it prints docs/s of the story stage: `StoryIndex.place`
(duplicate and candidate lookups, scoring) and the story writes inside `Store.add_document`
(story tables, indexes, canonical events); then of the rest of the store write (document,
search index, mentions, events: not the story stage, shown for scale), the store size and the
peak RSS. Rates are per second of this process's CPU time (`time.process_time`), so a busy
machine does not distort them; the wall-clock rate of the story stage is printed beside.
The worker-side cost (`story_signals` without embeddings: MinHash and features) is timed on the
same documents. Everything runs in this one process, on a store in a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import tempfile
import time
from collections import deque
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # this checkout's code, not whichever one is installed

from threatwatch.records import Document, Event, Mention, Paragraph, Span  # noqa: E402
from threatwatch.store import Store  # noqa: E402
from threatwatch.store import stories as story_sql  # noqa: E402
from threatwatch.stories.assign import StoryIndex  # noqa: E402
from threatwatch.stories.embed import embed, lead_text, to_bytes  # noqa: E402
from threatwatch.stories.signals import story_signals  # noqa: E402

SHARED = Path(os.environ.get("THREATWATCH_SHARED", REPO.parent / "shared"))
START = date(2021, 1, 1)
EVENT_TYPES = ("attack", "threat", "arrest", "military_operation", "statement", "armed_clash", "protest")
COMMON = [f"common{i}" for i in range(400)]
BOILERPLATE = ["Subscribe to our newsletter for more news.", "All rights reserved. Reproduction prohibited.",
               "Follow us on social media.", "Read more: related stories below."]


class Corpus:
    """Synthetic reports of synthetic happenings, reproducible from a seed."""

    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.np = np.random.default_rng(seed)
        self.entities = [f"person:p{i}" if i % 3 else f"organization:o{i}" for i in range(50_000)]
        self.places = [f"geo:{i}" for i in range(5_000)]
        self.countries = [f"country:C{i}" for i in range(60)]
        self.made: deque[Document] = deque(maxlen=2000)  # recent reports, for re-scraped copies

    def _zipf(self, items: list[str], a: float = 1.3) -> str:
        return items[min(int(self.np.zipf(a)) - 1, len(items) - 1)]

    def happening(self, index: int, total: int) -> dict[str, object]:
        day = START + timedelta(days=int(index / total * 3 * 365))
        vector = self.np.standard_normal(512).astype(np.float32)
        return {
            "day": day, "type": self.rng.choice(EVENT_TYPES), "place": self._zipf(self.places),
            "country": self._zipf(self.countries, 1.6),
            "actors": [self._zipf(self.entities, 1.1) for _ in range(self.rng.randint(2, 5))],
            "words": [f"w{self.rng.randrange(200_000)}" for _ in range(30)],
            "vector": vector / np.linalg.norm(vector),
        }

    def report(self, h: dict[str, object], number: int) -> tuple[Document, np.ndarray]:
        rng = self.rng
        if self.made and rng.random() < 0.05:  # a re-scraped copy with other boilerplate
            original = rng.choice(self.made)
            text = original.text + "\n\n" + rng.choice(BOILERPLATE)
            doc = replace(original, id=f"copy{number:07d}", path=f"synthetic/{number}", raw=text, text=text,
                          paragraphs=(Paragraph(0, len(text), "en"),))
            return doc, self._noisy(h)
        words = [rng.choice(h["words"]) if rng.random() < 0.5 else rng.choice(COMMON)  # type: ignore[arg-type]
                 for _ in range(rng.randint(120, 400))]
        names = list(h["actors"]) + [h["place"], h["country"]]  # type: ignore[operator]
        parts, mentions, offset = [], [], 0
        for i, word in enumerate(words):
            if i % 15 == 0:
                entity = rng.choice(names)
                surface = entity.split(":")[1].capitalize()
                mentions.append(Mention(offset, offset + len(surface), surface, "person", entity))
                parts.append(surface)
                offset += len(surface) + 1
            parts.append(word)
            offset += len(word) + 1
        text = " ".join(parts)
        published = (h["day"] + timedelta(days=rng.randint(0, 3))).isoformat()  # type: ignore[operator]
        span = Span(0, min(60, len(text)), text[: min(60, len(text))])
        event = Event(id=f"ev-{number}", type=h["type"], evidence=(span,), location_id=h["place"],  # type: ignore[arg-type]
                      country=str(h["country"]).split(":")[1], killed=rng.choice([None, rng.randint(1, 50)]))
        doc = Document(id=f"doc{number:07d}", path=f"synthetic/{number}", raw=text, text=text,
                       title=" ".join(parts[:8]), published=published, lang="en", langs=("en",),
                       paragraphs=(Paragraph(0, len(text), "en"),), mentions=tuple(mentions), events=(event,))
        self.made.append(doc)
        return doc, self._noisy(h)

    def _noisy(self, h: dict[str, object]) -> np.ndarray:
        vector = h["vector"] + 0.06 * self.np.standard_normal(512).astype(np.float32)  # type: ignore[operator]
        return vector / np.linalg.norm(vector)

    def documents(self, total: int):  # type: ignore[no-untyped-def]
        number, index = 0, 0
        happenings = total // 4
        while number < total:
            h = self.happening(index, happenings)
            index += 1
            for _ in range(min(self.rng.choice([1, 1, 1, 2, 3, 4, 6, 10, 20]), total - number)):
                yield self.report(h, number)
                number += 1


def real_texts(limit: int) -> list[str]:
    texts = [p.read_text("utf-8") for p in sorted((SHARED / "seeds").glob("*.txt"))]
    pairs = SHARED / "eval" / "news_pairs_semeval2022t8" / "pairs.jsonl"
    if pairs.exists():
        for line in pairs.read_text("utf-8").splitlines():
            row = json.loads(line)
            texts += [row["text1"], row["text2"]]
            if len(texts) >= limit:
                break
    while len(texts) < limit:
        texts.append(" ".join(f"word{i % 97} sentence {i}" for i in range(80)))
    return texts[:limit]


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--block", type=int, default=10_000)
    parser.add_argument("--embedding-sample", type=int, default=300)
    args = parser.parse_args()

    sample = [lead_text(None, t) for t in real_texts(args.embedding_sample)]
    embed(sample[:2])  # load the model first
    started = time.perf_counter()
    for text in sample:
        embed([text])
    embed_rate = len(sample) / (time.perf_counter() - started)
    print(f"USE embedding of title+lead (500 chars), one process: {embed_rate:.1f} docs/s on {len(sample)} real texts")

    story_writes = [0.0]
    write_story = story_sql.add_story_document

    def timed_story_write(*args):  # type: ignore[no-untyped-def]
        started = time.process_time()
        write_story(*args)
        story_writes[0] += time.process_time() - started

    story_sql.add_story_document = timed_story_write  # type: ignore[assignment]
    corpus = Corpus()
    with tempfile.TemporaryDirectory(prefix="threatwatch-bench-") as tmp, Store(Path(tmp, "bench.db")) as store:
        index = StoryIndex(store)
        totals = {"signals": 0.0, "place": 0.0, "story_write": 0.0, "write": 0.0}
        block = dict.fromkeys(totals, 0.0)
        stories: set[str] = set()
        duplicates = 0
        print("| docs | signals docs/s (worker) | place docs/s | story writes docs/s | **story stage docs/s** |"
              " story stage docs/s, wall | other store writes docs/s | stories | near-dups | store MB | peak RSS MiB |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        wall = 0.0
        for n, (doc, vector) in enumerate(corpus.documents(args.docs), start=1):
            t0 = time.process_time()
            signals = replace(story_signals(doc, embeddings=False), embedding=to_bytes(vector))
            t1 = time.process_time()
            w1 = time.perf_counter()
            placement = index.place(replace(doc, signals=signals))
            t2 = time.process_time()
            assert placement is not None
            placed = replace(doc, signals=signals, story_id=placement.story_id, duplicate_of=placement.duplicate_of)
            story_writes[0] = 0.0
            w2 = time.perf_counter()
            if store.add_document(placed, placement):
                index.added(placement, signals.day)
            t3 = time.process_time()
            wall += (w2 - w1) + story_writes[0]  # place by the clock; story writes by CPU (not timed apart)
            block["signals"] += t1 - t0
            block["place"] += t2 - t1
            block["story_write"] += story_writes[0]
            block["write"] += t3 - t2 - story_writes[0]
            stories.add(placement.story_id)
            duplicates += placement.duplicate_of is not None
            if n % args.block == 0 or n == args.docs:
                size = sum(f.stat().st_size for f in Path(tmp).iterdir()) / 1e6
                count = args.block if n % args.block == 0 else n % args.block
                rates = {k: count / v for k, v in block.items()}
                stage = count / (block["place"] + block["story_write"])
                print(f"| {n:,} | {rates['signals']:.0f} | {rates['place']:.0f} | {rates['story_write']:.0f} |"
                      f" **{stage:.0f}** | {count / wall:.0f} | {rates['write']:.0f} | {len(stories):,} |"
                      f" {duplicates:,} | {size:.0f} | {peak_rss_mib():.0f} |", flush=True)
                wall = 0.0
                for key in totals:
                    totals[key] += block[key]
                block = dict.fromkeys(totals, 0.0)
        stage = totals["place"] + totals["story_write"]
        print(f"\n{args.docs:,} documents: story stage {stage:.0f} s ({args.docs / stage:.0f} docs/s: place "
              f"{totals['place']:.0f} s, story writes {totals['story_write']:.0f} s); signals in the worker "
              f"{totals['signals']:.0f} s without embeddings, real embeddings would add {args.docs / embed_rate:.0f} s;"
              f" other store writes {totals['write']:.0f} s")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
