"""Fine-tune natasha's Russian NER (slovnet_ner_news_v1) on factRuEval-2016's annotation conventions.

Run from the repository root, with a Python that has torch (CPU) and sees the project's packages
(see training/README.md, "Russian NER model"):

    python training/train_ru_ner.py --data ../shared/eval/ner/factrueval2016_ru.jsonl \
        --out threatwatch/data/models/ru_ner/ner.tar

What it does
------------
* natasha's NER is a small slovnet network: frozen navec word vectors (shared with natasha's
  morphology tagger) plus a word-shape embedding, three CNN layers (330 -> 256 -> 128 -> 64,
  kernel 3) and a CRF over BIO tags of PER / LOC / ORG. The script loads those weights into
  slovnet's own torch classes, trains them further, and writes a pack in natasha's format, so
  the run-time path (numpy inference, razdel tokens, the same character offsets) is unchanged.
* Training text: the factRuEval documents given (the DEV half), one paragraph a sequence,
  tokenised by razdel as at run time. Gold objects: Person -> PER, Org -> ORG, Location and
  LocOrg -> LOC (Project is not a name we extract: O). factRuEval nests objects ("Банка Москвы"
  holds the place "Москвы"); the entity stage keeps one span per stretch of text, so the outer
  (longest) object is the one taught.
* Rehearsal: Russian news paragraphs from ../shared/eval/news_pairs_tgcontest/pairs.jsonl
  (lang == "ru"), read at training time and labelled by the stock natasha model, so the tuned
  model keeps what it knew about texts unlike factRuEval's.
* Validation: with --folds K --fold i, the documents are shuffled by doc_id with --split-seed
  and fold i is held back; the script scores the tuned model on it (exact character spans, the
  model alone and, with --pipeline, through threatwatch's whole ingest path as
  `threatwatch eval ner` does). Without --fold the model trains on every document given.

Only weights and natasha's own vocabularies go into the pack; no text of the data is stored.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import random
import sys
import tempfile
import time
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from natasha import NewsEmbedding, NewsNERTagger
from natasha.data import NEWS_NER
from slovnet import NER as SlovnetNER
from slovnet.const import SHAPE, TAG, WORD
from slovnet.exec.model import NER as ExecNER
from slovnet.exec.pack import DumpPack, Meta, Pack
from slovnet.model.cnn import CNNEncoder
from slovnet.model.emb import Embedding, NavecEmbedding
from slovnet.model.tag import NER, NERHead, TagEmbedding
from slovnet.shape import word_shape
from slovnet.token import tokenize

REPO = Path(__file__).resolve().parent.parent
FACTRU = {"Person": "PER", "Org": "ORG", "Location": "LOC", "LocOrg": "LOC"}
LABELS = ("PER", "ORG", "LOC")

Span = tuple[int, int, str]


# ---------------------------------------------------------------- data


def load_docs(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def gold_spans(doc: dict) -> list[Span]:
    return sorted({(e["start"], e["end"], FACTRU[e["type"]]) for e in doc["entities"] if e["type"] in FACTRU})


def outermost(spans: Sequence[Span]) -> list[Span]:
    """One span per stretch of text: the longest wins (factRuEval nests places in organisations)."""
    kept: list[Span] = []
    for span in sorted(spans, key=lambda s: (s[0] - s[1], s[0])):
        if not any(span[0] < k[1] and k[0] < span[1] for k in kept):
            kept.append(span)
    return sorted(kept)


def paragraphs(text: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for line in text.split("\n"):
        if line.strip():
            out.append((pos, line))
        pos += len(line) + 1
    return out


def bio(tokens: Sequence, spans: Sequence[Span]) -> tuple[list[str], int]:
    """Tags for razdel tokens; spans whose edges fall inside a token are left out (and counted)."""
    tags = ["O"] * len(tokens)
    starts = {t.start: i for i, t in enumerate(tokens)}
    stops = {t.stop: i for i, t in enumerate(tokens)}
    lost = 0
    for start, end, label in spans:
        first, last = starts.get(start), stops.get(end)
        if first is None or last is None or last < first:
            lost += 1
            continue
        tags[first : last + 1] = [f"B-{label}"] + [f"I-{label}"] * (last - first)
    return tags, lost


def sentence_pieces(words: list[str], tags: list[str], min_len: int = 12) -> list[tuple[list[str], list[str]]]:
    """A paragraph's tagged tokens cut after sentence-final punctuation outside a name (pieces of at
    least `min_len` tokens): the CNN sees 3 tokens either side, so this changes little but makes
    the CRF's sequences short and training several times faster."""
    pieces, begin = [], 0
    for i, (word, tag) in enumerate(zip(words, tags, strict=True)):
        if word in (".", "!", "?", "…") and tag == "O" and i + 1 - begin >= min_len:
            pieces.append((words[begin : i + 1], tags[begin : i + 1]))
            begin = i + 1
    if begin < len(words):
        pieces.append((words[begin:], tags[begin:]))
    return pieces


