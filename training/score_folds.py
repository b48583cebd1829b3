"""Score cross-validation fold models through today's pipeline, so a change to the entity stage can be
measured on every document without training again.

    python training/score_folds.py --lang ru --data ../shared/eval/ner/factrueval2016_ru.jsonl \
        --models "/tmp/folds/cv5_{fold}.tar" --folds 5 --seed 13
    python training/score_folds.py --lang fr --data ../shared/eval/ner/hipe2020_fr_test.jsonl \
        --models "/tmp/folds/fold{fold}" --folds 4 --seed hipe2020-fr:split:0
    python training/score_folds.py --lang ar --data ../shared/eval/ner/newsfane_gold_ar.jsonl \
        --models "/tmp/folds/ar{fold}" --folds 5 --seed newsfane-ar:folds --unit sent_id

The documents of fold k are the ones the training script held back for it: document ids sorted,
shuffled with `random.Random(seed)` (a seed of digits is read as an integer, as train_ru_ner.py's
`--split-seed` is; train_fr_ner.py's seed is its SPLIT_SEED string), then every `folds`-th from k.
Fold models come from `train_ru_ner.py --folds K --fold k --out …` (natasha packs) and from
`train_fr_ner.py --crossval K --keep-folds DIR` (spaCy folders), and from
`train_ar_ner.py --split folds --folds K --fold k` (spaCy folders; NewsFANE's folds are made of
sentences, `--unit sent_id`, because the source has no document ids and its sealed half was drawn
by sentence). Each fold is ingested into a
scratch store with its model as the language's backend and scored as `threatwatch eval ner` scores
(exact spans, PER/ORG/LOC); the counts are summed over the folds. The data stays where it is: only
a scratch copy of each fold's rows is written, to a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from threatwatch.entities import backends, ner  # noqa: E402
from threatwatch.entities.ner import Recognizer  # noqa: E402
from threatwatch.eval.ner import evaluate  # noqa: E402

LABELS = ("PER", "ORG", "LOC")


def fold_rows(rows: Sequence[dict], folds: int, fold: int, seed: str, unit: str = "doc_id") -> list[dict]:
    """The rows of the units (documents, or sentences with `unit="sent_id"`) held back for `fold`, in
    their order in the file."""
    ids = sorted({str(row[unit]) for row in rows})
    random.Random(int(seed) if seed.isdigit() else seed).shuffle(ids)
    held = set(ids[fold::folds])
    return [row for row in rows if str(row[unit]) in held]


def recognizer(lang: str, model: str) -> Callable[[], Recognizer]:
    if lang == "ru":
        return lambda: backends.NatashaRecognizer(ner_path=model)
    nlp = backends.load_spacy([model])
    return lambda: backends.SpacyRecognizer(lang, nlp)


def score(
    lang: str, data: Path, models: str, folds: int, seed: str, unit: str = "doc_id"
) -> dict[str, dict[str, float]]:
    rows = [json.loads(line) for line in data.read_text("utf-8").splitlines() if line.strip()]
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    factory = {"ru": "russian", "fr": "french", "en": "english", "ar": "arabic"}[lang]
    saved = getattr(backends, factory)
    try:
        for fold in range(folds):
            setattr(backends, factory, recognizer(lang, models.format(fold=fold)))
            ner.recognizer_for.cache_clear()
            with tempfile.TemporaryDirectory(prefix="score-folds-") as tmp:
                path = Path(tmp, "fold.jsonl")
                path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n"
                                        for r in fold_rows(rows, folds, fold, seed, unit)), "utf-8")
                result = evaluate(path)
            for label, v in result["per_type"].items():
                counts[label].update(gold=v["gold"], predicted=v["predicted"], tp=round(v["recall"] * v["gold"]))
            gold = sum(v["gold"] for v in result["per_type"].values())
            print(f"fold {fold + 1}/{folds}: F1 {result['f1']:.4f} ({gold} gold mentions)", flush=True)
    finally:
        setattr(backends, factory, saved)
        ner.recognizer_for.cache_clear()
    counts["ALL"] = sum((counts[label] for label in LABELS), Counter())
    out = {}
    for label, c in counts.items():
        p = c["tp"] / c["predicted"] if c["predicted"] else 0.0
        r = c["tp"] / c["gold"] if c["gold"] else 0.0
        out[label] = {"p": round(p, 4), "r": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
                      "gold": c["gold"]}
    return out


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lang", required=True, choices=("en", "fr", "ru", "ar"))
    ap.add_argument("--data", type=Path, required=True, help="the DEV-half NER file the folds were cut from")
    ap.add_argument("--models", required=True, help="fold model path with {fold} in it")
    ap.add_argument("--folds", type=int, required=True)
    ap.add_argument("--seed", required=True, help="the training script's document-split seed")
    ap.add_argument("--unit", default="doc_id", choices=("doc_id", "sent_id"),
                    help="what a fold is made of: documents, or sentences (NewsFANE has one document id)")
    args = ap.parse_args(argv)
    print(json.dumps(score(args.lang, args.data, args.models, args.folds, args.seed, args.unit), indent=1))


if __name__ == "__main__":
    main()
