"""One document's event mentions joined into its events.

An article names one attack many times ("the Crocus City Hall attack", "the shooting", "the
massacre"). A mention joins the latest event of its type it does not contradict: a different
place (Moscow is not Kerman; Moscow is inside Russia), a different date (unless the sentence
tells what followed the attack: `_aftermath`), or, for threats, a different perpetrator. A
mention that joins nothing starts an event only if it says something specific: a generic
"attacks on Ukraine" with no kind, figure, date or weapon is not an event.

The event's figures follow one stated rule: for each outcome, the largest total any one sentence
gives. Tolls are revised upward and restated ("143 killed", "the toll rose to 143"), so taking
the largest keeps the latest report without adding restatements together; a figure marked as
more ("three others were also killed") is added to it, and one marked as settled ("the final
toll", ACLED's "fatalities coded as 5") replaces them all. `killed` is the toll
as reported: a suicide bomber "killing 80 people" gives 80, though GTD would code 81.

An attack whose kind no word names takes it from its weapon, by the codebook's definitions
(a shooting is an armed assault, chemicals make an unarmed assault), else, when people were
hurt, is an armed assault; otherwise it stays `unknown`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from threatwatch.events.casualties import final_totals, perpetrators_killed, totals
from threatwatch.events.detect import (
    ATTACK_TYPE_PRIORITY,
    COUNTED,
    FIGURES_ONLY,
    PLACED,
    WEAPON_PRIORITY,
    EventMention,
    place_precision,
)
from threatwatch.records import Actor, Entity, Event, Span

ATTACK_TYPE_BY_WEAPON = {
    "firearms": "armed_assault", "melee": "armed_assault", "explosives": "bombing",
    "incendiary": "facility_attack", "chemical": "unarmed_assault", "vehicle": "unarmed_assault",
}
_NEED_ACTOR = {"threat", "claim_of_responsibility", "allegiance"}


@dataclass(slots=True)
class _Cluster:
    type: str
    mentions: list[EventMention] = field(default_factory=list)

    def place_id(self) -> str | None:
        return next((m.place.entity_id for m in self.mentions if m.place), None)

    def date(self) -> str | None:
        return next((m.date.value for m in self.mentions if m.date and m.date.value), None)

    def recent(self) -> bool:
        return any(m.recent for m in self.mentions)

    def perpetrators(self) -> set[str]:
        return {a.entity_id for m in self.mentions for a in m.actors if a.role == "perpetrator" and a.entity_id}


def assemble(doc_id: str, mentions: Sequence[EventMention], entities: dict[str, Entity]) -> tuple[Event, ...]:
    clusters: list[_Cluster] = []
    for mention in mentions:
        if mention.type in _NEED_ACTOR and not mention.actor_cue:
            continue
        if mention.type == FIGURES_ONLY:
            counted = [c for c in clusters if c.type in COUNTED]
            if counted:
                counted[-1].mentions.append(mention)
            continue  # "to threaten the Kremlin" with no militant in sight is politics
        # Among the events a mention fits, the one reported most so far: an article restates
        # its main story ("the attack", "the shooting"), while side stories are named once.
        fitting = [c for c in clusters if c.type == mention.type and _fits(c, mention, entities)]
        home = max(reversed(fitting), key=lambda c: len(c.mentions), default=None)
        if home is None:
            if not _can_start(mention):
                continue
            home = _Cluster(mention.type)
            clusters.append(home)
        home.mentions.append(mention)
    return tuple(_event(doc_id, c, entities) for c in clusters)


def _can_start(mention: EventMention) -> bool:
    if mention.type == "attack":
        if mention.specific or mention.attackers_named:
            return True
        # a toll of none ("no casualties in the attack") tells an attack's outcome, not that one happened
        hurt = any(own or extra for own, extra, _ in totals(mention.figures).values())
        return not mention.only_with_attackers and bool(hurt or mention.date or mention.weapon)
    if mention.type in _NEED_ACTOR:
        return mention.specific  # "the threat" alone only joins a threat already reported
    return mention.specific


def _fits(cluster: _Cluster, mention: EventMention, entities: dict[str, Entity]) -> bool:
    place = mention.place.entity_id if mention.place and mention.type in PLACED else None
    if place and cluster.place_id() and not _same_place(place, cluster.place_id(), entities):
        return False
    date = mention.date.value if mention.date else None
    known = cluster.date()
    if date and known and not (date.startswith(known) or known.startswith(date)) \
            and not _aftermath(mention, known, date):
        return False
    # "yesterday's threat" and "the threat of November 2015" are two, even with no publication
    # date to tell how far apart they are.
    if (date and not known and cluster.recent()) or (known and not date and mention.recent):
        return False
    if mention.type == "threat":
        mine = {a.entity_id for a in mention.actors if a.role == "perpetrator" and a.entity_id}
        theirs = cluster.perpetrators()
        if mine and theirs and not mine & theirs:
            return False
    return True


AFTERMATH_DAYS = 7  # a later date with no word pointing back: what followed within a week
REFERRED_BACK_DAYS = 31  # a later date in a sentence that points back ("in the attack"): within a month


def _aftermath(mention: EventMention, known: str, date: str) -> bool:
    """A later date in a sentence that tells what followed an attack, with no attackers acting anew:
    it points back at the attack ("two soldiers were abducted in the attack and released on March
    20"), or it names no kind of its own ("the body was recovered on 05/13/2011"), and falls soon
    after. The date is the later happening's; the attack stays one event. An earlier date is another
    story ("since the attack of 2015"). Called only for dates that contradict each other, so neither
    is a prefix of the other and comparing the strings compares the days."""
    if mention.type != "attack" or date < known or mention.attackers_named:
        return False
    if not mention.refers_back and mention.attack_type:
        return False
    if len(known) != 10 or len(date) != 10:
        return False
    days = (dt.date.fromisoformat(date) - dt.date.fromisoformat(known)).days
    return days <= (REFERRED_BACK_DAYS if mention.refers_back else AFTERMATH_DAYS)


def _same_place(a: str, b: str | None, entities: dict[str, Entity]) -> bool:
    """Equal, or one is the country the other lies in; a name the places data cannot locate (a
    street, a village it lacks) does not contradict one it can: "Batyr Murzayev Street" may be in
    Khasavyurt. Two names it cannot locate are two places."""
    if b is None or a == b:
        return True
    country_a, country_b = _country(a, entities), _country(b, entities)
    if bool(country_a) != bool(country_b):
        return True
    if not country_a or country_a != country_b:
        return False
    return a.startswith("country:") or b.startswith("country:")


def _country(entity_id: str, entities: dict[str, Entity]) -> str | None:
    entity = entities.get(entity_id)
    return entity.country if entity else None


def _event(doc_id: str, cluster: _Cluster, entities: dict[str, Entity]) -> Event:
    mentions = cluster.mentions
    evidence = tuple(dict.fromkeys(m.sentence for m in mentions))
    fields: dict[str, Span] = {"type": mentions[0].triggers[0]}
    attack_type = weapon = date = None
    if cluster.type == "attack":
        typed = [m for m in mentions if m.attack_type]
        typed.sort(key=lambda m: (m.secondary_type, ATTACK_TYPE_PRIORITY.index(m.attack_type or "")))
        armed = min((m for m in mentions if m.weapon), default=None,
                    key=lambda m: (m.secondary_type, WEAPON_PRIORITY.index(m.weapon or "other")))
        if armed:
            weapon = armed.weapon
            if armed.weapon_span:
                fields["weapon"] = armed.weapon_span
        if typed:
            attack_type = typed[0].attack_type
            fields["attack_type"] = typed[0].triggers[0]
        elif weapon:
            attack_type = ATTACK_TYPE_BY_WEAPON[weapon]
        else:
            attack_type = None
    dated = next((m.date for m in mentions if m.date and m.date.value), None)
    if dated:
        date = dated.value
        fields["date"] = Span(dated.start, dated.end, dated.text)
    place = min((m.place for m in mentions if m.place), key=lambda p: place_precision(p.entity_id), default=None)
    figures: dict[str, tuple[int, Span]] = {}
    extras: dict[str, int] = {}
    shared: dict[str, int] = {}  # the number of incidents the chosen toll was given for
    for mention in mentions:
        for outcome, (own, extra, span) in totals(mention.figures).items():
            extras[outcome] = extras.get(outcome, 0) + extra
            if outcome not in figures or own > figures[outcome][0]:
                figures[outcome] = (own, span)
                shared[outcome] = max((f.across for f in mention.figures), default=1)
    for outcome, extra in extras.items():
        figures[outcome] = (figures[outcome][0] + extra, figures[outcome][1])
    # Attackers who died count among the dead (GTD's and ACLED's convention), once however many
    # sentences say so: the largest number any sentence gives.
    attackers = max((found for m in mentions if (found := perpetrators_killed(m.figures))),
                    key=lambda found: found[0], default=None)
    if any(f.included for m in mentions for f in m.figures):
        attackers = None  # a toll that says it includes the attackers already counts them
    if attackers:
        victims, span = figures.get("killed", (0, attackers[1]))
        figures["killed"] = (victims + attackers[0], span)
    # "One of three coordinated attacks ... 39 killed across all three": each gets an even share,
    # rounded half up (GTD's codebook divides such tolls the same way).
    for outcome, incidents in shared.items():
        if incidents > 1:
            value, span = figures[outcome]
            figures[outcome] = (int(value / incidents + 0.5), span)
    for mention in mentions:
        figures.update(final_totals(mention.figures))
    for outcome, (_, span) in figures.items():
        fields[outcome] = span
    if cluster.type == "attack" and attack_type is None:
        hurt = any(figures.get(outcome, (0,))[0] > 0 for outcome in ("killed", "injured"))
        attack_type = "armed_assault" if hurt else "unknown"
    if place:
        fields["location"] = Span(place.start, place.end, place.text)
    entity = entities.get(place.entity_id) if place else None
    unique: dict[tuple[str, str], Actor] = {}
    for mention in mentions:
        for actor in mention.actors:
            unique.setdefault((actor.entity_id or actor.name, actor.role), actor)
    actors = tuple(unique.values())
    return Event(
        id=_event_id(doc_id, cluster.type, evidence[0]),
        type=cluster.type,  # type: ignore[arg-type]
        evidence=evidence,
        attack_type=attack_type,
        weapon=weapon,
        date=date,
        location=entity.name if entity else (place.text if place else None),
        location_id=place.entity_id if place else None,
        country=entity.country if entity else None,
        lat=entity.lat if entity else None,
        lon=entity.lon if entity else None,
        actors=actors,
        killed=figures["killed"][0] if "killed" in figures else None,
        injured=figures["injured"][0] if "injured" in figures else None,
        arrested=figures["arrested"][0] if "arrested" in figures else None,
        fields=tuple(fields.items()),
    )


def _event_id(doc_id: str, kind: str, first: Span) -> str:
    return "ev-" + hashlib.sha256(f"{doc_id}:{kind}:{first.start}".encode()).hexdigest()[:16]
