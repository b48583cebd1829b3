"""`threatwatch eval boilerplate FILE`: main-text extraction quality on article_extraction_aeb.

Each page is written out as `<id>.html`, ingested into a fresh temporary store and read back
from the documents export; the score is token F1 against `articleBody`, macro-averaged.
A page the pipeline rejects scores 0.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from threatwatch.eval.tokens import token_prf
from threatwatch.pipeline import ingest
from threatwatch.store import Store


def evaluate(pages_file: str | Path, workers: int = 1) -> dict[str, object]:
    pages = [json.loads(line) for line in Path(pages_file).read_text("utf-8").split("\n") if line.strip()]
    with tempfile.TemporaryDirectory(prefix="threatwatch-eval-") as tmp:
        folder = Path(tmp, "pages")
        folder.mkdir()
        for page in pages:
            Path(folder, f"{page['id']}.html").write_text(page["html"], "utf-8")
        with Store(Path(tmp, "eval.db")) as store:
            summary = ingest(store, [folder], workers=workers, entities=False)
            texts = {Path(doc.path).stem: doc.text for doc in store.documents()}
    scores = [token_prf(texts.get(page["id"], ""), page["articleBody"] or "") for page in pages]
    n = len(scores) or 1
    per_page = {page["id"]: round(f, 4) for page, (_, _, f) in zip(pages, scores, strict=True)}
    return {
        "dataset": "boilerplate",
        "pages": len(pages),
        "rejected": len(summary.rejected),
        "precision": round(sum(s[0] for s in scores) / n, 4),
        "recall": round(sum(s[1] for s in scores) / n, 4),
        "f1": round(sum(s[2] for s in scores) / n, 4),
        "per_page_f1": per_page,
    }
