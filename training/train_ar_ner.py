"""Train threatwatch's small Arabic NER pipeline (PER / ORG / LOC) on the DEV half of NewsFANE.

Run from the repository root:

    python training/train_ar_ner.py --data ../shared/eval/ner/newsfane_gold_ar.jsonl \
        --out threatwatch/data/models/ar_ner

What it does
------------
* Reads the NewsFANE token file ({doc_id, sent_id, lang, tokens[], tags[]}, BIO over 50 fine classes) and maps
  the fine classes to PER / ORG / LOC (everything else -> O), exactly as the project's scoring conventions do.
* Splits the sentences in file order: first 80 % train, last 20 % validation.
* Optionally adds an augmentation copy of the training sentences with Arabic diacritics / tatweel removed and
  alef-with-hamza/madda folded to bare alef (only sentences that actually change are added).
* Trains a blank-"ar" spaCy pipeline (tok2vec CNN + transition-based NER) on CPU for a few settings, each for a
  fixed number of epochs (deterministic for a given seed), and scores each on the validation sentences in two ways:
    - "gold-tokens": one Doc per sentence built from the gold tokens (words + spaces);
    - "raw-text":    the real run-time condition - validation sentences joined as " ".join(tokens), 20 consecutive
                     sentences one document, one sentence a line, and the pipeline run as nlp(text) with spaCy's
                     blank Arabic tokenizer.
  Both are micro P/R/F1 over exact character spans in the joined document text.
* Keeps the setting with the best raw-text F1 and saves it with nlp.to_disk, recording the scores in meta.json.

Only the trained weights are written out; no text from the (CC BY-SA 3.0) data is stored in the pipeline
(spaCy would also write every training word into vocab/strings.json; `save_pipeline` drops those strings).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import random
import re
import shutil
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import spacy
from spacy.tokens import Doc
from spacy.training import Example
from spacy.training.batchers import minibatch_by_words
from spacy.util import fix_random_seed, load_model_from_config
from thinc.api import Adam, Config

LABELS = ("PER", "ORG", "LOC")

FINE_TO_COARSE: dict[str, str] = {
    **dict.fromkeys(
        ["Politician", "Athlete", "Other_PER", "Artist", "Religious_PER", "Scientist", "Businessperson", "Lawyer",
         "Engineer"],
        "PER",
    ),
    **dict.fromkeys(
        ["Non-Governmental", "Sports", "Media", "Government", "Commercial", "Educational", "Religious_ORG",
         "Medical-Science", "Entertainment"],
        "ORG",
    ),
    **dict.fromkeys(
        ["Nation", "Population-Center", "State-or-Province", "GPE-Cluster", "Continent", "Water-Body", "Land",
         "County-or-District", "Land-Region-Natural"],
        "LOC",
    ),
}  # fmt: skip

SENTS_PER_DOC = 20  # NewsFANE has no documents: the scoring convention groups 20 consecutive sentences

# ---------------------------------------------------------------------------------------------------------------
# data


def load_rows(path: Path) -> list[dict]:
    rows = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                row = json.loads(line)
                if len(row["tokens"]) != len(row["tags"]):
                    raise ValueError(f"token/tag length mismatch in {row.get('sent_id')}")
                rows.append(row)
    return rows


def bio_spans(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """Token spans (start, end_exclusive, coarse_label) from fine BIO tags.

    Entities are read on the *fine* tags (an I-X that does not continue an X entity starts a new one, as in
    conlleval), then mapped to PER/ORG/LOC; unmapped classes are dropped.
    """
    spans: list[tuple[int, int, str]] = []
    cur_start, cur_fine = None, None

    def close(end: int) -> None:
        if cur_start is not None and cur_fine in FINE_TO_COARSE:
            spans.append((cur_start, end, FINE_TO_COARSE[cur_fine]))

    for i, tag in enumerate(tags):
        if tag == "O" or "-" not in tag:
            close(i)
            cur_start, cur_fine = None, None
            continue
        prefix, fine = tag.split("-", 1)
        if prefix == "B" or cur_fine != fine:
            close(i)
            cur_start, cur_fine = i, fine
    close(len(tags))
    return spans


def token_offsets(tokens: Sequence[str]) -> list[tuple[int, int]]:
    """Character offsets of each token in " ".join(tokens)."""
    offs, pos = [], 0
    for tok in tokens:
        offs.append((pos, pos + len(tok)))
        pos += len(tok) + 1
    return offs


def char_spans(tokens: Sequence[str], tags: Sequence[str]) -> list[tuple[int, int, str]]:
    offs = token_offsets(tokens)
    return [(offs[s][0], offs[e - 1][1], lab) for s, e, lab in bio_spans(tags)]


_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")  # harakat, Quranic marks, tatweel
_ALEF = str.maketrans({"\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627", "\u0671": "\u0627"})


def normalise_token(tok: str) -> str:
    out = _DIACRITICS.sub("", tok).translate(_ALEF)
    return out or tok  # never produce an empty token


def make_doc(vocab, tokens: Sequence[str], tags: Sequence[str] | None = None) -> Doc:
    words = list(tokens)
    spaces = [True] * (len(words) - 1) + [False]
    if tags is None:
        return Doc(vocab, words=words, spaces=spaces)
    ents = ["O"] * len(words)
    for s, e, lab in bio_spans(tags):
        ents[s] = f"B-{lab}"
        for j in range(s + 1, e):
            ents[j] = f"I-{lab}"
    return Doc(vocab, words=words, spaces=spaces, ents=ents)


def build_examples(nlp, rows: Iterable[dict], augment: bool) -> tuple[list[Example], int]:
    examples, n_aug = [], 0
    for row in rows:
        ref = make_doc(nlp.vocab, row["tokens"], row["tags"])
        examples.append(Example(make_doc(nlp.vocab, row["tokens"]), ref))
        if augment:
            norm = [normalise_token(t) for t in row["tokens"]]
            if norm != list(row["tokens"]):
                ref = make_doc(nlp.vocab, norm, row["tags"])
                examples.append(Example(make_doc(nlp.vocab, norm), ref))
                n_aug += 1
    return examples, n_aug


# ---------------------------------------------------------------------------------------------------------------
# scoring (exact character spans, micro P/R/F1 over PER/ORG/LOC)


def prf(gold: set, pred: set) -> dict[str, float]:
    tp = len(gold & pred)
    p = tp / len(pred) if pred else 0.0
    r = tp / len(gold) if gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f": round(f, 4), "tp": tp, "n_gold": len(gold), "n_pred": len(pred)}


def score_sets(gold: set, pred: set) -> dict[str, dict[str, float]]:
    out = {"ALL": prf(gold, pred)}
    for lab in LABELS:
        out[lab] = prf({g for g in gold if g[3] == lab}, {p for p in pred if p[3] == lab})
    return out


def val_documents(rows: Sequence[dict]) -> list[tuple[str, list[tuple[int, int, str]], list[dict]]]:
    """Group validation sentences 20 to a document: (text, gold char spans, rows)."""
    docs = []
    for i in range(0, len(rows), SENTS_PER_DOC):
        chunk = rows[i : i + SENTS_PER_DOC]
        parts, gold, base = [], [], 0
        for row in chunk:
            sent = " ".join(row["tokens"])
            gold.extend((base + s, base + e, lab) for s, e, lab in char_spans(row["tokens"], row["tags"]))
            parts.append(sent)
            base += len(sent) + 1  # "\n"
        docs.append(("\n".join(parts), gold, chunk))
    return docs


def evaluate(nlp, docs) -> dict[str, dict[str, dict[str, float]]]:
    gold, pred_raw, pred_tok = set(), set(), set()
    texts = [text for text, _, _ in docs]
    for d, ((_text, spans, chunk), doc) in enumerate(zip(docs, nlp.pipe(texts, batch_size=16), strict=True)):
        gold.update((d, s, e, lab) for s, e, lab in spans)
        # raw-text condition: the blank Arabic tokenizer on the joined document
        pred_raw.update((d, ent.start_char, ent.end_char, ent.label_) for ent in doc.ents if ent.label_ in LABELS)
        # gold-token condition: one Doc per sentence from the given tokens
        base = 0
        sent_docs = [make_doc(nlp.vocab, row["tokens"]) for row in chunk]
        for row, sdoc in zip(chunk, nlp.pipe(sent_docs, batch_size=64), strict=True):
            pred_tok.update(
                (d, base + ent.start_char, base + ent.end_char, ent.label_) for ent in sdoc.ents if ent.label_ in LABELS
            )
            base += len(" ".join(row["tokens"])) + 1
    return {"raw_text": score_sets(gold, pred_raw), "gold_tokens": score_sets(gold, pred_tok)}


# ---------------------------------------------------------------------------------------------------------------
# model


def _embed_block(s: dict) -> str:
    if s["embed"] == "multihash":
        rows = ", ".join(str(r) for r in s["rows"])
        return f"""
