"""The web server through the ASGI test client: the JSON API's shapes and filters, every page
on the seeds, escaping of a hostile document, and the guard (headers, token, limits, read-only)."""

from __future__ import annotations

import re
import sqlite3
import warnings
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.test_web_fixtures import HOSTILE_ENTITY, HOSTILE_ID, HOSTILE_STORY, IMG, SCRIPT, seed_ids, web_store
from threatwatch.cli import main
from threatwatch.records import Document
from threatwatch.search import search
from threatwatch.store.events import CLAIM_COLUMNS, EVENT_COLUMNS
from threatwatch.store.stories import STORY_COLUMNS
from threatwatch.web import create_app
from threatwatch.web.readonly import ReadOnlyStore
from threatwatch.web.security import CONTENT_SECURITY_POLICY, Limits, RateLimiter

with warnings.catch_warnings():
    # Starlette would rather have httpx2; httpx (pinned in the test extras) works the same here.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

BASE = "http://127.0.0.1:8000"
DOCUMENT_COLUMNS = tuple(Document(id="", path="", raw="", text="").to_dict())


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return web_store(tmp_path_factory.getbasetemp() / "web")


@pytest.fixture(scope="module")
def client(db: Path) -> TestClient:
    return TestClient(create_app(db, limits=Limits(rate_per_minute=0)), base_url=BASE)


@pytest.fixture(scope="module")
def seeds() -> dict[str, str]:
    ids = seed_ids()
    if not ids:
        pytest.skip("reference seeds not found; set THREATWATCH_SHARED")
    return ids


# --- API ---------------------------------------------------------------------------------------


def test_search_finds_the_crocus_seed(client: TestClient, seeds: dict[str, str]) -> None:
    body = client.get("/api/search", params={"q": "Crocus"}).json()
    assert seeds["003"] in [r["doc_id"] for r in body["results"]]
    assert body["total"] == len(body["results"])
    assert all(set(r) == {"doc_id", "title", "snippet", "lang", "published"} for r in body["results"])
    assert any("[Crocus]" in r["snippet"] for r in body["results"])


def test_api_search_answers_as_the_cli_does(client: TestClient, db: Path, seeds: dict[str, str]) -> None:
    store = ReadOnlyStore(db)
    for query in ["Crocus", "داعش", "Putin said", "Islamic State", "теракт"]:
        api = client.get("/api/search", params={"q": query}).json()
        cli = search(store, query, limit=20).to_dict()
        assert (api["total"], api["results"]) == (cli["total"], cli["results"]), query
    store.close()


def test_search_across_scripts_with_filters_and_facets(client: TestClient, seeds: dict[str, str]) -> None:
    arabic = client.get("/api/search", params={"q": "داعش", "facets": "true"}).json()
    assert seeds["004"] in [r["doc_id"] for r in arabic["results"]]
    assert dict(arabic["facets"]["lang"])["ar"] >= 1
    only_en = client.get("/api/search", params={"q": "داعش", "lang": "en"}).json()
    assert seeds["004"] not in [r["doc_id"] for r in only_en["results"]]
    dated = client.get("/api/search", params={"from": "2016-11", "to": "2016-11"}).json()
    assert dated["results"] and all(r["published"].startswith("2016-11") for r in dated["results"])
    by_entity = client.get("/api/search", params={"entity": "islamic-state-khorasan"}).json()
    assert seeds["003"] in [r["doc_id"] for r in by_entity["results"]]
    assert client.get("/api/search", params={"q": '"*) OR NEAR('}).status_code == 200  # no FTS syntax leaks


def test_document_record_is_the_export_record(client: TestClient, seeds: dict[str, str]) -> None:
    record = client.get(f"/api/documents/{seeds['002']}").json()
    assert tuple(record) == DOCUMENT_COLUMNS
    assert record["published"] == "2016-11-21"
    missing = client.get("/api/documents/nope")
    assert missing.status_code == 404 and "nope" in missing.json()["detail"]


