"""The web server through the ASGI test client: the JSON API's shapes and filters, every page
on the seeds, escaping of a hostile document, and the guard (headers, token, limits, read-only)."""

from __future__ import annotations

import re
import sqlite3
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.test_web_fixtures import HOSTILE_ENTITY, HOSTILE_ID, IMG, SCRIPT, seed_ids, web_store
from threatwatch.cli import main
from threatwatch.records import Document
from threatwatch.search import search
from threatwatch.store.events import CLAIM_COLUMNS, EVENT_COLUMNS
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


def test_claims_timeline_and_stories(client: TestClient, seeds: dict[str, str]) -> None:
    claims = client.get("/api/claims", params={"doc": seeds["002"]}).json()
    assert claims["total"] and all(tuple(c) == CLAIM_COLUMNS for c in claims["results"])
    assert any(c["value"] == 3200 for c in claims["results"])
    putin = client.get("/api/claims", params={"entity": "vladimir-putin"}).json()["results"]
    assert putin and all(c["speaker_entity_id"] == "vladimir-putin" for c in putin)
    periods = client.get("/api/timeline", params={"granularity": "year"}).json()["results"]
    assert [p["period"] for p in periods] == sorted(p["period"] for p in periods)
    assert sum(p["count"] for p in periods) == client.get("/api/events", params={"from": "0000"}).json()["total"]
    assert client.get("/api/stories").json() == {"total": 0, "results": [], "limit": 20, "offset": 0}
    story = client.get("/api/stories/any")
    assert story.status_code == 404 and "not built yet" in story.json()["detail"]


def test_openapi_lists_the_api(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/api/search", "/api/documents/{doc_id}", "/api/entities", "/api/entities/{entity_id}", "/api/events",
            "/api/claims", "/api/stories", "/api/stories/{story_id}", "/api/timeline"} <= set(spec["paths"])
    assert all(set(methods) == {"get"} for methods in spec["paths"].values())


# --- pages -------------------------------------------------------------------------------------


def test_every_page_answers_on_the_seeds(client: TestClient, seeds: dict[str, str]) -> None:
    for path in ["/", "/search?q=Crocus", "/search?q=%D8%AF%D8%A7%D8%B9%D8%B4", "/search?lang=ar&from=2016",
                 "/entities", "/entities?type=person", "/entities/islamic-state", "/timeline",
                 "/timeline?granularity=year&type=attack", "/map", "/map?entity=islamic-state", "/claims",
                 "/claims?q=fighters", *(f"/documents/{doc_id}" for doc_id in seeds.values())]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/html")
    for path in ["/stories/x", "/documents/nope", "/entities/nope", "/no/such/page"]:
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


def test_arabic_reads_right_to_left(client: TestClient, seeds: dict[str, str]) -> None:
    page = client.get(f"/documents/{seeds['004']}").text
    assert 'lang="ar" dir="rtl"' in page and '<p dir="auto" lang="ar">' in page
    results = client.get("/search", params={"q": "داعش"}).text
    assert '<p class="snippet" dir="auto"><mark>' in results or "<mark>داعش</mark>" in results


def test_the_hostile_document_is_shown_as_text(client: TestClient) -> None:
    pages = [f"/documents/{HOSTILE_ID}", "/search?q=onerror", "/search?q=hostile", "/entities",
             "/entities/" + HOSTILE_ENTITY.replace('"', "%22").replace("'", "%27").replace(" ", "%20"),
             "/claims", "/timeline", "/map", "/"]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.text
        assert SCRIPT not in html and "<img src=x" not in html and "<svg onload" not in html, path
        assert "href=\"javascript:" not in html, path
    document = client.get(f"/documents/{HOSTILE_ID}").text
    assert "&lt;script&gt;window.__pwned=1;alert(1)&lt;/script&gt;" in document
    assert "&lt;img src=x onerror=" in document
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


def test_no_inline_script_or_style_in_pages(client: TestClient, seeds: dict[str, str]) -> None:
    for path in ["/", "/search?q=Crocus", f"/documents/{seeds['003']}", "/timeline", "/map", "/claims"]:
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
