"""The fine-tuning recipe shared by train_en_ner.py and train_fr_ner.py (details: training/README.md).

A base spaCy pipeline is cut down to its tokenizer and `ner`, fine-tuned on a corpus of BIO-tagged documents with
rehearsal on the base model's own labels of other news, and scored after every epoch on held-back documents under
the run-time condition (threatwatch's own ingest + entity stage, with the model in memory as the language's backend).
The best (setting, epoch) is chosen, optionally among those that keep a diagnostic score (the forgetting guard),
trained again and saved with only its weights. What differs by language is a `Recipe` (gold labels, how rehearsal is
drawn, the words of the printed lines); each script keeps its own command line, data loading and meta.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import random
import shutil
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import spacy
from spacy.tokens import Doc, Span
from spacy.training import Example
from spacy.util import fix_random_seed, minibatch
from thinc.api import Adam

sys.path.insert(0, str(Path(__file__).resolve().parent))
from train_ar_ner import prepare_output_dir, prf, save_pipeline, token_offsets  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
LABELS = ("PER", "ORG", "LOC")
BACKENDS = {"en": "english", "fr": "french"}  # the threatwatch.entities.backends loader a model stands in for
BASE_META_KEYS = ("performance", "accuracy", "speed", "labels", "email", "url")  # the base pipeline's, not ours
Setting = tuple[float, float, float, int]  # (rehearsal words per corpus word, dropout, learn rate, max epochs)
Texts = list[tuple[str, list]]  # documents as joined text + their gold (start, end, label) character spans


@dataclass(frozen=True)
class Recipe:
    """What one language's script decides; everything else in the fine-tuning is the same."""

    lang: str  # the threatwatch backend ("en", "fr") the model stands in for while it is scored
    corpus: str  # names the corpus counts in the training info ("conll" -> n_conll_sentences, ...)
    heldback_word: str  # how the printed lines call the held-back documents ("validation", "held-back")
    settings: Mapping[str, Setting]
    sentence_example: Callable[[spacy.Language, Doc, dict], Example]  # gold Example of one corpus sentence
    new_labels: tuple[str, ...]  # labels the base `ner` lacks and the gold uses
    cycle_rehearsal: bool  # pass over a short rehearsal pool again until the ratio is met (else one pass)
    base_batch_size: int  # batch size of the base model labelling the training sentences
    # Labels of the base `ner` renamed (to another label) or dropped (None) before fine-tuning; the model then keeps
    # only the labels left. Each label costs the greedy parser four moves to score at every token, so a model that
    # keeps only what threatwatch reads runs faster (training/README.md). None: all labels kept.
    relabel: Mapping[str, str | None] | None = None


@dataclass(frozen=True)
class Run:
    """One invocation's fixed inputs: every training of the grid, the cross-validation and the refit share them."""

    recipe: Recipe
    base_names: list[str]  # the first that loads is the base pipeline
    rehearse: list[str]  # the rehearsal paragraphs
    seed: int


@dataclass(frozen=True)
class HeldBack:
    """The documents every epoch is scored on, in the two forms the scorers read, and the optional diagnostic."""

    gold_file: Path  # token file for threatwatch.eval.ner.evaluate (the pipeline scores)
    texts: Texts  # the same documents for the model alone
    diagnostic: Texts  # [] without --diagnostic
    diagnostic_name: str  # the diagnostic file's name, for the printed lines


class EpochResult(NamedTuple):
    pipeline_f: float  # held-back F1 through the pipeline: what the choice maximises
    setting: str
    epoch: int
    scores: dict


# ---------------------------------------------------------------------------------------------------------------
# data


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


