"""`threatwatch eval pairs FILE` and `threatwatch eval clusters FILE`: story quality on gold sets.

Conventions of shared/eval/README.md ("Scoring conventions"), through the ingest a user runs:
- pairs (tgcontest `pairs.jsonl`, label OK; SemEval-2022 Task 8 `pairs.jsonl`, `same_story`
  = Overall <= 2): every article is ingested once, as "title, blank line, text" (the text alone
  when there is no title), all together in one JSONL file in order of first appearance; a pair
  is predicted the same story when both documents get the same `story_id`; accuracy.
- clusters (ITN `items.jsonl`): all items ingested together as one JSONL file of
  {"text", "published": time[:10], "url"} (url null: the items have none, and `keyword` and
  `id` name the cluster, so neither is fed in); B-cubed precision, recall and F1 of `story_id`
  against `cluster_id` over items.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from threatwatch.pipeline import ingest
from threatwatch.store import Store


def read_rows(path: str | Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in Path(path).read_text("utf-8").split("\n") if line.strip()]


def _article(title: object, text: object) -> str:
    body = str(text or "").strip()
    return f"{str(title).strip()}\n\n{body}" if title and str(title).strip() else body


def pair_articles(row: Mapping[str, object]) -> tuple[str, str, bool]:
    """The two article texts of a pair row and whether they are one story, for either format."""
    if "first_text" in row:  # tgcontest
        return (_article(row["first_title"], row["first_text"]), _article(row["second_title"], row["second_text"]),
                row["label"] == "OK")
    return _article(row.get("title1"), row["text1"]), _article(row.get("title2"), row["text2"]), bool(row["same_story"])


def stories_of(records: Iterable[dict[str, object]], workers: int = 1,
               db: str | Path | None = None, embeddings: bool = True) -> dict[str, str | None]:
    """Ingest the records as one JSONL file into a fresh store (without sentence embeddings when
    `embeddings` is False, as `ingest --no-embeddings`); story id of each record's text."""
    unique = {str(r["text"]).strip(): r for r in records if str(r.get("text") or "").strip()}
    with tempfile.TemporaryDirectory(prefix="threatwatch-eval-") as tmp:
        corpus = Path(tmp, "articles.jsonl")
        corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in unique.values()), "utf-8")
        with Store(db or Path(tmp, "eval.db")) as store:
            ingest(store, [corpus], workers=workers, embeddings=embeddings)
            found = {doc.raw.strip(): doc.story_id for doc in store.documents()}
    return {text: found.get(text) for text in unique}


def pair_accuracy(pairs: Sequence[tuple[str, str, bool]], story: Mapping[str, str | None]) -> dict[str, object]:
    hits, by_gold = 0, Counter()
    for first, second, same in pairs:
        a, b = story.get(first), story.get(second)
        predicted = a is not None and a == b
        hits += predicted == same
        by_gold[(same, predicted)] += 1
    return {
        "pairs": len(pairs),
        "accuracy": round(hits / len(pairs), 4) if pairs else 0.0,
        "same_story_gold": sum(1 for *_, same in pairs if same),
        "true_same": by_gold[(True, True)], "false_same": by_gold[(False, True)],
        "true_different": by_gold[(False, False)], "false_different": by_gold[(True, False)],
    }


def evaluate_pairs(path: str | Path, workers: int = 1, embeddings: bool = True) -> dict[str, object]:
    pairs = [pair_articles(row) for row in read_rows(path)]
    texts = list(dict.fromkeys(t for first, second, _ in pairs for t in (first, second)))
    story = stories_of(({"text": t} for t in texts), workers, embeddings=embeddings)
    return {"dataset": "pairs", "articles": len(texts), **pair_accuracy(pairs, story)}


def bcubed(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, float]:
    """B-cubed precision, recall and F1 of a predicted clustering against a gold one (same items, in order)."""
    pred_members: dict[str, list[int]] = defaultdict(list)
    gold_members: dict[str, list[int]] = defaultdict(list)
    for i, (g, p) in enumerate(zip(gold, predicted, strict=True)):
        gold_members[g].append(i)
        pred_members[p].append(i)
    precision = recall = 0.0
    for g, p in zip(gold, predicted, strict=True):
        same = sum(1 for j in pred_members[p] if gold[j] == g)
        precision += same / len(pred_members[p])
        recall += same / len(gold_members[g])
    n = len(gold) or 1
    precision, recall = precision / n, recall / n
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def cluster_records(rows: Iterable[Mapping[str, object]]) -> list[dict[str, object]]:
    return [{"text": str(r["text"]), "published": str(r["time"])[:10] if r.get("time") else None, "url": None}
            for r in rows]


def evaluate_clusters(path: str | Path, workers: int = 1, embeddings: bool = True) -> dict[str, object]:
    rows = [r for r in read_rows(path) if str(r.get("text") or "").strip()]
    story = stories_of(cluster_records(rows), workers, embeddings=embeddings)
    # An item whose document was not stored (rejected) is a cluster of its own.
    predicted = [story.get(str(r["text"]).strip()) or f"item:{i}" for i, r in enumerate(rows)]
    scores = bcubed([str(r["cluster_id"]) for r in rows], predicted)
    return {"dataset": "clusters", "items": len(rows), "gold_clusters": len({r["cluster_id"] for r in rows}),
            "predicted_stories": len(set(predicted)), **scores}
