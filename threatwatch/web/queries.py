"""Read-only SQL for the web: filters, pagination, facets, aggregates.

Every value reaches SQLite as a `?` parameter. The only SQL text assembled at run time is made of
the fixed fragments in this module (chosen by which filters are set), never of user input.
Records keep the SPEC shapes: events and claims go through `threatwatch.store.events`, documents
through `Store.get_document`, so the API and the exports cannot drift apart.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from threatwatch.records import Document, Paragraph
from threatwatch.search import TITLE_WEIGHT, fts_query
from threatwatch.store.events import ACTOR_ENTITY, PLACE_ENTITY, SPEAKER_ENTITY
from threatwatch.store.events import claims as claim_records
from threatwatch.store.events import events as event_records

# A document without a title is listed by the start of its text.
_TITLE = "COALESCE(d.title, substr(d.text, 1, 80) || '…')"
_FACET_ENTITY_DOCS = 500  # entity facet counts over the best-ranked documents only: bounded cost
RANK_WINDOW = 10_000  # matches ranked per query unless exact ranking is asked for


@dataclass(frozen=True, slots=True)
class Filters:
    """What a list can be narrowed by; None means not filtered. Dates are ISO prefixes."""

    lang: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    type: str | None = None
    entity: str | None = None
    country: str | None = None
    doc_id: str | None = None
    q: str | None = None
    story: str | None = None


@dataclass(frozen=True, slots=True)
class Page:
    limit: int = 20
    offset: int = 0


class _Where:
    """Collects fixed SQL conditions and their parameters."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.params: list[object] = []

    def add(self, condition: str, *params: object) -> None:
        self.parts.append(condition)
        self.params.extend(params)

    def dates(self, column: str, date_from: str | None, date_to: str | None) -> None:
        # Partial dates compare as prefixes: to=2016-08 keeps 2016-08-31 and 2016-08.
        if date_from:
            self.add(f"{column} >= ?", date_from)
        if date_to:
            self.add(f"substr({column}, 1, ?) <= ?", len(date_to), date_to)

    def sql(self) -> str:
        return " AND ".join(self.parts) if self.parts else "1"


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _in_json(column: str) -> str:
    return f"{column} IN (SELECT value FROM json_each(?))"


# --- documents and search ------------------------------------------------------------------


def _document_where(filters: Filters) -> _Where:
    where = _Where()
    if filters.lang:
        where.add("d.lang = ?", filters.lang)
    where.dates("d.published", filters.date_from, filters.date_to)
    if filters.entity:
        where.add("d.rowid IN (SELECT doc_rowid FROM mentions WHERE entity_id = ?)", filters.entity)
    if filters.country:
        where.add(
            "(d.rowid IN (SELECT m.doc_rowid FROM mentions m JOIN entities n ON n.id = m.entity_id "
            "WHERE n.country = ?) OR d.rowid IN (SELECT doc_rowid FROM events WHERE country = ?))",
            filters.country, filters.country,
        )
    return where


@dataclass(frozen=True, slots=True)
class DocumentHits:
    total: int
    rows: list[sqlite3.Row]  # id, title, lang, published (ranked, or newest first when browsing)
    forms: set[str]  # indexed forms the query looks for (for snippets)
    facets: dict[str, list[tuple[str, int]]]
    ranked: int = 0  # matches that were ranked (and faceted): all of them, or RANK_WINDOW