def test_entities_list_and_record(client: TestClient, seeds: dict[str, str]) -> None:
    listing = client.get("/api/entities", params={"type": "armed_group", "limit": 5}).json()
    assert listing["results"][0]["id"] == "islamic-state" and listing["limit"] == 5
    assert all(e["type"] == "armed_group" for e in listing["results"])
    record = client.get("/api/entities/islamic-state", params={"mention_limit": 3}).json()
    assert {"Daesh", "ISIS", "داعش"} <= set(record["aliases"])
    assert len(record["mentions"]) == 3 and record["mention_count"] > 3
    assert record["doc_count"] == len(record["doc_ids"]) >= 2
    assert seeds["004"] in record["doc_ids"]
    by_script = client.get("/api/entities", params={"q": "بوتين"}).json()
    assert "vladimir-putin" in [e["id"] for e in by_script["results"]]


def test_events_filters_and_pagination(client: TestClient, seeds: dict[str, str]) -> None:
    attacks = client.get("/api/events", params={"type": "attack", "limit": 100}).json()
    assert attacks["total"] > 2 and {e["type"] for e in attacks["results"]} == {"attack"}
    assert all(tuple(e) == EVENT_COLUMNS for e in attacks["results"])
    first, second = (client.get("/api/events", params={"limit": 2, "offset": o}).json()["results"] for o in (0, 2))
    assert len(first) == len(second) == 2 and {e["id"] for e in first}.isdisjoint(e["id"] for e in second)
    kabul = client.get("/api/events", params={"country": "AF", "from": "2016-07", "to": "2016-07"}).json()["results"]
    assert kabul and all(e["country"] == "AF" and e["date"].startswith("2016-07") for e in kabul)
    with_is = client.get("/api/events", params={"entity": "islamic-state", "limit": 100}).json()["results"]
    assert with_is and all(any(a["entity_id"] == "islamic-state" for a in e["actors"]) for e in with_is)
    by_date = client.get("/api/events", params={"sort": "date", "limit": 100}).json()["results"]
    dates = [e["date"] for e in by_date if e["date"]]
    assert dates == sorted(dates)
    assert client.get("/api/events", params={"limit": 101}).status_code == 422
    assert client.get("/api/events", params={"type": "picnic"}).status_code == 422
    assert client.get("/api/events", params={"from": "last week"}).status_code == 422


def test_claims_and_timeline(client: TestClient, seeds: dict[str, str]) -> None:
    claims = client.get("/api/claims", params={"doc": seeds["002"]}).json()
    assert claims["total"] and all(tuple(c) == CLAIM_COLUMNS for c in claims["results"])
    assert any(c["value"] == 3200 for c in claims["results"])
    putin = client.get("/api/claims", params={"entity": "vladimir-putin"}).json()["results"]
    assert putin and all(c["speaker_entity_id"] == "vladimir-putin" for c in putin)
    periods = client.get("/api/timeline", params={"granularity": "year"}).json()["results"]
    assert [p["period"] for p in periods] == sorted(p["period"] for p in periods)
    assert sum(p["count"] for p in periods) == client.get("/api/events", params={"from": "0000"}).json()["total"]


@pytest.fixture(scope="module")
def shared_story(client: TestClient, seeds: dict[str, str]) -> dict[str, Any]:
    """The story of seed 000 (the English report of the ISIS video threatening Russia), as listed."""
    story_id = client.get(f"/api/documents/{seeds['000']}").json()["story_id"]
    assert story_id, "seed 000 is in a story"
    listed = client.get("/api/stories", params={"limit": 100}).json()["results"]
    return next(s for s in listed if s["id"] == story_id)