def gold_sequences(docs: Sequence[dict], unit: str = "paragraph") -> tuple[list[tuple[list[str], list[str]]], int, int]:
    seqs, lost, total = [], 0, 0
    for doc in docs:
        spans = outermost(gold_spans(doc))
        total += len(spans)
        for offset, para in paragraphs(doc["text"]):
            tokens = list(tokenize(para))
            local = [(s - offset, e - offset, k) for s, e, k in spans if offset <= s and e <= offset + len(para)]
            tags, n = bio(tokens, local)
            lost += n
            words = [t.text for t in tokens]
            seqs += sentence_pieces(words, tags) if unit == "sentence" else [(words, tags)]
    return seqs, lost, total


def rehearsal_paragraphs(shared: Path) -> list[str]:
    texts = []
    for line in (shared / "eval" / "news_pairs_tgcontest" / "pairs.jsonl").read_text("utf-8").splitlines():
        row = json.loads(line)
        if row["lang"] == "ru":
            texts += [row["first_text"] or "", row["second_text"] or ""]
    paras = [p for text in dict.fromkeys(texts) for _, p in paragraphs(text) if len(p.split()) >= 5]
    return list(dict.fromkeys(paras))


def silver_sequences(paras: Sequence[str], tagger, unit: str = "paragraph",
                     conventions: bool = False) -> list[tuple[list[str], list[str]]]:
    """The stock model's spans; with `conventions`, moved to factRuEval's by the run-time rules of
    threatwatch/entities/russian.py (descriptors in, closing quotes out, "Конгресса США" one name),
    so rehearsal does not teach the old boundaries back."""
    from natasha import MorphVocab

    from threatwatch.entities import russian
    from threatwatch.entities.ner import NamedSpan

    morph = russian.Morphology(MorphVocab())
    labels = {"PER": "person", "ORG": "organization", "LOC": "location"}
    back = {v: k for k, v in labels.items()}
    seqs = []
    for para in paras:
        tokens = list(tokenize(para))
        spans = [(s.start, s.stop, s.type) for s in tagger(para).spans]
        if conventions:
            named = russian.adjust(para, [NamedSpan(s, e, labels[k]) for s, e, k in spans], morph)  # type: ignore[arg-type]
            spans = [(n.start, n.end, back[n.label]) for n in named]
        tags, _ = bio(tokens, spans)
        words = [t.text for t in tokens]
        seqs += sentence_pieces(words, tags) if unit == "sentence" else [(words, tags)]
    return seqs


# ---------------------------------------------------------------- model


class Vocabs:
    def __init__(self, pack_path: str) -> None:
        with Pack(pack_path) as pack:
            self.meta = pack.load_meta()
            scheme = pack.load_model(ExecNER)
            arrays = dict(pack.load_arrays(scheme.weights))
            self.words = pack.load_vocab(WORD)
            self.shapes = pack.load_vocab(SHAPE)
            self.tags = pack.load_vocab(TAG)
        self.exec = scheme.inject_arrays(arrays)

    def encode(self, words: Sequence[str], tags: Sequence[str] | None = None):
        word_ids = [self.words.encode(w.lower()) for w in words]
        shape_ids = [self.shapes.encode(word_shape(w)) for w in words]
        tag_ids = [self.tags.encode(t) for t in tags] if tags is not None else None
        return word_ids, shape_ids, tag_ids


