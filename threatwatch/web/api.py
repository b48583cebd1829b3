"""The JSON API under /api/ (SPEC.md, "HTTP"). Read-only: every route is a GET (HEAD answers as
GET does, without the body: `app.HeadAsGet`).

Lists answer `{"total", "results", "limit", "offset"}`; `limit` is capped at MAX_LIMIT and
`offset` at MAX_OFFSET so that no request can ask for the whole store at once.
Handlers are plain functions: FastAPI runs them on worker threads, each with its own read-only
connection (`StorePool`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse

from threatwatch.records import EntityType, EventType
from threatwatch.web import schemas
from threatwatch.web.highlight import snippet_text
from threatwatch.web.queries import (
    Filters,
    Page,
    entity_record,
    find_claims,
    find_documents,
    find_entities,
    find_events,
    texts,
    timeline,
)
from threatwatch.web.readonly import ReadOnlyStore
from threatwatch.web.story_queries import find_stories, story_detail

MAX_LIMIT = 100
MAX_OFFSET = 10_000
DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"

Lang = Annotated[str | None, Query(pattern=r"^[a-z]{2,3}$", description="Document language, ISO 639-1")]
From = Annotated[str | None, Query(alias="from", pattern=DATE, description="Earliest date (ISO, may be partial)")]
To = Annotated[str | None, Query(alias="to", pattern=DATE, description="Latest date, inclusive (ISO, may be partial)")]
Country = Annotated[str | None, Query(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")]
Entity = Annotated[str | None, Query(max_length=200, description="Entity id (from /api/entities)")]
Doc = Annotated[str | None, Query(max_length=64, description="Document id")]
Story = Annotated[str | None, Query(max_length=200, description="Story id (from /api/stories)")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
Text = Annotated[str, Query(max_length=500)]

router = APIRouter(prefix="/api", tags=["api"])
NOT_FOUND = {404: {"model": schemas.Problem}}


def store_of(request: Request) -> ReadOnlyStore:
    """The calling thread's connection (fetched here, not in a dependency, which may run on
    another thread)."""
    return request.app.state.pool.get()  # type: ignore[no-any-return]


def _listing(total: int, results: list[dict[str, object]], limit: int, offset: int) -> JSONResponse:
    return JSONResponse({"total": total, "results": results, "limit": limit, "offset": offset})


def _missing(what: str) -> JSONResponse:
    return JSONResponse({"detail": what}, status_code=404)


@router.get("/search", response_model=schemas.SearchResponse)
def search(
    request: Request, q: Text = "", lang: Lang = None, date_from: From = None, date_to: To = None,
    entity: Entity = None, country: Country = None, limit: Limit = 20, offset: Offset = 0, facets: bool = False,
    exact: Annotated[bool, Query(description="Rank every match, however many (slow for very common words)")] = False,
) -> JSONResponse:
    """Ranked full-text search in every language (as `threatwatch search`); with no `q`, every
    document passing the filters, newest first. `country`: documents naming a place in it or
    reporting an event there. `total` counts every match; a query matching more than 10,000
    documents is ranked, and faceted, among its 10,000 most recently ingested matches (`ranked`
    says how many were) unless `exact=true`."""
    store = store_of(request)
    filters = Filters(q=q, lang=lang, date_from=date_from, date_to=date_to, entity=entity, country=country)
    hits = find_documents(store.db, filters, Page(limit, offset), facets=facets, exact=exact)
    results = [{"doc_id": doc.id, "title": doc.title, "snippet": snippet_text(doc, hits.forms), "lang": doc.lang,
                "published": doc.published} for doc in texts(store.db, hits.rows)]
    body: dict[str, object] = {"total": hits.total, "results": results, "limit": limit, "offset": offset,
                               "ranked": hits.ranked}
    if facets:
        body["facets"] = hits.facets
    return JSONResponse(body)


@router.get("/documents/{doc_id}", response_model=schemas.DocumentRecord, responses=NOT_FOUND)
def document(request: Request, doc_id: Annotated[str, Path(max_length=64)]) -> JSONResponse:
    doc = store_of(request).get_document(doc_id)
    return JSONResponse(doc.to_dict()) if doc else _missing(f"no document {doc_id!r}")


@router.get("/entities", response_model=schemas.Listing[schemas.EntitySummary])
def entities(
    request: Request, q: Annotated[str | None, Query(max_length=200, description="Part of a name or alias")] = None,
    type: EntityType | None = None, country: Country = None, doc: Doc = None, limit: Limit = 20,  # noqa: A002
    offset: Offset = 0,
) -> JSONResponse:
    """Entities most mentioned first, as summaries (counts instead of `doc_ids` and `mentions`)."""
    total, results = find_entities(store_of(request).db, Filters(q=q, type=type, country=country, doc_id=doc),
                                   Page(limit, offset))
    return _listing(total, results, limit, offset)


@router.get("/entities/{entity_id}", response_model=schemas.EntityRecord, responses=NOT_FOUND)
def entity(
    request: Request, entity_id: Annotated[str, Path(max_length=200)],
    mention_limit: Annotated[int, Query(ge=0, le=10_000)] = 1000,
) -> JSONResponse:
    """The entity record as `export entities` writes it, `mentions` cut at `mention_limit`."""
    record = entity_record(store_of(request).db, entity_id, mention_limit)
    return JSONResponse(record) if record else _missing(f"no entity {entity_id!r}")


@router.get("/events", response_model=schemas.Listing[schemas.EventRecord])
def events(
    request: Request, type: EventType | None = None, lang: Lang = None, country: Country = None,  # noqa: A002
    entity: Entity = None, doc: Doc = None, story: Story = None, date_from: From = None, date_to: To = None,
    located: Annotated[bool, Query(description="Only events with coordinates")] = False,
    sort: Literal["document", "date"] = "document", limit: Limit = 20, offset: Offset = 0,
) -> JSONResponse:
    """Event records, one per report (each document's own events; /api/stories/{id} gives a
    story's merged ones); `entity` keeps events with it as an actor or as the place."""
    filters = Filters(type=type, lang=lang, country=country, entity=entity, doc_id=doc, date_from=date_from,
                      date_to=date_to, story=story)
    total, results = find_events(store_of(request).db, filters, Page(limit, offset), order=sort, located=located)
    return _listing(total, results, limit, offset)


@router.get("/claims", response_model=schemas.Listing[schemas.ClaimRecord])
def claims(
    request: Request, q: Annotated[str | None, Query(max_length=200, description="Part of the subject")] = None,
    entity: Annotated[str | None, Query(max_length=200, description="Speaker entity id")] = None,
    lang: Lang = None, doc: Doc = None, story: Story = None, date_from: From = None, date_to: To = None,
    sort: Literal["document", "subject"] = "document", limit: Limit = 20, offset: Offset = 0,
) -> JSONResponse:
    """Numeric claims; dates filter on `said_on`."""
    filters = Filters(q=q, entity=entity, lang=lang, doc_id=doc, date_from=date_from, date_to=date_to, story=story)
    total, results = find_claims(store_of(request).db, filters, Page(limit, offset), order=sort)
    return _listing(total, results, limit, offset)


@router.get("/timeline", response_model=schemas.Listing[schemas.TimelinePeriod])
def events_timeline(
    request: Request, granularity: Literal["year", "month", "day"] = "month", type: EventType | None = None,  # noqa: A002
    lang: Lang = None, country: Country = None, entity: Entity = None, story: Story = None, date_from: From = None,
    date_to: To = None,
) -> JSONResponse:
    """Dated events counted per period, oldest first, with their types and the killed summed.
    Events are counted per report, as /api/events lists them (a happening told by two documents
    of a story counts twice)."""
    filters = Filters(type=type, lang=lang, country=country, entity=entity, date_from=date_from, date_to=date_to,
                      story=story)
    periods = timeline(store_of(request).db, filters, granularity)
    return JSONResponse({"total": len(periods), "results": periods})


@router.get("/stories", response_model=schemas.Listing[schemas.StorySummary])
def stories(
    request: Request, q: Annotated[str | None, Query(max_length=500, description="Words one report contains")] = None,
    lang: Lang = None, entity: Entity = None, date_from: From = None, date_to: To = None,
    min_reports: Annotated[int, Query(ge=1, le=10_000, description="Only stories of this many reports or more")] = 1,
    sort: Literal["latest", "size", "ingest"] = "latest", limit: Limit = 20, offset: Offset = 0,
) -> JSONResponse:
    """Story records with their main `entities`. `lang`, `entity`: stories with a report in that
    language, naming that entity; dates keep the stories whose span of publication dates meets
    the range. Sorted by latest report (`latest`, undated last), by number of reports (`size`), or
    in the order the stories began (`ingest`, as `export stories`)."""
    filters = Filters(q=q, lang=lang, entity=entity, date_from=date_from, date_to=date_to)
    total, results = find_stories(store_of(request).db, filters, Page(limit, offset), order=sort,
                                  min_reports=min_reports)
    return _listing(total, results, limit, offset)


@router.get("/stories/{story_id}", response_model=schemas.StoryDetail, responses=NOT_FOUND)
def story(request: Request, story_id: Annotated[str, Path(max_length=200)]) -> JSONResponse:
    """The story record as `export stories` writes it, with its `reports`, its merged `events`
    (as `export events` writes them: every report's evidence, the toll `ledger`; plus `canonical`,
    which figure each toll took and by which rule), its claims grouped by what they count
    (`claim_groups`, each in the order the figures were said) and its main `entities`."""
    record = story_detail(store_of(request), story_id)
    return JSONResponse(record) if record else _missing(f"no story {story_id!r}")