def gold_texts(docs, labels: Mapping[str, str]) -> Texts:
    """Each document as the scoring conventions write it (sentences joined with spaces, one a line) + its spans of
    the tags in `labels`, mapped to PER/ORG/LOC."""
    out = []
    for _, rows in docs:
        lines, spans, base = [], [], 0
        for r in rows:
            offs = token_offsets(r["tokens"])
            spans += [(base + offs[s][0], base + offs[e - 1][1], labels[k])
                      for s, e, k in conll_spans(r["tags"]) if k in labels]
            lines.append(" ".join(r["tokens"]))
            base += len(lines[-1]) + 1
        out.append(("\n".join(lines), spans))
    return out


def write_gold(path: Path, docs, labels: Mapping[str, str]) -> Texts:
    """The documents' rows as a token file at `path` (for the pipeline scores); returns their `gold_texts`."""
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for _, rows in docs for r in rows), "utf-8")
    return gold_texts(docs, labels)


def write_heldback(path: Path, docs, labels: Mapping[str, str], diagnostic: Texts, diagnostic_name: str) -> HeldBack:
    """The held-back documents written to `path` for the pipeline scores, with the diagnostic to score beside them."""
    return HeldBack(path, write_gold(path, docs, labels), diagnostic, diagnostic_name)


def rehearsal_pieces(texts: Sequence[str]) -> list[str]:
    """The distinct pieces of the distinct texts, cut on sentence ends into pieces of 20-80 words (a shorter last
    piece of a paragraph is kept from 5 words)."""
    pieces: list[str] = []
    for text in dict.fromkeys(texts):
        for para in text.split("\n"):
            piece: list[str] = []
            for word in para.split():
                piece.append(word)
                if len(piece) >= 20 and word.endswith((".", "?", "!")) or len(piece) >= 80:
                    pieces.append(" ".join(piece))
                    piece = []
            if len(piece) >= 5:
                pieces.append(" ".join(piece))
    return list(dict.fromkeys(pieces))


# ---------------------------------------------------------------------------------------------------------------
# model and training


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


def kept_labels(labels: Sequence[str], relabel: Mapping[str, str | None]) -> list[str]:
    """The labels a model has after `relabel`: those it does not mention, and the targets it names."""
    kept = [label for label in labels if label not in relabel]
    return kept + sorted({target for target in relabel.values() if target and target not in kept})


def relabel_reference(example: Example, relabel: Mapping[str, str | None]) -> None:
    """Rename or drop (None) the reference entities of `example` in place; a dropped entity's tokens become O.
    Setting `Doc.ents` makes every token outside the new entities O, so this is for fully annotated references
    (every corpus and rehearsal reference here is); a token left unannotated would become O too."""
    ref = example.reference
    ref.ents = [Span(ref, e.start, e.end, label=relabel.get(e.label_, e.label_))
                for e in ref.ents if relabel.get(e.label_, e.label_)]


def keep_only_labels(nlp, labels: Sequence[str]) -> None:
    """Replace `nlp`'s `ner` by one with only `labels`, carrying every trained weight over: the same tok2vec and
    hidden layer, and for each move of the new model (B-ORG, U-GPE, O, ...) the output row of the same move in the
    old one. Moves of a label the old model lacked start as a fresh `ner` starts them. The model scores the moves it
    keeps exactly as before; what changes is only that the dropped moves can no longer win."""
    old = nlp.get_pipe("ner")
    config = {k: v for k, v in nlp.config["components"]["ner"].items() if k != "factory"}
    scratch = spacy.blank(nlp.lang, vocab=nlp.vocab)
    new = scratch.add_pipe("ner", config=config)
    for label in labels:
        new.add_label(label)
    scratch.initialize()
    old_moves = {old.moves.get_class_name(i): i for i in range(old.moves.n_moves)}
    rows = [old_moves.get(new.moves.get_class_name(i)) for i in range(new.moves.n_moves)]
    upper = old.model.get_ref("upper")
    old_nodes, new_nodes = list(old.model.walk()), list(new.model.walk())
    if [n.name for n in old_nodes] != [n.name for n in new_nodes]:
        raise ValueError("the new ner's layers differ from the old one's")
    for before, after in zip(old_nodes, new_nodes, strict=True):
        after.attrs.update({k: v for k, v in before.attrs.items() if k != "unseen_classes"})  # hash-embedding seeds
        for name in before.param_names:
            if not before.has_param(name):
                continue
            value = before.get_param(name)
            if before is upper:
                rows_value = after.get_param(name).copy()
                for i, row in enumerate(rows):
                    if row is not None:
                        rows_value[i] = value[row]
                value = rows_value
            after.set_param(name, value.copy())
    # Moves never seen in training get no gradient until they are; the set is kept by move index.
    unseen = old.model.attrs["unseen_classes"]
    new.model.attrs["unseen_classes"] = {i for i, row in enumerate(rows) if row is None or row in unseen}
    nlp.remove_pipe("ner")
    nlp.add_pipe("ner", source=scratch)