def test_seeds_000_and_004_share_one_story(client: TestClient, db: Path, seeds: dict[str, str],
                                           shared_story: dict[str, Any]) -> None:
    listing = client.get("/api/stories", params={"limit": 100}).json()
    assert listing["total"] == len(listing["results"]) and listing["limit"] == 100 and listing["offset"] == 0
    assert all(tuple(s)[: len(STORY_COLUMNS)] == STORY_COLUMNS for s in listing["results"])
    assert shared_story["doc_ids"] == [seeds["000"], seeds["004"]]
    assert shared_story["langs"] == ["en", "ar"]
    assert client.get(f"/api/documents/{seeds['004']}").json()["story_id"] == shared_story["id"]
    for other in ("001", "002", "003"):
        assert seeds[other] not in shared_story["doc_ids"]
        assert client.get(f"/api/documents/{seeds[other]}").json()["story_id"] != shared_story["id"]
    assert "islamic-state" in [e["id"] for e in shared_story["entities"]]
    # The list is the export's records (plus main entities), in the order `export stories` gives with sort=ingest.
    store = ReadOnlyStore(db)
    exported = list(store.stories())
    store.close()
    ingest_order = client.get("/api/stories", params={"sort": "ingest", "limit": 100}).json()["results"]
    assert [{k: s[k] for k in STORY_COLUMNS} for s in ingest_order] == exported


def test_story_record_has_reports_merged_events_and_claim_groups(
    client: TestClient, db: Path, seeds: dict[str, str], shared_story: dict[str, Any]
) -> None:
    response = client.get(f"/api/stories/{shared_story['id']}")
    assert response.status_code == 200
    story = response.json()
    assert {k: story[k] for k in STORY_COLUMNS} == {k: shared_story[k] for k in STORY_COLUMNS}
    reports = {r["doc_id"]: r for r in story["reports"]}
    assert list(reports) == story["doc_ids"]
    assert {r["lang"] for r in story["reports"]} == {"en", "ar"}
    assert reports[seeds["000"]]["published"] == "2016-08-02" and reports[seeds["000"]]["duplicate_of"] is None
    assert set(reports[seeds["004"]]) == {"doc_id", "title", "lang", "source", "published", "url", "duplicate_of"}
    texts = {doc_id: client.get(f"/api/documents/{doc_id}").json()["text"] for doc_id in story["doc_ids"]}

    assert [e["id"] for e in story["events"]] == story["event_ids"]
    both = [e for e in story["events"] if {s["doc_id"] for s in e["evidence"]} == {seeds["000"], seeds["004"]}]
    assert both, "a merged event has evidence from the English and the Arabic report"
    for event in story["events"]:
        assert event["story_id"] == story["id"] and set(event["doc_ids"]) <= set(story["doc_ids"])
        for span in event["evidence"]:
            assert texts[span["doc_id"]][span["start"]:span["end"]] == span["text"]
    # The merged events are the export's (`export events`), with spans and a flag on the ledger and `canonical`.
    store = ReadOnlyStore(db)
    exported = {e["id"]: e for e in store.merged_events() if e["story_id"] == story["id"]}
    store.close()
    assert set(exported) == set(story["event_ids"])
    for event in story["events"]:
        plain = {k: v for k, v in event.items() if k != "canonical"}
        plain["ledger"] = {name: [{k: v for k, v in entry.items() if k not in ("span", "canonical")}
                                  for entry in entries] for name, entries in event["ledger"].items()}
        assert plain == exported[event["id"]]
        assert set(event["canonical"]) == set(event["ledger"])
    # A toll the reports disagree on: every figure kept, the canonical one the latest report's.
    disputed = [e for e in story["events"] if len({x["value"] for x in e["ledger"].get("killed", [])}) > 1]
    assert disputed, "the reports of the story give different death tolls for one happening"
    event = disputed[0]
    entries = event["ledger"]["killed"]
    assert {x["doc_id"] for x in entries} == {seeds["000"], seeds["004"]}
    picked = [x for x in entries if x["canonical"]]
    assert len(picked) == 1 and picked[0]["value"] == event["killed"] == event["canonical"]["killed"]["value"]
    assert picked[0]["doc_id"] == seeds["000"]  # dated 2016-08-02; the undated Arabic report counts as older
    assert event["canonical"]["killed"]["rule"] == "latest_published"
    assert "2016-08-02" in event["canonical"]["killed"]["explanation"]
    for entry in entries:
        span = entry["span"]
        assert span["doc_id"] == entry["doc_id"] and texts[span["doc_id"]][span["start"]:span["end"]] == span["text"]
    assert picked[0]["speaker"] == "Sergey Shoigu"

    groups = story["claim_groups"]
    assert groups and all(set(g) == {"group", "subject", "values_differ", "doc_count", "claims"} for g in groups)
    claims = [c for g in groups for c in g["claims"]]
    listed = client.get("/api/claims", params={"story": story["id"], "limit": 100}).json()
    assert sorted(c["id"] for c in claims) == sorted(c["id"] for c in listed["results"]) and listed["total"] == len(
        claims)
    for group in groups:
        assert all(c["claim_group"] == group["group"] for c in group["claims"])
        order = [str(c["said_on"] or c["published"] or "9999") for c in group["claims"]]
        assert order == sorted(order)
        assert group["values_differ"] == (len({c["value"] for c in group["claims"]}) > 1)
    assert [g["values_differ"] for g in groups] == sorted((g["values_differ"] for g in groups), reverse=True)
    killed = next(g for g in groups if g["group"] == "fighters:killed:RU")
    assert [c["value"] for c in killed["claims"]] == [2000, 45] and killed["values_differ"]
    assert killed["claims"][0]["speaker"] == "Sergey Shoigu" and killed["claims"][0]["said_on"] == "2016-08-02"


