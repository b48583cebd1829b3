"""The pages in a real headless Chromium, as a person uses them: search, click a value to see
its evidence, read Arabic right to left, and open a hostile document without anything running.

Needs Chromium (Debian's `chromium`, which .ci/run installs; or $THREATWATCH_CHROMIUM) and the
`playwright` package, which drives it without downloading a browser of its own; skipped, with
the reason, where either is missing. Screenshots go to $THREATWATCH_ARTIFACTS, else
tests/artifacts/ (ignored by git).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.test_web_fixtures import HOSTILE_ID, HOSTILE_STORY, HOSTILE_TITLE, seed_ids, web_store
from threatwatch.web import create_app
from threatwatch.web.security import Limits

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
ARTIFACTS = Path(os.environ.get("THREATWATCH_ARTIFACTS") or REPO / "tests" / "artifacts")


def _chromium() -> str | None:
    for candidate in (os.environ.get("THREATWATCH_CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium",
                      shutil.which("chromium-browser"), shutil.which("google-chrome")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on a free loopback port, in a thread of this process."""
    import uvicorn

    app = create_app(web_store(tmp_path_factory.getbasetemp() / "web"), limits=Limits(rate_per_minute=0))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    instance = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not instance.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert instance.started, "the test server did not start"
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    executable = _chromium()
    if executable is None:
        pytest.skip("no Chromium found (apt-get install chromium, or set THREATWATCH_CHROMIUM)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=executable, headless=True, args=CHROMIUM_FLAGS,
            viewport={"width": 1400, "height": 900},
        )
        yield context
        context.close()


class Watched:
    """A page that records dialogs (alert) and console errors (CSP violations among them)."""

    def __init__(self, context: object, base: str) -> None:
        self.page = context.new_page()  # type: ignore[attr-defined]
        self.base = base
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def _dialog(self, dialog: object) -> None:
        self.dialogs.append(dialog.message)  # type: ignore[attr-defined]
        dialog.dismiss()  # type: ignore[attr-defined]

    def open(self, path: str) -> object:
        self.page.goto(self.base + path)
        return self.page

    def shot(self, name: str, full_page: bool = False) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


@pytest.fixture
def watched(browser: object, server: str) -> Iterator[Watched]:
    view = Watched(browser, server)
    yield view
    view.page.close()


@pytest.fixture(scope="module")
def seeds() -> dict[str, str]:
    ids = seed_ids()
    if not ids:
        pytest.skip("reference seeds not found; set THREATWATCH_SHARED")
    return ids


def test_search_crocus_finds_seed_003(watched: Watched, seeds: dict[str, str]) -> None:
    page = watched.open("/")
    page.fill("input[name=q]", "Crocus")
    page.press("input[name=q]", "Enter")
    page.wait_for_selector(".hit")
    assert page.locator(f".hit a[href='/documents/{seeds['003']}']").count() == 1
    assert page.locator(".snippet mark", has_text="Crocus").count() >= 1
    watched.shot("search-crocus")
    page.click(f".hit a[href='/documents/{seeds['003']}']")
    page.wait_for_selector("#doc-text")
    assert not watched.errors and not watched.dialogs


def test_clicking_an_event_value_highlights_its_evidence(watched: Watched, server: str, seeds: dict[str, str]) -> None:
    import json
    import urllib.request

    doc_id = seeds["003"]
    with urllib.request.urlopen(f"{server}/api/events?doc={doc_id}&type=attack") as response:
        events = json.load(response)["results"]
    event = next(e for e in events if "killed" in e["fields"])
    span = event["fields"]["killed"]
    page = watched.open(f"/documents/{doc_id}")
    link = page.locator(f".panel #event-{event['id']} a.val[href='#span-{span['start']}-{span['end']}']")
    link.click()
    page.wait_for_selector("#doc-text .hl")
    shown = "".join(page.locator("#doc-text .hl").all_inner_texts())
    assert shown == span["text"]
    assert link.get_attribute("aria-current") == "location"
    first = page.locator("#doc-text .hl").first
    box = first.bounding_box()
    assert box is not None and 0 <= box["y"] <= page.viewport_size["height"], "the evidence is scrolled into view"
    watched.shot("document-evidence-killed")
    evidence = event["evidence"][-1]
    page.click(f".panel #event-{event['id']} a.evl[href='#span-{evidence['start']}-{evidence['end']}']")
    page.wait_for_function(f"document.body.dataset.highlighted === '{evidence['start']}-{evidence['end']}'")
    assert " ".join("".join(page.locator("#doc-text .hl").all_inner_texts()).split()) == " ".join(
        evidence["text"].split())
    assert not watched.errors and not watched.dialogs


def test_a_claim_on_another_page_opens_at_its_evidence(watched: Watched, seeds: dict[str, str]) -> None:
    page = watched.open("/claims?q=citizens")
    link = page.locator("table.claims a.val").first
    href = link.get_attribute("href")
    link.click()
    page.wait_for_selector("#doc-text .hl")
    start, end = (int(x) for x in href.rsplit("#span-", 1)[1].split("-"))
    assert page.evaluate("document.body.dataset.highlighted") == f"{start}-{end}"
    watched.shot("claim-evidence")
    assert not watched.errors


