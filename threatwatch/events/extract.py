"""The events stage: a Document with its mentions in, its events and numeric claims out.

Numbers, dates and attributions are read per paragraph (a quotation often ends in the next
sentence: «…», he stressed.), in the paragraph's own language, then handed to each sentence.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import fields, replace
from typing import TypeVar

from threatwatch.events.assemble import assemble
from threatwatch.events.attribution import Attribution, find_attributions
from threatwatch.events.casualties import incident_count, stated_attackers
from threatwatch.events.claims import SentenceFacts, find_claims, speaker_mention, unnamed
from threatwatch.events.classify import UNKNOWN, second_opinion
from threatwatch.events.detect import EventMention, SentenceContext, find_mentions
from threatwatch.events.lexicon import lexicon
from threatwatch.events.quantities import find_quantities
from threatwatch.events.sentences import split_sentences
from threatwatch.events.when import find_times
from threatwatch.records import Actor, Claim, Document, Event, Mention, Span

T = TypeVar("T")
_NAME_TYPES = ("person", "organization", "armed_group")


def extract_events(doc: Document) -> tuple[tuple[Event, ...], tuple[Claim, ...]]:
    entities = {e.id: e for e in doc.entities}
    mentions = sorted(doc.mentions, key=lambda m: m.start)
    starts = [m.start for m in mentions]
    event_mentions: list[EventMention] = []
    facts: list[SentenceFacts] = []
    last_named: Actor | None = None  # who "he" is
    incidents = incident_count(doc.text, lexicon(doc.lang))
    attackers: int | None = None  # the last exact count of attackers met ("Two suicide bombers")
    for paragraph in doc.paragraphs or ():
        lang = paragraph.lang or doc.lang
        base, body = paragraph.start, doc.text[paragraph.start:paragraph.end]
        times = [_shifted(t, base) for t in find_times(body, lang or "en", doc.published)]
        # A number inside a date ("Jan. 4", "on 23 July") is part of the date, not a count.
        quantities = [q for q in (_shifted(q, base) for q in find_quantities(body, lang or "en"))
                      if not any(t.start < q.end and q.start < t.end for t in times)]
        inside = _between(mentions, starts, paragraph.start, paragraph.end)
        names = [(m.start - base, m.end - base) for m in inside if m.type in _NAME_TYPES]
        attributions = [_shifted(a, base) for a in find_attributions(body, lang or "en", names)]
        for s, e in split_sentences(body):
            start, end = base + s, base + e
            said = [a for a in attributions if a.scope_start < end and start < a.scope_end]
            speaker = None
            if said:
                speaker = _speaker(said[0], inside, entities)
                if unnamed(said[0], lang):
                    speaker = last_named
                else:
                    last_named = speaker
            here = [q for q in quantities if start <= q.start < end]
            attackers = stated_attackers(doc.text, start, end, here, lexicon(lang)) or attackers
            ctx = SentenceContext(
                text=doc.text, start=start, end=end, lex=lexicon(lang),
                quantities=here,
                times=[t for t in times if start <= t.start < end],
                mentions=_between(mentions, starts, start, end),
                entities=entities,
                speaker=speaker,
                incidents=incidents,
                attackers=attackers,
            )
            event_mentions += find_mentions(ctx)
            facts.append(SentenceFacts(start, end, lang, ctx.quantities, ctx.times, said))
    english = [(p.start, p.end) for p in doc.paragraphs or () if (p.lang or doc.lang) == "en"]
    events = tuple(_with_second_opinion(e) if _inside(e.evidence[0], english) else e
                   for e in assemble(doc.id, event_mentions, entities))
    claims = find_claims(doc.id, doc.text, facts, mentions, doc.published)
    return events, claims


def _inside(span: Span, ranges: Sequence[tuple[int, int]]) -> bool:
    return any(start <= span.start < end for start, end in ranges)


def _with_second_opinion(event: Event) -> Event:
    """An English attack's kind and weapon, with the learned model's say where it is confident."""
    if event.type != "attack":
        return event
    spans = dict(event.fields)
    changes: dict[str, str | None] = {}
    for field in ("weapon", "attack_type"):  # the weapon first: it rules some kinds out
        rules = getattr(event, field)
        weapon = changes.get("weapon", event.weapon)
        found = second_opinion(field, event.evidence, None if rules == "unknown" else rules, weapon)
        if found:
            changes[field], cue = found
            if field == "weapon" and changes[field] == UNKNOWN:
                changes[field] = None  # the evidence names no weapon
            if cue:
                spans[field] = cue
            else:
                spans.pop(field, None)
    return replace(event, **changes, fields=tuple(spans.items())) if changes else event  # type: ignore[arg-type]


def _between(mentions: Sequence[Mention], starts: list[int], start: int, end: int) -> list[Mention]:
    return [m for m in mentions[bisect.bisect_left(starts, start):bisect.bisect_left(starts, end)] if m.end <= end]


def _speaker(said: Attribution, mentions: Sequence[Mention], entities: dict) -> Actor:
    linked = speaker_mention(said, mentions)
    name = entities[linked.entity_id].name if linked and linked.entity_id in entities else said.speaker
    return Actor(linked.entity_id if linked else None, name, "speaker",
                 Span(said.speaker_start, said.speaker_end, said.speaker))


def _shifted(record: T, offset: int) -> T:
    """`record` with every offset field moved by `offset` (from paragraph to document offsets)."""
    changes = {}
    for f in fields(record):  # type: ignore[arg-type]
        if f.name == "start" or f.name == "end" or f.name.endswith(("_start", "_end")):
            value = getattr(record, f.name)
            if value is not None:
                changes[f.name] = value + offset
    return replace(record, **changes)  # type: ignore[type-var]
