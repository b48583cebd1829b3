"""Worker processes give the same documents as the serial path."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import long_paragraphs
from threatwatch.pipeline import ingest
from threatwatch.store import Store


def test_two_workers_store_the_same_documents_as_one(tmp_path: Path) -> None:
    corpus = tmp_path / "in"
    corpus.mkdir()
    for i in range(40):
        (corpus / f"{i:02d}.txt").write_text(f"Report {i}\n" + "\n".join(long_paragraphs(f"case {i}")), "utf-8")
    (corpus / "bad.txt").write_bytes(b"")
    results = []
    for workers in (1, 2):
        with Store(tmp_path / f"w{workers}.db") as store:
            summary = ingest(store, [corpus], workers=workers)
            results.append((summary.stored, len(summary.rejected), [d.to_dict() for d in store.documents()]))
    assert results[0] == results[1]
    assert results[0][:2] == (40, 1)


def _blas_threads() -> list[int]:
    import numpy  # noqa: F401 - loads the BLAS library whose threads are counted
    from threadpoolctl import threadpool_info

    return [pool["num_threads"] for pool in threadpool_info()]


def test_each_worker_runs_one_blas_thread() -> None:
    """The workers share the cores out; a BLAS thread per core in each of them made them wait."""
    from concurrent.futures import ProcessPoolExecutor

    from threatwatch.pipeline import _one_blas_thread

    with ProcessPoolExecutor(max_workers=1, initializer=_one_blas_thread) as pool:
        counts = pool.submit(_blas_threads).result()
    assert counts and all(n == 1 for n in counts)


def test_results_keep_input_order_across_batches_in_flight() -> None:
    """Two batches are handed to the workers at once; what comes back is still in input order,
    rejections in their places."""
    from threatwatch.pipeline import _processed
    from threatwatch.records import RawDocument, Rejection

    items: list[RawDocument | Rejection] = []
    for i in range(300):  # more than two batches of 64 per worker
        if i % 37 == 0:
            items.append(Rejection(f"bad{i}.txt", "unreadable"))
        else:
            items.append(RawDocument(f"{i}.txt", f"Report {i}\n\n" + "\n".join(long_paragraphs(f"case {i}")), False))
    out = list(_processed(iter(items), workers=2, entities=False, embeddings=False))
    assert [o.path for o in out] == [i.path for i in items]
    assert [isinstance(o, Rejection) for o in out] == [isinstance(i, Rejection) for i in items]
