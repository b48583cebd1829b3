"""training/score_folds.py cuts the same document folds as the training scripts."""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "training" / "score_folds.py"


def _module():
    spec = importlib.util.spec_from_file_location("score_folds", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def test_folds_partition_the_documents_as_the_training_scripts_do() -> None:
    fold_rows = _module().fold_rows
    rows = [{"doc_id": f"d{i // 3}", "n": i} for i in range(60)]  # 20 documents, 3 rows each
    folds = [fold_rows(rows, 4, k, "13") for k in range(4)]
    docs = [{r["doc_id"] for r in fold} for fold in folds]
    assert sum(len(d) for d in docs) == 20 and len(set().union(*docs)) == 20  # each document in one fold
    assert all(len(fold) == 3 * len(d) for fold, d in zip(folds, docs, strict=True))  # with all its rows
    # train_ru_ner.py's split: sorted ids, random.Random(13) (an integer seed), every 4th from k
    ids = sorted({r["doc_id"] for r in rows})
    random.Random(13).shuffle(ids)
    assert docs[1] == set(ids[1::4])
    # train_fr_ner.py's SPLIT_SEED is a string and stays one
    ids = sorted({r["doc_id"] for r in rows})
    random.Random("hipe2020-fr:split:0").shuffle(ids)
    assert {r["doc_id"] for r in fold_rows(rows, 4, 2, "hipe2020-fr:split:0")} == set(ids[2::4])


def test_sentence_folds_for_a_file_with_one_document_id() -> None:
    """NewsFANE has one document id; its folds are cut over sentence ids (`--unit sent_id`), as
    train_ar_ner.py --split folds cuts them."""
    fold_rows = _module().fold_rows
    rows = [{"doc_id": "d0", "sent_id": f"d0-s{i}"} for i in range(50)]
    folds = [fold_rows(rows, 5, k, "newsfane-ar:folds", "sent_id") for k in range(5)]
    assert [len(f) for f in folds] == [10] * 5
    assert len({r["sent_id"] for f in folds for r in f}) == 50
    assert fold_rows(rows, 5, 0, "newsfane-ar:folds") == rows  # by document, the one id is one fold
