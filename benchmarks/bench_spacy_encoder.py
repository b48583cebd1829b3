"""thinc's token encoder against entities/spacy_tok2vec.py, as an ingest worker meets documents.

    python benchmarks/bench_spacy_encoder.py [--shared ../shared] [--per-lang 1000] [--pairs 3]

The bench articles of bench_entities.py (with --wire) are cleaned as the pipeline cleans them and
shuffled (seeded), all languages mixed. Each run is a fresh process, as a worker is: it loads the
English, French and Arabic recognisers and calls `find` on each document's paragraphs in turn (one
document a batch, as the entity stage does), with the NER's vectors from thinc or from the numpy
encoder; the runs alternate. Prints the CPU seconds of the `find` calls (model loading excluded,
one BLAS thread) and whether both found the same spans (they must).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

LANGS = ("en", "fr", "ar")


def one_run(documents: Path, encoder: str) -> dict[str, object]:
    """In this process: every document's `find`, CPU seconds, and a digest of the spans."""
    from threatwatch.entities import spacy_fast
    from threatwatch.entities.ner import recognizer_for
    from threatwatch.pipeline import _one_blas_thread

    _one_blas_thread()
    if encoder == "thinc":
        spacy_fast._numpy_encoder = lambda *_: (None, None)  # GreedyNer then asks thinc for the vectors
    docs = pickle.loads(documents.read_bytes())
    recognizers = {lang: recognizer_for(lang) for lang in LANGS}
    assert all(getattr(r, "greedy", None) is not None for r in recognizers.values())
    started = time.process_time()
    spans = [recognizers[lang].find(paragraphs) for lang, paragraphs in docs]
    return {"cpu_seconds": round(time.process_time() - started, 2), "spans": sum(len(s) for doc in spans for s in doc),
            "digest": hashlib.sha256(repr(spans).encode()).hexdigest()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--per-lang", type=int, default=1000)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--one", nargs=2, metavar=("DOCUMENTS", "ENCODER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_run(Path(args.one[0]), args.one[1])))
        return
    from bench_entities import articles

    from threatwatch.errors import InputRejected
    from threatwatch.pipeline import process
    from threatwatch.records import RawDocument

    texts = articles(args.shared, args.per_lang, 600, wire=True)
    docs = []
    for lang in LANGS:
        for i, text in enumerate(texts[lang]):
            try:
                doc = process(RawDocument(f"{lang}{i}.txt", text, False), entities=False, embeddings=False)
            except InputRejected:
                continue  # nothing left after cleaning: the ingest would reject it too
            # by the bench language, as bench_entities.py counts it (the detected one may differ)
            docs.append((lang, [doc.text[p.start : p.end] for p in doc.paragraphs]))
    random.Random(0).shuffle(docs)
    runs: dict[str, list[dict[str, object]]] = {"thinc": [], "numpy": []}
    with tempfile.TemporaryDirectory(prefix="threatwatch-bench-") as tmp:
        documents = Path(tmp, "documents.pkl")
        documents.write_bytes(pickle.dumps(docs))
        for _ in range(args.pairs):
            for encoder, results in runs.items():
                out = subprocess.run([sys.executable, __file__, "--one", str(documents), encoder],
                                     check=True, capture_output=True, text=True)
                results.append(json.loads(out.stdout))
    print(json.dumps({
        "documents": len(docs), "paragraphs": sum(len(p) for _, p in docs),
        "cpu_seconds_thinc_encoder": [r["cpu_seconds"] for r in runs["thinc"]],
        "cpu_seconds_numpy_encoder": [r["cpu_seconds"] for r in runs["numpy"]],
        "spans": runs["numpy"][0]["spans"],
        "same_spans": len({r["digest"] for rs in runs.values() for r in rs}) == 1}, indent=2))


if __name__ == "__main__":
    main()
