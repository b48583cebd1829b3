"""Server-rendered pages. Jinja2 with autoescape on; no inline script or style (the CSP forbids
them), so behaviour lives in /static/app.js and looks in /static/style.css.

Query parameters of pages are read leniently: a malformed filter is dropped rather than
answered with a validation error, since a person typed or edited the URL.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import jinja2
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from threatwatch.web import present
from threatwatch.web.api import DATE, MAX_OFFSET, store_of
from threatwatch.web.highlight import direction, render_text, snippet_html
from threatwatch.web.queries import (
    Filters,
    Page,
    alias_counts,
    co_occurring,
    document_titles,
    entity_documents,
    entity_names,
    find_claims,
    find_documents,
    find_entities,
    find_events,
    map_points,
    overview,
    texts,
    timeline,
)
from threatwatch.web.story_queries import RULE_NOTE, find_stories, story_brief, story_detail, story_reports

TEMPLATES = Path(__file__).parent / "templates"
PAGE_SIZE = 20
_PATTERNS = {
    "q": r"^.{1,500}$", "lang": r"^[a-z]{2,3}$", "from": DATE[1:-1], "to": DATE[1:-1], "country": r"^[A-Z]{2}$",
    "entity": r"^[^\s]{1,200}$", "type": r"^[a-z_]{1,40}$", "granularity": r"^(year|month|day)$",
    "story": r"^[^\s]{1,200}$", "sort": r"^(latest|size|ingest)$", "min": r"^[1-9][0-9]{0,3}$",
}
STORY_LEADS = 25  # reports per language shown with the start of their text
STORY_REPORTS = 200  # reports per language listed on a story's page (the API lists them all)

env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined,
    trim_blocks=True, lstrip_blocks=True,
)
env.globals.update(
    words=present.words, number=present.number, span_href=present.span_href, event_values=present.event_values,
    evidence_spans=present.evidence_spans, claim_value=present.claim_value, with_params=present.with_params,
    direction=direction,
)
router = APIRouter(include_in_schema=False)


def render(template: str, status: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("q", "")
    return HTMLResponse(env.get_template(template).render(**context), status_code=status)


def not_found(what: str) -> HTMLResponse:
    return render("error.html", status=404, title="Not found", message=what)


class Params(dict[str, str]):
    """Query parameters; a missing one reads as "" so templates can test `params.entity`."""

    def __missing__(self, key: str) -> str:
        return ""


def _params(request: Request, *names: str) -> Params:
    """The named query parameters that are well formed."""
    out = Params()
    for name in names:
        value = (request.query_params.get(name) or "").strip()
        if value and re.fullmatch(_PATTERNS.get(name, r"^.{1,200}$"), value):
            out[name] = value
    return out


def _offset(request: Request) -> int:
    raw = request.query_params.get("offset", "0")
    return min(int(raw), MAX_OFFSET) if raw.isdigit() else 0


def _filters(params: dict[str, str]) -> Filters:
    return Filters(q=params.get("q"), lang=params.get("lang"), date_from=params.get("from"),
                   date_to=params.get("to"), type=params.get("type"), entity=params.get("entity"),
                   country=params.get("country"), story=params.get("story"))


@router.get("/", response_class=HTMLResponse)
def index(request: Request) -> HTMLResponse:
    db = store_of(request).db
    _, top = find_entities(db, Filters(), Page(15))
    _, latest = find_events(db, Filters(), Page(8), order="latest", dated=True)
    _, shared = find_stories(db, Filters(), Page(6), order="size", min_reports=2)
    return render("index.html", stats=overview(db), recent=find_documents(db, Filters(), Page(8)).rows,
                  top=top, latest=latest, shared=shared,
                  titles=document_titles(db, _doc_ids(latest) + _first_docs(shared)))


@router.get("/search", response_class=HTMLResponse)
def search(request: Request) -> HTMLResponse:
    store = store_of(request)
    params = _params(request, "q", "lang", "from", "to", "entity", "country")
    offset = _offset(request)
    hits = find_documents(store.db, _filters(params), Page(PAGE_SIZE, offset), facets=True)
    results = [{"doc": doc, "snippet": snippet_html(doc, hits.forms) if params.get("q") else
                snippet_html(doc, set(), width=40)} for doc in texts(store.db, hits.rows)]
    names = entity_names(store.db, [e for e, _ in hits.facets.get("entity", [])] + [params.get("entity", "")])
    return render("search.html", q=params.get("q", ""), params=params, hits=hits, results=results, names=names,
                  offset=offset, page_size=PAGE_SIZE)


@router.get("/documents/{doc_id}", response_class=HTMLResponse)
def document(request: Request, doc_id: str) -> HTMLResponse:
    store = store_of(request)
    doc = store.get_document(doc_id)
    if doc is None:
        return not_found(f"No document {doc_id!r} in this store.")
    mentions = store.document_mentions(doc_id)
    _, events = find_events(store.db, Filters(doc_id=doc_id), Page(1000))
    _, claims = find_claims(store.db, Filters(doc_id=doc_id), Page(1000))
    names = entity_names(store.db, [m.entity_id for m in mentions])
    by_entity: dict[str, list[Any]] = {}
    for mention in mentions:
        by_entity.setdefault(mention.entity_id, []).append(mention)
    entities = sorted(by_entity.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    paragraphs = list(zip(doc.paragraphs or [None], render_text(doc, mentions, events, claims), strict=False))
    story = story_brief(store.db, doc.story_id) if doc.story_id else None
    return render("document.html", doc=doc, paragraphs=paragraphs, events=events, claims=claims,
                  entities=entities, names=names, story=story, story_langs=json.loads(story["langs"]) if story else [],
                  titles=document_titles(store.db, [doc.duplicate_of] if doc.duplicate_of else []))


@router.get("/entities", response_class=HTMLResponse)
def entities(request: Request) -> HTMLResponse:
    params = _params(request, "q", "type", "country")
    offset = _offset(request)
    total, rows = find_entities(store_of(request).db, _filters(params), Page(50, offset))
    return render("entities.html", params=params, total=total, rows=rows, offset=offset, page_size=50)


@router.get("/entities/{entity_id}", response_class=HTMLResponse)
def entity(request: Request, entity_id: str) -> HTMLResponse:
    db = store_of(request).db
    row = db.execute("SELECT * FROM entities WHERE id = ?", (entity_id,)).fetchone()
    if row is None:
        return not_found(f"No entity {entity_id!r} in this store.")
    offset = _offset(request)
    event_total, events = find_events(db, Filters(entity=entity_id), Page(200), order="date")
    doc_total, documents = entity_documents(db, entity_id, Page(PAGE_SIZE, offset))
    _, claims = find_claims(db, Filters(entity=entity_id), Page(100), order="subject")
    years = Counter((str(e["date"])[:4] if e["date"] else "undated") for e in events)
    return render(
        "entity.html", entity=row, aliases=alias_counts(db, entity_id), events=events, event_total=event_total,
        years=sorted(years.items()), documents=documents, doc_total=doc_total, offset=offset, page_size=PAGE_SIZE,
        claims=claims, related=co_occurring(db, entity_id), titles=document_titles(db, _doc_ids(events + claims)),
        bars=present.bars(timeline(db, Filters(entity=entity_id), "year")),
    )


@router.get("/stories", response_class=HTMLResponse)
def stories_page(request: Request) -> HTMLResponse:
    db = store_of(request).db
    params = _params(request, "q", "lang", "entity", "from", "to", "min", "sort")
    offset = _offset(request)
    total, rows = find_stories(db, _filters(params), Page(PAGE_SIZE, offset), order=params.get("sort") or "latest",
                               min_reports=int(params.get("min") or 1))
    return render("stories.html", params=params, q="", total=total, rows=rows, offset=offset, page_size=PAGE_SIZE,
                  titles=document_titles(db, _first_docs(rows)), names=entity_names(db, [params.get("entity", "")]))


@router.get("/stories/{story_id}", response_class=HTMLResponse)
def story(request: Request, story_id: str) -> HTMLResponse:
    store = store_of(request)
    record = story_detail(store, story_id)
    if record is None:
        return not_found(f"No story {story_id!r} in this store.")
    rowid = store.db.execute("SELECT rowid FROM stories WHERE id = ?", (story_id,)).fetchone()[0]
    reports = story_reports(store.db, rowid)
    by_lang: dict[str, list[Any]] = {}
    for row in reports:
        by_lang.setdefault(row["lang"] or "", []).append(row)
    shown = {lang: rows[:STORY_REPORTS] for lang, rows in by_lang.items()}
    with_lead = [row for rows in shown.values() for row in rows[:STORY_LEADS]]
    leads = {doc.id: snippet_html(doc, set(), width=60) for doc in texts(store.db, with_lead)}
    langs = {row["id"]: row["lang"] for row in reports}
    told = {str(e["id"]): list(dict.fromkeys(langs.get(d) or "?" for d in e["doc_ids"]))  # type: ignore[attr-defined]
            for e in record["events"]}  # type: ignore[attr-defined]
    title = record["title"] or (reports[0]["label"] if reports else story_id)
    return render("story.html", story=record, title=title, told=told, leads=leads, langs=langs,
                  columns=[(lang, rows, len(by_lang[lang])) for lang, rows in shown.items()],
                  titles=document_titles(store.db, langs), rule_note=RULE_NOTE)


@router.get("/timeline", response_class=HTMLResponse)
def timeline_page(request: Request) -> HTMLResponse:
    db = store_of(request).db
    params = _params(request, "type", "country", "entity", "lang", "from", "to", "granularity", "story")
    filters = _filters(params)
    granularity = params.get("granularity") or "month"
    periods = timeline(db, filters, granularity)
    if "granularity" not in params and len(periods) > 48:
        granularity, periods = "year", timeline(db, filters, "year")
    offset = _offset(request)
    total, events = find_events(db, filters, Page(100, offset), order="date", dated=True)
    groups: dict[str, list[dict[str, object]]] = {}
    width = {"year": 4, "month": 7, "day": 10}[granularity]
    for event in events:
        groups.setdefault(str(event["date"])[:width], []).append(event)
    undated = find_events(db, filters, Page(1))[0] - total
    return render("timeline.html", params=params, granularity=granularity, bars=present.bars(periods),
                  groups=groups, total=total, offset=offset, page_size=100, undated=undated,
                  titles=document_titles(db, _doc_ids(events)), names=entity_names(db, [params.get("entity", "")]),
                  story=story_brief(db, params["story"]) if params.get("story") else None)


@router.get("/map", response_class=HTMLResponse)
def map_page(request: Request) -> HTMLResponse:
    db = store_of(request).db
    params = _params(request, "type", "country", "entity", "lang", "from", "to")
    filters = _filters(params)
    points = map_points(db, filters)
    shapes, placed = present.map_layer(points)
    unlocated = find_events(db, filters, Page(1))[0] - find_events(db, filters, Page(1), located=True)[0]
    return render("map.html", params=params, shapes=shapes, placed=placed, points=points, unlocated=unlocated)


@router.get("/claims", response_class=HTMLResponse)
def claims_page(request: Request) -> HTMLResponse:
    db = store_of(request).db
    params = _params(request, "q", "entity", "lang", "from", "to")
    offset = _offset(request)
    filters = Filters(q=params.get("q"), entity=params.get("entity"), lang=params.get("lang"),
                      date_from=params.get("from"), date_to=params.get("to"))
    total, claims = find_claims(db, filters, Page(200, offset), order="subject")
    groups: dict[str, list[dict[str, object]]] = {}
    for claim in claims:
        groups.setdefault(str(claim["subject"]).casefold(), []).append(claim)
    return render("claims.html", params=params, q="", total=total, groups=groups, offset=offset, page_size=200,
                  titles=document_titles(db, [str(c["doc_id"]) for c in claims]),
                  names=entity_names(db, [params.get("entity", "")]))


def _doc_ids(records: list[dict[str, object]]) -> list[str]:
    ids: list[str] = []
    for record in records:
        ids += record.get("doc_ids") or [record.get("doc_id")]  # type: ignore[operator, list-item]
    return [i for i in ids if i]


def _first_docs(stories: list[dict[str, object]]) -> list[str]:
    """The first report of each story (whose words stand for an untitled story)."""
    return [str(s["doc_ids"][0]) for s in stories if s["doc_ids"]]  # type: ignore[index]
