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


@cache
def _not_names() -> dict[str, frozenset[str]]:
    raw = load_json("entities", "span_rules.json").get("not_names", {})
    return {lang: frozenset(words) for lang, words in raw.items() if not lang.startswith("_")}


def never_a_name(surface: str, lang: str) -> bool:
    """A day, a month or a number word that a model labelled on its own ("Mercredi", "Quatre"), or
    titles with no name ("M. le Maire")."""
    if surface.strip().rstrip(".").lower() in _not_names().get(lang, frozenset()):
        return True
    prefixes = _span_rules()[0].get(lang)
    words = [w for w in re.findall(r"[^\W\d_]+\.?|\.", surface) if w != "."]
    return bool(prefixes) and bool(words) and all(
        w in prefixes or w.lower() in prefixes or w + "." in prefixes or w.lower() in _TITLE_ARTICLES.get(lang, ())
        for w in words)


_PREVIOUS_WORD = re.compile(r"(\S+)\s*$")
_TITLE_ARTICLES = {"fr": frozenset({"le", "la", "l'", "de"})}
_NAME_ARTICLES = {"fr": frozenset({"La", "Le", "Les"})}
_STREET_WORDS = {"fr": re.compile(r"(?<![\w'’])(?:rue|ruelle|faubourg|boulevard|avenue|quai|chemin|impasse|allée)"
                                  r"(?:\s+(?:du|des|de\s+la|de\s+l\s*['’]\s*|de|d\s*['’]\s*))?\s+$", re.IGNORECASE)}


def extend(text: str, start: int, label: str, lang: str) -> int:
    """Move `start` left over titles before a person ("M. Jules Richard") or a descriptor before
    a quoted organisation name ("партии «Яблоко»"), per the language's usage in span_rules.json."""
    prefixes, descriptors = _span_rules()
    if label == "person" and lang in prefixes:
        words = prefixes[lang]
        while found := _PREVIOUS_WORD.search(text, 0, start):
            if found.group(1) in words:
                start = found.start(1)
            elif found.group(1) in _TITLE_ARTICLES.get(lang, ()) and (title := _PREVIOUS_WORD.search(
                    text, 0, found.start(1))) and (title.group(1) in words or title.group(1) == "."):
                start = found.start(1)  # "M. le capitaine Jacobel": an article between two titles
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
    if label == "location" and lang in _STREET_WORDS:
        # "rue du Temple", "faubourg Zaera": in French the kind of street is part of its name
        found = _STREET_WORDS[lang].search(text[max(0, start - 40) : start])
        if found:
            return start - (len(text[max(0, start - 40) : start]) - found.start())
    if label == "location" and lang in _NAME_ARTICLES:
        # "à La Chaux-de-Fonds", "Le Caire": a capitalised article inside a sentence is part of the name
        found = _PREVIOUS_WORD.search(text, 0, start)
        if found and found.group(1) in _NAME_ARTICLES[lang] and text[start - 1 : start] == " ":
            before = text[: found.start(1)].rstrip()
            if before and before[-1] not in ".!?:\n\"«":
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


# A heading in capitals run into the next line: "FRANCE Tué dans la rue", "MOSCOW Police said" (cased
# scripts only: Arabic has no capitals to tell a heading by).
_CAPS_HEAD = re.compile(r"([A-ZÀ-ÖØ-ÞА-ЯЁ]{4,}(?:[ -][A-ZÀ-ÖØ-ÞА-ЯЁ]{2,})*)\s+(?=[A-ZÀ-ÖØ-ÞА-ЯЁ][a-zß-öø-ÿа-яё])")


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    surface = text[start:end]
    lead = _LEADING.match(surface)
    if lead:
        start += lead.end()
    head = _CAPS_HEAD.match(text, start, end)
    if head and name_key(head.group(1)) in places():
        end = head.end(1)  # the place in capitals is the name; the word after it starts the story
    trail = _TRAILING.search(text[start:end])
    if trail:
        end -= len(trail.group())
    return start, end
