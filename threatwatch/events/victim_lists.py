"""Victims named one by one: "killed a prison guard and a barber", "killing him and his wife",
"He killed seven students, a teacher, and himself", "The militant and four police officers were killed".

Numbers alone miss these tolls: a singular noun phrase, a pronoun or a name is one death each, and an
attacker in the list ("the militant", "himself") is the attackers' death, counted apart. The list is
the coordination right after an active killing verb, or right before a passive one, read item by
item; any item that cannot be counted (a bare plural, a vague number, a clause) ends the list
there. A list needs two items joined by "and" to be read, except one victim named in full after an
active verb ("shot and killed farm owner Carlos Alberto Murcia"). An apposition is not a second
person, and a list after "including" is a breakdown of a toll counted elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from threatwatch.events.quantities import Quantity

_ITEM_SPLIT = re.compile(r",\s*(?:and\s+)?|\s+and\s+")
_WORDS = re.compile(r"[\w'’-]+")
MAX_ITEM_WORDS = 6
MAX_ROLE_WORDS = 3  # lower-case words before a victim's name ("police commander Jean-Baptiste Salvaing")
# what may stand before a count in a victim item ("his three children"); a verb may not ("inuring nine")
_BEFORE_A_COUNT = frozenset({"", "the", "all", "all the", "another", "some", "his", "her", "their", "its"})
_NEW_VERB = re.compile(r"\b(?:[a-z]+ed|[a-z]+ing|found|was|were|is|are)\b")
_OF_OWNER = re.compile(r"^\s*of\s+(?:his|her|their|its)\b", re.IGNORECASE)
_APPOSITION_AFTER = re.compile(r",\s+(?:a|an|the|his|her)\s", re.IGNORECASE)
_QUANTIFIERS = frozenset({"both", "all", "each", "every", "several", "many", "some", "most", "few"})
_NAME_PARTICLES = frozenset({"al", "bin", "ibn", "el", "de", "abu", "van", "von"})


@dataclass(frozen=True, slots=True)
class VictimListWords:
    """One language's words for lists of victims (triggers_xx.json, "victim_list")."""

    active: re.Pattern[str]  # a killing verb with its object after it ("killing")
    passive: re.Pattern[str]  # a killing verb with its victims before it ("were killed")
    end: re.Pattern[str]  # where an object list ends: a preposition, a clause, "injuring"
    singular: re.Pattern[str]  # an item that is one person: "a teacher", "his wife", "him"
    reflexive: re.Pattern[str]  # "himself": the attacker
    attacker: re.Pattern[str]  # an item that names attackers ("the militant", "three assailants")
    plural: re.Pattern[str]  # an item that is several people with no number ("the guards")
    collective: re.Pattern[str]  # a word for several people, capitalised or not ("Police", "people")
    subset: re.Pattern[str]  # "two of whom": a part of the item before it
    not_item: re.Pattern[str]  # a word no victim item holds (a verb, a preposition)
    along: re.Pattern[str] | None = None  # "along with": more victims besides those already named


@dataclass(frozen=True, slots=True)
class VictimList:
    victims: int
    attackers: int
    start: int
    end: int


def read_list(
    text: str, start: int, end: int, quantities: Sequence[Quantity], words: VictimListWords
) -> VictimList | None:
    """The first list of victims named one by one in the sentence text[start:end] that holds at least
    one item without a number (a list of numbers alone is read by casualties.py)."""
    sentence = text[start:end]
    for verb in words.active.finditer(sentence):
        stop = words.end.search(sentence, verb.end())
        pieces = _gather(text, start + verb.end(), start + (stop.start() if stop else len(sentence)),
                         quantities, words, forward=True)
        if stop and stop.group().strip().lower() in ("was", "were"):
            pieces = pieces[:-1]  # "killing the assailant and two civilians were injured": a new clause
        found = _total(text, pieces, quantities, words, forward=True)
        if found:
            return found
    for verb in words.passive.finditer(sentence):
        found = _total(text, _gather(text, start, start + verb.start(), quantities, words, forward=False),
                       quantities, words, forward=False)
        if found:
            return found
    return None


def read_along(
    text: str, start: int, end: int, quantities: Sequence[Quantity], words: VictimListWords,
    killed: re.Pattern[str],
) -> VictimList | None:
    """"Kezheng was killed along with his wife, his wife's uncle, and a security guard": the
    people after "along with", when a killing comes before it in the sentence."""
    sentence = text[start:end]
    found = words.along.search(sentence) if words.along else None
    kills = list(killed.finditer(sentence, 0, found.start())) if found else []
    # the killing must be what "along with" goes with: "his body was found along with a message" is not
    if not kills or _NEW_VERB.search(sentence, kills[-1].end(), found.start()):
        return None
    stop = words.end.search(sentence, found.end())
    items = _gather(text, start + found.end(), start + (stop.start() if stop else len(sentence)),
                    quantities, words, forward=True)
    victims = sum(count for a, b, count in items if not words.attacker.search(text[a:b]))
    return VictimList(victims, 0, items[0][0], items[-1][1]) if victims else None


def _items(text: str, low: int, high: int) -> list[tuple[int, int]]:
    """The comma/"and" separated pieces of text[low:high], stripped, as offsets."""
    out, at = [], low
    for split in _ITEM_SPLIT.finditer(text, low, high):
        out.append((at, split.start()))
        at = split.end()
    out.append((at, high))
    stripped = []
    for a, b in out:
        piece = text[a:b]
        if piece.strip():
            a += len(piece) - len(piece.lstrip())
            stripped.append((a, a + len(piece.strip())))
    return stripped