def gold_example(
    nlp, base_doc: Doc, tokens: Sequence[str], ents: list[str], keep_base: Callable[[str], bool]
) -> Example:
    """The training Example of one corpus sentence. The reference is the corpus tokens with `ents` (BIO tags of the
    gold mentions) plus the base model's entities whose label `keep_base` accepts (labels the corpus does not
    annotate), where they fall on token edges and the gold has no mention, so the model is not taught them away.
    The predicted side is spaCy's tokenisation of the joined sentence, as at run time."""
    offs = token_offsets(tokens)
    start_tok = {o[0]: i for i, o in enumerate(offs)}
    end_tok = {o[1]: i for i, o in enumerate(offs)}
    ents = list(ents)
    for ent in base_doc.ents:
        s, e = start_tok.get(ent.start_char), end_tok.get(ent.end_char)
        if keep_base(ent.label_) and s is not None and e is not None and all(t == "O" for t in ents[s : e + 1]):
            ents[s : e + 1] = [f"B-{ent.label_}"] + [f"I-{ent.label_}"] * (e - s)
    ref = Doc(nlp.vocab, words=list(tokens), spaces=[True] * (len(tokens) - 1) + [False], ents=ents)
    return Example(nlp.make_doc(" ".join(tokens)), ref)


def _take(order: Sequence[str], budget: float, pool: list[str]) -> float:
    """Append texts of `order` to `pool` until `budget` words are spent; returns what is left of it."""
    for text in order:
        if budget <= 0:
            break
        pool.append(text)
        budget -= len(text.split())
    return budget


def draw_rehearsal(rehearse: list[str], n_words: float, rng: random.Random, cycle: bool) -> list[str]:
    """Rehearsal texts in seeded orders until `n_words` words. Without `cycle`: one pass over the pool, whose order
    is drawn even when no words are wanted (that draw moves `rng`, and so every later epoch shuffle); with `cycle`:
    fresh orders of the pool until the words are met, and no draw at all when none are wanted."""
    pool: list[str] = []
    if not cycle:
        _take(rng.sample(rehearse, len(rehearse)), n_words, pool)
        return pool
    budget = n_words
    while budget > 0 and rehearse:
        budget = _take(rng.sample(rehearse, len(rehearse)), budget, pool)
    return pool