def torch_model(vocabs: Vocabs, navec) -> NER:
    """slovnet's torch NER with the weights of the exec (numpy) model in the pack."""
    ex = vocabs.exec
    shape_weight = ex.emb.shape.weight.array
    emb = TagEmbedding(NavecEmbedding(navec), Embedding(shape_weight.shape[0], shape_weight.shape[1],
                                                        vocabs.shapes.pad_id))
    dims = [layer.conv.weight.array.shape[0] for layer in ex.encoder.layers]
    kernel = ex.encoder.layers[0].conv.weight.array.shape[2]
    encoder = CNNEncoder(emb.dim, dims, kernel)
    head = NERHead(dims[-1], len(vocabs.tags))
    model = NER(emb, encoder, head)
    t = torch.from_numpy
    with torch.no_grad():
        model.emb.shape.weight.copy_(t(np.array(shape_weight)))
        for layer, src in zip(model.encoder.layers, ex.encoder.layers, strict=True):
            layer.conv.weight.copy_(t(np.array(src.conv.weight.array)))
            layer.conv.bias.copy_(t(np.array(src.conv.bias.array)))
            layer.norm.weight.copy_(t(np.array(src.norm.weight.array)))
            layer.norm.bias.copy_(t(np.array(src.norm.bias.array)))
            layer.norm.running_mean.copy_(t(np.array(src.norm.mean.array)))
            layer.norm.running_var.copy_(t(np.array(src.norm.std.array)) ** 2 - layer.norm.eps)
        model.head.proj.weight.copy_(t(np.array(ex.head.proj.weight.array)).T)
        model.head.proj.bias.copy_(t(np.array(ex.head.proj.bias.array)))
        model.head.crf.transitions.copy_(t(np.array(ex.head.crf.transitions.array)))
    return model


def batches(encoded, size: int, rng: random.Random):
    """Batches of similar length (less padding), in random order."""
    order = sorted(range(len(encoded)), key=lambda i: (len(encoded[i][0]), rng.random()))
    chunks = [order[i : i + size] for i in range(0, len(order), size)]
    rng.shuffle(chunks)
    for chunk in chunks:
        width = max(len(encoded[i][0]) for i in chunk)
        word = torch.zeros((len(chunk), width), dtype=torch.long)
        shape = torch.zeros((len(chunk), width), dtype=torch.long)
        tag = torch.zeros((len(chunk), width), dtype=torch.long)
        mask = torch.zeros((len(chunk), width), dtype=torch.bool)
        for row, i in enumerate(chunk):
            w, s, g = encoded[i]
            n = len(w)
            word[row, :n], shape[row, :n], tag[row, :n], mask[row, :n] = (
                torch.tensor(w), torch.tensor(s), torch.tensor(g), True)
        yield word, shape, tag, mask


def train(vocabs: Vocabs, navec, gold, silver, args, log=print, on_epoch=None) -> NER:
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    model = torch_model(vocabs, navec)
    add_input_dropout(model, args.dropout)
    gold_enc = [vocabs.encode(w, t) for w, t in gold if w]
    silver_enc = [vocabs.encode(w, t) for w, t in silver if w]
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(params, lr=args.lr, weight_decay=0.0)
    t0 = time.time()
    n_silver = int(round(args.silver_ratio * len(gold_enc)))
    for epoch in range(1, args.epochs + 1):
        data = gold_enc + (rng.sample(silver_enc, min(n_silver, len(silver_enc))) if n_silver else [])
        model.train()
        for module in model.modules():  # BatchNorm statistics stay as trained on natasha's corpus
            if isinstance(module, torch.nn.BatchNorm1d):
                module.eval()
        total = 0.0
        for word, shape, tag, mask in batches(data, args.batch, rng):
            emissions = model(word, shape, ~mask)
            loss = model.head.crf(emissions, tag, mask)
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            total += loss.item()
        log(f"  epoch {epoch:2d}  loss {total:9.1f}  {len(data)} sequences  {time.time() - t0:6.1f}s")
        if on_epoch:
            model.eval()
            on_epoch(epoch, model)
    model.eval()
    return model


