"""Baseline for the boilerplate figure: trafilatura alone, several settings, same scoring.

    python benchmarks/trafilatura_baseline.py [../shared/eval/article_extraction_aeb/pages.jsonl]

Scores with the project's own token F1 (threatwatch.eval.tokens), macro-averaged over pages,
so the numbers compare with `threatwatch eval boilerplate`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import trafilatura

from threatwatch.eval.tokens import token_prf

SETTINGS = {
    "default": {},
    "favor_recall": {"favor_recall": True},
    "favor_precision": {"favor_precision": True},
    "no_comments": {"include_comments": False},
    "no_comments+favor_recall": {"include_comments": False, "favor_recall": True},
}


def main() -> None:
    default = Path(__file__).resolve().parents[2] / "shared/eval/article_extraction_aeb/pages.jsonl"
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    pages = [json.loads(line) for line in path.read_text("utf-8").split("\n") if line.strip()]
    for name, options in SETTINGS.items():
        scores = [token_prf(trafilatura.extract(p["html"], **options) or "", p["articleBody"] or "")[2] for p in pages]
        print(f"{name:28s} F1 {sum(scores) / len(scores):.4f}")


if __name__ == "__main__":
    main()