def test_stories_filters_and_pagination(client: TestClient, seeds: dict[str, str],
                                        shared_story: dict[str, Any]) -> None:
    def ids(**params: object) -> list[str]:
        body = client.get("/api/stories", params={"limit": 100, **params}).json()
        assert body["total"] == len(body["results"])
        return [s["id"] for s in body["results"]]

    everything = ids()
    assert len(everything) >= 4 and shared_story["id"] in everything
    assert ids(lang="ar") == [shared_story["id"]]
    assert shared_story["id"] not in ids(lang="de")
    assert ids(min_reports=2) == [shared_story["id"]]
    peskov = ids(entity="dmitry-peskov")  # named in the Arabic report only
    assert peskov == [shared_story["id"]]
    crocus = ids(q="Crocus")
    assert crocus == [client.get(f"/api/documents/{seeds['003']}").json()["story_id"]]
    assert ids(q="داعش") == [shared_story["id"]]  # the Arabic report only
    assert ids(q="!!!") == []
    assert shared_story["id"] in ids(**{"from": "2016-08", "to": "2016-08"})
    assert shared_story["id"] not in ids(**{"from": "2016-09"})
    november = ids(**{"from": "2016-11-01", "to": "2016-11-30"})
    assert november == [client.get(f"/api/documents/{seeds['002']}").json()["story_id"]]
    by_size = client.get("/api/stories", params={"sort": "size"}).json()["results"]
    assert by_size[0]["id"] == shared_story["id"]
    first, second = (client.get("/api/stories", params={"limit": 2, "offset": o}).json() for o in (0, 2))
    assert len(first["results"]) == 2 and first["total"] == len(everything) and second["offset"] == 2
    assert {s["id"] for s in first["results"]}.isdisjoint(s["id"] for s in second["results"])
    assert [s["id"] for s in first["results"] + second["results"]] == everything[:4]
    assert client.get("/api/stories", params={"limit": 101}).status_code == 422
    assert client.get("/api/stories", params={"sort": "random"}).status_code == 422
    assert client.get("/api/stories", params={"from": "August"}).status_code == 422
    missing = client.get("/api/stories/st-0000000000000000")
    assert missing.status_code == 404 and "st-0000000000000000" in missing.json()["detail"]