def train(run: Run, setting: Setting, docs, epochs: int, on_epoch=None, log=print):
    """Fine-tune a fresh copy of the base pipeline on `docs` + rehearsal; `on_epoch(epoch, nlp)` sees the averaged
    weights after every epoch. Returns (nlp, optimizer, info); the averages are in `optimizer.averages`."""
    recipe = run.recipe
    ratio, dropout, lr, _ = setting
    fix_random_seed(run.seed)
    nlp, _ = base_load(run.base_names)
    sents = [row for _, rows in docs for row in rows]
    n_words = sum(len(r["tokens"]) for r in sents)
    base_docs = list(nlp.pipe([" ".join(r["tokens"]) for r in sents], batch_size=recipe.base_batch_size))
    rng = random.Random(run.seed)
    pool = draw_rehearsal(run.rehearse, ratio * n_words, rng, recipe.cycle_rehearsal)
    reh = [Example(nlp.make_doc(d.text), d) for d in nlp.pipe(pool, batch_size=64)]
    for label in recipe.new_labels:
        nlp.get_pipe("ner").add_label(label)
    examples = [recipe.sentence_example(nlp, d, r) for d, r in zip(base_docs, sents, strict=True)] + reh
    if recipe.relabel:
        for example in examples:
            relabel_reference(example, recipe.relabel)
        keep_only_labels(nlp, kept_labels(nlp.get_pipe("ner").labels, recipe.relabel))
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
    info = {f"n_{recipe.corpus}_sentences": len(sents), f"n_{recipe.corpus}_words": n_words,
            "n_rehearsal_paragraphs": len(reh), "n_rehearsal_words": sum(len(t.split()) for t in pool)}
    if recipe.cycle_rehearsal:  # the pool repeats: how much of it is distinct
        info["n_distinct_rehearsal_paragraphs"] = len(set(pool))
    info["train_seconds"] = round(time.time() - t0, 1)
    return nlp, optimizer, info


# ---------------------------------------------------------------------------------------------------------------
# scoring


def runtime_labels() -> dict[str, str]:
    """Model label -> PER/ORG/LOC, as threatwatch maps them at run time (backends.SPACY_LABELS)."""
    from threatwatch.entities.backends import SPACY_LABELS

    to_ours = {"person": "PER", "organization": "ORG", "location": "LOC"}
    return {label: to_ours[ours] for label, ours in SPACY_LABELS.items()}


def score_model(nlp, docs: Texts) -> dict:
    """spaCy on the joined document text + the run-time label mapping, exact char spans (no threatwatch stages)."""
    runtime = runtime_labels()
    gold, pred = set(), set()
    for d, ((_, spans), doc) in enumerate(zip(docs, nlp.pipe(t for t, _ in docs), strict=True)):
        gold |= {(d, *s) for s in spans}
        pred |= {(d, e.start_char, e.end_char, runtime[e.label_]) for e in doc.ents if e.label_ in runtime}
    return {lab: prf({g for g in gold if lab in ("ALL", g[3])}, {p for p in pred if lab in ("ALL", p[3])})
            for lab in (*LABELS, "ALL")}


def evaluate_pipeline(nlp, gold_file: Path, lang: str) -> dict:
    """The real run-time path: `threatwatch.eval.ner.evaluate` (ingest + entity stage) with `nlp` as the backend
    of `lang`."""
    from threatwatch.entities import backends, ner
    from threatwatch.eval.ner import evaluate

    loader = BACKENDS[lang]
    saved = getattr(backends, loader)
    setattr(backends, loader, lambda: backends.SpacyRecognizer(lang, nlp))
    ner.recognizer_for.cache_clear()
    try:
        return evaluate(gold_file, workers=1)
    finally:
        setattr(backends, loader, saved)
        ner.recognizer_for.cache_clear()


def score_pipeline(nlp, gold_file: Path, lang: str) -> dict:
    res = evaluate_pipeline(nlp, gold_file, lang)
    out = {lab: {"p": v["precision"], "r": v["recall"], "f": v["f1"], "n_gold": v["gold"]}
           for lab, v in res["per_type"].items()}
    out["ALL"] = {"p": res["precision"], "r": res["recall"], "f": res["f1"],
                  "n_gold": sum(v["gold"] for v in res["per_type"].values())}
    return out


def score_checkpoint(nlp, lang: str, held: HeldBack) -> dict:
    """Pipeline and model-alone scores on the held-back documents, and the diagnostic (model alone) if there is one."""
    scores = {"pipeline": score_pipeline(nlp, held.gold_file, lang), "model": score_model(nlp, held.texts)}
    if held.diagnostic:
        scores["diagnostic_model"] = score_model(nlp, held.diagnostic)
    return scores


