"""Event mentions in one sentence: a trigger word, what cancels it, and the arguments around it.

A sentence can hold several mentions of different types ("ISIS-K claimed responsibility for the
massacre" is a claim and an attack). Arguments are read from the same sentence only; joining a
mention to the others about the same happening is `assemble`'s job.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from threatwatch.events.casualties import Figure, read_casualties
from threatwatch.events.lexicon import Lexicon, Trigger
from threatwatch.events.quantities import Quantity
from threatwatch.events.when import TimeExpression
from threatwatch.records import Actor, Entity, Mention, Span

# When a sentence names several kinds of attack, the one GTD's codebook ranks first is kept
# (an assassination by bomb is an assassination; a bombing that also shoots is a bombing).
ATTACK_TYPE_PRIORITY = (
    "hijacking", "hostage_taking", "assassination", "bombing", "armed_assault", "facility_attack", "unarmed_assault",
)
# When a sentence names several weapons, the one GTD would code first: a blast over the gunfire
# around it (grenades and rockets are already "secondary" triggers that yield to guns).
WEAPON_PRIORITY = ("explosives", "firearms", "incendiary", "melee", "chemical", "vehicle", "other")
# Types that name what someone did to others: an armed group in the sentence is their perpetrator.
_PERPETRATED = {"attack", "threat", "claim_of_responsibility", "allegiance", "statement", "armed_clash"}
_HYPOTHETICAL_WINDOW = 70  # characters before a trigger searched for a modal or an intent cue
_NEGATION_WINDOW = 30
_PLACE_WINDOW = 100  # characters between a trigger and the place it happened
_TARGET_WINDOW = 80  # characters after a threat's trigger where its targets are named
_REFERS_BACK_WINDOW = 24  # characters before a trigger searched for "in the", "following the"
_WARFARE = {"military_operation", "armed_clash"}
FIGURES_ONLY = "figures"  # a sentence that counts victims without naming what happened
# Only these types count people: a threat or a claim of responsibility kills no one itself.
COUNTED = {"attack", "military_operation", "armed_clash", "arrest", "protest"}
# Where these happened is part of what they are; a threat or a pledge is made from anywhere.
PLACED = {"attack", "military_operation", "armed_clash", "arrest", "protest"}


@dataclass(frozen=True, slots=True)
class EventMention:
    type: str
    sentence: Span
    triggers: tuple[Span, ...]
    specific: bool
    attack_type: str | None = None
    secondary_type: bool = False  # the kind came from a word like "grenade" that yields to others
    weapon: str | None = None
    weapon_span: Span | None = None
    figures: tuple[Figure, ...] = ()
    date: TimeExpression | None = None
    place: Mention | None = None
    actors: tuple[Actor, ...] = ()
    actor_cue: bool = False  # an armed group, or a word like "militants", is named in the sentence
    attackers_named: bool = False  # a `with_attackers` trigger with attackers named before it in its clause
    only_with_attackers: bool = False  # every generic trigger is `attackers_only`: a date or figure starts nothing
    recent: bool = False  # "yesterday", "last week" with no publication date to resolve them against
    refers_back: bool = False  # a trigger points back at an event already told ("in the attack")


@dataclass(frozen=True, slots=True)
class SentenceContext:
    """What the earlier stages found inside one sentence, with offsets into the document text."""

    text: str  # the whole document text
    start: int
    end: int
    lex: Lexicon
    quantities: Sequence[Quantity]
    times: Sequence[TimeExpression]
    mentions: Sequence[Mention]
    entities: dict[str, Entity]
    speaker: Actor | None = None
    incidents: int = 1  # "one of three coordinated attacks": tolls given across them are shared
    attackers: int | None = None  # "Three suicide bombers ...": how many attackers the text has counted so far


def find_mentions(ctx: SentenceContext) -> list[EventMention]:
    sentence = ctx.text[ctx.start:ctx.end]
    hits = [(m, t) for m, t in _trigger_hits(sentence, ctx.lex)
            if not _in_name(sentence, m) and not _cancelled(sentence, m, t, ctx.lex)]
    by_type: dict[str, list[tuple[re.Match[str], Trigger]]] = {}
    for match, trigger in hits:
        by_type.setdefault(trigger.type, []).append((match, trigger))
    if by_type.keys() & _WARFARE and not any(t.specific for _, t in by_type.get("attack", [])):
        by_type.pop("attack", None)  # "killed in the air campaign": the killing belongs to the operation
    # Read once per sentence: a sentence with an attack and an arrest counts its people once.
    figures = tuple(read_casualties(ctx.text, ctx.start, ctx.end, ctx.quantities, ctx.lex, ctx.incidents,
                                   ctx.attackers))
    mentions = [_mention(ctx, sentence, kind, found, figures if kind in COUNTED else ())
                for kind, found in by_type.items()]
    if not mentions and figures:
        # "12 people were killed." after the sentence that named the blast: its figures join it.
        span = Span(ctx.start, ctx.end, sentence)
        mentions.append(EventMention(FIGURES_ONLY, span, (span,), specific=False, figures=figures))
    return mentions


def _in_name(sentence: str, match: re.Match[str]) -> bool:
    """A capitalised trigger inside a sentence is part of a name ("Department for New Challenges
    and Threats"); scripts without case never are."""
    words = [w for w in match.group().split() if w[:1].isalpha()]
    return match.start() > 0 and bool(words) and all(w[0].isupper() for w in words) and not match.group().isupper()


def _trigger_hits(sentence: str, lex: Lexicon) -> list[tuple[re.Match[str], Trigger]]:
    """Every trigger match; where two overlap the longer wins ('bombing campaign' over 'bombing')."""
    if not lex.any_trigger.search(sentence):
        return []  # most sentences: one regex pass instead of one per trigger
    found = [(m, t) for t in lex.triggers for m in t.pattern.finditer(sentence)]
    found.sort(key=lambda hit: (hit[0].start() - hit[0].end(), hit[0].start()))
    kept: list[tuple[re.Match[str], Trigger]] = []
    for match, trigger in found:
        if all(match.end() <= k.start() or k.end() <= match.start() for k, _ in kept):
            kept.append((match, trigger))
    return sorted(kept, key=lambda hit: hit[0].start())


def _cancelled(sentence: str, match: re.Match[str], trigger: Trigger, lex: Lexicon) -> bool:
    """A trigger under a negation, a modal ('could soon spread') or, for what is not itself a
    threat, an intent ('plans to attack', 'urged them to stage attacks') reports nothing."""
    before = _clause_before(sentence, match.start(), lex)
    if lex.negation.search(before[-_NEGATION_WINDOW:]):
        return True
    window = before[-_HYPOTHETICAL_WINDOW:]
    if lex.modal.search(window):
        return True
    return trigger.type != "threat" and bool(lex.intent.search(window) or lex.intent.search(match.group()))


def _clause_before(sentence: str, position: int, lex: Lexicon) -> str:
    head = sentence[:position]
    breaks = list(lex.clause_breaks.finditer(head))
    return head[breaks[-1].end():] if breaks else head


def _mention(
    ctx: SentenceContext, sentence: str, kind: str, found: list[tuple[re.Match[str], Trigger]],
    figures: tuple[Figure, ...],
) -> EventMention:
    base = ctx.start
    triggers = tuple(Span(base + m.start(), base + m.end(), m.group()) for m, _ in found)
    attack_type = weapon = None
    weapon_span = None
    secondary = False
    if kind == "attack":
        ranked = sorted(((t.secondary, ATTACK_TYPE_PRIORITY.index(t.attack_type)) for _, t in found if t.attack_type))
        attack_type = ATTACK_TYPE_PRIORITY[ranked[0][1]] if ranked else None
        secondary = bool(ranked) and ranked[0][0]
        armed = [(match, trigger) for match, trigger in found if trigger.weapon]
        if armed:
            match, trigger = min(armed, key=lambda hit: (hit[1].secondary, WEAPON_PRIORITY.index(hit[1].weapon or "")))
            weapon, weapon_span = trigger.weapon, Span(base + match.start(), base + match.end(), match.group())
        if weapon is None:
            weapon, weapon_span = _weapon(sentence, base, ctx.lex)
    position = found[0][0].start() + base
    return EventMention(
        type=kind,
        sentence=Span(ctx.start, ctx.end, sentence),
        triggers=triggers,
        specific=any(t.specific for _, t in found),
        attack_type=attack_type,
        secondary_type=secondary,
        weapon=weapon,
        weapon_span=weapon_span,
        figures=figures,
        date=_closest_time(ctx.times, position),
        place=_place(ctx.mentions, triggers, ctx.text, ctx.lex),
        actors=_actors(ctx, kind, position),
        recent=any(t.kind == "relative" and not t.value for t in ctx.times),
        actor_cue=any(m.type == "armed_group" for m in ctx.mentions) or bool(ctx.lex.actor_nouns.search(sentence)),
        attackers_named=any(t.with_attackers and _attackers_before(ctx, sentence, m.start()) for m, t in found),
        only_with_attackers=all(t.attackers_only for _, t in found if not t.specific),
        refers_back=ctx.lex.refers_back is not None and any(
            ctx.lex.refers_back.search(sentence, max(0, m.start() - _REFERS_BACK_WINDOW), m.start()) for m, _ in found),
    )


def _attackers_before(ctx: SentenceContext, sentence: str, position: int) -> bool:
    """Whether the clause before `position` names attackers: a word like "gunmen" or an armed group."""
    clause = _clause_before(sentence, position, ctx.lex)
    clause_start = ctx.start + position - len(clause)
    return bool(ctx.lex.actor_nouns.search(clause)) or any(
        m.type == "armed_group" and clause_start <= m.start and m.end <= ctx.start + position for m in ctx.mentions)


def _weapon(sentence: str, base: int, lex: Lexicon) -> tuple[str | None, Span | None]:
    for pattern, weapon in lex.weapons:
        match = pattern.search(sentence)
        if match:
            return weapon, Span(base + match.start(), base + match.end(), match.group())
    return None, None


def _closest_time(times: Sequence[TimeExpression], position: int) -> TimeExpression | None:
    # A "since 2015" is the start of a period and an anchored one has no value: neither dates an event.
    dated = [t for t in times if t.value and t.kind in ("absolute", "relative")]
    return min(dated, key=lambda t: abs(t.start - position), default=None)


def _place(mentions: Sequence[Mention], triggers: Sequence[Span], text: str, lex: Lexicon) -> Mention | None:
    """The most precise place named in a trigger's clause: a city before a region before a
    country. A place in another clause is somewhere else ("..., but U.S. agencies said")."""
    def distance(m: Mention) -> int:
        return min(max(t.start - m.end, m.start - t.end, 0) for t in triggers)

    def same_clause(m: Mention) -> bool:
        return any(not lex.clause_breaks.search(text[min(t.end, m.end):max(t.start, m.start)]) for t in triggers)

    places = [m for m in mentions if m.type == "location" and distance(m) <= _PLACE_WINDOW and same_clause(m)]
    return min(places, key=lambda m: (place_precision(m.entity_id), distance(m)), default=None)


def place_precision(entity_id: str) -> int:
    """Lower is more precise: a city (geo:), an unknown named place, a region, a country."""
    return {"geo": 0, "region": 2, "country": 3}.get(entity_id.split(":")[0], 1)


def _actors(ctx: SentenceContext, kind: str, position: int) -> tuple[Actor, ...]:
    actors: list[Actor] = []
    seen: set[tuple[str, str]] = set()
    for m in ctx.mentions:
        role = _role(kind, m, position)
        if role and (m.entity_id, role) not in seen:
            seen.add((m.entity_id, role))
            actors.append(Actor(m.entity_id, ctx.entities[m.entity_id].name if m.entity_id in ctx.entities else m.text,
                                role, Span(m.start, m.end, m.text)))
    if ctx.speaker and (ctx.speaker.entity_id, "speaker") not in seen:
        actors.append(ctx.speaker)
    return tuple(actors)


def _role(kind: str, m: Mention, position: int) -> str | None:
    if m.type == "armed_group":
        if kind in ("military_operation", "arrest"):
            return "target"
        if kind == "allegiance" and m.start > position:
            return "target"  # the group sworn to
        return "perpetrator" if kind in _PERPETRATED else None
    if (kind == "threat" and position < m.start <= position + _TARGET_WINDOW
            and m.type in ("person", "location", "organization")):
        return "target"
    if kind in ("arrest", "military_operation") and m.type == "organization" and m.start < position:
        return "authority"
    return None