def test_timeline_events_and_claims_of_one_story(client: TestClient, shared_story: dict[str, Any]) -> None:
    story_id = shared_story["id"]
    events = client.get("/api/events", params={"story": story_id, "limit": 100}).json()
    assert events["total"] > len(shared_story["event_ids"])  # the reports' events: more than the merged ones
    assert all(e["story_id"] == story_id for e in events["results"])
    periods = client.get("/api/timeline", params={"story": story_id, "granularity": "month"}).json()["results"]
    dated = client.get("/api/events", params={"story": story_id, "from": "0000"}).json()["total"]
    assert periods and sum(p["count"] for p in periods) == dated
    everything = client.get("/api/timeline", params={"granularity": "month"}).json()["results"]
    assert sum(p["count"] for p in periods) < sum(p["count"] for p in everything)
    assert client.get("/api/timeline", params={"story": "st-nope"}).json() == {"total": 0, "results": []}
    claims = client.get("/api/claims", params={"story": story_id, "limit": 100}).json()["results"]
    assert claims and {c["doc_id"] for c in claims} <= set(shared_story["doc_ids"])


def test_head_answers_like_get_without_a_body(client: TestClient, shared_story: dict[str, Any]) -> None:
    for path in ["/api/stories", f"/api/stories/{shared_story['id']}", "/api/events?limit=3", "/",
                 f"/stories/{shared_story['id']}", "/static/style.css", "/openapi.json"]:
        got, head = client.get(path), client.head(path)
        assert head.status_code == got.status_code == 200, path
        assert head.content == b"", path
        assert head.headers["content-type"] == got.headers["content-type"], path
        assert int(head.headers["content-length"]) == len(got.content), path
        assert head.headers["content-security-policy"] == CONTENT_SECURITY_POLICY, path
    assert client.head("/api/stories/st-nope").status_code == 404
    assert client.head("/no/such/page").status_code == 404
    assert client.head("/api/stories", params={"limit": 1000}).status_code == 422


def test_openapi_lists_the_api(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/api/search", "/api/documents/{doc_id}", "/api/entities", "/api/entities/{entity_id}", "/api/events",
            "/api/claims", "/api/stories", "/api/stories/{story_id}", "/api/timeline"} <= set(spec["paths"])
    assert all(set(methods) == {"get"} for methods in spec["paths"].values())
    schemas = spec["components"]["schemas"]
    assert set(schemas["EntitySummary"]["properties"]) < set(schemas["EntityRecord"]["properties"])
    assert {"reports", "events", "claim_groups"} <= set(schemas["StoryDetail"]["properties"])
    assert {"ledger", "canonical"} <= set(schemas["MergedEvent"]["properties"])


# --- pages -------------------------------------------------------------------------------------


def test_every_page_answers_on_the_seeds(client: TestClient, seeds: dict[str, str]) -> None:
    for path in ["/", "/search?q=Crocus", "/search?q=%D8%AF%D8%A7%D8%B9%D8%B4", "/search?lang=ar&from=2016",
                 "/entities", "/entities?type=person", "/entities/islamic-state", "/timeline",
                 "/timeline?granularity=year&type=attack", "/map", "/map?entity=islamic-state", "/claims",
                 "/claims?q=fighters", "/stories", "/stories?min=2&sort=size", "/stories?lang=ar&from=2016",
                 "/stories?q=Crocus&entity=islamic-state", "/stories?min=oops&sort=random",
                 *(f"/documents/{doc_id}" for doc_id in seeds.values())]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/html")
    for path in ["/stories/x", "/stories/st-0000000000000000", "/documents/nope", "/entities/nope", "/no/such/page"]:
        assert client.get(path).status_code == 404, path
        assert "<html" in client.get(path).text


def test_document_page_links_every_value_to_its_span(client: TestClient, seeds: dict[str, str]) -> None:
    doc_id = seeds["003"]
    html = client.get(f"/documents/{doc_id}").text
    events = client.get("/api/events", params={"doc": doc_id, "limit": 100}).json()["results"]
    claims = client.get("/api/claims", params={"doc": doc_id, "limit": 100}).json()["results"]
    spans = [s for e in events for s in e["fields"].values()] + [c["evidence"] for c in claims]
    spans += [s for e in events for s in e["evidence"]]
    assert spans
    starts = {int(s) for s in re.findall(r'data-s="(\d+)"', html)}
    ends = {int(e) for e in re.findall(r'data-e="(\d+)"', html)}
    for span in spans:
        assert f'href="#span-{span["start"]}-{span["end"]}"' in html, span
        assert span["start"] in starts and span["end"] in ends, span
    mentions = client.get("/api/entities/islamic-state").json()["mentions"]
    for mention in (m for m in mentions if m["doc_id"] == doc_id):
        assert f'href="#span-{mention["start"]}-{mention["end"]}"' in html


