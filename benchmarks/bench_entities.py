"""NER + linking throughput, per language and for a whole ingest.

    python benchmarks/bench_entities.py [--shared ../shared] [--per-lang 150] [--words 600] [--wire]
                                        [--ingest-only | --worker-path]

Articles: the news texts of the pair sets in ../shared/eval (tgcontest en/ru, SemEval ar/en/fr)
and the seeds, then NewsFANE (ar) and HIPE (fr) sentences, 20 to a text, where those run short.
Texts shorter than --words are joined with the next ones of the same language
until they reach it, so each test document is about --words words long, as the issue's target
assumes. `--wire` adds GTD incident summaries and ACLED 2020 notes to the English texts (short
reports, joined the same way), for runs long enough that each worker's model loading stops
mattering. Prints one JSON object:
- `per_language`: documents per second of `extract_entities` in one warm process (models
  loaded; cleaning excluded), per language;
- `ingest`: `threatwatch ingest --workers 2` on all the test documents with and without
  `--no-entities`; the entity stage's throughput on 2 cores is docs / (difference in seconds),
  and words / (difference in seconds) / 600 for the issue's 600-word articles; the same from CPU
  seconds (user + system of the ingest and its workers), steadier where other work shares the machine;
- with `--worker-path`, instead: `process()` on all the test documents without and with entities in
  this one process, CPU seconds, and the entity stage's 600-word articles per CPU second (loading
  the models included once): the steadiest figure on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").split("\n") if line.strip()]


def articles(shared: Path, per_lang: int, words: int, wire: bool = False) -> dict[str, list[str]]:
    texts: dict[str, list[str]] = defaultdict(list)
    for row in _rows(shared / "eval" / "news_pairs_tgcontest" / "pairs.jsonl"):
        texts[row["lang"]] += [row["first_text"] or "", row["second_text"] or ""]
    for row in _rows(shared / "eval" / "news_pairs_semeval2022t8" / "pairs.jsonl"):
        for side in ("1", "2"):
            if row["text_provenance" + side] == "original":
                texts[row["lang" + side]].append(row["text" + side] or "")
    for seed in sorted((shared / "seeds").glob("*.txt")):
        texts["ar" if "004" in seed.name else "en"].append(seed.read_text("utf-8"))
    # Few Arabic and French articles there: news sentences of the NER sets fill up, 20 to a text.
    for name, lang in (("newsfane_gold_ar.jsonl", "ar"), ("hipe2020_fr_test.jsonl", "fr")):
        sentences = [" ".join(r["tokens"]) for r in _rows(shared / "eval" / "ner" / name)]
        texts[lang] += [" ".join(sentences[i : i + 20]) for i in range(0, len(sentences), 20)]
    if wire:
        texts["en"] += [str(r["summary"]) for r in _rows(shared / "eval" / "gtd_summaries" / "events.jsonl")
                        if r.get("summary")]
        texts["en"] += [str(r["notes"]) for r in _rows(shared / "eval" / "acled_2020_global_sample" / "events.jsonl")
                        if r.get("notes")]
    out: dict[str, list[str]] = {}
    for lang in ("en", "ar", "fr", "ru"):
        docs, current = [], ""
        for text in dict.fromkeys(t for t in texts[lang] if t.strip()):
            current = f"{current}\n\n{text}" if current else text
            if len(current.split()) >= words:
                docs.append(current)
                current = ""
            if len(docs) >= per_lang:
                break
        out[lang] = docs
    return out


def per_language(docs: dict[str, list[str]]) -> dict[str, dict[str, float]]:
    from threatwatch.entities import extract_entities
    from threatwatch.pipeline import process
    from threatwatch.records import RawDocument

    result = {}
    for lang, texts in docs.items():
        cleaned = [process(RawDocument(f"{lang}{i}.txt", t, False), entities=False) for i, t in enumerate(texts)]
        if not cleaned:
            continue
        extract_entities(cleaned[0])  # load the models this language needs
        started = time.perf_counter()
        mentions = sum(len(extract_entities(doc)[0]) for doc in cleaned)
        elapsed = time.perf_counter() - started
        words = sum(len(d.text.split()) for d in cleaned)
        result[lang] = {"docs": len(cleaned), "mean_words": round(words / len(cleaned)),
                        "docs_per_second_one_process": round(len(cleaned) / elapsed, 1),
                        "mentions_per_doc": round(mentions / len(cleaned), 1)}
    return result


def worker_path(docs: dict[str, list[str]]) -> dict[str, float]:
    """What a worker does, in this one process: `process()` on every document without and then
    with entities, one BLAS thread, CPU seconds (the models load once, inside the second pass).
    Steadier than the ingest's wall times on a shared machine; two cores can do at most twice
    the per-CPU-second rate."""
    from threatwatch.pipeline import _one_blas_thread, process
    from threatwatch.records import RawDocument

    _one_blas_thread()  # as each ingest worker starts
    raws = [RawDocument(f"{lang}_{i:04d}.txt", text, False) for lang, texts in docs.items()
            for i, text in enumerate(texts)]
    cpu = {}
    for entities in (False, True):
        started = time.process_time()
        for raw in raws:
            process(raw, entities=entities)
        cpu[entities] = time.process_time() - started
    words = sum(len(text.split()) for texts in docs.values() for text in texts)
    stage = max(cpu[True] - cpu[False], 1e-9)
    return {"docs": len(raws), "cpu_seconds_without_entities": round(cpu[False], 1),
            "cpu_seconds_with_entities": round(cpu[True], 1), "entity_stage_cpu_seconds": round(stage, 1),
            "entity_stage_600_word_articles_per_cpu_second": round(words / stage / 600, 1)}


def timed_ingest(folder: Path, db: Path, *extra: str) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, the ingest process and its workers) of one ingest."""
    started, cpu = time.perf_counter(), _children_cpu()
    subprocess.run([sys.executable, "-m", "threatwatch.cli", "ingest", "--quiet", "--workers", "2", "--db", str(db),
                    *extra, str(folder)], check=False, capture_output=True)
    return time.perf_counter() - started, _children_cpu() - cpu


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--per-lang", type=int, default=150)
    parser.add_argument("--words", type=int, default=600)
    parser.add_argument("--wire", action="store_true", help="fill English up with GTD summaries and ACLED notes")
    parser.add_argument("--ingest-only", action="store_true", help="skip the one-process figures")
    parser.add_argument("--worker-path", action="store_true",
                        help="instead of the ingest, time process() with and without entities in this process")
    args = parser.parse_args()
    docs = articles(args.shared, args.per_lang, args.words, args.wire)
    if args.worker_path:
        print(json.dumps({"worker_path": worker_path(docs)}, indent=2))
        return
    report: dict[str, object] = {} if args.ingest_only else {"per_language": per_language(docs)}
    with tempfile.TemporaryDirectory(prefix="threatwatch-bench-") as tmp:
        folder = Path(tmp, "docs")
        folder.mkdir()
        count = 0
        for lang, texts in docs.items():
            for i, text in enumerate(texts):
                Path(folder, f"{lang}_{i:04d}.txt").write_text(text, "utf-8")
                count += 1
        without, cpu_without = timed_ingest(folder, Path(tmp, "a.db"), "--no-entities")
        with_entities, cpu_with = timed_ingest(folder, Path(tmp, "b.db"))
    words = sum(len(text.split()) for texts in docs.values() for text in texts)
    stage = max(with_entities - without, 1e-9)
    cpu_stage = max(cpu_with - cpu_without, 1e-9)
    report["ingest"] = {"docs": count, "words": words, "seconds_without_entities": round(without, 1),
                        "seconds_with_entities": round(with_entities, 1),
                        "entity_stage_docs_per_second_2_workers": round(count / stage, 1),
                        "entity_stage_600_word_articles_per_second_2_workers": round(words / stage / 600, 1),
                        # CPU time varies less than wall time on a shared machine; two cores give at most
                        # twice this rate
                        "cpu_seconds_without_entities": round(cpu_without, 1),
                        "cpu_seconds_with_entities": round(cpu_with, 1),
                        "entity_stage_600_word_articles_per_cpu_second": round(words / cpu_stage / 600, 1)}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