def find_documents(
    db: sqlite3.Connection, filters: Filters, page: Page, facets: bool = False, exact: bool = False
) -> DocumentHits:
    """Documents matching `filters.q` and the filters, ranked by BM25 with the title weighted
    (as `threatwatch search`); with no query words, every document passing the filters, newest
    first. `total` is exact. A query matching more than RANK_WINDOW documents is ranked (and
    faceted) among its RANK_WINDOW most recently ingested matches unless `exact`: BM25 costs
    a few microseconds per match, 0.3 s for a word found in 80,000 documents."""
    where = _document_where(filters)
    expression, forms = fts_query(filters.q or "", filters.lang)
    if filters.q and not expression:
        return DocumentHits(0, [], set(), {})  # only punctuation: nothing can match
    if not expression:
        return _browse(db, where, page, facets)
    matched = db.execute("SELECT count(*) FROM documents_fts WHERE documents_fts MATCH ?", (expression,)).fetchone()[0]
    floor = 0 if exact or matched <= RANK_WINDOW else _rank_floor(db, expression)
    # Matches are read from the index first and joined to their documents after: SQLite would
    # otherwise walk the documents and run the full-text match once per row.
    window = "documents_fts MATCH ? AND rowid >= ?"
    ranked = f"SELECT rowid, bm25(documents_fts, {TITLE_WEIGHT}, 1.0) AS score FROM documents_fts WHERE {window}"
    in_window = f"d.rowid IN (SELECT rowid FROM documents_fts WHERE {window})"
    if where.parts:
        total = db.execute(
            f"SELECT count(*) FROM documents d WHERE d.rowid IN (SELECT rowid FROM documents_fts "
            f"WHERE documents_fts MATCH ?) AND {where.sql()}", [expression, *where.params],
        ).fetchone()[0]
        rows = db.execute(
            f"SELECT d.rowid, d.id, {_TITLE} AS title, d.lang, d.published FROM ({ranked}) f "
            f"JOIN documents d ON d.rowid = f.rowid WHERE {where.sql()} ORDER BY f.score, f.rowid LIMIT ? OFFSET ?",
            [expression, floor, *where.params, page.limit, page.offset],
        ).fetchall()
    else:
        total = matched
        rows = db.execute(
            f"SELECT d.rowid, d.id, {_TITLE} AS title, d.lang, d.published FROM "
            f"({ranked} ORDER BY score, rowid LIMIT ? OFFSET ?) f "
            "JOIN documents d ON d.rowid = f.rowid ORDER BY f.score, f.rowid",
            (expression, floor, page.limit, page.offset),
        ).fetchall()
    found: dict[str, list[tuple[str, int]]] = {}
    if facets and total:
        where.parts.insert(0, in_window)
        where.params[0:0] = [expression, floor]
        found = _document_facets(db, where)
        found["entity"] = _entity_facet(
            db, f"SELECT f.rowid FROM ({ranked}) f JOIN documents d ON d.rowid = f.rowid "
                f"WHERE {where.sql()} ORDER BY f.score, f.rowid", [expression, floor, *where.params])
    ranked_count = matched if floor == 0 else RANK_WINDOW
    return DocumentHits(int(total), rows, forms, found, min(int(total), ranked_count))


def texts(db: sqlite3.Connection, rows: list[sqlite3.Row]) -> list[Document]:
    """The documents of `rows`, in order, with what snippets need (text, paragraphs, metadata)
    read in one query; `raw`, the whole input page, is left out: it can be large."""
    found = {
        r["id"]: Document(
            id=r["id"], path=r["path"], raw="", text=r["text"], url=r["url"], title=r["title"],
            published=r["published"], source=r["source"], lang=r["lang"], langs=tuple(json.loads(r["langs"])),
            paragraphs=tuple(Paragraph(s, e, lang) for s, e, lang in json.loads(r["paragraphs"])),
        )
        for r in db.execute(
            "SELECT id, path, url, title, published, source, lang, langs, text, paragraphs FROM documents "
            f"WHERE {_in_json('rowid')}", (json.dumps([row["rowid"] for row in rows]),),
        )
    }
    return [found[row["id"]] for row in rows if row["id"] in found]


def _rank_floor(db: sqlite3.Connection, expression: str) -> int:
    """The smallest rowid among the RANK_WINDOW most recently ingested matches."""
    row = db.execute(
        "SELECT rowid FROM documents_fts WHERE documents_fts MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?",
        (expression, RANK_WINDOW - 1),
    ).fetchone()
    return int(row[0]) if row else 0


