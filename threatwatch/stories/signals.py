"""The story stage's view of a document, computed in the worker (pure: no store).

Features are the cheap cues that two reports tell one happening, each with a weight before
any store-wide weighting (the store multiplies by idf when it compares):
- `e:<entity id>`: a linked name (ids are the same in every script, so these match across
  languages); countries and regions are weak cues, so they count less;
- `v:<event type>:<place>`: an event signature (its type and place, by country and by the most
  specific place id);
- `w:<stem>`: a content word of the title and lead, folded and stemmed by the paragraph's
  language (stop words left out).
Two more kinds are marks of the title that only veto (`cluster.dates_differ`, `names_differ`):
- `d:<date>`: a day, month or year the title names in digits;
- `t:<entity id>`: a specific entity the title names.
"""

from __future__ import annotations

import importlib.util
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from functools import cache
from pathlib import Path
from typing import get_args

from threatwatch.entities.overrides import Override, resolve
from threatwatch.events.when import find_times
from threatwatch.normalize import index_tokens
from threatwatch.records import Document, EntityType, StorySignals
from threatwatch.stories import duplicates
from threatwatch.stories.embed import embed, lead_text, to_bytes

LEAD_WORDS = 150
MAX_FEATURES = 96
TITLE_WEIGHT = 2.0
EVENT_WEIGHT = 3.0  # a shared event signature (type and place) is the strongest cue of one happening
_REFERENCE_DATE = "2100-12-31"  # a date named without its year is read in this year, then the year dropped
_DIGIT = re.compile(r"\d")
_LANG_CODE = re.compile(r"[a-z]{2,3}")
_YEAR = re.compile(r"(?<!\d)(?:1[89]|20)\d\d(?!\d)")
UNLINKED_KINDS = get_args(EntityType)  # an unlinked name's id is `<kind>:<name key>`
# Broad places say little about which happening a report is about.
WEAK_ENTITY_PREFIXES = {"country:": 0.3, "region:": 0.5}


def day_number(published: str | None) -> int | None:
    """Days since 0001-01-01 for a full date; None for a partial or missing one."""
    if not published or len(published) < 10:
        return None
    try:
        return date.fromisoformat(published[:10]).toordinal()
    except ValueError:
        return None


@cache
def stop_words(lang: str | None) -> frozenset[str]:
    """spaCy's stop words for `lang`, folded as the index folds words. Their file is read on its
    own: importing it as `spacy.lang.fr.stop_words` would run `spacy.lang.fr` first, which compiles
    French's tokenizer patterns (3 s of CPU in every worker; entities/quick_load.py)."""
    if not lang or not _LANG_CODE.fullmatch(lang):
        return frozenset()
    spacy_spec = importlib.util.find_spec("spacy")
    if spacy_spec is None or not spacy_spec.origin:
        return frozenset()
    path = Path(spacy_spec.origin).parent / "lang" / lang / "stop_words.py"
    spec = importlib.util.spec_from_file_location(f"threatwatch_stop_words_{lang}", path)
    if not path.is_file() or spec is None or spec.loader is None:
        return frozenset()
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return frozenset(form for _, _, form in index_tokens(" ".join(module.STOP_WORDS), lang))


def word_features(doc: Document) -> Counter[str]:
    counts: Counter[str] = Counter()
    stop = stop_words(doc.lang)
    if doc.title:
        for _, _, form in index_tokens(doc.title, doc.lang):
            if len(form) > 2 and form not in stop:
                counts["w:" + form] += TITLE_WEIGHT
    seen = 0
    for para in doc.paragraphs or ():
        lang = para.lang or doc.lang
        para_stop = stop if lang == doc.lang else stop_words(lang)
        for _, _, form in index_tokens(doc.text[para.start : para.end], lang):
            seen += 1
            if len(form) > 2 and form not in para_stop:
                counts["w:" + form] += 1
            if seen >= LEAD_WORDS:
                return counts
    return counts


def entity_features(doc: Document) -> Counter[str]:
    counts: Counter[str] = Counter()
    for mention in doc.mentions:
        counts["e:" + mention.entity_id] += 1
    return counts


def event_features(doc: Document) -> Counter[str]:
    counts: Counter[str] = Counter()
    for event in doc.events:
        places = {p for p in (f"country:{event.country}" if event.country else None, event.location_id) if p}
        for place in places:
            counts[f"v:{event.type}:{place}"] = EVENT_WEIGHT
        if not places:
            counts[f"v:{event.type}"] = EVENT_WEIGHT
    return counts


