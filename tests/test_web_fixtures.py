"""Stores for the web tests (no tests here): the five reference seeds when ../shared is there
(ingested as `threatwatch ingest` does, embeddings on, so that they are grouped into stories),
plus a hostile document written below, whose every field carries markup that must never run,
placed in a story of its own.

Built once per test session and shared by test_web_api.py and test_web_browser.py.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from tests.conftest import seed_files
from threatwatch.ingest import read_file
from threatwatch.pipeline import document_id, ingest
from threatwatch.records import Actor, Claim, Document, Entity, Event, Mention, Paragraph, RawDocument, Span
from threatwatch.store import Store
from threatwatch.stories.assign import StoryIndex, story_id
from threatwatch.stories.signals import story_signals

SCRIPT = "<script>window.__pwned=1;alert(1)</script>"
IMG = '<img src=x onerror="window.__pwned=2;alert(2)">'
HOSTILE_ID = "0badc0de0badc0de"
HOSTILE_ENTITY = "other:x\"'><svg onload=alert(3)>"
HOSTILE_TITLE = f"Hostile {SCRIPT} headline"
HOSTILE_STORY = story_id(HOSTILE_ID)
_BUILT: dict[Path, Path] = {}


def hostile_document() -> Document:
    """Markup in the title, source, path, text, a mention, an entity, an event and a claim."""
    first = f"Officials said {SCRIPT} was posted on the site."
    second = f"Gunmen attacked {IMG} in the town, killing 3 people."
    text = f"{first}\n\n{second}"
    start2 = len(first) + 2
    img = Span(start2 + len("Gunmen attacked "), start2 + len("Gunmen attacked ") + len(IMG), IMG)
    three = text.index("3 people")
    killed = Span(three, three + 1, "3")
    sentence = Span(start2, len(text), second)
    script = Span(text.index(SCRIPT), text.index(SCRIPT) + len(SCRIPT), SCRIPT)
    return Document(
        id=HOSTILE_ID, path=f"{IMG}.txt", raw=text, text=text, url="javascript:alert(4)", title=HOSTILE_TITLE,
        published="2020-01-02", source=IMG, lang="en", langs=("en",),
        paragraphs=(Paragraph(0, len(first), "en"), Paragraph(start2, len(text), "en")),
        mentions=(Mention(img.start, img.end, IMG, "other", HOSTILE_ENTITY),),
        entities=(Entity(HOSTILE_ENTITY, SCRIPT, "other"),),
        events=(Event(id="ev-hostile", type="attack", evidence=(sentence,), attack_type="armed_assault",
                      date="2020-01-01", location=IMG, country="RU", lat=55.75, lon=37.62, killed=3,
                      actors=(Actor(HOSTILE_ENTITY, SCRIPT, "perpetrator", img),),
                      fields=(("killed", killed), ("location", img))),),
        claims=(Claim(id="cl-hostile", subject=SCRIPT, value=3, qualifier="exact", evidence=sentence,
                      speaker=IMG, said_on="2020-01-02", speaker_span=script),),
    )


def seed_ids() -> dict[str, str]:
    """Seed prefix ("003") -> document id."""
    ids = {}
    for path in seed_files():
        (raw,) = list(read_file(path))
        assert isinstance(raw, RawDocument)
        ids[path.name[:3]] = document_id(raw)
    return ids


def web_store(folder: Path) -> Path:
    """The seeds (when present) and the hostile document in one store, built once per session."""
    if folder not in _BUILT:
        folder.mkdir(parents=True, exist_ok=True)
        db = folder / "web.db"
        with Store(db) as store:
            if seed_files():
                ingest(store, seed_files(), workers=1)
            hostile = hostile_document()
            hostile = replace(hostile, signals=story_signals(hostile, embeddings=False))
            placement = StoryIndex(store).place(hostile)
            assert placement is not None and placement.story_id == HOSTILE_STORY, "the hostile story is its own"
            store.add_document(replace(hostile, story_id=placement.story_id), placement)
        _BUILT[folder] = db
    return _BUILT[folder]