def test_story_page_sets_the_reports_side_by_side(client: TestClient, seeds: dict[str, str],
                                                  shared_story: dict[str, Any]) -> None:
    story = client.get(f"/api/stories/{shared_story['id']}").json()
    page = client.get(f"/stories/{story['id']}")
    assert page.status_code == 200
    html = page.text
    assert '<section class="langcol" id="lang-en" lang="en" dir="ltr">' in html
    assert '<section class="langcol" id="lang-ar" lang="ar" dir="rtl">' in html
    assert html.index('id="lang-en"') < html.index(f'id="report-{seeds["000"]}"') < html.index('id="lang-ar"')
    assert html.index('id="lang-ar"') < html.index(f'id="report-{seeds["004"]}"')
    for report in story["reports"]:
        assert f'href="/documents/{report["doc_id"]}"' in html
    for event in story["events"]:
        assert f'id="event-{event["id"]}"' in html
        for span in event["evidence"]:  # every report's evidence links to its document at the span
            assert f'href="/documents/{span["doc_id"]}#span-{span["start"]}-{span["end"]}"' in html
    assert re.search(r'<li lang="ar" dir="rtl"><span class="lang" dir="ltr">ar</span>', html)
    assert html.count('<tr class="canonical">') == sum(len(e["canonical"]) for e in story["events"])
    assert "from the latest-published report (2016-08-02)" in html and "reports differ" in html
    assert "<code><bdi>fighters:killed:RU</bdi></code>" in html and "figures differ" in html
    assert f'href="/timeline?story={story["id"]}"' in html
    listing = client.get("/stories").text
    assert f'href="/stories/{story["id"]}"' in listing and "Stories</a>" in listing
    assert f'href="/stories/{story["id"]}"' in client.get("/").text
    for seed in ("000", "004"):  # each report says which story it is part of
        document = client.get(f"/documents/{seeds[seed]}").text
        assert f'Part of story <a class="story" href="/stories/{story["id"]}"' in document
        assert "2 reports in en, ar" in document
    timeline = client.get("/timeline", params={"story": story["id"], "granularity": "month"}).text
    assert "story: <bdi>ISIS-Daesh Video" in timeline


def test_arabic_reads_right_to_left(client: TestClient, seeds: dict[str, str]) -> None:
    page = client.get(f"/documents/{seeds['004']}").text
    assert 'lang="ar" dir="rtl"' in page and '<p dir="auto" lang="ar">' in page
    results = client.get("/search", params={"q": "داعش"}).text
    assert '<p class="snippet" dir="auto"><mark>' in results or "<mark>داعش</mark>" in results


def test_the_hostile_document_is_shown_as_text(client: TestClient) -> None:
    pages = [f"/documents/{HOSTILE_ID}", "/search?q=onerror", "/search?q=hostile", "/entities",
             "/entities/" + HOSTILE_ENTITY.replace('"', "%22").replace("'", "%27").replace(" ", "%20"),
             "/claims", "/timeline", "/map", "/", "/stories", f"/stories/{HOSTILE_STORY}",
             f"/timeline?story={HOSTILE_STORY}"]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.text
        assert SCRIPT not in html and "<img src=x" not in html and "<svg onload" not in html, path
        assert "href=\"javascript:" not in html, path
    document = client.get(f"/documents/{HOSTILE_ID}").text
    assert "&lt;script&gt;window.__pwned=1;alert(1)&lt;/script&gt;" in document
    assert "&lt;img src=x onerror=" in document
    story = client.get(f"/stories/{HOSTILE_STORY}").text
    assert "Hostile &lt;script&gt;window.__pwned=1;alert(1)&lt;/script&gt; headline" in story
    assert "&lt;img src=x onerror=" in story and f'href="/documents/{HOSTILE_ID}#span-' in story
    api = client.get(f"/api/documents/{HOSTILE_ID}").json()
    assert SCRIPT in api["text"] and api["source"] == IMG  # the API returns the data, as JSON