def date_features(doc: Document) -> Counter[str]:
    """The days, months and years the title names in digits (`d:2016`, `d:2019-11-08`, `d:--11-08`
    when the year is not written): reports whose titles name different ones tell different
    happenings (`cluster.dates_differ`). Read against a fixed reference date, never the document's
    own, so that only what is written counts."""
    counts: Counter[str] = Counter()
    if not doc.title or not _DIGIT.search(doc.title):
        return counts
    for found in find_times(doc.title, doc.lang or "", _REFERENCE_DATE):
        if not found.value or not _DIGIT.search(found.text) or found.kind not in ("absolute", "relative"):
            continue
        value = found.value if _YEAR.search(found.text) else "--" + found.value[5:]
        if value != "--":
            counts["d:" + value] = 1
    return counts


def title_name_features(doc: Document) -> Counter[str]:
    """The specific names the title gives (`t:<entity id>`): entities the text names whose every
    word, stemmed, is a word of the title. Countries and regions are left out: reports of different
    happenings often share them. A name the models did not link is given under each of its possible
    kinds, as one model may call a theme park a place and another an organisation."""
    counts: Counter[str] = Counter()
    if not doc.title or not doc.mentions:
        return counts
    title = {form for _, _, form in index_tokens(doc.title, doc.lang)}
    seen: set[tuple[str, str]] = set()  # each spelling of an entity is read once, however often it recurs
    for mention in doc.mentions:
        spelling = (mention.entity_id, mention.text)
        if spelling in seen or "t:" + mention.entity_id in counts or \
                mention.entity_id.startswith(tuple(WEAK_ENTITY_PREFIXES)):
            continue
        seen.add(spelling)
        forms = [form for _, _, form in index_tokens(mention.text, doc.lang)]
        if forms and all(form in title for form in forms):
            kind, _, key = mention.entity_id.partition(":")
            ids = [f"{other}:{key}" for other in UNLINKED_KINDS] if kind in UNLINKED_KINDS else [mention.entity_id]
            counts.update({"t:" + entity_id: 1 for entity_id in ids})
    return counts


def _weight(feature: str, count: float) -> float:
    if feature.startswith("v:"):
        return count
    weight = 1.0 + math.log(count) if count >= 1 else count
    if feature.startswith("e:"):
        for prefix, factor in WEAK_ENTITY_PREFIXES.items():
            if feature.startswith(prefix, 2):
                return weight * factor
    return weight


def features(doc: Document) -> tuple[tuple[str, float], ...]:
    """The title's dates and names (they only veto, outside the count), then at most MAX_FEATURES
    weighted cues: events and entities first, then words."""
    marks = [*sorted(date_features(doc)), *sorted(title_name_features(doc))]
    picked: list[tuple[str, float]] = []
    for counts in (event_features(doc), entity_features(doc), word_features(doc)):
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        picked.extend((name, round(_weight(name, count), 4)) for name, count in ranked)
    return tuple([(name, 1.0) for name in marks] + picked[:MAX_FEATURES])


def with_corrections(doc: Document, overrides: Sequence[Override]) -> Document:
    """The document with the users' entity corrections applied to its mentions and its events'
    places (as the store applies them), so its cues name the entities the store holds."""
    if not overrides:
        return doc
    mentions = tuple(replace(m, entity_id=resolve(m.entity_id, m.text, overrides)) for m in doc.mentions)
    events = []
    for event in doc.events:
        if event.location_id:
            span = dict(event.fields).get("location")
            surface = span.text if span else event.location or ""
            event = replace(event, location_id=resolve(event.location_id, surface, overrides))
        events.append(event)
    return replace(doc, mentions=mentions, events=tuple(events))


def story_signals(doc: Document, embeddings: bool = True, embedding: bytes | None = None) -> StorySignals:
    """The document's story cues; its embedding is `embedding` when given (one already computed),
    else computed unless `embeddings` is False."""
    sig = duplicates.text_signature(doc.text)
    vector = embedding
    if vector is None and embeddings:
        vector = to_bytes(embed([lead_text(doc.title, doc.text)])[0])
    return StorySignals(
        minhash=sig.tobytes(),
        bands=duplicates.band_keys(sig),
        features=features(doc),
        embedding=vector,
        day=day_number(doc.published),
    )
