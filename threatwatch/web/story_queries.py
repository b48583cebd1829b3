"""Read-only SQL for stories: the list with its filters, and one story with its reports, its
merged (canonical) events with their toll ledgers, and its claims grouped by what they count.

Same rules as `queries.py`: every value is a `?` parameter, the SQL text is made of the fixed
fragments below. Records keep the SPEC shapes: stories through `threatwatch.store.stories.stories`,
merged events as `export events` writes them (`story_events`), claims as `export claims` writes
them (with `claim_group`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from threatwatch.search import fts_query
from threatwatch.store import Store
from threatwatch.store.events import claims as claim_records
from threatwatch.store.stories import stories as story_records
from threatwatch.store.stories import story_events
from threatwatch.stories.claims import with_claim_groups
from threatwatch.stories.merge import TOLL_FIELDS
from threatwatch.web.queries import _TITLE, Filters, Page, _in_json, _Where

_STORY_ORDERS = {
    "latest": "s.last_published IS NULL, s.last_published DESC, s.rowid DESC",
    "size": "s.size DESC, s.last_published IS NULL, s.last_published DESC, s.rowid DESC",
    "ingest": "s.rowid",  # the order the stories began, as `export stories` lists them
}
LIST_ENTITIES = 5  # main entities given per story in a list
STORY_ENTITIES = 15  # on a story's own record
_ENTITY_DOCS = 500  # main entities counted over a story's first documents only: bounded cost

# How a merged event's toll was chosen among its reports' figures (threatwatch.stories.merge).
RULES = {
    "only_figure": "the only figure reported",
    "reports_agree": "every report gives it",
    "latest_published": "from the latest-published report",
    "largest_of_latest": "the largest figure of the latest-published reports",
}
RULE_NOTE = ("Where reports differ, a merged event takes the figure of the latest-published report (tolls are "
             "revised as they become known; an undated report counts as the oldest), the largest among reports "
             "published the same day.")


def _story_where(filters: Filters, min_reports: int = 1) -> _Where:
    where = _Where()
    if min_reports > 1:
        where.add("s.size >= ?", min_reports)
    if filters.lang:
        where.add("EXISTS (SELECT 1 FROM documents d WHERE d.story_id = s.id AND d.lang = ?)", filters.lang)
    if filters.entity:
        where.add("s.rowid IN (SELECT sd.story_rowid FROM mentions m JOIN story_docs sd ON sd.doc_rowid = m.doc_rowid "
                  "WHERE m.entity_id = ?)", filters.entity)
    # A story spans [first_published, last_published]: it is kept when the span meets the range.
    if filters.date_from:
        where.add("s.last_published >= ?", filters.date_from)
    if filters.date_to:
        where.add("substr(s.first_published, 1, ?) <= ?", len(filters.date_to), filters.date_to)
    return where


def find_stories(
    db: sqlite3.Connection, filters: Filters, page: Page, order: str = "latest", min_reports: int = 1
) -> tuple[int, list[dict[str, object]]]:
    """SPEC story records passing the filters, each with its main `entities`; `filters.q` keeps
    the stories with a document matching the words (as search matches them)."""
    where = _story_where(filters, min_reports)
    if filters.q:
        expression, _ = fts_query(filters.q, filters.lang)
        if not expression:
            return 0, []
        where.add("s.rowid IN (SELECT sd.story_rowid FROM story_docs sd WHERE sd.doc_rowid IN "
                  "(SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?))", expression)
    total = db.execute(f"SELECT count(*) FROM stories s WHERE {where.sql()}", where.params).fetchone()[0]
    rowids = [r[0] for r in db.execute(
        f"SELECT s.rowid FROM stories s WHERE {where.sql()} ORDER BY {_STORY_ORDERS[order]} LIMIT ? OFFSET ?",
        [*where.params, page.limit, page.offset],
    )]
    found = {str(r["id"]): r for r in story_records(db, _in_json("s.rowid"), (json.dumps(rowids),))}
    ids = dict(db.execute(f"SELECT rowid, id FROM stories WHERE {_in_json('rowid')}", (json.dumps(rowids),)))
    results = []
    for rowid in rowids:
        record = found[ids[rowid]]
        record["entities"] = story_entities(db, rowid, LIST_ENTITIES)
        results.append(record)
    return int(total), results


def story_entities(db: sqlite3.Connection, story_rowid: int, limit: int) -> list[dict[str, object]]:
    """The entities named in most of the story's documents (then most often)."""
    rows = db.execute(
        "SELECT e.id, e.name, e.type, count(DISTINCT m.doc_rowid) AS doc_count, count(*) AS mention_count "
        "FROM mentions m JOIN entities e ON e.id = m.entity_id WHERE m.doc_rowid IN "
        "(SELECT doc_rowid FROM story_docs WHERE story_rowid = ? ORDER BY doc_rowid LIMIT ?) "
        "GROUP BY e.id ORDER BY doc_count DESC, mention_count DESC, e.id LIMIT ?",
        (story_rowid, _ENTITY_DOCS, limit),
    ).fetchall()
    return [dict(r) for r in rows]


