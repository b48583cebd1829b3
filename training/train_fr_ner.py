"""Fine-tune the NER of fr_core_news_sm on the DEV half of CLEF-HIPE-2020 French, for threatwatch's French backend.

Run from the repository root (the command of the shipped model; without --settings it runs the default grid):

    python training/train_fr_ner.py --data ../shared/eval/ner/hipe2020_fr_test.jsonl \
        --out threatwatch/data/models/fr_ner --settings r05 --refit-all --crossval 4 \
        --diagnostic ../shared/eval/ner/wikineural_fr_test.jsonl

What it does (details and measured scores: training/README.md, "French NER model")
--------------------------------------------------------------------------------
* The same recipe as train_en_ner.py, with the same loop (ner_finetune.py, shared by both): the base pipeline
  (fr_core_news_sm) is cut down to its tokenizer and `ner` (which has its own tok2vec inside), so nothing else runs
  at run time.
* Gold: HIPE coarse tags pers -> PER, org -> ORG, loc -> LOC (the base model's own labels); prod (newspaper titles,
  doctrines) -> MISC, which threatwatch ignores, so they are not taught as organisations; time -> O. Where HIPE has
  no mention, the base model's MISC spans are kept where they line up with HIPE tokens; its PER/ORG/LOC spans there
  are taught away.
* Rehearsal against forgetting: paragraphs of modern French news available offline and not from HIPE (the French
  texts of news_pairs_semeval2022t8 and news_pairs_20minxd_defr, the French news_clusters_itn blurbs,
  examples/fr_nice_2016.html and the French paragraphs of examples/feed_2015_2017.jsonl and of the seeds), labelled
  by the base model itself: `ratio` rehearsal words per HIPE training word (the pool is cycled when it is short).
  They are read at training time; none of their text is stored.
* Holds out a quarter of the documents (a seeded shuffle of the sorted doc ids; SPLIT_SEED below, fixed), fine-tunes
  each setting and scores every epoch on them under the run-time condition: threatwatch's own ingest + entity stage
  (`threatwatch.eval.ner.evaluate`) on a file of those documents, with the model in memory as the French backend.
  With --diagnostic (WikiNEuRal fr, modern Wikipedia text, silver) each epoch is also scored by the model alone on
  its first 1,000 rows, and only (setting, epoch) pairs that score there at least as well as the base model (less
  --max-forgetting) compete: a guard against forgetting modern text. Among those, the best held-back F1 wins (ties:
  the better diagnostic). With --refit-all that setting is trained again, for that many epochs, on all documents.
* --crossval K (a diagnostic, never used to choose): the chosen setting trained K times, each time scored through the
  pipeline on the K-th of the documents it did not train on, so every document is scored once.
* Saves only the weights: vocab strings are cut down to labels and moves (`save_pipeline` of train_ar_ner.py), and
  the reloaded pipeline is checked to predict exactly what the trained one does.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import spacy
from spacy.tokens import Doc
from spacy.training import Example

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ner_finetune import (  # noqa: E402
    LABELS,
    EpochResult,
    Recipe,
    Run,
    Setting,
    add_common_arguments,
    base_load,
    choose_best,
    command_line,
    conll_spans,
    evaluate_pipeline,
    fmt,
    forgetting_floor,
    gold_example,
    gold_texts,
    load_documents,
    refit,
    rehearsal_pieces,
    run_grid,
    save_checked,
    score_base,
    train,
    training_record,
    update_meta,
    write_gold,
    write_heldback,
)

REPO = Path(__file__).resolve().parents[1]
GOLD = {"pers": "PER", "org": "ORG", "loc": "LOC", "PER": "PER", "ORG": "ORG", "LOC": "LOC"}  # HIPE, WikiNEuRal
SPLIT_SEED = "hipe2020-fr:split:0"  # fixed: which documents are held back does not depend on --seed
VAL_FRAC = 0.25
# name: (rehearsal words per HIPE training word, dropout, learn rate, max epochs); the best epoch is chosen.
# r0 (no rehearsal) is an ablation, not in the default grid: it forgets modern news (training/README.md).
SETTINGS = {
    "r0": (0.0, 0.2, 0.001, 12),
    "r05": (0.5, 0.2, 0.001, 12),
    "r1": (1.0, 0.2, 0.001, 12),
    "r05d35": (0.5, 0.35, 0.001, 12),
    "r05lr2": (0.5, 0.2, 0.002, 12),
}
DEFAULT_SETTINGS = ("r05", "r1", "r05d35", "r05lr2")
HIPE_SOURCE = {  # added to the base pipeline's sources in meta.json
    "name": "CLEF-HIPE-2020 French test set, DEV half (historical Swiss and Luxembourg newspapers)",
    "url": "https://github.com/hipe-eval/HIPE-2022-data",
    "license": "CC BY-NC-SA 4.0",
    "author": "Ehrmann, Romanello, Flückiger, Clematide (impresso project)",
}


def sentence_example(nlp, base_doc: Doc, row: dict) -> Example:
    """The training Example of one HIPE sentence: gold labels as described in the module docstring, on the HIPE
    tokens; the predicted side is the spaCy tokenisation of the joined sentence, as at run time."""
    tokens = row["tokens"]
    ents = ["O"] * len(tokens)
    for s, e, kind in conll_spans(row["tags"]):
        label = GOLD.get(kind) or ("MISC" if kind == "prod" else None)
        if label:
            ents[s:e] = [f"B-{label}"] + [f"I-{label}"] * (e - s - 1)
    # MISC is not annotated by HIPE (apart from prod): keep the base model's where it aligns
    return gold_example(nlp, base_doc, tokens, ents, lambda label: label == "MISC")


RECIPE = Recipe(
    lang="fr", corpus="hipe", heldback_word="held-back", settings=SETTINGS, sentence_example=sentence_example,
    new_labels=(),  # the base model already has MISC
    cycle_rehearsal=True,  # the French pool is small: ratio 0.5 already uses each piece once or twice
    base_batch_size=64,
)


def rehearsal_texts(shared: Path) -> list[str]:
    """Modern French news paragraphs (not HIPE), for rehearsal."""
    from threatwatch.html_extract import extract_html
    from threatwatch.language import detect_language

    ev = shared / "eval"
    texts = []
    for name in ("news_pairs_semeval2022t8", "news_pairs_20minxd_defr"):
        for line in (ev / name / "pairs.jsonl").read_text("utf-8").splitlines():
            row = json.loads(line)
            texts += [row[f"text{k}"] or "" for k in "12" if row[f"lang{k}"] == "fr"]
    for line in (ev / "news_clusters_itn" / "items.jsonl").read_text("utf-8").splitlines():
        row = json.loads(line)
        if row["lang"] == "fr":
            texts.append(row["text"] or "")
    texts.append(extract_html((REPO / "examples" / "fr_nice_2016.html").read_text("latin-1")).text)
    mixed = [json.loads(line)["text"] for line in (REPO / "examples" / "feed_2015_2017.jsonl").read_text("utf-8")
             .splitlines() if line.strip()]
    mixed += [p.read_text("utf-8") for p in sorted((shared / "seeds").glob("*.txt"))]
    for text in mixed:  # mostly English: only their French paragraphs
        texts += [para for para in text.split("\n") if len(para.split()) >= 8 and detect_language(para) == "fr"]
    return rehearsal_pieces(texts)


def crossval(run: Run, setting: Setting, epochs: int, docs, folds: int, tmp: Path, keep: Path | None = None) -> dict:
    """A diagnostic, never used to choose: every document scored through the pipeline by a model fine-tuned (with
    `setting`, for `epochs`) on the other folds, and by the base model; counts summed over all folds. With `keep`,
    fold k's model is saved to keep/fold{k}, so training/score_folds.py can score later pipeline changes."""
    ids = sorted(d for d, _ in docs)
    random.Random(SPLIT_SEED).shuffle(ids)
    counts = {who: {lab: {"tp": 0, "gold": 0, "predicted": 0} for lab in LABELS} for who in ("base", "fine_tuned")}
    base_nlp, _ = base_load(run.base_names)
    for k in range(folds):
        held = set(ids[k::folds])
        path = tmp / f"fold{k}.jsonl"
        write_gold(path, [d for d in docs if d[0] in held], GOLD)
        nlp, optimizer, _ = train(run, setting, [d for d in docs if d[0] not in held], epochs, log=lambda *_: None)
        with nlp.use_params(optimizer.averages):
            tuned = evaluate_pipeline(nlp, path, run.recipe.lang)
            if keep:
                nlp.to_disk(keep / f"fold{k}")
        stock = evaluate_pipeline(base_nlp, path, run.recipe.lang)
        for who, res in (("base", stock), ("fine_tuned", tuned)):
            for lab, v in res["per_type"].items():
                c = counts[who][lab]
                c["gold"] += v["gold"]
                c["predicted"] += v["predicted"]
                c["tp"] += round(v["recall"] * v["gold"])
        print(f"  fold {k + 1}/{folds}: {len(held)} documents, {stock['gold']} gold mentions, base F1 "
              f"{stock['f1']:.3f}, fine-tuned F1 {tuned['f1']:.3f}", flush=True)
    out: dict = {}
    for who, per in counts.items():
        per["ALL"] = {key: sum(per[lab][key] for lab in LABELS) for key in ("tp", "gold", "predicted")}
        out[who] = {}
        for lab, c in per.items():
            p = c["tp"] / c["predicted"] if c["predicted"] else 0.0
            r = c["tp"] / c["gold"] if c["gold"] else 0.0
            out[who][lab] = {"p": round(p, 4), "r": round(r, 4), "f": round(2 * p * r / (p + r), 4) if p + r else 0.0,
                             "n_gold": c["gold"]}
    return out


