"""The story stage's view of a document, computed in the worker (pure: no store).

Features are the cheap cues that two reports tell one happening, each with a weight before
any store-wide weighting (the store multiplies by idf when it compares):
- `e:<entity id>`: a linked name (ids are the same in every script, so these match across
  languages); countries and regions are weak cues, so they count less;
- `v:<event type>:<place>`: an event signature (its type and place, by country and by the most
  specific place id);
- `w:<stem>`: a content word of the title and lead, folded and stemmed by the paragraph's
  language (stop words left out).
"""

from __future__ import annotations

import importlib
import math
from collections import Counter
from datetime import date
from functools import cache

from threatwatch.normalize import index_tokens
from threatwatch.records import Document, StorySignals
from threatwatch.stories import duplicates
from threatwatch.stories.embed import embed, lead_text, to_bytes

LEAD_WORDS = 150
MAX_FEATURES = 96
TITLE_WEIGHT = 2.0
EVENT_WEIGHT = 3.0  # a shared event signature (type and place) is the strongest cue of one happening
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
    if not lang:
        return frozenset()
    try:
        module = importlib.import_module(f"spacy.lang.{lang}.stop_words")
    except ImportError:
        return frozenset()
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
    """At most MAX_FEATURES weighted features: entities and events first, then words."""
    picked: list[tuple[str, float]] = []
    for counts in (event_features(doc), entity_features(doc), word_features(doc)):
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        picked.extend((name, round(_weight(name, count), 4)) for name, count in ranked)
    return tuple(picked[:MAX_FEATURES])


def story_signals(doc: Document, embeddings: bool = True) -> StorySignals:
    sig = duplicates.text_signature(doc.text)
    vector = to_bytes(embed([lead_text(doc.title, doc.text)])[0]) if embeddings else None
    return StorySignals(
        minhash=sig.tobytes(),
        bands=duplicates.band_keys(sig),
        features=features(doc),
        embedding=vector,
        day=day_number(doc.published),
    )
