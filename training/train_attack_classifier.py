"""Train the second-opinion models for an English attack's kind and weapon (threatwatch/events/classify.py).

    python training/train_attack_classifier.py --data ../shared/eval/gtd_summaries/events.jsonl \
        --out threatwatch/data/models/attack_classifier

Each GTD summary goes through the pipeline with the model switched off; the attack event that
the GTD scorer would read gives the evidence text and the rules' answers. A multinomial logistic
regression (numpy, full-batch Adam, L2) learns each field from the evidence's words and word
pairs (inverse document frequency weights, scaled to length 1) plus the rules' answer (a feature
of value --rule-weight). Five-fold cross-validation over rows (seeded) prints the rules
alone, the model alone and the combination the pipeline uses (the model replaces the rules when
its probability reaches classify.CONFIDENT); then the model is fitted on all rows and saved.
Rows of --extra files (other GTD extracts in the same format: ../shared/eval/gtd_summaries/
events_fullfields_1970_71.jsonl and events_fullfields_us_2013_2016.jsonl) are learned from in every
fold and in the final fit, but never tested on, so the figures stay those of --data's rows.
GTD's terms forbid redistributing its data; what is saved is a table of word weights.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shlex
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from threatwatch.eval.events import GTD_ATTACK_TYPES, GTD_WEAPONS  # noqa: E402
from threatwatch.events import classify  # noqa: E402
from threatwatch.events.classify import LinearModel, feature_values, features  # noqa: E402

FIELDS = {"attack_type": ("attacktype1_txt", GTD_ATTACK_TYPES), "weapon": ("weaptype1_txt", GTD_WEAPONS)}
# The weapon model also learns GTD's "Unknown" (its answer leaves the weapon empty), so a summary that
# names no weapon gets none rather than the likeliest guess; the kind model does not (cross-validated,
# it lost 0.3 points and left none of the 27 Unknown rows empty: QUALITY.md).
LEARNS_UNKNOWN = {"weapon"}
MIN_DOCS = 3  # a feature must occur in this many training rows
L2 = 3e-5
STEPS = 300
LEARNING_RATE = 0.05
RULE_WEIGHT = 1.0  # the rules' answer's feature value (words together weigh 1)
SHIPPED_CONFIDENT = classify.CONFIDENT


def rule_readings(rows: list[dict]) -> list[tuple[str, dict[str, str | None], bool]]:
    """Per row, the evidence text of the attack the scorer reads, the rules' answers and whether
    the pipeline found an attack at all (if not: the whole summary and no answers; the model still
    learns from it, but the cross-validation counts the row wrong, as `threatwatch eval gtd` does)."""
    from concurrent.futures import ProcessPoolExecutor

    os.environ[classify.SWITCH_OFF] = "1"  # the rules answer alone (the workers inherit it)
    with ProcessPoolExecutor(2) as pool:
        return list(pool.map(_read, [str(r["summary"]) for r in rows], chunksize=50))


def _read(summary: str) -> tuple[str, dict[str, str | None], bool]:
    from threatwatch.pipeline import process
    from threatwatch.records import RawDocument

    doc = process(RawDocument(path="gtd", content=summary, is_html=False), entities=False)
    attacks = [e for e in doc.events if e.type == "attack"]
    best = max(attacks, key=lambda e: len(e.evidence), default=None)
    if best is None:
        return summary, {"attack_type": None, "weapon": None}, False
    answers = {"attack_type": None if best.attack_type == "unknown" else best.attack_type, "weapon": best.weapon}
    return " ".join(s.text for s in best.evidence), answers, True


def load_rows(path: Path) -> list[dict]:
    """The rows of a GTD JSONL file that have a summary to read."""
    rows = [json.loads(line) for line in path.read_text("utf-8").split("\n") if line.strip()]
    return [r for r in rows if isinstance(r.get("summary"), str) and r["summary"].strip()]


def fit(rows_features: list[set[str]], labels: np.ndarray, n_labels: int) -> LinearModel:
    counts = Counter(f for found in rows_features for f in found)
    names = sorted(f for f, n in counts.items() if n >= MIN_DOCS)
    index = {name: i for i, name in enumerate(names)}
    idf = np.log((1 + len(rows_features)) / (1 + np.array([counts[name] for name in names], dtype=float))) + 1
    x = _matrix(rows_features, index, idf)
    n, d = x.shape
    weights, bias = np.zeros((d, n_labels)), np.zeros(n_labels)
    target = np.eye(n_labels)[labels]
    m, v, xt = np.zeros_like(weights), np.zeros_like(weights), x.T.tocsr()
    for step in range(1, STEPS + 1):
        p = _softmax(x @ weights + bias)
        grad = xt @ (p - target) / n + L2 * weights
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad * grad
        weights -= LEARNING_RATE * (m / (1 - 0.9 ** step)) / (np.sqrt(v / (1 - 0.999 ** step)) + 1e-8)
        bias -= 0.5 * (p - target).mean(0)
    return LinearModel((), index, weights, bias, idf, RULE_WEIGHT)


def _matrix(rows_features: list[set[str]], index: dict[str, int], idf: np.ndarray) -> sp.csr_matrix:
    """The rows' feature values, exactly as the pipeline computes them (classify.feature_values)."""
    r, c, values = [], [], []
    for row, found in enumerate(rows_features):
        columns, row_values = feature_values([f for f in found if f in index], index, idf, RULE_WEIGHT)
        r += [row] * len(columns)
        c += columns.tolist()
        values += row_values.tolist()
    return sp.csr_matrix((values, (r, c)), shape=(len(rows_features), len(index)))