[components.tok2vec.model.embed]
@architectures = "spacy.MultiHashEmbed.v2"
width = {s["width"]}
attrs = ["NORM", "PREFIX", "SUFFIX", "SHAPE"]
rows = [{rows}]
include_static_vectors = false
"""
    if s["embed"] == "character":
        return f"""
[components.tok2vec.model.embed]
@architectures = "spacy.CharacterEmbed.v2"
width = {s["width"]}
rows = {s["rows"][0]}
nM = {s.get("nM", 64)}
nC = {s.get("nC", 8)}
include_static_vectors = false
"""
    raise ValueError(s["embed"])


def config_string(s: dict, seed: int) -> str:
    return f"""
[system]
seed = {seed}
gpu_allocator = null

[nlp]
lang = "ar"
pipeline = ["tok2vec", "ner"]
batch_size = 256

[components]

[components.tok2vec]
factory = "tok2vec"

[components.tok2vec.model]
@architectures = "spacy.Tok2Vec.v2"
{_embed_block(s)}
[components.tok2vec.model.encode]
@architectures = "spacy.MaxoutWindowEncoder.v2"
width = {s["width"]}
depth = {s["depth"]}
window_size = {s.get("window", 1)}
maxout_pieces = 3

[components.ner]
factory = "ner"
moves = null
update_with_oracle_cut_size = 100
incorrect_spans_key = null