# --- the guard -----------------------------------------------------------------------------------


def test_security_headers_on_every_response(client: TestClient) -> None:
    for path in ["/", "/api/events", "/static/app.js", "/no/such/page", "/openapi.json"]:
        headers = client.get(path).headers
        assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert "script-src 'self'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"


def test_no_inline_script_or_style_in_pages(client: TestClient, seeds: dict[str, str],
                                            shared_story: dict[str, Any]) -> None:
    for path in ["/", "/search?q=Crocus", f"/documents/{seeds['003']}", "/timeline", "/map", "/claims", "/stories",
                 f"/stories/{shared_story['id']}"]:
        html = client.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert " style=" not in html and "<style" not in html and " on" + "click=" not in html, path


def test_read_only(client: TestClient, db: Path) -> None:
    for method in ("post", "put", "delete", "patch"):
        assert getattr(client, method)("/api/events").status_code == 405
    store = client.app.app.state.pool.get()  # type: ignore[attr-defined]
    with pytest.raises(sqlite3.OperationalError):
        store.db.execute("CREATE TABLE x (a)")


def test_request_limits(client: TestClient) -> None:
    assert client.post("/api/events", content=b"x" * 20_000).status_code == 413
    assert client.get("/api/search", params={"q": "a" * 5000}).status_code == 414
    assert client.get("/api/search", params={"q": "a" * 600}).status_code == 422
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400  # DNS rebinding


def test_rate_limit_per_client(db: Path) -> None:
    limited = TestClient(create_app(db, limits=Limits(rate_per_minute=60, burst=3)), base_url=BASE)
    statuses = [limited.get("/api/stories").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limiter = RateLimiter(per_minute=60, burst=1)
    assert limiter.allow("a", now=0.0) == 0 and limiter.allow("a", now=0.1) > 0 and limiter.allow("b", now=0.1) == 0
    assert limiter.allow("a", now=1.2) == 0


def test_token_required_when_set(db: Path) -> None:
    guarded = TestClient(create_app(db, token="s3cret", allowed_hosts=None), base_url="http://10.0.0.5:8000")
    refused = guarded.get("/api/stories")
    assert refused.status_code == 401 and refused.headers["www-authenticate"].startswith("Bearer")
    assert guarded.get("/static/style.css").status_code == 401
    assert guarded.get("/api/stories", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert guarded.get("/api/stories", headers={"Authorization": "Bearer s3cret"}).status_code == 200
    opened = guarded.get("/", params={"token": "s3cret"})
    assert opened.status_code == 200 and "threatwatch_token=s3cret" in opened.headers["set-cookie"]
    assert "HttpOnly" in opened.headers["set-cookie"]
    assert guarded.get("/map").status_code == 200  # the cookie from ?token= carries on


def test_serve_refuses_a_public_address_without_a_token(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("THREATWATCH_TOKEN", raising=False)
    refused = CliRunner().invoke(main, ["serve", "--db", str(db), "--host", "0.0.0.0"])
    assert refused.exit_code == 2 and "without a token" in refused.stderr
    calls: list[dict[str, object]] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kwargs: calls.append(kwargs))
    started = CliRunner().invoke(main, ["serve", "--db", str(db), "--host", "0.0.0.0", "--port", "8123"],
                                 env={"THREATWATCH_TOKEN": "t0k"})
    assert started.exit_code == 0, started.output
    assert calls == [{"host": "0.0.0.0", "port": 8123, "log_level": "warning", "server_header": False,
                      "proxy_headers": False}]
    assert "token required" in started.stderr
    missing = CliRunner().invoke(main, ["serve", "--db", str(db.parent / "none.db")])
    assert missing.exit_code == 2 and "no store at" in missing.stderr
