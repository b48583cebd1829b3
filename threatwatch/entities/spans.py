"""Adjusting a model's span to the name: articles and possessives out, titles and descriptors in
(per language, from data/entities/span_rules.json), Arabic proclitics out."""

from __future__ import annotations

import re
from functools import cache

from threatwatch.data import load_json
from threatwatch.entities.gazetteer import first_word_variants
from threatwatch.entities.names import name_key
from threatwatch.entities.registry import places, registry

# Models often take in an article or a possessive that is not part of the name.
# An article is a word of its own ("the Taliban"); only French l' is written onto the name. A
# bare prefix test would cut "Lee Young Jin" to "e Young Jin" and "Leeds" to "eds".
_LEADING = re.compile(r"^(?:(?:the|The|THE|le|la|les|Le|La|Les)\s+|l'|l’|L'|L’)(?=\w)")
# ... but the full stop of an abbreviation (U.S., Inc.) belongs to it.
_TRAILING = re.compile(r"(?:['’]s?|\s*[,;:]|(?<!\b[A-Z])(?<!\bInc)(?<!\bLtd)(?<!\bCo)(?<!\bJr)(?<!\bSt)\.)$")


@cache
def _span_rules() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Per language: person prefixes (also lower-cased, for a title opening a sentence) and
    organisation descriptors."""
    raw = load_json("entities", "span_rules.json")
    prefixes = {lang: set(words) | {w.lower() for w in words} for lang, words in raw["person_prefixes"].items()}
    descriptors = {lang: set(words) for lang, words in raw["organization_descriptors"].items()}
    return prefixes, descriptors


_PREVIOUS_WORD = re.compile(r"(\S+)\s*$")


def extend(text: str, start: int, label: str, lang: str) -> int:
    """Move `start` left over titles before a person ("M. Jules Richard") or a descriptor before
    a quoted organisation name ("партии «Яблоко»"), per the language's usage in span_rules.json."""
    prefixes, descriptors = _span_rules()
    if label == "person" and lang in prefixes:
        words = prefixes[lang]
        while found := _PREVIOUS_WORD.search(text, 0, start):
            if found.group(1) in words:
                start = found.start(1)
            elif found.group(1) == "." and (abbr := _PREVIOUS_WORD.search(text, 0, found.start(1))) and \
                    abbr.group(1) + "." in words:  # tokenised text: "M . Jules Richard"
                start = abbr.start(1)
            else:
                break
    elif label == "organization" and lang in descriptors and text[:start].rstrip().endswith(("«", '"', "„")):
        quote = len(text[:start].rstrip()) - 1
        found = _PREVIOUS_WORD.search(text, 0, quote)
        if found and found.group(1) in descriptors[lang]:
            start = found.start(1)
    return start


def without_proclitic(text: str, start: int, end: int) -> int:
    """A model's Arabic span can take in a conjunction or preposition (وألمانيا): when the
    span without it names a known place or registry entity and the whole span does not, the
    name starts after it."""
    word = text[start:end].split(" ")[0]
    if not word or not ("\u0600" <= word[0] <= "\u06ff") or _known(text[start:end]):
        return start
    for new_start, _ in first_word_variants(start, word)[1:]:
        if _known(text[new_start:end]):
            return new_start
    return start


def _known(surface: str) -> bool:
    """Exactly a registry alias or a place name (the look-ups used for linking also forgive clitics)."""
    key = name_key(surface)
    return key in registry().by_key or surface in registry().by_acronym or key in places()


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    surface = text[start:end]
    lead = _LEADING.match(surface)
    if lead:
        start += lead.end()
    trail = _TRAILING.search(text[start:end])
    if trail:
        end -= len(trail.group())
    return start, end