def add_input_dropout(model: NER, rate: float) -> None:
    """Dropout on the embeddings while training (no effect in eval mode or in the exported pack)."""
    if rate <= 0:
        return
    inner = model.emb.forward
    drop = torch.nn.Dropout(rate)

    def forward(word_id, shape_id):
        return drop(inner(word_id, shape_id)) if model.training else inner(word_id, shape_id)

    model.emb.forward = forward  # type: ignore[method-assign]


def dump_pack(model: NER, vocabs: Vocabs, path: Path, model_id: str) -> None:
    exec_model = model.to_exec().strip_navec()
    arrays, scheme = exec_model.separate_arrays()
    path.parent.mkdir(parents=True, exist_ok=True)
    with DumpPack(str(path)) as pack:
        pack.dump_meta(Meta(model_id))
        pack.dump_model(scheme)
        pack.dump_arrays(arrays)
        pack.dump_vocab(vocabs.words, WORD)
        pack.dump_vocab(vocabs.shapes, SHAPE)
        pack.dump_vocab(vocabs.tags, TAG)


# ---------------------------------------------------------------- scoring


def prf(gold: set, pred: set) -> dict:
    tp = len(gold & pred)
    p = tp / len(pred) if pred else 0.0
    r = tp / len(gold) if gold else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f": round(2 * p * r / (p + r), 4) if p + r else 0.0,
            "n_gold": len(gold)}


def score_model(pack_path: str, navec, docs: Sequence[dict]) -> dict:
    """The packed model alone on each paragraph, against all gold spans (nested ones included)."""
    tagger = SlovnetNER.load(pack_path).navec(navec)
    gold, pred = set(), set()
    for d, doc in enumerate(docs):
        gold |= {(d, *s) for s in gold_spans(doc)}
        for offset, para in paragraphs(doc["text"]):
            pred |= {(d, offset + s.start, offset + s.stop, s.type) for s in tagger(para).spans}
    return {lab: prf({g for g in gold if lab in ("ALL", g[3])}, {p for p in pred if lab in ("ALL", p[3])})
            for lab in (*LABELS, "ALL")}


def score_pipeline(pack_path: str, docs: Sequence[dict]) -> dict:
    """threatwatch's whole path (clean, registry, NER with this pack, span rules, linking), as
    `threatwatch eval ner` scores it, on the held-back documents (written to a scratch file)."""
    from threatwatch.entities import backends, ner
    from threatwatch.eval.ner import evaluate

    saved = backends.russian
    backends.russian = lambda: backends.NatashaRecognizer(ner_path=pack_path)
    ner.recognizer_for.cache_clear()
    try:
        with tempfile.TemporaryDirectory(prefix="train-ru-ner-") as tmp:
            path = Path(tmp, "heldback.jsonl")
            path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), "utf-8")
            res = evaluate(path, workers=1)
    finally:
        backends.russian = saved
        ner.recognizer_for.cache_clear()
    out = {lab: {"p": v["precision"], "r": v["recall"], "f": v["f1"], "n_gold": v["gold"]}
           for lab, v in res["per_type"].items()}
    out["ALL"] = {"p": res["precision"], "r": res["recall"], "f": res["f1"],
                  "n_gold": sum(v["gold"] for v in res["per_type"].values())}
    return out


def fmt(sc: dict) -> str:
    return " | ".join(f"{x} P {sc[x]['p']:.3f} R {sc[x]['r']:.3f} F {sc[x]['f']:.3f} ({sc[x]['n_gold']})"
                      for x in (*LABELS, "ALL"))