MODEL_README = """# threatwatch French NER model (`threatwatch_fr_ner`)

The NER of spaCy's `fr_core_news_sm` 3.8 fine-tuned by `training/train_fr_ner.py` on the DEV half of the
CLEF-HIPE-2020 French test set (historical Swiss and Luxembourg newspapers), with rehearsal on the stock model's own
predictions on modern French news. Only the tokenizer and `ner` are kept. `threatwatch.entities.backends.french()`
loads this folder when it is present.

## Licence: non-commercial

CLEF-HIPE-2020 is distributed under **CC BY-NC-SA 4.0** (Ehrmann, Romanello, Flückiger, Clematide; impresso
project; https://github.com/hipe-eval/HIPE-2022-data). These weights are derived from it, so they carry its terms:
**attribution, non-commercial use only, share-alike**. No corpus text is stored (`vocab/strings.json` holds only label
and transition names). The base weights are `fr_core_news_sm` (Explosion, LGPL-LR).

For commercial use, **delete this folder**: threatwatch then falls back to the stock `fr_core_news_sm`.

## Scores

{scores}

Training settings, every score and the exact command are in `meta.json` (`threatwatch_training`); the method is
described in `training/README.md` ("French NER model").
"""


def model_readme(base_name: str, baseline: dict, best: EpochResult, n_heldback: int, n_train: int, n_docs: int,
                 cv: dict | None, folds: int, refit_all: bool) -> str:
    """The model folder's README.md: licence and the held-back (and cross-validated) scores."""
    b, t = baseline["pipeline"], best.scores["pipeline"]
    table = "\n".join(
        f"| {who} | {sc['ALL']['p']:.3f} | {sc['ALL']['r']:.3f} | **{sc['ALL']['f']:.3f}** | "
        + " | ".join(f"{sc[lab]['f']:.3f}" for lab in LABELS) + " |"
        for who, sc in ((f"stock {base_name}", b), (f"fine-tuned, {best.setting}, {best.epoch} epochs", t))
    )
    return MODEL_README.format(scores=(
        f"Through threatwatch's ingest + entity stage on the {n_heldback} HIPE DEV documents held back from training "
        f"({b['ALL']['n_gold']} gold mentions: PER {b['PER']['n_gold']}, ORG {b['ORG']['n_gold']}, LOC "
        f"{b['LOC']['n_gold']}), by the same setting trained on the other {n_train}; exact character spans:\n\n"
        "| model | P | R | F1 | PER F1 | ORG F1 | LOC F1 |\n|---|---|---|---|---|---|---|\n" + table + "\n\n"
        + (f"{folds}-fold cross-validation over all {n_docs} documents (each scored by a model that did not "
           f"train on it; {cv['base']['ALL']['n_gold']} gold mentions): stock F1 {cv['base']['ALL']['f']:.3f}, "
           f"fine-tuned {cv['fine_tuned']['ALL']['f']:.3f}.\n\n" if cv else "")
        + ("The shipped weights are that setting refit on all documents, so any DEV-half score of them measures "
           "memory, not quality." if refit_all else "")
    ))


