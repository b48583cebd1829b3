"""Finding known names in text: registry aliases and country/region names, by dictionary.

Tokens are looked up as n-grams of their `name_key`, longest first; only words that start some
alias are tried at all. An Arabic first word is also read without each proclitic it may carry
(و, ف, ب, ل, ك and their pairs), because only the dictionary can tell بغداد (Baghdad) from ب + غداد.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from threatwatch.data import load_json
from threatwatch.entities.names import name_key, uncapitalised
from threatwatch.entities.registry import alias_tables, find_place, is_acronym, regions, registry
from threatwatch.records import Entity, EntityType

MAX_ALIAS_WORDS = 8
# Words, hyphenated words (al-Qaeda, ISIS-K) and dotted acronyms (U.S.). Apostrophes split words,
# so "l'État islamique" and "Putin's" expose the name; name_key turns an apostrophe inside an
# alias (N'Djamena) into a space, so such aliases still match the split tokens.
_TOKEN = re.compile(r"(?:[A-Z]\.){2,}|\w+(?:[-‐]\w+)*")


@dataclass(frozen=True, slots=True)
class Found:
    start: int
    end: int
    type: EntityType
    entity: Entity | None  # known at find time for registry and country matches
    normal: str | None = None
    nested: bool = False  # a name inside an organisation's name, kept beside it (NamedSpan.nested)
    office: int | None = None  # where a person's office in apposition starts (spans.apposition_end)


@dataclass(frozen=True, slots=True)
class Gazetteer:
    by_key: dict[str, Entity]
    by_acronym: dict[str, Entity]
    # name_key of an alias's first word -> most words of an alias starting with it. Most words
    # start no alias at all, so the scan skips them with one dictionary look-up.
    first_words: dict[str, int]
    # keys of aliases written without capitals ("talibans", "российская армия"): only these may
    # match a name written in lower case where the script has capitals (not "turkey", "газа")
    written_lowercase: frozenset[str] = frozenset()


@cache
def gazetteer(kind: str) -> Gazetteer:
    """Alias tables for scanning: 'registry' (entities of the registry) or 'places' (countries
    by their short names, and the regions file)."""
    if kind == "registry":
        pairs = [(alias, entry.entity) for entry in registry().entries.values() for alias in entry.aliases]
    else:
        data = load_json("entities", "countries.json")
        pairs = []
        for names in data["names"].values():
            place = find_place(names[0])
            if place:
                pairs += [(name, place.entity()) for name in names]
        pairs += [(name, region.place.entity()) for region in regions() for name in region.aliases]
    by_key, by_acronym = alias_tables(pairs)
    first_words: dict[str, int] = {}
    for alias, _ in pairs:
        if is_acronym(alias):
            continue
        # Keys are built from tokens, so count the alias's own tokens (al-Qaeda is one token).
        words = [name_key(t.group()) for t in _TOKEN.finditer(alias)]
        if words:
            first_words[words[0]] = max(first_words.get(words[0], 0), len(words))
    written_lowercase = frozenset(name_key(alias) for alias, _ in pairs if uncapitalised(alias))
    return Gazetteer(by_key, by_acronym, first_words, written_lowercase)


_ARABIC_CLITICS = ("وال", "فال", "بال", "كال", "ولل", "لل", "وب", "ول", "وك", "فب", "فل", "و", "ف", "ب", "ل", "ك")


def word_tokens(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]


def arabic_initial(word: str) -> bool:
    """The word starts with an Arabic letter: only such a word may carry a proclitic."""
    return bool(word) and "\u0600" <= word[0] <= "\u06ff"


def first_word_variants(start: int, word: str) -> list[tuple[int, str]]:
    """The word, then the word without each Arabic proclitic it may carry (لداعش → داعش,
    للدولة → الدولة). Only the dictionary can tell بغداد (Baghdad) from ب + غداد, so every
    reading is tried, the whole word first."""
    variants = [(start, word)]
    if not arabic_initial(word):
        return variants
    for clitic in _ARABIC_CLITICS:
        rest = word[len(clitic):]
        if word.startswith(clitic) and len(rest) >= 3:
            if clitic.endswith("ال"):
                # The article stays: names that take it are listed with it (القاعدة), and one
                # that never does (حماس, Hamas) must not match الحماس ("the enthusiasm").
                variants.append((start + len(clitic) - 2, "ال" + rest))
            elif clitic.endswith("لل"):  # ل + الدولة is written للدولة: the span starts after ل
                variants.append((start + len(clitic) - 1, "ال" + rest))
            else:
                variants.append((start + len(clitic), rest))
    return variants


@cache
def _not_before() -> dict[str, tuple[str, ...]]:
    raw = load_json("entities", "not_names.json")
    return {name_key(k): tuple(name_key(w) for w in v) for k, v in raw["not_before"].items()}


def _common_noun_here(key: str, text: str, end: int) -> bool:
    """An alias (by its key) that is also a common word, used as the common word where it ends at
    `end`: القاعدة الجوية is "the air base", not al-Qaeda."""
    followers = _not_before().get(key)
    if not followers:
        return False
    next_word = _TOKEN.search(text, end)
    return bool(next_word) and name_key(next_word.group()) in followers


@dataclass(frozen=True, slots=True)
class Tokens:
    spans: list[tuple[int, int, str]]  # (start, end, word)
    keys: list[str]  # name_key of each word


# Every word of every document is keyed for the scans, and news repeats its words: a bounded
# cache of the keys halves the scan's time (BENCHMARKS.md, entities).
_word_key = lru_cache(maxsize=100_000)(name_key)


def tokenise(text: str) -> Tokens:
    spans = word_tokens(text)
    return Tokens(spans, [_word_key(word) for _, _, word in spans])


@lru_cache(maxsize=100_000)
def _keyed_readings(word: str) -> tuple[tuple[int, str], ...]:
    """(offset into the word, key) of each reading of `word` (first_word_variants), kept for a
    while: every Arabic word is read up to a dozen ways in each scan, and news repeats its words."""
    return tuple((variant_start, name_key(first)) for variant_start, first in first_word_variants(0, word))


def scan(text: str, table: Gazetteer, tokenised: Tokens | None = None) -> list[Found]:
    """Longest alias matches, left to right, without overlaps. Pass `tokenised` (of the same
    text) to share the tokenising between scans."""
    tokenised = tokenised or tokenise(text)
    tokens, keys = tokenised.spans, tokenised.keys
    first_words, acronyms = table.first_words, table.by_acronym
    # Only a word that starts an alias, is an acronym or is Arabic (it may carry a proclitic) can
    # start a match: picking those out in one pass is cheaper than trying every word. The Arabic
    # test is arabic_initial's, written out because it runs for every word of every scan.
    starts = [index for index, (key, (_, _, word)) in enumerate(zip(keys, tokens, strict=True))
              if key in first_words or word in acronyms or "\u0600" <= word[0] <= "\u06ff"]
    found: list[Found] = []
    resume = 0
    for index in starts:
        if index < resume:  # inside the match before
            continue
        match = _match_at(text, tokens, keys, index, table)
        if match:
            found.append(match[1])
            resume = index + match[0]
    return found


def _match_at(
    text: str, tokens: list[tuple[int, int, str]], keys: list[str], index: int, table: Gazetteer
) -> tuple[int, Found] | None:
    """The longest alias starting at token `index` (under any reading of its first word)."""
    start, end, word = tokens[index]
    if word in table.by_acronym and is_acronym(word):
        entity = table.by_acronym[word]
        return 1, Found(start, end, entity.type, entity)
    if keys[index] not in table.first_words and not arabic_initial(word):
        return None  # the common case, decided without building the word's readings
    for offset, first_key in _keyed_readings(word):
        longest = min(table.first_words.get(first_key, 0), len(tokens) - index)
        variant_start = start + offset
        for size in range(longest, 0, -1):
            key = " ".join([first_key, *keys[index + 1 : index + size]])
            entity = table.by_key.get(key)
            if entity is None:
                continue
            span_end = tokens[index + size - 1][1]
            if not _common_noun_here(key, text, span_end) and (
                    key in table.written_lowercase or not uncapitalised(text[variant_start:span_end])):
                return size, Found(variant_start, span_end, entity.type, entity)
    return None