def _softmax(z: np.ndarray) -> np.ndarray:
    z = np.exp(z - z.max(1, keepdims=True))
    return z / z.sum(1, keepdims=True)


def combined(model: LinearModel, labels: list[str], found: set[str], rule: str | None) -> tuple[str, str]:
    """(the model's answer, the pipeline's answer) for one row."""
    p, known = model.probabilities(found)
    answer = labels[int(p.argmax())]
    return answer, (answer if classify.overrules(p, known, answer, rule, tuple(labels)) else rule) or ""


def _use_settings(l2: float, min_docs: int, confident: float, rule_weight: float) -> None:
    global L2, MIN_DOCS, RULE_WEIGHT
    L2, MIN_DOCS, RULE_WEIGHT = l2, min_docs, rule_weight
    classify.CONFIDENT = confident  # read by `combined`; the pipeline's own constant is unchanged on disk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--extra", action="append", default=[],
                        help="more GTD rows to learn from, never tested on (repeatable)")
    # settings to compare by cross-validation (QUALITY.md); the defaults are the shipped model's
    parser.add_argument("--l2", type=float, default=L2)
    parser.add_argument("--min-docs", type=int, default=MIN_DOCS)
    parser.add_argument("--confident", type=float, default=classify.CONFIDENT,
                        help="the model overrules the rules from this probability (classify.CONFIDENT)")
    parser.add_argument("--rule-weight", type=float, default=RULE_WEIGHT)
    args = parser.parse_args()
    _use_settings(args.l2, args.min_docs, args.confident, args.rule_weight)
    started = time.time()
    rows = load_rows(Path(args.data))
    readings = rule_readings(rows)
    extra_rows = [row for path in args.extra for row in load_rows(Path(path))]
    extra_readings = rule_readings(extra_rows) if extra_rows else []
    report: dict[str, object] = {}
    for field, (column, mapping) in FIELDS.items():
        mapping = {**mapping, "Unknown": classify.UNKNOWN} if field in LEARNS_UNKNOWN else mapping
        kept = [i for i, r in enumerate(rows) if mapping.get(str(r.get(column)))]
        extra = [i for i, r in enumerate(extra_rows) if mapping.get(str(r.get(column)))]
        labels = sorted({mapping[str(r[column])] for r in [*(rows[i] for i in kept), *(extra_rows[i] for i in extra)]})
        gold = np.array([labels.index(mapping[str(rows[i][column])]) for i in kept])
        found = [features(readings[i][0], readings[i][1][field]) for i in kept]
        extra_gold = np.array([labels.index(mapping[str(extra_rows[i][column])]) for i in extra], dtype=int)
        extra_found = [features(extra_readings[i][0], extra_readings[i][1][field]) for i in extra]
        rules = [readings[i][1][field] for i in kept]
        # no attack found: eval gtd has no answer to score, whatever a model would say
        attack = [readings[i][2] for i in kept]
        order = list(range(len(kept)))
        random.Random(args.seed).shuffle(order)
        hits = Counter()
        for fold in range(args.folds):
            test = set(order[fold::args.folds])
            train = [j for j in order if j not in test]
            model = fit([found[j] for j in train] + extra_found, np.concatenate([gold[train], extra_gold]), len(labels))
            for j in test:
                alone, pipeline = combined(model, labels, found[j], rules[j])
                truth = labels[gold[j]]
                if truth == classify.UNKNOWN:  # eval gtd skips these rows; count those left empty
                    hits["unknown_with_attack"] += attack[j]
                    hits["unknown_left_empty"] += attack[j] and pipeline in (classify.UNKNOWN, "")
                    continue
                hits["rules"] += attack[j] and rules[j] == truth
                hits["model"] += attack[j] and alone == truth
                hits["pipeline"] += attack[j] and pipeline == truth
        scored = sum(labels[g] != classify.UNKNOWN for g in gold)
        scores: dict[str, float] = {k: round(hits[k] / scored, 4) for k in ("rules", "model", "pipeline")}
        if field in LEARNS_UNKNOWN:
            scores["unknown_rows"] = len(kept) - scored
            # of those where the pipeline finds an attack, how many get no weapon
            scores["unknown_rows_with_attack"] = hits["unknown_with_attack"]
            scores["unknown_left_empty"] = hits["unknown_left_empty"]
        print(field, len(kept), "rows,", attack.count(False), "without an attack found, cross-validated accuracy:",
              scores, flush=True)
        model = fit(found + extra_found, np.concatenate([gold, extra_gold]), len(labels))
        model = LinearModel(tuple(labels), model.index, model.weights, model.bias, model.idf, model.rule_weight)
        model.save(Path(args.out, field), {
            "field": field, "rows": len(kept), "extra_rows": len(extra), "features": len(model.index),
            "cross_validation": scores,
            "folds": args.folds, "seed": args.seed, "min_docs": MIN_DOCS, "l2": L2, "steps": STEPS,
            "idf": "log((1 + rows) / (1 + rows with the feature)) + 1",
            # the pipeline always uses classify.CONFIDENT as shipped; --confident only changes the
            # "pipeline" figure of the cross-validation above
            "confident": SHIPPED_CONFIDENT, "confident_in_cross_validation": classify.CONFIDENT,
            "data": "GTD summaries, DEV half of ../shared/eval/gtd_summaries/events.jsonl (START, University of "
                    "Maryland; its terms forbid redistributing the data: only word weights are saved)"
                    + "".join(f"; also learned from (DEV half, never tested on): {path}" for path in args.extra),
            "command": shlex.join(["python", "training/train_attack_classifier.py", *sys.argv[1:]]),
        })
        report[field] = scores
    print(json.dumps({"seconds": round(time.time() - started, 1), **report}))


if __name__ == "__main__":
    main()