def _browse(db: sqlite3.Connection, where: _Where, page: Page, facets: bool) -> DocumentHits:
    rows = db.execute(
        f"SELECT d.rowid, d.id, {_TITLE} AS title, d.lang, d.published FROM documents d WHERE {where.sql()} "
        "ORDER BY d.published IS NULL, d.published DESC, d.rowid DESC LIMIT ? OFFSET ?",
        [*where.params, page.limit, page.offset],
    ).fetchall()
    total = db.execute(f"SELECT count(*) FROM documents d WHERE {where.sql()}", where.params).fetchone()[0]
    found: dict[str, list[tuple[str, int]]] = {}
    if facets and total:
        found = _document_facets(db, where)
        found["entity"] = _entity_facet(
            db, f"SELECT d.rowid FROM documents d WHERE {where.sql()} ORDER BY d.published IS NULL, "
                "d.published DESC, d.rowid DESC", where.params)
    return DocumentHits(int(total), rows, set(), found, int(total))


def _document_facets(db: sqlite3.Connection, where: _Where) -> dict[str, list[tuple[str, int]]]:
    """Language and year counts from one pass over the documents `where` selects."""
    rows = db.execute(
        f"SELECT d.lang AS lang, substr(d.published, 1, 4) AS year, count(*) AS n FROM documents d "
        f"WHERE {where.sql()} GROUP BY 1, 2",
        where.params,
    ).fetchall()
    langs: dict[str, int] = {}
    years: dict[str, int] = {}
    for row in rows:
        langs[row["lang"] or "?"] = langs.get(row["lang"] or "?", 0) + row["n"]
        if row["year"]:
            years[row["year"]] = years.get(row["year"], 0) + row["n"]
    return {
        "lang": sorted(langs.items(), key=lambda kv: (-kv[1], kv[0])),
        "year": sorted(years.items(), reverse=True),
    }


def _entity_facet(db: sqlite3.Connection, ordered: str, params: list[object]) -> list[tuple[str, int]]:
    """The entities named most often in the first _FACET_ENTITY_DOCS documents of `ordered`."""
    rows = db.execute(
        f"SELECT m.entity_id AS id, count(DISTINCT m.doc_rowid) AS n FROM mentions m WHERE m.doc_rowid IN "
        f"(SELECT * FROM ({ordered}) LIMIT ?) GROUP BY m.entity_id ORDER BY n DESC, m.entity_id LIMIT 12",
        [*params, _FACET_ENTITY_DOCS],
    ).fetchall()
    return [(row["id"], row["n"]) for row in rows]


def document_titles(db: sqlite3.Connection, ids: Iterable[str]) -> dict[str, sqlite3.Row]:
    """id -> (id, title, lang, published) for the ids given."""
    rows = db.execute(f"SELECT d.id, {_TITLE} AS title, d.lang, d.published FROM documents d WHERE {_in_json('d.id')}",
                      (json.dumps(sorted(set(ids))),))
    return {r["id"]: r for r in rows}


# --- events ------------------------------------------------------------------------------------


def _event_where(filters: Filters) -> _Where:
    where = _Where()
    if filters.type:
        where.add("e.type = ?", filters.type)
    if filters.lang:
        where.add("d.lang = ?", filters.lang)
    if filters.country:
        where.add("e.country = ?", filters.country)
    if filters.doc_id:
        where.add("d.id = ?", filters.doc_id)
    if filters.story:
        where.add("e.story_id = ?", filters.story)
    where.dates("e.date", filters.date_from, filters.date_to)
    if filters.entity:
        where.add(
            f"({PLACE_ENTITY} = ? OR EXISTS (SELECT 1 FROM event_actors a WHERE a.event_rowid = e.rowid "
            f"AND {ACTOR_ENTITY} = ?))",
            filters.entity, filters.entity,
        )
    return where


_EVENT_ORDERS = {"document": "e.rowid", "date": "e.date IS NULL, e.date, e.rowid",
                 "latest": "e.date IS NULL, e.date DESC, e.rowid"}


def find_events(
    db: sqlite3.Connection, filters: Filters, page: Page, order: str = "document", located: bool = False,
    dated: bool = False,
) -> tuple[int, list[dict[str, object]]]:
    """SPEC event records passing `filters`, in document order or by date (undated last)."""
    where = _event_where(filters)
    if located:
        where.add("e.lat IS NOT NULL AND e.lon IS NOT NULL")
    if dated:
        where.add("e.date IS NOT NULL")
    source = "events e JOIN documents d ON d.rowid = e.doc_rowid"
    total = db.execute(f"SELECT count(*) FROM {source} WHERE {where.sql()}", where.params).fetchone()[0]
    rowids = [r[0] for r in db.execute(
        f"SELECT e.rowid FROM {source} WHERE {where.sql()} ORDER BY {_EVENT_ORDERS[order]} LIMIT ? OFFSET ?",
        [*where.params, page.limit, page.offset],
    )]
    return int(total), _in_order(db, rowids)