def test_arabic_document_reads_right_to_left(watched: Watched, seeds: dict[str, str]) -> None:
    page = watched.open(f"/documents/{seeds['004']}")
    directions = page.eval_on_selector_all("#doc-text p", "ps => ps.map(p => getComputedStyle(p).direction)")
    assert directions and set(directions) == {"rtl"}
    watched.shot("document-arabic")
    results = watched.open("/search?q=%D8%AF%D8%A7%D8%B9%D8%B4")
    assert results.eval_on_selector(".snippet", "p => getComputedStyle(p).direction") == "rtl"
    assert not watched.errors


def _json(url: str) -> dict[str, object]:
    import json
    import urllib.request

    with urllib.request.urlopen(url) as response:
        return json.load(response)  # type: ignore[no-any-return]


def test_story_of_seed_000_sets_english_and_arabic_side_by_side(watched: Watched, server: str,
                                                                 seeds: dict[str, str]) -> None:
    story_id = _json(f"{server}/api/documents/{seeds['000']}")["story_id"]
    page = watched.open("/")
    page.click("header.top nav a[href='/stories']")
    page.wait_for_selector("table.stories")
    page.click(f"table.stories a.story[href='/stories/{story_id}']")
    page.wait_for_selector(".langcol")
    assert page.url == f"{server}/stories/{story_id}"
    english, arabic = page.locator(".langcol[lang=en]"), page.locator(".langcol[lang=ar]")
    assert english.locator(f"a[href='/documents/{seeds['000']}']").is_visible()
    assert arabic.locator(f"a[href='/documents/{seeds['004']}']").is_visible()
    assert english.evaluate("el => getComputedStyle(el).direction") == "ltr"
    assert arabic.evaluate("el => getComputedStyle(el).direction") == "rtl"
    assert arabic.locator(".lead").evaluate("el => getComputedStyle(el).direction") == "rtl"
    left, right = english.bounding_box(), arabic.bounding_box()
    assert left and right and left["x"] + left["width"] <= right["x"] and abs(left["y"] - right["y"]) < 2, \
        "the two languages stand side by side"
    assert page.locator("tr.canonical").count() >= 1
    watched.shot("story", full_page=True)
    watched.shot("story-top")
    assert not watched.errors and not watched.dialogs, watched.errors


def test_a_merged_event_opens_the_arabic_report_at_its_evidence(watched: Watched, server: str,
                                                                seeds: dict[str, str]) -> None:
    story_id = _json(f"{server}/api/documents/{seeds['000']}")["story_id"]
    story = _json(f"{server}/api/stories/{story_id}")
    event = next(e for e in story["events"] if {s["doc_id"] for s in e["evidence"]} == {seeds["000"], seeds["004"]})  # type: ignore[attr-defined,index]
    span = next(s for s in event["evidence"] if s["doc_id"] == seeds["004"])
    href = f"/documents/{span['doc_id']}#span-{span['start']}-{span['end']}"
    page = watched.open(f"/stories/{story_id}")
    link = page.locator(f"#event-{event['id']} .sources a.evl[href='{href}']")
    assert link.evaluate("a => getComputedStyle(a.closest('li')).direction") == "rtl"
    link.click()
    page.wait_for_selector("#doc-text .hl")
    assert page.url == server + href
    assert page.evaluate("document.body.dataset.highlighted") == f"{span['start']}-{span['end']}"
    shown = "".join(page.locator("#doc-text .hl").all_inner_texts())
    assert " ".join(shown.split()) == " ".join(span["text"].split())
    box = page.locator("#doc-text .hl").first.bounding_box()
    assert box is not None and 0 <= box["y"] <= page.viewport_size["height"], "the evidence is scrolled into view"
    watched.shot("story-evidence-arabic")
    page.go_back()
    page.wait_for_selector(".langcol")
    ledger = page.locator("table.tolls tr.canonical a.val").first
    ledger.click()
    page.wait_for_selector("#doc-text .hl")
    assert "/documents/" in page.url and "#span-" in page.url
    assert not watched.errors and not watched.dialogs, watched.errors


def test_hostile_document_shows_its_payload_as_text(watched: Watched) -> None:
    for path in [f"/documents/{HOSTILE_ID}", "/search?q=onerror", "/claims", "/map", "/entities", "/stories",
                 f"/stories/{HOSTILE_STORY}"]:
        page = watched.open(path)
        page.wait_for_load_state("load")
        assert page.evaluate("window.__pwned") is None, path
    page = watched.open(f"/documents/{HOSTILE_ID}")
    assert page.inner_text("h1") == HOSTILE_TITLE
    assert page.locator("#doc-text script, #doc-text img, .panel img, h1 script").count() == 0
    assert "<img src=x onerror=" in page.inner_text("#doc-text")
    page.click(".panel a.val >> nth=0")
    page.wait_for_selector("#doc-text .hl")
    watched.shot("document-hostile")
    assert watched.dialogs == [] and page.evaluate("window.__pwned") is None
    assert not watched.errors, watched.errors


def test_overview_timeline_map_and_ledger_render(watched: Watched, seeds: dict[str, str]) -> None:
    for name, path, selector in [("overview", "/", ".summary"), ("timeline", "/timeline", "svg.chart rect"),
                                 ("map", "/map", ".map circle"), ("claims", "/claims", ".ledger"),
                                 ("entity-islamic-state", "/entities/islamic-state", ".aliases li")]:
        page = watched.open(path)
        page.wait_for_selector(selector)
        watched.shot(name)
    assert watched.open("/map").locator(".countries path").count() > 150
    assert not watched.errors, watched.errors  # a CSP violation (inline script or style) would show here