def _gather(text: str, low: int, high: int, quantities: Sequence[Quantity], words: VictimListWords,
            forward: bool) -> list[tuple[int, int, int]]:
    """The list's items (start, end, count) in text order, read away from the verb until one is not a
    victim item."""
    pieces = _items(text, low, high)
    kept: list[tuple[int, int, int]] = []
    for a, b in pieces if forward else pieces[::-1]:
        count = _item_count(text[a:b], a, b, quantities, words)
        if count is None and not forward:
            # the list's first item may follow the sentence's opening ("On Friday the driver and ...")
            item = text[a:b]
            head = list(words.singular.finditer(item))
            before = _WORDS.findall(item[: head[-1].start()]) if head else []
            if head and before and not words.not_item.fullmatch(before[-1]) and not words.subset.search(item):
                a += head[-1].start()
                count = _item_count(text[a:b], a, b, quantities, words)
                if count is not None:
                    kept.append((a, b, count))
            break
        if count is None:
            break
        kept.append((a, b, count))
    return sorted(kept)


def _total(text: str, items: list[tuple[int, int, int]], quantities: Sequence[Quantity],
           words: VictimListWords, forward: bool) -> VictimList | None:
    if not items or all(_has_number(a, b, quantities) for a, b, _ in items):
        return None
    if words.subset.search(" ".join(_WORDS.findall(text[max(0, items[0][0] - 30) : items[0][0]])[-2:])):
        return None  # "five people, including a soldier and four assailants": a breakdown of a toll
    victims = attackers = 0
    joined = renaming = False
    for index, (a, b, count) in enumerate(items):
        item = text[a:b]
        if index:
            previous, link = text[items[index - 1][0] : items[index - 1][1]], text[items[index - 1][1] : a]
            joined = joined or "and" in link
            if _renames(previous, item, link, words):
                renaming = True
            elif "," in link:
                renaming = False  # ", and": the apposition is over, the list goes on
            if renaming or _inside_one_name(previous, item, link, words):
                continue
        if words.attacker.search(item) or words.reflexive.fullmatch(item):
            attackers += count
        else:
            victims += count
    first = text[items[0][0] : items[0][1]]
    named = _named_person(first, words) or _is_name(first, words) and _APPOSITION_AFTER.match(text, items[0][1])
    if not joined and not (forward and victims == 1 and not attackers and named):
        # one victim alone is read here only when named in full ("killed blogger Niladri Niloy") or
        # named and described ("killed Hamza, the son of …")
        return None
    return VictimList(victims, attackers, items[0][0], items[-1][1])


def _renames(previous: str, item: str, link: str, words: VictimListWords) -> bool:
    """An apposition, the same person again: "Hadhal, a former parliamentarian, and …", "his
    bodyguard, Jean-Claude Fratacci,"."""
    if "," not in link or "and" in link:
        return False
    described = item.lower().startswith(("a ", "an ", "the "))
    return _is_name(previous, words) and described or \
        _is_name(item, words) and previous.lower().startswith(("a ", "an ", "the ", "his ", "her "))


def _inside_one_name(previous: str, item: str, link: str, words: VictimListWords) -> bool:
    """An "and" inside a name: "a National Intelligence and Security Agency officer" is one person."""
    plain_and = "and" in link and "," not in link
    return plain_and and _is_name(item, words) and previous.lower().startswith(("a ", "an ")) \
        and previous.split()[-1][:1].isupper()


def _named_person(item: str, words: VictimListWords) -> bool:
    """A role and a full name: "farm owner Carlos Alberto Murcia", "police Colonel Nameer Khazaal"."""
    tokens = _WORDS.findall(item)
    first = next((i for i, t in enumerate(tokens) if t[:1].isupper()), None)
    if first is None or first > MAX_ROLE_WORDS or len(tokens) - first < 2:
        return False
    role, name = tokens[:first], tokens[first:]
    return all(t[:1].isupper() or t.lower() in _NAME_PARTICLES for t in name) and not words.attacker.search(item) \
        and not any(words.plural.fullmatch(t) or t.lower() in _QUANTIFIERS or t.endswith(("ed", "ing")) for t in role)


def _is_name(item: str, words: VictimListWords) -> bool:
    tokens = _WORDS.findall(item)
    return bool(tokens) and all(t[:1].isupper() for t in tokens if t.lower() not in _NAME_PARTICLES) \
        and not words.singular.match(item) and not words.collective.search(item) and not words.attacker.search(item)


def _has_number(a: int, b: int, quantities: Sequence[Quantity]) -> bool:
    return any(a <= q.start and q.end <= b for q in quantities)


def _item_count(item: str, a: int, b: int, quantities: Sequence[Quantity], words: VictimListWords) -> int | None:
    """How many people one item names; None when it cannot be a victim item."""
    tokens = _WORDS.findall(item)
    inside = [q for q in quantities if a <= q.start and q.end <= b]
    # the words of a number ("at least six", "four of his") are not the item's own
    bare = "".join(" " if any(q.start <= a + i < q.end for q in inside) else ch for i, ch in enumerate(item))
    bare = _OF_OWNER.sub(" ", bare)
    if not tokens or len(tokens) > MAX_ITEM_WORDS or words.not_item.search(bare):
        return None
    if inside:
        q = inside[0]
        lead = item[: q.start - a].strip().lower()
        if q.vague or q.multiplier or words.subset.search(item) or lead not in _BEFORE_A_COUNT:
            return None  # "inuring nine others" is a new clause, not a victim item
        return int(q.value)
    if words.reflexive.fullmatch(item) or words.singular.match(item):
        # the head noun is last: "his father" is one, "the guards" several
        return None if words.plural.fullmatch(tokens[-1]) or words.collective.search(item) else 1
    if _is_name(item, words) or _named_person(item, words):
        return 1
    return None
