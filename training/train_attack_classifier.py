"""Train the second-opinion models for an English attack's kind and weapon (threatwatch/events/classify.py).

    python training/train_attack_classifier.py --data ../shared/eval/gtd_summaries/events.jsonl \
        --out threatwatch/data/models/attack_classifier

Each GTD summary goes through the pipeline with the model switched off; the attack event that
the GTD scorer would read gives the evidence text and the rules' answers. A multinomial logistic
regression (numpy, full-batch Adam, L2) learns each field from the evidence's words, word pairs
and the weapons the lexicon names (classify.features; inverse document frequency weights, scaled
to length 1) plus the rules' answer (a feature of value --rule-weight). Five-fold cross-validation
over rows (seeded) prints the rules alone, the model alone and the combination the pipeline uses
(the model replaces the rules when its probability reaches classify.CONFIDENT); then the model is
fitted on all rows and saved.
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
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from threatwatch.eval.events import GTD_ATTACK_TYPES, GTD_WEAPONS, gtd_rows  # noqa: E402
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


def without_rows_of(rows: list[dict], extra_rows: list[dict]) -> list[dict]:
    """The extra rows whose summary is no --data row's (the US 2013-16 file repeats 14 of them; a
    repeated row would be learned from while it is being tested) nor an earlier extra row's."""
    seen = {_text_key(r["summary"]) for r in rows}
    kept = []
    for row in extra_rows:
        key = _text_key(row["summary"])
        if key not in seen:
            seen.add(key)
            kept.append(row)
    return kept


def _text_key(summary: str) -> str:
    return " ".join(summary.split()).casefold()


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
    import scipy.sparse as sp  # training only (pip install -e .[training]); the tests read rows without it

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


@dataclass(frozen=True)
class FieldRows:
    """One field's labelled rows: --data's, cross-validated, and --extra's, only learned from."""
    labels: list[str]
    kept: list[int]  # the --data rows with a label for the field
    gold: np.ndarray
    found: list[set[str]]
    rules: list[str | None]
    extra_found: list[set[str]]
    extra_gold: np.ndarray


def field_rows(field: str, rows: list[dict], readings: list, extra_rows: list[dict], extra_readings: list) -> FieldRows:
    column, mapping = FIELDS[field]
    mapping = {**mapping, "Unknown": classify.UNKNOWN} if field in LEARNS_UNKNOWN else mapping
    kept = [i for i, r in enumerate(rows) if mapping.get(str(r.get(column)))]
    extra = [i for i, r in enumerate(extra_rows) if mapping.get(str(r.get(column)))]
    labels = sorted({mapping[str(r[column])] for r in [*(rows[i] for i in kept), *(extra_rows[i] for i in extra)]})
    return FieldRows(
        labels, kept, np.array([labels.index(mapping[str(rows[i][column])]) for i in kept], dtype=int),
        [features(readings[i][0], readings[i][1][field]) for i in kept], [readings[i][1][field] for i in kept],
        [features(extra_readings[i][0], extra_readings[i][1][field]) for i in extra],
        np.array([labels.index(mapping[str(extra_rows[i][column])]) for i in extra], dtype=int))


def combined(model: LinearModel, labels: list[str], found: set[str], rule: str | None,
             weapon: str | None = None) -> tuple[str, str]:
    """(the model's answer, the pipeline's answer) for one row; for the kind, `weapon` is the
    pipeline's weapon (classify.without_kinds_ruled_out)."""
    p, known = model.probabilities(found)
    p = classify.without_kinds_ruled_out(p, tuple(labels), weapon)
    answer = labels[int(p.argmax())]
    return answer, (answer if classify.overrules(p, known, answer, rule, tuple(labels)) else rule) or ""


def _pipeline_weapon(model: LinearModel, labels: list[str], reading: tuple) -> str | None:
    """The weapon the pipeline gives a row's attack: the model's or the rules', none for Unknown."""
    rule = reading[1]["weapon"]
    answer = combined(model, labels, features(reading[0], rule), rule)[1]
    return None if answer in (classify.UNKNOWN, "") else answer


def _count(hits: Counter, alone: str, pipeline: str, rule: str | None, truth: str, attack: bool) -> None:
    """One held-back row; no attack found: eval gtd has no answer to score, whatever a model says."""
    if truth == classify.UNKNOWN:  # eval gtd skips these rows; count those left empty
        hits["unknown_with_attack"] += attack
        hits["unknown_left_empty"] += attack and pipeline in (classify.UNKNOWN, "")
        return
    hits["rules"] += attack and rule == truth
    hits["model"] += attack and alone == truth
    hits["pipeline"] += attack and pipeline == truth


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
    rows = gtd_rows(args.data)
    readings = rule_readings(rows)
    extra_rows = without_rows_of(rows, [row for path in args.extra for row in gtd_rows(path)])
    extra_readings = rule_readings(extra_rows) if extra_rows else []
    data = {field: field_rows(field, rows, readings, extra_rows, extra_readings) for field in FIELDS}
    # folds over --data's rows, shared by the two fields: the kind of a held-back row is decided
    # with the weapon the pipeline gives it, by a weapon model that never saw it either
    order = list(range(len(rows)))
    random.Random(args.seed).shuffle(order)
    fold_of = {row: k % args.folds for k, row in enumerate(order)}
    hits: dict[str, Counter] = {field: Counter() for field in FIELDS}
    for fold in range(args.folds):
        weapons: dict[int, str | None] = {}
        for field in ("weapon", "attack_type"):  # the weapon first, as in the pipeline
            d = data[field]
            train = [j for j, row in enumerate(d.kept) if fold_of[row] != fold]
            model = fit([d.found[j] for j in train] + d.extra_found, np.concatenate([d.gold[train], d.extra_gold]),
                        len(d.labels))
            if field == "weapon":
                weapons = {row: _pipeline_weapon(model, d.labels, readings[row])
                           for row in range(len(rows)) if fold_of[row] == fold}
            for j, row in enumerate(d.kept):
                if fold_of[row] == fold:
                    weapon = weapons.get(row) if field == "attack_type" else None
                    _count(hits[field], *combined(model, d.labels, d.found[j], d.rules[j], weapon),
                           d.rules[j], d.labels[d.gold[j]], readings[row][2])
    report: dict[str, object] = {}
    for field, d in data.items():
        scored = sum(d.labels[g] != classify.UNKNOWN for g in d.gold)
        scores: dict[str, float] = {k: round(hits[field][k] / scored, 4) for k in ("rules", "model", "pipeline")}
        if field in LEARNS_UNKNOWN:
            scores["unknown_rows"] = len(d.kept) - scored
            # of those where the pipeline finds an attack, how many get no weapon
            scores["unknown_rows_with_attack"] = hits[field]["unknown_with_attack"]
            scores["unknown_left_empty"] = hits[field]["unknown_left_empty"]
        without_attack = sum(not readings[row][2] for row in d.kept)
        print(field, len(d.kept), "rows,", without_attack, "without an attack found, cross-validated accuracy:",
              scores, flush=True)
        model = fit(d.found + d.extra_found, np.concatenate([d.gold, d.extra_gold]), len(d.labels))
        model = LinearModel(tuple(d.labels), model.index, model.weights, model.bias, model.idf, model.rule_weight)
        model.save(Path(args.out, field), {
            "field": field, "rows": len(d.kept), "extra_rows": len(d.extra_found), "features": len(model.index),
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