def split(docs: list[dict], folds: int, fold: int, seed: int) -> tuple[list[dict], list[dict]]:
    keys = sorted(d["doc_id"] for d in docs)
    random.Random(seed).shuffle(keys)
    held = set(keys[fold::folds])
    return [d for d in docs if d["doc_id"] not in held], [d for d in docs if d["doc_id"] in held]


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, required=True, help="factrueval2016_ru.jsonl (DEV half)")
    ap.add_argument("--out", type=Path, required=True, help="the pack to write (a .tar)")
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared", help="for the rehearsal texts")
    ap.add_argument("--base", default=NEWS_NER, help="the slovnet NER pack to start from")
    ap.add_argument("--folds", type=int, default=2)
    ap.add_argument("--fold", type=int, default=None, help="hold this fold back (none: train on all)")
    ap.add_argument("--split-seed", type=int, default=13)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--epochs", type=int, default=16)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--dropout", type=float, default=0.1, help="on the embeddings, while training")
    ap.add_argument("--silver-ratio", type=float, default=0.5,
                    help="rehearsal paragraphs drawn each epoch, per factRuEval paragraph")
    ap.add_argument("--silver-conventions", action="store_true",
                    help="move the rehearsal spans to factRuEval's conventions with the run-time rules first")
    ap.add_argument("--unit", choices=("sentence", "paragraph"), default="paragraph",
                    help="training sequences: paragraphs cut at sentence ends, or whole paragraphs")
    ap.add_argument("--pipeline", action="store_true", help="also score the held-back fold through threatwatch")
    ap.add_argument("--eval-every", type=int, default=0,
                    help="score the held-back fold every N epochs (a learning curve; shown, never used)")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args(argv)

    torch.set_num_threads(args.threads)
    # slovnet hands navec's read-only arrays to torch; they are frozen and never written
    warnings.filterwarnings("ignore", message="The given NumPy array is not writable")
    if str(REPO) not in sys.path:  # score_pipeline imports threatwatch from the checkout
        sys.path.insert(0, str(REPO))
    docs = load_docs(args.data)
    if args.fold is None:
        train_docs, held = docs, []
    else:
        train_docs, held = split(docs, args.folds, args.fold, args.split_seed)
    navec = NewsEmbedding()
    vocabs = Vocabs(args.base)
    gold, lost, total = gold_sequences(train_docs, args.unit)
    print(f"{len(train_docs)} training documents, {len(gold)} sequences, {total} outer gold spans "
          f"({lost} not on token edges, left out); {len(held)} held back", flush=True)
    silver: list = []
    if args.silver_ratio > 0:
        silver = silver_sequences(rehearsal_paragraphs(args.shared), NewsNERTagger(navec, path=args.base),
                                  args.unit, conventions=args.silver_conventions)
        print(f"{len(silver)} rehearsal sequences labelled by the stock model", flush=True)

    on_epoch = None
    if held and args.eval_every:
        def on_epoch(epoch: int, model: NER) -> None:
            if epoch % args.eval_every == 0:
                with tempfile.TemporaryDirectory(prefix="train-ru-ner-") as tmp:
                    dump_pack(model, vocabs, Path(tmp, "ner.tar"), "checkpoint")
                    sc = score_model(str(Path(tmp, "ner.tar")), navec, held)["ALL"]
                print(f"    held back, model alone: P {sc['p']:.3f} R {sc['r']:.3f} F {sc['f']:.3f}", flush=True)

    model = train(vocabs, navec, gold, silver, args, log=lambda s: print(s, flush=True), on_epoch=on_epoch)
    dump_pack(model, vocabs, args.out, "threatwatch_ru_ner_factrueval")
    settings = ("unit", "silver_conventions", "epochs", "lr", "batch", "dropout", "silver_ratio", "seed",
                "split_seed", "folds", "fold")
    info = {"trained": _dt.date.today().isoformat(), "command": " ".join(sys.argv),
            "base": Path(args.base).name, "train_documents": len(train_docs), "train_sequences": len(gold),
            "rehearsal_sequences": len(silver), **{k: getattr(args, k) for k in settings}}
    if held:
        info["heldback_documents"] = len(held)
        base_sc = score_model(args.base, navec, held)
        tuned_sc = score_model(str(args.out), navec, held)
        print("model alone, stock:", fmt(base_sc))
        print("model alone, tuned:", fmt(tuned_sc))
        info["heldback_model_alone"] = {"stock": base_sc, "tuned": tuned_sc}
        if args.pipeline:
            sc = score_pipeline(str(args.out), held)
            print("pipeline, tuned:   ", fmt(sc))
            info["heldback_pipeline"] = sc
    args.out.with_suffix(".json").write_text(json.dumps(info, ensure_ascii=False, indent=1) + "\n", "utf-8")
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