def split_documents(docs, frac: float = VAL_FRAC):
    """(train, held back): a seeded shuffle of the sorted doc ids; the first quarter is held back."""
    ids = sorted(d for d, _ in docs)
    random.Random(SPLIT_SEED).shuffle(ids)
    held = set(ids[: round(len(ids) * frac)])
    return [d for d in docs if d[0] not in held], [d for d in docs if d[0] in held]


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_arguments(ap, RECIPE, DEFAULT_SETTINGS, data_help="hipe2020_fr_test.jsonl (DEV half)",
                         base_default="fr_core_news_sm", base_help="comma list; the first that loads")
    ap.add_argument("--seed", type=int, default=0, help="training seed (the document split is fixed)")
    ap.add_argument("--refit-all", action="store_true", help="retrain the chosen setting on all documents")
    ap.add_argument("--heldback-out", type=Path, default=None,
                    help="also write the held-back documents here (a scratch file outside the repository)")
    ap.add_argument("--diagnostic", type=Path, default=None,
                    help="a BIO file (e.g. WikiNEuRal fr) scored each epoch by the model alone: a forgetting guard")
    ap.add_argument("--diagnostic-rows", type=int, default=1000)
    ap.add_argument("--max-forgetting", type=float, default=0.0,
                    help="with --diagnostic: only epochs whose diagnostic F1 is at least the base model's minus this "
                    "compete (default 0: no loss on modern text)")
    ap.add_argument("--keep-folds", type=Path, default=None, metavar="DIR",
                    help="with --crossval: save fold k's model to DIR/fold{k} (for training/score_folds.py)")
    ap.add_argument("--crossval", type=int, default=0, metavar="K",
                    help="after choosing, also score the chosen setting by K-fold cross-validation over documents "
                    "(a diagnostic on all documents; never used to choose)")
    args = ap.parse_args(argv)
    spacy.require_cpu()
    t_start = time.time()
    docs = load_documents(args.data)
    train_docs, val = split_documents(docs)
    rehearse = rehearsal_texts(args.shared)
    print(f"{len(docs)} documents: {len(train_docs)} train, {len(val)} held back ({', '.join(d for d, _ in val)}); "
          f"{len(rehearse)} rehearsal paragraphs, {sum(len(t.split()) for t in rehearse)} words")
    run = Run(RECIPE, [n.strip() for n in args.base.split(",")], rehearse, args.seed)
    tmp = Path(tempfile.mkdtemp(prefix="train-fr-ner-"))
    diag = []
    if args.diagnostic:
        rows = [json.loads(x) for x in args.diagnostic.read_text("utf-8").splitlines()[: args.diagnostic_rows]]
        diag = gold_texts([(f"d{i // 20}", rows[i : i + 20]) for i in range(0, len(rows), 20)], GOLD)
    held = write_heldback(tmp / "heldback.jsonl", val, GOLD, diag, args.diagnostic.name if args.diagnostic else "")
    if args.heldback_out:
        args.heldback_out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(held.gold_file, args.heldback_out)

    base_name, baseline = score_base(run, held, "base {base} on the held-back documents ({n_gold} gold mentions)")
    results = run_grid(run, args.settings, args.epochs, train_docs, held)
    floor = forgetting_floor(baseline, args.max_forgetting) if diag else None
    best = choose_best(results, floor, RECIPE.heldback_word)
    cv = None
    if args.crossval:
        print(f"{args.crossval}-fold cross-validation of {best.setting}, {best.epoch} epochs, over all {len(docs)} "
              "documents")
        cv = crossval(run, SETTINGS[best.setting], best.epoch, docs, args.crossval, tmp, args.keep_folds)
        print(f"  base       {fmt(cv['base'])}\n  fine-tuned {fmt(cv['fine_tuned'])}")
    nlp, optimizer, info = refit(run, best, docs, train_docs, held, args.refit_all)

    training = training_record(run, base_name, best, args.refit_all, info, {
        "heldback_documents": [d for d, _ in val], "n_train_documents_heldback_split": len(train_docs),
        "heldback": {"base": baseline, "fine_tuned": best.scores},
        "heldback_scoring": "5 of 21 documents (fixed seeded shuffle of sorted doc ids); threatwatch ingest + "
        "entity stage on sentences joined ' '.join(tokens), one a line; exact char spans, micro P/R/F1 over "
        "PER/ORG/LOC (prod, time ignored)",
        "selection": "best held-back pipeline F1"
        + (f" among epochs whose diagnostic ({args.diagnostic.name}, model alone, first {args.diagnostic_rows} "
           f"rows) F1 >= {floor} (the base model's minus {args.max_forgetting})" if diag else ""),
        "all_settings": [
            {"setting": r.setting, "epoch": r.epoch, "pipeline_f": r.pipeline_f,
             **({"diagnostic_f": r.scores["diagnostic_model"]["ALL"]["f"]} if diag else {})}
            for r in results
        ],
        **({"crossval": {"folds": args.crossval, **cv}} if cv else {}),
    }, command_line("train_fr_ner.py", argv))  # fmt: skip
    update_meta(nlp, "threatwatch_fr_ner", HIPE_SOURCE, {
        "author": "threatwatch (fine-tuning, training/train_fr_ner.py); Explosion (base fr_core_news_sm)",
        "description": f"NER of {base_name} 3.8 fine-tuned on "
        + ("all" if args.refit_all else f"{len(train_docs)} of the")
        + f" {len(docs)} documents of the CLEF-HIPE-2020 French test DEV half, with rehearsal on the base model's own "
        "predictions on modern French news. Only the tokenizer and ner; see training/README.md.",
        "license": "CC BY-NC-SA 4.0: the weights are derived from CLEF-HIPE-2020 annotations (CC BY-NC-SA 4.0), so "
        "no commercial use; the base fr_core_news_sm weights are LGPL-LR (Explosion). No corpus text is included. "
        "Delete this folder to fall back to the stock fr_core_news_sm.",
    }, training)  # fmt: skip
    readme = model_readme(base_name, baseline, best, len(val), len(train_docs), len(docs), cv, args.crossval,
                          args.refit_all)
    return save_checked(nlp, optimizer, args.out, held, {"README.md": readme}, tmp, t_start)


if __name__ == "__main__":
    raise SystemExit(main())