def _in_order(db: sqlite3.Connection, rowids: list[int]) -> list[dict[str, object]]:
    ids = {r[0]: r[1] for r in db.execute(f"SELECT rowid, id FROM events WHERE {_in_json('rowid')}",
                                          (json.dumps(rowids),))}
    records = {str(r["id"]): r for r in event_records(db, _in_json("e.rowid"), (json.dumps(rowids),))}
    return [records[ids[rowid]] for rowid in rowids if rowid in ids]


def timeline(db: sqlite3.Connection, filters: Filters, granularity: str = "month") -> list[dict[str, object]]:
    """Dated events counted per period (year, month or day) and type, oldest first."""
    width = {"year": 4, "month": 7, "day": 10}[granularity]
    where = _event_where(filters)
    where.add("e.date IS NOT NULL")
    rows = db.execute(
        f"SELECT substr(e.date, 1, ?) AS period, e.type AS type, count(*) AS n, sum(e.killed) AS killed "
        f"FROM events e JOIN documents d ON d.rowid = e.doc_rowid WHERE {where.sql()} "
        "GROUP BY 1, 2 ORDER BY 1, 2",
        [width, *where.params],
    ).fetchall()
    periods: dict[str, dict[str, object]] = {}
    for row in rows:
        entry = periods.setdefault(row["period"], {"period": row["period"], "count": 0, "killed": 0, "types": {}})
        entry["count"] = int(entry["count"]) + row["n"]  # type: ignore[call-overload]
        entry["killed"] = int(entry["killed"]) + (row["killed"] or 0)  # type: ignore[call-overload]
        entry["types"][row["type"]] = row["n"]  # type: ignore[index]
    return list(periods.values())


def map_points(db: sqlite3.Connection, filters: Filters, cap: int = 5000) -> list[dict[str, object]]:
    """Located events grouped by place: one point per coordinate pair, with its events."""
    where = _event_where(filters)
    where.add("e.lat IS NOT NULL AND e.lon IS NOT NULL")
    rows = db.execute(
        f"SELECT e.id, e.type, e.date, e.location, e.country, e.lat, e.lon, e.killed, d.id AS doc_id "
        f"FROM events e JOIN documents d ON d.rowid = e.doc_rowid WHERE {where.sql()} "
        "ORDER BY e.date IS NULL, e.date, e.rowid LIMIT ?",
        [*where.params, cap],
    ).fetchall()
    points: dict[tuple[float, float], dict[str, object]] = {}
    for row in rows:
        key = (round(row["lat"], 3), round(row["lon"], 3))
        point = points.setdefault(key, {"lat": key[0], "lon": key[1], "location": row["location"],
                                        "country": row["country"], "killed": 0, "events": []})
        point["killed"] = int(point["killed"]) + (row["killed"] or 0)  # type: ignore[call-overload]
        point["events"].append({k: row[k] for k in ("id", "type", "date", "killed", "doc_id")})  # type: ignore[union-attr]
    return sorted(points.values(), key=lambda p: -len(p["events"]))  # type: ignore[arg-type]


# --- claims --------------------------------------------------------------------------------------


def _claim_where(filters: Filters) -> _Where:
    where = _Where()
    if filters.lang:
        where.add("d.lang = ?", filters.lang)
    if filters.doc_id:
        where.add("d.id = ?", filters.doc_id)
    if filters.story:
        where.add("d.story_id = ?", filters.story)
    if filters.entity:
        where.add(f"{SPEAKER_ENTITY} = ?", filters.entity)
    if filters.q:
        where.add("c.subject LIKE ? ESCAPE '\\'", _like(filters.q))
    where.dates("c.said_on", filters.date_from, filters.date_to)
    return where


_CLAIM_ORDERS = {"document": "c.rowid", "subject": "lower(c.subject), c.said_on IS NULL, c.said_on, c.rowid"}