def fmt(sc: dict) -> str:
    return " | ".join(f"{x} P {sc[x]['p']:.3f} R {sc[x]['r']:.3f} F {sc[x]['f']:.3f}" for x in (*LABELS, "ALL"))


def print_scores(scores: dict, prefix: str, diagnostic_title: str) -> None:
    print(f"{prefix}pipeline {fmt(scores['pipeline'])}\n{prefix}model    {fmt(scores['model'])}")
    if "diagnostic_model" in scores:
        print(f"{prefix}{diagnostic_title} {fmt(scores['diagnostic_model'])}")


# ---------------------------------------------------------------------------------------------------------------
# the grid, the choice and the refit


def score_base(run: Run, held: HeldBack, heading: str) -> tuple[str, dict]:
    """The base model's scores, printed under `heading` (a format string that may use {base} and {n_gold}, the gold
    mentions the pipeline scoring counted). Returns (base model name, scores)."""
    base_nlp, base_name = base_load(run.base_names)
    baseline = score_checkpoint(base_nlp, run.recipe.lang, held)
    print(heading.format(base=base_name, n_gold=baseline["pipeline"]["ALL"]["n_gold"]))
    print_scores(baseline, "  ", f"diagnostic {held.diagnostic_name} (model alone)")
    return base_name, baseline


def run_grid(run: Run, settings: str, epochs_override: int | None, docs, held: HeldBack) -> list[EpochResult]:
    """Train every setting of the comma list `settings` on `docs`, scoring every epoch on the held-back documents."""
    results: list[EpochResult] = []
    for name in [n.strip() for n in settings.split(",") if n.strip()]:
        setting = run.recipe.settings[name]
        epochs = epochs_override or setting[3]
        print(f"setting {name}: ratio {setting[0]}, dropout {setting[1]}, lr {setting[2]}, {epochs} epochs")

        def on_epoch(epoch, nlp, name=name):
            scores = score_checkpoint(nlp, run.recipe.lang, held)
            print_scores(scores, f"  [{name} e{epoch}] ", "diagnostic")
            results.append(EpochResult(scores["pipeline"]["ALL"]["f"], name, epoch, scores))

        _, _, info = train(run, setting, docs, epochs, on_epoch)
        print(f"  [{name}] {info}", flush=True)
    return results


def forgetting_floor(baseline: dict, max_forgetting: float) -> float:
    """The diagnostic F1 an epoch must keep to compete: the base model's, less the forgetting allowed."""
    return round(baseline["diagnostic_model"]["ALL"]["f"] - max_forgetting, 4)


def choose_best(results: list[EpochResult], floor: float | None, heldback_word: str) -> EpochResult:
    """The best held-back pipeline F1 (the first of equals); with a `floor`, only among the epochs whose diagnostic F1
    reaches it (all of them if none does), and ties go to the better diagnostic."""
    eligible = results
    if floor is not None:
        eligible = [r for r in results if r.scores["diagnostic_model"]["ALL"]["f"] >= floor]
        print(f"{len(eligible)} of {len(results)} (setting, epoch) pairs keep diagnostic F1 >= {floor:.4f}")
        if not eligible:
            print("WARNING: every epoch forgets; choosing among all of them", file=sys.stderr)
            eligible = results

    def rank(r: EpochResult) -> tuple[float, ...]:
        return (r.pipeline_f, r.scores["diagnostic_model"]["ALL"]["f"]) if floor is not None else (r.pipeline_f,)

    best = max(eligible, key=rank)
    print(f"best: {best.setting} after {best.epoch} epochs, {heldback_word} pipeline F1 {best.pipeline_f:.4f}")
    return best