[components.ner.model]
@architectures = "spacy.TransitionBasedParser.v2"
state_type = "ner"
extra_state_tokens = false
hidden_width = {s.get("hidden", 64)}
maxout_pieces = 2
use_upper = true
nO = null

[components.ner.model.tok2vec]
@architectures = "spacy.Tok2VecListener.v1"
width = {s["width"]}
upstream = "*"
"""


SETTINGS: dict[str, dict] = {
    # name: hyper-parameters; epochs are fixed so each run is deterministic for a seed.  Validation F1 peaked after
    # 3-6 epochs in longer runs (the model then over-fits 1,904 sentences), hence the short schedules.
    "hash96": {"embed": "multihash", "width": 96, "depth": 4, "rows": [5000, 1000, 2500, 2500],
               "dropout": 0.2, "epochs": 6, "batch_words": 500, "lr": 0.002},
    "hash128": {"embed": "multihash", "width": 128, "depth": 4, "rows": [7000, 2000, 4000, 1000],
                "dropout": 0.3, "epochs": 6, "batch_words": 500, "lr": 0.002},
    "char96": {"embed": "character", "width": 96, "depth": 4, "rows": [5000], "nM": 48, "nC": 8,
               "dropout": 0.2, "epochs": 6, "batch_words": 500, "lr": 0.002},
    # also tried (not in the default run; validation raw-text F1 0.598 and 0.580, no better than hash128):
    "hash128big": {"embed": "multihash", "width": 128, "depth": 4, "rows": [10000, 2000, 4000, 500],
                   "dropout": 0.3, "epochs": 8, "batch_words": 500, "lr": 0.002},
    "hash96win2": {"embed": "multihash", "width": 96, "depth": 4, "window": 2, "rows": [7000, 1000, 3000, 500],
                   "dropout": 0.3, "epochs": 8, "batch_words": 500, "lr": 0.002, "hidden": 96},
}  # fmt: skip
DEFAULT_SETTINGS = ("hash96", "hash128", "char96")


def lr_schedule(peak: float, warmup: int, total: int) -> Iterator[float]:
    """Linear warm-up to `peak`, then linear decay to 5 % of it at the last step."""
    step = 0
    while True:
        if step < warmup:
            yield peak * (step + 1) / warmup
        else:
            frac = min(1.0, (step - warmup) / max(1, total - warmup))
            yield peak * (1.0 - 0.95 * frac)
        step += 1


def train_one(name: str, s: dict, train_rows, seed: int, augment: bool, log=print, val_docs=None, eval_every=0):
    fix_random_seed(seed)
    nlp = load_model_from_config(Config().from_str(config_string(s, seed)), auto_fill=True, validate=True)
    examples, n_aug = build_examples(nlp, train_rows, augment)
    rng = random.Random(seed)

    # the whole batch plan is drawn up front so the learning-rate schedule knows the exact number of steps
    plan = []
    for _ in range(s["epochs"]):
        order = list(examples)
        rng.shuffle(order)
        plan.append(list(minibatch_by_words(order, size=s["batch_words"], tolerance=0.2, discard_oversize=False)))
    total_steps = sum(len(epoch_batches) for epoch_batches in plan)
    optimizer = Adam(
        learn_rate=lr_schedule(s["lr"], warmup=max(1, total_steps // 10), total=total_steps),
        L2=0.01, grad_clip=1.0, use_averages=True, L2_is_weight_decay=True,
    )  # fmt: skip
    nlp.initialize(lambda: examples, sgd=optimizer)
    t0 = time.time()
    for epoch, batches in enumerate(plan, start=1):
        losses: dict[str, float] = {}
        for batch in batches:
            nlp.update(batch, drop=s["dropout"], sgd=optimizer, losses=losses)
            optimizer.step_schedules()  # thinc's generator schedules (learn rate) only advance when stepped
        log(f"  [{name}] epoch {epoch:2d}  ner loss {losses.get('ner', 0.0):9.1f}  {time.time() - t0:6.1f}s")
        if eval_every and val_docs and epoch % eval_every == 0 and epoch < s["epochs"]:
            # diagnostics only (learning curve); the saved model is always the one after the last epoch
            with nlp.use_params(optimizer.averages):
                f = evaluate(nlp, val_docs)["raw_text"]["ALL"]["f"]
            log(f"  [{name}] epoch {epoch:2d}  (diagnostic) validation raw-text F1 {f:.4f}")
    train_s = time.time() - t0
    info = {"train_seconds": round(train_s, 1), "n_train_examples": len(examples), "n_augmented": n_aug}
    return nlp, optimizer, info


def minimal_strings(nlp) -> list[str]:
    """The strings the saved pipeline needs: entity labels and NER move names. Nothing from the corpus."""
    keep = set(LABELS)
    ner = nlp.get_pipe("ner")
    moves = ner.moves
    keep.update(moves.get_class_name(i) for i in range(moves.n_moves))
    keep.update(ner.labels)
    return sorted(keep)


def save_pipeline(nlp, optimizer, out: Path) -> None:
    """Save with the averaged weights, then drop the corpus words spaCy put into vocab/strings.json.

    The weights only use hashed features, so the stored strings are not needed for prediction; main() reloads the
    saved pipeline and checks that its validation output is unchanged.
    """
    with nlp.use_params(optimizer.averages):
        nlp.to_disk(out)
    strings_path = out / "vocab" / "strings.json"
    strings_path.write_text(json.dumps(minimal_strings(nlp), ensure_ascii=False), encoding="utf-8")


def prepare_output_dir(out: Path) -> bool:
    """Make `out` ready for a new pipeline (an old pipeline there is removed); False, after saying why on stderr, when
    it holds something that is not a pipeline, which is never overwritten."""
    if out.exists():
        if any(out.iterdir()) and not (out / "meta.json").exists():
            print(f"refusing to overwrite non-pipeline directory {out}", file=sys.stderr)
            return False
        shutil.rmtree(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    return True


def fmt(scores: dict) -> str:
    lines = []
    for cond in ("raw_text", "gold_tokens"):
        sc = scores[cond]
        parts = [f"{lab}: P {sc[lab]['p']:.3f} R {sc[lab]['r']:.3f} F {sc[lab]['f']:.3f}" for lab in (*LABELS, "ALL")]
        lines.append(f"    {cond:<11}  " + " | ".join(parts))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, required=True, help="newsfane_gold_ar.jsonl (DEV half)")
    ap.add_argument("--out", type=Path, required=True, help="output directory for the spaCy pipeline")
    ap.add_argument("--settings", default=",".join(DEFAULT_SETTINGS), help=f"comma list from {', '.join(SETTINGS)}")
    ap.add_argument("--epochs", type=int, default=None, help="override the epochs of every setting")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--eval-every", type=int, default=0, help="print validation F1 every N epochs (diagnostic only)")
    ap.add_argument("--train-frac", type=float, default=0.8)
    ap.add_argument("--no-augment", action="store_true", help="do not add the diacritics/alef-normalised copy")
    ap.add_argument(
        "--split",
        choices=("file-order", "random", "folds"),
        default="file-order",
        help="file-order (default, as specified): first train-frac of the file trains; random: a seeded "
        "sentence shuffle first (diagnostic: closer to how the sealed half was drawn); folds: fold --fold of "
        "--folds sentence folds validates, the rest trains (cross-validation, scored with score_folds.py)",
    )
    ap.add_argument("--folds", type=int, default=5, help="with --split folds: how many folds")
    ap.add_argument("--fold", type=int, default=0, help="with --split folds: the fold held back (0-based)")
    ap.add_argument("--fold-seed", default="newsfane-ar:folds",
                    help="with --split folds: the sentence-shuffle seed, as score_folds.py's --seed")
    ap.add_argument(
        "--refit-all",
        action="store_true",
        help="after choosing the setting on the validation split, retrain it on ALL sentences and save "
        "that model (its validation scores are then those of the 80%% model)",
    )
    args = ap.parse_args(argv)
    if args.split == "folds" and (args.refit_all or not 0 <= args.fold < args.folds):
        ap.error("--split folds needs 0 <= --fold < --folds and no --refit-all (a fold model must not see its fold)")

    spacy.require_cpu()
    t_start = time.time()
    rows = load_rows(args.data)
    n_train = int(len(rows) * args.train_frac)
    if args.split == "random":
        order = list(range(len(rows)))
        random.Random(f"split:{args.seed}").shuffle(order)
        train_rows = [rows[i] for i in sorted(order[:n_train])]
        val_rows = [rows[i] for i in sorted(order[n_train:])]
    elif args.split == "folds":
        # The same folds as score_folds.py --unit sent_id, so the pipeline can score each fold model on
        # the sentences it never saw.
        from score_folds import fold_rows

        held = {row["sent_id"] for row in fold_rows(rows, args.folds, args.fold, args.fold_seed, "sent_id")}
        train_rows = [row for row in rows if row["sent_id"] not in held]
        val_rows = [row for row in rows if row["sent_id"] in held]
    else:
        train_rows, val_rows = rows[:n_train], rows[n_train:]
    val_docs = val_documents(val_rows)
    n_gold = sum(len(g) for _, g, _ in val_docs)
    print(
        f"{len(rows)} sentences: {len(train_rows)} train, {len(val_rows)} validation "
        f"({len(val_docs)} documents of <= {SENTS_PER_DOC} sentences, {n_gold} gold PER/ORG/LOC mentions)"
    )

    results = []
    for name in [n.strip() for n in args.settings.split(",") if n.strip()]:
        s = dict(SETTINGS[name])
        if args.epochs:
            s["epochs"] = args.epochs
        print(f"setting {name}: {json.dumps(s)}")
        nlp, optimizer, info = train_one(
            name, s, train_rows, args.seed, not args.no_augment, val_docs=val_docs, eval_every=args.eval_every
        )
        with nlp.use_params(optimizer.averages):
            scores = evaluate(nlp, val_docs)
        print(f"  [{name}] validation ({info['train_seconds']}s training, {info['n_train_examples']} examples, "
              f"{info['n_augmented']} of them augmented):\n{fmt(scores)}")  # fmt: skip
        results.append((scores["raw_text"]["ALL"]["f"], name, s, (nlp, optimizer), scores, info))

    best_f, name, s, (nlp, optimizer), scores, info = max(results, key=lambda r: r[0])
    total_s = round(time.time() - t_start, 1)
    print(f"best setting: {name} (raw-text F1 {best_f:.4f}); wall time so far {total_s}s")
    n_fit = len(train_rows)
    if args.refit_all:
        print(f"refitting {name} on all {len(rows)} sentences")
        nlp, optimizer, info = train_one(name, s, rows, args.seed, not args.no_augment)
        n_fit = len(rows)
        total_s = round(time.time() - t_start, 1)

    command = "python training/train_ar_ner.py " + " ".join(sys.argv[1:]) if argv is None else " ".join(argv)
    nlp.meta.update(
        {
            "name": "threatwatch_ar_ner",
            "version": "0.1.0",
            "description": "Arabic PER/ORG/LOC NER (tok2vec CNN + transition NER, no vectors) trained on "
            + (f"all {len(rows)} sentences" if args.refit_all else f"{len(train_rows)} of the {len(rows)} sentences")
            + " of the NewsFANE Gold 2014 DEV half (fine classes mapped to PER/ORG/LOC). Learnt on NewsFANE-style "
            "text (clitics split off, hamza-less alef, no diacritics); see training/README.md.",
            "license": "CC BY-SA 3.0 (trained on NewsFANE Gold 2014; no corpus text is included)",
            "labels_out": list(LABELS),
            "threatwatch_training": {
                "data": "NewsFANE Gold 2014 (Alotaibi & Lee, COLING 2014), DEV half",
                "label_map": {lab: sorted(f for f, c in FINE_TO_COARSE.items() if c == lab) for lab in LABELS},
                "split": (f"folds: sentence fold {args.fold} of {args.folds} (seed {args.fold_seed!r}) validation, "
                          "the rest train") if args.split == "folds"
                else f"{args.split}: {args.train_frac:.0%} of sentences train, rest validation"
                + (" (file order)" if args.split == "file-order" else " (seeded shuffle)"),
                "refit_on_all_sentences": bool(args.refit_all),
                "n_train_sentences": n_fit,
                "n_validation_split_train_sentences": len(train_rows),
                "n_train_examples": info["n_train_examples"],
                "n_augmented_examples": info["n_augmented"],
                "n_validation_sentences": len(val_rows),
                "validation_scoring": f"exact character spans over ' '.join(tokens), {SENTS_PER_DOC} sentences a "
                "document, one sentence a line; micro P/R/F1 over PER/ORG/LOC",
                "validation": scores,
                "setting": name,
                "hyperparameters": s,
                "seed": args.seed,
                "all_settings": {
                    r[1]: {"raw_text_f": r[0], "gold_tokens_f": r[4]["gold_tokens"]["ALL"]["f"]} for r in results
                },  # fmt: skip
                "train_seconds": info["train_seconds"],
                "total_wall_seconds": total_s,
                "date": _dt.date.today().isoformat(),
                "command": command,
                "spacy_version": spacy.__version__,
            },
        }
    )
    if not prepare_output_dir(args.out):
        return 2
    with nlp.use_params(optimizer.averages):
        expected = evaluate(nlp, val_docs)
    save_pipeline(nlp, optimizer, args.out)
    reloaded = spacy.load(args.out)
    if evaluate(reloaded, val_docs) != expected:
        print("WARNING: the reloaded pipeline scores differently from the trained one", file=sys.stderr)
        return 3
    print("reloaded pipeline reproduces the in-memory model's validation output")
    print(f"total wall time {round(time.time() - t_start, 1)}s")
    size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    print(f"saved {args.out} ({size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
