"""The ordered stages that turn a RawDocument into a Document, readable top to bottom.

`process` is a pure function (no store, no I/O), so it can run in worker processes;
`ingest` feeds raw inputs through it and writes each result in its own transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from functools import partial
from pathlib import Path

from threatwatch import metadata
from threatwatch.clean import CleanResult, clean_paragraphs, split_paragraphs
from threatwatch.entities import extract_entities
from threatwatch.errors import InputRejected
from threatwatch.events.extract import extract_events
from threatwatch.html_extract import extract_html
from threatwatch.ingest import DEFAULT_MAX_FILE_BYTES, read_inputs
from threatwatch.language import detect_language, languages_found, main_language
from threatwatch.records import Document, IngestSummary, Paragraph, RawDocument, Rejection
from threatwatch.store import Store
from threatwatch.stories.assign import StoryIndex
from threatwatch.stories.signals import story_signals

PARAGRAPH_SEPARATOR = "\n\n"


def document_id(raw: RawDocument) -> str:
    """Content hash of the raw input: the same article ingested twice gets the same id."""
    return hashlib.sha256(raw.content.encode("utf-8")).hexdigest()[:16]


def process(raw: RawDocument, entities: bool = True, embeddings: bool = True) -> Document:
    """Clean one raw article, read its metadata, find and link its names (unless `entities` is
    False), then its events and numeric claims, then what the story stage compares (its MinHash
    signature, weighted cues and, unless `embeddings` is False, the embedding of its title and
    lead). Raises InputRejected when no text is left."""
    if raw.is_html:
        page = extract_html(raw.content, raw.url)
        cleaned = clean_paragraphs(
            split_paragraphs(page.text, unwrap=False), detect_language, title=raw.title or page.title, from_html=True
        )
        page_date, page_source, url = page.published, page.sitename, page.url
    else:
        cleaned = clean_paragraphs(split_paragraphs(raw.content), detect_language, title=raw.title)
        page_date, page_source, url = None, None, raw.url
    if not cleaned.paragraphs:
        raise InputRejected("no article text found after removing boilerplate: check that the file holds an article")

    text, paragraphs = _join(cleaned)
    doc = Document(
        id=document_id(raw),
        path=raw.path,
        raw=raw.content,
        text=text,
        url=url,
        title=cleaned.title,
        # A page's own metadata (htmldate) is surer than a date line in its text.
        published=metadata.normalise_date(raw.published) or metadata.normalise_date(page_date) or _published(cleaned),
        source=raw.source or _source(cleaned) or page_source or metadata.source_from_url(url),
        lang=main_language(cleaned.paragraphs),
        langs=languages_found(cleaned.paragraphs),
        paragraphs=paragraphs,
    )
    if entities:
        mentions, linked = extract_entities(doc)
        doc = replace(doc, mentions=mentions, entities=linked)
    # Events read names from the entity stage when it ran; without it they still get their
    # types, figures, dates and speakers, only no linked actors or places.
    events, claims = extract_events(doc)
    doc = replace(doc, events=events, claims=claims)
    return replace(doc, signals=story_signals(doc, embeddings))


def _join(cleaned: CleanResult) -> tuple[str, tuple[Paragraph, ...]]:
    parts: list[str] = []
    spans: list[Paragraph] = []
    offset = 0
    for text, lang in cleaned.paragraphs:
        if parts:
            offset += len(PARAGRAPH_SEPARATOR)
        spans.append(Paragraph(offset, offset + len(text), lang))
        parts.append(text)
        offset += len(text)
    return PARAGRAPH_SEPARATOR.join(parts), tuple(spans)


def _published(cleaned: CleanResult) -> str | None:
    for line in cleaned.head:
        dates = metadata.find_dates(line)
        if dates:
            return dates[0].iso
    return None


def _source(cleaned: CleanResult) -> str | None:
    for line in cleaned.head:
        found = metadata.source_from_line(line)
        if found:
            return found
    return None


def _process_or_reject(raw: RawDocument, entities: bool = True, embeddings: bool = True) -> Document | Rejection:
    """Worker entry point: a failure in one document becomes a Rejection, never a crash."""
    try:
        return process(raw, entities, embeddings)
    except InputRejected as exc:
        return Rejection(raw.path, exc.reason)
    except Exception as exc:  # noqa: BLE001 - one broken page must not stop a batch
        return Rejection(raw.path, f"internal error while cleaning ({exc.__class__.__name__}: {exc}); please report it")


def _processed(
    items: Iterable[RawDocument | Rejection], workers: int, entities: bool, embeddings: bool = True
) -> Iterator[Document | Rejection]:
    work = partial(_process_or_reject, entities=entities, embeddings=embeddings)
    if workers <= 1:
        for item in items:
            yield item if isinstance(item, Rejection) else work(item)
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=_one_blas_thread) as pool:
        # Two batches in flight: the next one is handed to the workers before the results of the
        # current one are stored, so workers do not wait while this process stores a batch's last
        # documents and reads the next files (the first results come once two batches are read).
        waiting: Iterator[Document | Rejection] = iter(())
        batch: list[RawDocument | Rejection] = []
        try:
            for item in items:
                batch.append(item)
                if len(batch) >= 64 * workers:
                    submitted = _map_batch(pool, work, batch)
                    yield from waiting
                    waiting, batch = submitted, []
            submitted = _map_batch(pool, work, batch)
            yield from waiting
            yield from submitted
        except BaseException:
            # interrupted, or the caller stopped reading: the documents not started are dropped
            # (a re-run stores them) instead of being processed before the pool can close
            pool.shutdown(wait=True, cancel_futures=True)
            raise


def _one_blas_thread() -> None:
    """Each worker's numpy runs one BLAS thread: the workers already share out the cores, and
    OpenBLAS starting a thread per core in every worker made them wait on each other (the entity
    stage ran 11.0 docs/s on 2 workers with it, 14.1 without; BENCHMARKS.md)."""
    import numpy  # noqa: F401 - its OpenBLAS must be loaded for the limit to reach it
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1)


def _map_batch(
    pool: ProcessPoolExecutor, work: Callable[[RawDocument], Document | Rejection], batch: list[RawDocument | Rejection]
) -> Iterator[Document | Rejection]:
    """Hands the batch's documents to the workers now; the returned iterator gives the batch's
    results (and its rejections in place) in input order."""
    raws = [item for item in batch if isinstance(item, RawDocument)]
    results = iter(pool.map(work, raws, chunksize=8))  # map submits every task at once
    return (item if isinstance(item, Rejection) else next(results) for item in batch)


def ingest(
    store: Store,
    paths: Iterable[str | Path],
    workers: int = 1,
    max_bytes: int = DEFAULT_MAX_FILE_BYTES,
    progress: Callable[[], None] | None = None,
    entities: bool = True,
    embeddings: bool = True,
) -> IngestSummary:
    """Read, clean and store every article under `paths`; one transaction per document.

    Documents whose raw content is already stored are skipped before any cleaning, so a
    re-run after an interruption only does the remaining work. Each new document is placed
    in a story here (the store lookups of the story stage), then stored with it.
    """
    summary = IngestSummary()
    stories = StoryIndex(store)

    def fresh(items: Iterable[RawDocument | Rejection]) -> Iterator[RawDocument | Rejection]:
        for item in items:
            if isinstance(item, RawDocument) and store.has_document(document_id(item)):
                summary.duplicates += 1
                if progress:
                    progress()
                continue
            yield item

    for result in _processed(fresh(read_inputs(paths, max_bytes)), workers, entities, embeddings):
        if isinstance(result, Rejection):
            summary.rejected.append(result)
        elif store.has_document(result.id):
            summary.duplicates += 1
        else:
            placement = stories.place(result)
            if placement is not None:
                result = replace(result, story_id=placement.story_id, duplicate_of=placement.duplicate_of)
            if store.add_document(result, placement):
                summary.stored += 1
                summary.near_duplicates += result.duplicate_of is not None
                if placement is not None:
                    stories.added(placement, result.signals.day if result.signals else None)
            else:
                summary.duplicates += 1
        if progress:
            progress()
    return summary