def find_claims(
    db: sqlite3.Connection, filters: Filters, page: Page, order: str = "document"
) -> tuple[int, list[dict[str, object]]]:
    where = _claim_where(filters)
    source = "claims c JOIN documents d ON d.rowid = c.doc_rowid"
    total = db.execute(f"SELECT count(*) FROM {source} WHERE {where.sql()}", where.params).fetchone()[0]
    rowids = [r[0] for r in db.execute(
        f"SELECT c.rowid FROM {source} WHERE {where.sql()} ORDER BY {_CLAIM_ORDERS[order]} LIMIT ? OFFSET ?",
        [*where.params, page.limit, page.offset],
    )]
    records = list(claim_records(db, _in_json("c.rowid"), (json.dumps(rowids),)))
    position = {rowid: i for i, rowid in enumerate(rowids)}
    ids = {r[1]: r[0] for r in db.execute(f"SELECT rowid, id FROM claims WHERE {_in_json('rowid')}",
                                          (json.dumps(rowids),))}
    records.sort(key=lambda r: position[ids[r["id"]]])
    return int(total), records


# --- entities ------------------------------------------------------------------------------------


def _entity_where(filters: Filters) -> _Where:
    where = _Where()
    if filters.type:
        where.add("e.type = ?", filters.type)
    if filters.country:
        where.add("e.country = ?", filters.country)
    if filters.q:
        pattern = _like(filters.q)
        where.add("(e.name LIKE ? ESCAPE '\\' OR e.id IN (SELECT entity_id FROM mentions WHERE text LIKE ? "
                  "ESCAPE '\\'))", pattern, pattern)
    if filters.doc_id:
        where.add("m.doc_rowid = (SELECT rowid FROM documents WHERE id = ?)", filters.doc_id)
    return where


def find_entities(db: sqlite3.Connection, filters: Filters, page: Page) -> tuple[int, list[dict[str, object]]]:
    """Entity summaries, most mentioned first: the SPEC record without `doc_ids` and `mentions`
    (which can run to thousands), with their counts instead."""
    where = _entity_where(filters)
    source = "entities e JOIN mentions m ON m.entity_id = e.id"
    total = db.execute(f"SELECT count(DISTINCT e.id) FROM {source} WHERE {where.sql()}", where.params).fetchone()[0]
    rows = db.execute(
        f"SELECT e.*, count(*) AS mention_count, count(DISTINCT m.doc_rowid) AS doc_count FROM {source} "
        f"WHERE {where.sql()} GROUP BY e.id ORDER BY mention_count DESC, e.id LIMIT ? OFFSET ?",
        [*where.params, page.limit, page.offset],
    ).fetchall()
    return int(total), [_entity_summary(db, row) for row in rows]


def _entity_summary(db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, object]:
    return {
        "id": row["id"], "name": row["name"], "type": row["type"], "aliases": aliases(db, row["id"]),
        "country": row["country"], "lat": row["lat"], "lon": row["lon"],
        "mention_count": row["mention_count"], "doc_count": row["doc_count"],
    }


def aliases(db: sqlite3.Connection, entity_id: str) -> list[str]:
    """Every surface form, in first-seen order, as the export gives them."""
    rows = db.execute(
        "SELECT text FROM mentions WHERE entity_id = ? GROUP BY text ORDER BY min(doc_rowid * 4294967296 + start_char)",
        (entity_id,),
    )
    return [r[0] for r in rows]


def alias_counts(db: sqlite3.Connection, entity_id: str) -> list[tuple[str, int]]:
    rows = db.execute("SELECT text, count(*) AS n FROM mentions WHERE entity_id = ? GROUP BY text "
                      "ORDER BY n DESC, text", (entity_id,))
    return [(r[0], r[1]) for r in rows]