def story_brief(db: sqlite3.Connection, story_id: str) -> sqlite3.Row | None:
    """id, title (the first report's words when untitled), size, langs (JSON list) of one story."""
    return db.execute(
        f"SELECT s.id, COALESCE(s.title, (SELECT {_TITLE} FROM documents d WHERE d.story_id = s.id "
        "ORDER BY d.rowid LIMIT 1)) AS title, s.size, "
        "(SELECT json_group_array(DISTINCT d.lang) FROM documents d WHERE d.story_id = s.id AND d.lang IS NOT NULL) "
        "AS langs FROM stories s WHERE s.id = ?",
        (story_id,),
    ).fetchone()


def story_reports(db: sqlite3.Connection, story_rowid: int) -> list[sqlite3.Row]:
    """The story's documents in ingest order (the order of `doc_ids`), without their text."""
    return db.execute(
        f"SELECT d.rowid, d.id, d.title, {_TITLE} AS label, d.lang, d.source, d.published, d.url, d.duplicate_of "
        "FROM story_docs sd JOIN documents d ON d.rowid = sd.doc_rowid WHERE sd.story_rowid = ? "
        "ORDER BY sd.doc_rowid",
        (story_rowid,),
    ).fetchall()


def canonical_choice(entries: Sequence[dict[str, object]], value: object) -> dict[str, object]:
    """Which ledger entry gave the merged value, and by which rule (as `merge_records` chooses:
    the latest-published report, the largest figure among reports of that day)."""
    key = [(str(e["published"] or ""), e["value"]) for e in entries]
    chosen = max(range(len(entries)), key=lambda i: key[i])  # type: ignore[arg-type, return-value]
    values = {e["value"] for e in entries}
    latest = key[chosen][0]
    if len(entries) == 1:
        rule = "only_figure"
    elif len(values) == 1:
        rule = "reports_agree"
    elif len({v for (day, v) in key if day == latest}) > 1:
        rule = "largest_of_latest"
    else:
        rule = "latest_published"
    explanation = RULES[rule]
    if rule in ("latest_published", "largest_of_latest"):
        explanation += f" ({latest})" if latest else " (no report is dated)"
    entry = entries[chosen]
    return {"value": value, "doc_id": entry["doc_id"], "published": entry["published"], "rule": rule,
            "explanation": explanation, "index": chosen}


def _with_ledger_detail(merged: dict[str, object], members: list[dict[str, object]]) -> dict[str, object]:
    """The merged record with each ledger entry's `span` (where its document gives the figure) and
    `canonical` flag, and `canonical`: per toll, the value, its document and the rule that chose it."""
    ledger: dict[str, list[dict[str, object]]] = merged.get("ledger") or {}  # type: ignore[assignment]
    canonical: dict[str, dict[str, object]] = {}
    detailed: dict[str, list[dict[str, object]]] = {}
    for name in TOLL_FIELDS:
        entries = ledger.get(name)
        if not entries:
            continue
        # A document's events never share a canonical event, so the document names the report.
        spans = {str(m["doc_ids"][0]): (m.get("fields") or {}).get(name) for m in members}  # type: ignore[index, union-attr]
        choice = canonical_choice(entries, merged[name])
        index = choice.pop("index")
        detailed[name] = [{**e, "span": spans.get(str(e["doc_id"])), "canonical": i == index}
                          for i, e in enumerate(entries)]
        canonical[name] = choice
    return {**merged, "ledger": detailed, "canonical": canonical}


def _claim_groups(store: Store, story_id: str, published: dict[str, str | None]) -> list[dict[str, object]]:
    """The story's claims by group, each group in the order the figures were said (`said_on`, else
    the document's publication date; undated last); groups whose figures differ first."""
    groups: dict[str, list[dict[str, object]]] = {}
    for record in with_claim_groups(store, claim_records(store.db, "d.story_id = ?", (story_id,))):
        record["published"] = published.get(str(record["doc_id"]))
        groups.setdefault(str(record["claim_group"]), []).append(record)
    out = []
    for key, members in groups.items():
        members.sort(key=lambda r: (str(r["said_on"] or r["published"] or "9999"), str(r["doc_id"])))
        out.append({"group": key, "subject": members[0]["subject"],
                    "values_differ": len({(m["value"], m["value_max"]) for m in members}) > 1,
                    "doc_count": len({m["doc_id"] for m in members}), "claims": members})
    out.sort(key=lambda g: (not g["values_differ"], -len(g["claims"]), g["group"]))  # type: ignore[arg-type]
    return out


def story_detail(store: Store, story_id: str) -> dict[str, object] | None:
    """The SPEC story record with its `reports`, merged `events` (SPEC event records with `ledger`
    and `canonical`), `claim_groups` and main `entities`; None when there is no such story."""
    db = store.db
    row = db.execute("SELECT rowid FROM stories WHERE id = ?", (story_id,)).fetchone()
    if row is None:
        return None
    record = next(story_records(db, "s.rowid = ?", (row[0],)))
    reports = story_reports(db, row[0])
    published = {r["id"]: r["published"] for r in reports}
    record["reports"] = [{"doc_id": r["id"], "title": r["title"], "lang": r["lang"], "source": r["source"],
                          "published": r["published"], "url": r["url"], "duplicate_of": r["duplicate_of"]}
                         for r in reports]
    record["events"] = [_with_ledger_detail(merged, members) for merged, members in story_events(db, story_id)]
    record["claim_groups"] = _claim_groups(store, story_id, published)
    record["entities"] = story_entities(db, row[0], STORY_ENTITIES)
    return record
