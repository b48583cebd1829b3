"""Golden checks on the five reference articles: clean text, language, title, date, source."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import SEEDS
from threatwatch.ingest import read_file
from threatwatch.pipeline import process
from threatwatch.records import RawDocument

GOLDEN = json.loads((Path(__file__).parent / "golden" / "seeds.json").read_text("utf-8"))
CASES = sorted(k for k in GOLDEN if not k.startswith("_"))


def _seed(prefix: str) -> Path:
    found = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if not found:
        pytest.skip(f"seed {prefix} not found under {SEEDS}")
    return found[0]


@pytest.mark.parametrize("prefix", CASES)
def test_seed_comes_out_clean(prefix: str) -> None:
    expected = GOLDEN[prefix]
    (raw,) = list(read_file(_seed(prefix)))
    assert isinstance(raw, RawDocument)
    doc = process(raw)
    for snippet in expected["must_contain"]:
        assert snippet in doc.text, f"lost article text: {snippet!r}"
    for snippet in expected["must_not_contain"]:
        assert snippet not in doc.text, f"boilerplate left in: {snippet!r}"
    assert doc.title == expected["title"]
    assert doc.published == expected["published"]
    assert doc.source == expected["source"]
    assert doc.lang == expected["lang"]
    assert list(doc.langs) == expected["langs"]


@pytest.mark.parametrize("prefix", CASES)
def test_paragraph_spans_point_into_the_text(prefix: str) -> None:
    (raw,) = list(read_file(_seed(prefix)))
    doc = process(raw)
    assert doc.paragraphs
    pieces = [doc.text[p.start : p.end] for p in doc.paragraphs]
    assert "\n\n".join(pieces) == doc.text
    assert all(piece.strip() == piece and piece for piece in pieces)