def entity_record(db: sqlite3.Connection, entity_id: str, mention_limit: int) -> dict[str, object] | None:
    """The SPEC entity record; `mentions` cut at `mention_limit` (`mention_count` says how many),
    plus `doc_count` as in the summaries."""
    row = db.execute("SELECT * FROM entities WHERE id = ?", (entity_id,)).fetchone()
    if row is None:
        return None
    source = "mentions m JOIN documents d ON d.rowid = m.doc_rowid WHERE m.entity_id = ?"
    mention_count = db.execute(f"SELECT count(*) FROM {source}", (entity_id,)).fetchone()[0]
    doc_ids = [r[0] for r in db.execute(f"SELECT d.id FROM {source} GROUP BY d.rowid ORDER BY d.rowid",
                                        (entity_id,))]
    mentions = db.execute(
        f"SELECT d.id, m.start_char, m.end_char, m.text FROM {source} ORDER BY m.doc_rowid, m.start_char LIMIT ?",
        (entity_id, mention_limit),
    ).fetchall()
    return {
        "id": row["id"], "name": row["name"], "type": row["type"], "aliases": aliases(db, entity_id),
        "country": row["country"], "lat": row["lat"], "lon": row["lon"], "doc_ids": doc_ids,
        "mentions": [{"doc_id": m[0], "start": m[1], "end": m[2], "text": m[3]} for m in mentions],
        "mention_count": mention_count, "doc_count": len(doc_ids),
    }


def entity_names(db: sqlite3.Connection, ids: Iterable[str]) -> dict[str, sqlite3.Row]:
    """id -> (id, name, type, country) for the ids given."""
    wanted = sorted(set(ids))
    rows = db.execute(f"SELECT id, name, type, country FROM entities WHERE {_in_json('id')}", (json.dumps(wanted),))
    return {r["id"]: r for r in rows}


def co_occurring(db: sqlite3.Connection, entity_id: str, limit: int = 20, docs: int = 2000) -> list[sqlite3.Row]:
    """Entities named in the same documents, by number of shared documents (over the entity's
    first `docs` documents, so a very frequent entity stays cheap)."""
    return db.execute(
        "SELECT e.id, e.name, e.type, count(DISTINCT m.doc_rowid) AS n FROM mentions m "
        "JOIN entities e ON e.id = m.entity_id WHERE m.doc_rowid IN "
        "(SELECT DISTINCT doc_rowid FROM mentions WHERE entity_id = ? ORDER BY doc_rowid LIMIT ?) "
        "AND m.entity_id != ? GROUP BY e.id ORDER BY n DESC, e.name LIMIT ?",
        (entity_id, docs, entity_id, limit),
    ).fetchall()


def entity_documents(db: sqlite3.Connection, entity_id: str, page: Page) -> tuple[int, list[sqlite3.Row]]:
    total = db.execute("SELECT count(DISTINCT doc_rowid) FROM mentions WHERE entity_id = ?",
                       (entity_id,)).fetchone()[0]
    rows = db.execute(
        f"SELECT d.id, {_TITLE} AS title, d.lang, d.published, count(*) AS n FROM mentions m "
        "JOIN documents d ON d.rowid = m.doc_rowid WHERE m.entity_id = ? GROUP BY d.rowid "
        "ORDER BY d.published IS NULL, d.published DESC, d.rowid LIMIT ? OFFSET ?",
        (entity_id, page.limit, page.offset),
    ).fetchall()
    return int(total), rows


# --- overview ------------------------------------------------------------------------------------


def overview(db: sqlite3.Connection) -> dict[str, object]:
    """Counts for the front page."""
    def pairs(sql: str) -> list[tuple[str, int]]:
        return [(r[0] or "?", r[1]) for r in db.execute(sql)]

    return {
        "documents": db.execute("SELECT count(*) FROM documents").fetchone()[0],
        "events": db.execute("SELECT count(*) FROM events").fetchone()[0],
        "claims": db.execute("SELECT count(*) FROM claims").fetchone()[0],
        "entities": db.execute("SELECT count(DISTINCT entity_id) FROM mentions").fetchone()[0],
        "stories": db.execute("SELECT count(*) FROM stories").fetchone()[0],
        "shared_stories": db.execute("SELECT count(*) FROM stories WHERE size > 1").fetchone()[0],
        "langs": pairs("SELECT lang, count(*) AS n FROM documents GROUP BY lang ORDER BY n DESC, lang"),
        "event_types": pairs("SELECT type, count(*) AS n FROM events GROUP BY type ORDER BY n DESC, type"),
    }
