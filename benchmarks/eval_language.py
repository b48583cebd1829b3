"""Language identification accuracy on labelled text from ../shared/eval.

    python benchmarks/eval_language.py [--shared ../shared]

Sentences of the NER sets (en CoNLL-2003, ru BSNLP, ar NewsFANE, fr HIPE-2020 OCR) and the ITN
blurbs (one sentence each, ten languages) are passed one at a time to
`threatwatch.language.detect_language`, the function the pipeline uses per paragraph.
Short lines are the hard case, so they are also counted apart (under 40 characters). "none" is
a line the detector declines to label (a list of names, a score line); "wrong" a wrong label.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

from threatwatch.language import SHORT_LINE_CHARS, detect_language

NER_FILES = {"conll2003_en_test.jsonl": "en", "bsnlp2019_ru.jsonl": "ru", "newsfane_gold_ar.jsonl": "ar",
             "hipe2020_fr_test.jsonl": "fr"}
PER_FILE = 600


def samples(shared: Path) -> list[tuple[str, str, str]]:
    """(set, gold language, text)."""
    out = []
    for name, lang in NER_FILES.items():
        with (shared / "eval" / "ner" / name).open(encoding="utf-8") as handle:
            for count, line in enumerate(handle):
                if count >= PER_FILE:
                    break
                out.append((name.split("_")[0], lang, " ".join(json.loads(line)["tokens"])))
    with (shared / "eval" / "news_clusters_itn" / "items.jsonl").open(encoding="utf-8") as handle:
        out += [("itn", row["lang"], row["text"]) for row in map(json.loads, handle)]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    args = parser.parse_args()
    # per key: [right, undecided, wrong]
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for corpus, lang, text in samples(args.shared):
        found = detect_language(text)
        outcome = 0 if found == lang else 1 if found is None else 2
        keys = [(corpus, lang), ("all", "all")] + ([("short<40", "all")] if len(text) < SHORT_LINE_CHARS else [])
        for key in keys:
            totals[key][outcome] += 1
    print(f"{'set':10s} {'lang':4s} {'right':>6s} {'none':>6s} {'wrong':>6s}     n")
    for (corpus, lang), counts in sorted(totals.items()):
        n = sum(counts)
        print(f"{corpus:10s} {lang:4s} " + " ".join(f"{c / n:6.3f}" for c in counts) + f" {n:5d}")


if __name__ == "__main__":
    main()
