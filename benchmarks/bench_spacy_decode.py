"""spaCy's own NER loop against entities/spacy_fast.py, on the paragraphs of the entity benchmark.

    python benchmarks/bench_spacy_decode.py [--shared ../shared] [--per-lang 200] [--passes 2]

For the English, French and Arabic models: the bench articles of bench_entities.py (with --wire)
are cleaned as the pipeline cleans them, their paragraphs tokenised once, and then the model reads
them in batches of 64, through `nlp.pipe` and through `GreedyNer.entities`, in turn. Prints CPU
seconds per pass (one process, one BLAS thread, tokenising excluded) and whether the two found the
same entities (they must).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

BATCH = 64


def main() -> None:
    from bench_entities import articles

    from threatwatch.entities import backends, spacy_fast
    from threatwatch.pipeline import _one_blas_thread, process
    from threatwatch.records import RawDocument

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--per-lang", type=int, default=200)
    parser.add_argument("--passes", type=int, default=2)
    args = parser.parse_args()
    _one_blas_thread()
    texts = articles(args.shared, args.per_lang, 600, wire=True)
    models = {"en": backends.english_model_path(), "fr": backends.french_model_path(),
              "ar": backends.arabic_model_path()}
    report = {}
    for lang, path in models.items():
        docs = [process(RawDocument(f"{lang}{i}.txt", t, False), entities=False, embeddings=False)
                for i, t in enumerate(texts[lang][: args.per_lang])]
        paragraphs = [d.text[p.start : p.end] for d in docs for p in d.paragraphs]
        nlp = backends.use_numpy_matmul(backends.load_spacy([str(path)]))
        greedy = spacy_fast.GreedyNer(nlp)
        tokenised = [nlp.make_doc(p) for p in paragraphs]
        times: dict[str, list[float]] = {"spacy": [], "numpy": []}
        found: dict[str, list] = {}
        for _ in range(args.passes):
            for name in times:
                copies = [doc.copy() for doc in tokenised]
                started = time.process_time()
                if name == "spacy":
                    out = [[(e.start, e.end, e.label_) for e in doc.ents] for doc in nlp.pipe(copies, batch_size=BATCH)]
                else:
                    out = [ents for first in range(0, len(copies), BATCH)
                           for ents in greedy.entities(copies[first : first + BATCH])]
                times[name].append(round(time.process_time() - started, 2))
                found[name] = out
        report[lang] = {"documents": len(docs), "paragraphs": len(paragraphs),
                        "tokens": sum(len(d) for d in tokenised), "entities": sum(map(len, found["spacy"])),
                        "cpu_seconds_spacy_loop": times["spacy"], "cpu_seconds_numpy_decoding": times["numpy"],
                        "same_entities": found["spacy"] == found["numpy"]}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