def refit(run: Run, best: EpochResult, all_docs, train_docs, held: HeldBack, refit_all: bool):
    """Train the chosen setting again, for the chosen epochs: on all documents with `refit_all`, else on the training
    documents of the split, and then score it again (it should repeat the chosen run's F1)."""
    nlp, optimizer, info = train(run, run.recipe.settings[best.setting], all_docs if refit_all else train_docs,
                                 best.epoch)
    if not refit_all:
        with nlp.use_params(optimizer.averages):
            again = score_pipeline(nlp, held.gold_file, run.recipe.lang)["ALL"]["f"]
        print(f"retrained on the training documents: {run.recipe.heldback_word} pipeline F1 {again:.4f} "
              f"(chosen run: {best.pipeline_f:.4f})")
    return nlp, optimizer, info


# ---------------------------------------------------------------------------------------------------------------
# command line, meta and saving


def add_common_arguments(ap: argparse.ArgumentParser, recipe: Recipe, default_settings: Sequence[str], data_help: str,
                         base_default: str, base_help: str) -> None:
    """The options both scripts start with, in this order (--data, --out, --shared, --base, --settings, --epochs)."""
    ap.add_argument("--data", type=Path, required=True, help=data_help)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared", help="for the rehearsal texts")
    ap.add_argument("--base", default=base_default, help=base_help)
    ap.add_argument("--settings", default=",".join(default_settings),
                    help=f"comma list from {', '.join(recipe.settings)}")
    ap.add_argument("--epochs", type=int, default=None, help="override the max epochs of every setting")


def command_line(script: str, argv: Sequence[str] | None) -> str:
    """The command as run from the repository root (or the argv main() was given)."""
    return f"python training/{script} " + " ".join(sys.argv[1:]) if argv is None else " ".join(argv)


def update_meta(nlp, name: str, source: dict, about: Mapping[str, str], training: dict) -> None:
    """The fine-tuned pipeline's meta: the base pipeline's own figures and contacts dropped, `source` (the corpus)
    added to its sources, then `about` (author, description, licence) and `threatwatch_training`."""
    for key in BASE_META_KEYS:
        nlp.meta.pop(key, None)
    sources = [*nlp.meta.get("sources", []), source]
    nlp.meta.update({"name": name, "version": "0.1.0", "sources": sources, **about, "threatwatch_training": training})


def training_record(run: Run, base_name: str, best: EpochResult, refit_all: bool, info: dict, details: dict,
                    command: str) -> dict:
    """meta.json's `threatwatch_training`: the choice and its training, the script's `details`, then provenance."""
    ratio, dropout, lr, _ = run.recipe.settings[best.setting]
    return {
        "base": base_name, "setting": best.setting, "rehearsal_ratio": ratio, "dropout": dropout, "learn_rate": lr,
        "epochs": best.epoch, "seed": run.seed, "refit_on_all_documents": bool(refit_all), **info, **details,
        "date": _dt.date.today().isoformat(), "command": command, "spacy_version": spacy.__version__,
    }  # fmt: skip


def _entities(nlp, held: HeldBack) -> list[list[tuple[int, int, str]]]:
    return [[(e.start_char, e.end_char, e.label_) for e in d.ents] for d in nlp.pipe(t for t, _ in held.texts)]


def save_checked(nlp, optimizer, out: Path, held: HeldBack, files: Mapping[str, str], tmp: Path,
                 t_start: float) -> int:
    """Save the averaged weights (and `files`, name -> text) to `out`, check that the reloaded pipeline predicts
    exactly what the trained one does on the held-back documents, and remove `tmp`. Returns the exit status."""
    if not prepare_output_dir(out):
        return 2
    with nlp.use_params(optimizer.averages):
        expected = _entities(nlp, held)
    save_pipeline(nlp, optimizer, out)
    for name, text in files.items():
        (out / name).write_text(text, "utf-8")
    if _entities(spacy.load(out), held) != expected:
        print("WARNING: the reloaded pipeline predicts differently from the trained one", file=sys.stderr)
        return 3
    shutil.rmtree(tmp, ignore_errors=True)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"reloaded pipeline reproduces the trained one; saved {out} ({size / 1e6:.2f} MB); "
          f"total wall time {time.time() - t_start:.0f}s")
    return 0
