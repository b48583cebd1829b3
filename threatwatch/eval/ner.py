"""`threatwatch eval ner FILE`: entity mentions against gold spans, micro P/R/F1 over PER/ORG/LOC.

Conventions of ../shared/eval/README.md: BIO sentences of one document joined with spaces, one
sentence a line (NewsFANE, which has no documents: 20 consecutive sentences a document);
factRuEval documents as given. The documents are written to a JSONL file, ingested into a
temporary store, and the stored mentions are mapped back from the cleaned text to the input
text, so lines the cleaner drops cost recall as they would for a user.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from threatwatch.clean import normalise_paragraph
from threatwatch.pipeline import ingest
from threatwatch.store import Store

NEWSFANE_SENTENCES_PER_DOC = 20
OURS = {"person": "PER", "organization": "ORG", "armed_group": "ORG", "location": "LOC"}
NEWSFANE = {
    **dict.fromkeys(["Politician", "Athlete", "Other_PER", "Artist", "Religious_PER", "Scientist", "Businessperson",
                     "Lawyer", "Engineer"], "PER"),
    **dict.fromkeys(["Non-Governmental", "Sports", "Media", "Government", "Commercial", "Educational",
                     "Religious_ORG", "Medical-Science", "Entertainment"], "ORG"),
    **dict.fromkeys(["Nation", "Population-Center", "State-or-Province", "GPE-Cluster", "Continent", "Water-Body",
                     "Land", "County-or-District", "Land-Region-Natural"], "LOC"),
}
COARSE = {"PER": "PER", "ORG": "ORG", "LOC": "LOC", "pers": "PER", "org": "ORG", "loc": "LOC"}
FACTRU = {"Person": "PER", "Org": "ORG", "Location": "LOC", "LocOrg": "LOC"}

Span = tuple[int, int, str]


@dataclass(frozen=True, slots=True)
class GoldDoc:
    key: str
    lang: str
    text: str
    spans: frozenset[Span]


def _bio_spans(tokens: list[str], tags: list[str], offset: int) -> Iterable[Span]:
    position, current = offset, None
    for token, tag in zip(tokens, tags, strict=True):
        start, end = position, position + len(token)
        position = end + 1
        kind = tag[2:] if tag[:2] in ("B-", "I-") else None
        if tag.startswith("B-") or (kind and (current is None or current[2] != kind)):
            if current:
                yield tuple(current)  # type: ignore[misc]
            current = [start, end, kind]
        elif kind and current:
            current[1] = end
        else:
            if current:
                yield tuple(current)  # type: ignore[misc]
            current = None
    if current:
        yield tuple(current)  # type: ignore[misc]


def _label_map(rows: list[dict]) -> dict[str, str]:
    tags = {t[2:] for r in rows[:500] for t in r["tags"] if t[:2] in ("B-", "I-")}
    return NEWSFANE if tags & set(NEWSFANE) else COARSE


def load_gold(path: str | Path) -> list[GoldDoc]:
    rows = [json.loads(line) for line in Path(path).read_text("utf-8").split("\n") if line.strip()]
    if rows and "entities" in rows[0]:
        return [
            GoldDoc(str(r["doc_id"]), r["lang"], r["text"],
                    frozenset((e["start"], e["end"], FACTRU[e["type"]]) for e in r["entities"] if e["type"] in FACTRU))
            for r in rows
        ]
    labels = _label_map(rows)
    groups: dict[str, list[dict]] = defaultdict(list)
    for index, row in enumerate(rows):
        key = row.get("doc_id") if labels is not NEWSFANE else None
        groups[str(key) if key is not None else f"block{index // NEWSFANE_SENTENCES_PER_DOC}"].append(row)
    docs = []
    for key, sentences in groups.items():
        lines, spans, offset = [], set(), 0
        for sentence in sentences:
            for start, end, kind in _bio_spans(sentence["tokens"], sentence["tags"], offset):
                if kind in labels:
                    spans.add((start, end, labels[kind]))
            line = " ".join(sentence["tokens"])
            lines.append(line)
            offset += len(line) + 1
        docs.append(GoldDoc(key, sentences[0].get("lang", ""), "\n".join(lines), frozenset(spans)))
    return docs


def _align(cleaned: str, original: str, start_at: int) -> list[int] | None:
    """Index in `original` of each character of a cleaned paragraph, or None if it is not there.
    The cleaner only collapses whitespace in these texts, so extra spaces are skipped."""
    first = original.find(cleaned[:20], start_at) if cleaned else -1
    if first < 0:
        return None
    mapping, j = [], first
    for ch in cleaned:
        while j < len(original) and original[j] != ch and original[j].isspace():
            j += 1
        if j >= len(original) or (original[j] != ch and not (ch.isspace() and original[j].isspace())):
            return None
        mapping.append(j)
        j += 1
    return mapping


def _predicted(store: Store, doc_id: str, original: str) -> set[Span]:
    doc = store.get_document(doc_id)
    if doc is None:
        return set()
    spans: set[Span] = set()
    cursor = 0
    mentions = store.document_mentions(doc_id)
    for para in doc.paragraphs:
        text = doc.text[para.start : para.end]
        mapping = _align(text, original, cursor)
        if mapping is None:
            mapping = _align(normalise_paragraph(text), original, 0)
        if mapping is None:
            continue
        cursor = mapping[-1] + 1
        for m in mentions:
            if para.start <= m.start and m.end <= para.end and m.type in OURS:
                spans.add((mapping[m.start - para.start], mapping[m.end - 1 - para.start] + 1, OURS[m.type]))
    return spans


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
            "gold": tp + fn, "predicted": tp + fp}


def evaluate(gold_file: str | Path, workers: int = 1) -> dict[str, object]:
    gold = load_gold(gold_file)
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    with tempfile.TemporaryDirectory(prefix="threatwatch-eval-") as tmp:
        feed = Path(tmp, "docs.jsonl")
        # A title is given so the cleaner does not take a first sentence for a headline.
        feed.write_text("".join(json.dumps({"text": d.text, "title": f"document {d.key}", "url": f"eval:{i}"},
                                           ensure_ascii=False) + "\n" for i, d in enumerate(gold)), "utf-8")
        with Store(Path(tmp, "eval.db")) as store:
            ingest(store, [feed], workers=workers)
            ids = {doc.url: doc.id for doc in store.documents()}
            for index, doc in enumerate(gold):
                doc_id = ids.get(f"eval:{index}")
                predicted = _predicted(store, doc_id, doc.text) if doc_id else set()
                for kind in ("PER", "ORG", "LOC"):
                    g = {s for s in doc.spans if s[2] == kind}
                    p = {s for s in predicted if s[2] == kind}
                    counts[kind].update(tp=len(g & p), fp=len(p - g), fn=len(g - p))
    total = sum(counts.values(), Counter())
    return {
        "dataset": "ner",
        "file": Path(gold_file).name,
        "documents": len(gold),
        **_prf(total["tp"], total["fp"], total["fn"]),
        "per_type": {kind: _prf(c["tp"], c["fp"], c["fn"]) for kind, c in sorted(counts.items())},
    }
