"""Adjusting a model's span to the name: articles and possessives out, titles and descriptors in
(per language, from data/entities/span_rules.json), Arabic proclitics out."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from threatwatch.data import load_json
from threatwatch.entities.gazetteer import arabic_initial, first_word_variants
from threatwatch.entities.names import name_key
from threatwatch.entities.registry import places, registry

# Models often take in an article or a possessive that is not part of the name.
# An article is a word of its own ("the Taliban"); only French l' is written onto the name. A
# bare prefix test would cut "Lee Young Jin" to "e Young Jin" and "Leeds" to "eds".
_LEADING = re.compile(r"^(?:(?:the|The|THE|le|la|les|Le|La|Les)\s+|l'|l’|L'|L’)(?=\w)")
# ... but the full stop of an abbreviation (U.S., Inc.) belongs to it.
_TRAILING = re.compile(r"(?:['’]s?|\s*[,;:]|(?<!\b[A-Z])(?<!\bInc)(?<!\bLtd)(?<!\bCo)(?<!\bJr)(?<!\bSt)\.)$")
# An English possessive is no part of the name ("Putin's"); in other languages a Latin name keeps its
# "'s", which belongs to it ("аукционного дома Sotheby's", "chez McDonald's").
_POSSESSIVE = re.compile(r"['’]s$")
# A model that reads "Co." as two tokens leaves the full stop out of "Summy Co."; it is the name's.
_ABBREVIATED_END = re.compile(r"\b(?:Co|Inc|Ltd|Corp|Bros|Jr|Sr)$")


@dataclass(frozen=True, slots=True)
class SpanRules:
    """data/entities/span_rules.json, per language."""

    prefixes: dict[str, set[str]]  # person titles, also lower-cased (a title opening a sentence)
    descriptors: dict[str, set[str]]  # a generic noun before a quoted organisation name
    not_names: dict[str, frozenset[str]]  # days, months, number words
    title_articles: dict[str, frozenset[str]]  # "M. le capitaine": between two titles
    place_articles: dict[str, frozenset[str]]  # "à La Chaux-de-Fonds": part of the place's name
    streets: dict[str, re.Pattern[str]]  # "rue du ": a street kind and its joiner, ending right before a name
    functions: dict[str, frozenset[str]]  # "brasseur", "président": an office in apposition after a person's name
    function_openers: dict[str, frozenset[str]]  # "ancien": may stand before the office
    max_apposition_words: int
    heads_after: dict[str, re.Pattern[str]]  # " station", " airport": a place's common noun after its name
    heads_before: dict[str, frozenset[str]]  # "станции", "gare": a place's common noun before its name
    place_prepositions: frozenset[str]  # "at", "в": a bare name after one is read as the place


def _per_language(section: dict) -> dict:
    return {lang: words for lang, words in section.items() if not lang.startswith("_")}


def _street_pattern(kinds: list[str], joiners: list[str]) -> re.Pattern[str]:
    """Written words to a pattern: spaces may be any run of white space, an apostrophe may stand
    apart from its words ("de l ' Hôpital" in tokenised text)."""
    def written(word: str) -> str:
        return r"\s*['’]\s*".join(r"\s+".join(map(re.escape, part.split())) for part in word.split("'"))

    kind, joiner = "|".join(map(re.escape, kinds)), "|".join(map(written, joiners))
    return re.compile(rf"(?<![\w'’])(?:{kind})(?:\s+(?:{joiner}))?\s+$", re.IGNORECASE)


def _heads_after(nouns: list[str]) -> re.Pattern[str]:
    """Place nouns right after a name, on the same line, each a word of its own ("station-master"
    is not a station)."""
    written = "|".join(r"[ \t]+".join(map(re.escape, noun.split())) for noun in nouns)
    return re.compile(rf"[ \t]+(?:{written})(?![\w-])")


@cache
def _span_rules() -> SpanRules:
    raw = load_json("entities", "span_rules.json")
    return SpanRules(
        prefixes={lang: set(words) | {w.lower() for w in words} for lang, words in raw["person_prefixes"].items()},
        descriptors={lang: set(words) for lang, words in raw["organization_descriptors"].items()},
        not_names={lang: frozenset(words) | frozenset(_per_language(raw["peoples"]).get(lang, ()))
                   for lang, words in _per_language(raw["not_names"]).items()},
        title_articles={lang: frozenset(words) for lang, words in _per_language(raw["title_articles"]).items()},
        place_articles={lang: frozenset(words) for lang, words in _per_language(raw["place_articles"]).items()},
        streets={lang: _street_pattern(street["kinds"], street["joiners"])
                 for lang, street in _per_language(raw["street_kinds"]).items()},
        functions={lang: frozenset(words) for lang, words in _per_language(raw["person_functions"]).items()
                   if isinstance(words, list)},
        function_openers={lang: frozenset(words) for lang, words in raw["person_functions"]["openers"].items()},
        max_apposition_words=raw["person_functions"]["max_words"],
        heads_after={lang: _heads_after(words) for lang, words in _per_language(raw["place_heads"]["after"]).items()},
        heads_before={lang: frozenset(words) for lang, words in _per_language(raw["place_heads"]["before"]).items()},
        place_prepositions=frozenset(raw["place_heads"]["prepositions"]),
    )


def never_a_name(surface: str, lang: str) -> bool:
    """A day, a month, a number word, a common noun in capitals or a people that a model labelled
    on its own ("Mercredi", "Quatre", "СМИ", "Allemands"), or titles with no name ("M. le Maire")."""
    rules = _span_rules()
    if surface.strip().rstrip(".").lower() in rules.not_names.get(lang, frozenset()):
        return True
    prefixes = rules.prefixes.get(lang)
    articles = rules.title_articles.get(lang, frozenset())
    words = re.findall(r"[^\W\d_]+\.?", surface)
    return bool(prefixes) and bool(words) and all(
        w in prefixes or w.lower() in prefixes or w + "." in prefixes or w.lower() in articles for w in words)


_PREVIOUS_WORD = re.compile(r"(\S+)\s*$")
_ELISION = re.compile(r"^(?:[lLdD]['’])")


def _word_before_on_line(text: str, start: int) -> str | None:
    """The word right before text[start:], if no line break stands between."""
    before = _PREVIOUS_WORD.search(text, 0, start)
    return before.group(1) if before is not None and "\n" not in text[before.end(1) : start] else None


def after_a_place_preposition(text: str, start: int) -> bool:
    """Whether the word right before text[start:] is a preposition of place ("at", "в"), on the same line."""
    word = _word_before_on_line(text, start)
    return word is not None and word.lower() in _span_rules().place_prepositions


def beside_a_place_noun(text: str, start: int, end: int, lang: str) -> bool:
    """Whether the name at text[start:end] stands with a place's common noun, written in lower
    case, that makes it the place's name ("Maalbeek station", "станции метро Мальбек")."""
    rules = _span_rules()
    after = rules.heads_after.get(lang)
    if after is not None and after.match(text, end):
        return True
    word = _word_before_on_line(text, start)
    # "l'aéroport Ben Gourion": the noun behind an elided article
    return word is not None and _ELISION.sub("", word) in rules.heads_before.get(lang, frozenset())


def extend(text: str, start: int, label: str, lang: str) -> int:
    """Move `start` left over titles before a person ("M. Jules Richard") or a descriptor before
    a quoted organisation name ("партии «Яблоко»"), per the language's usage in span_rules.json."""
    rules = _span_rules()
    prefixes, descriptors = rules.prefixes, rules.descriptors
    if label == "person" and lang in prefixes:
        words = prefixes[lang]
        while found := _PREVIOUS_WORD.search(text, 0, start):
            if found.group(1) in words:
                start = found.start(1)
            elif found.group(1) in rules.title_articles.get(lang, ()) and (title := _PREVIOUS_WORD.search(
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
    if label == "location" and lang in rules.streets:
        # "rue du Temple", "faubourg Zaera": in French the kind of street is part of its name
        window = max(0, start - 40)
        found = rules.streets[lang].search(text[window:start])
        if found:
            return window + found.start()
    if label == "location" and lang in rules.place_articles:
        # "à La Chaux-de-Fonds", "Le Caire": a capitalised article inside a sentence is part of the name
        found = _PREVIOUS_WORD.search(text, 0, start)
        if found and found.group(1) in rules.place_articles[lang] and text[start - 1 : start] == " ":
            before = text[: found.start(1)].rstrip()
            if before and before[-1] not in ".!?:\n\"«":
                start = found.start(1)
    return start


# ", brasseur" / " , président de la BNS": a comma, then the apposition up to the next stop (a dash too).
_APPOSITION = re.compile(r"\s*,\s*([^,;:.!?()\[\]«»\"—–\n]+)")


def apposition_end(text: str, end: int, label: str, lang: str) -> int:
    """Move `end` right over a person's office in apposition ("M. Jacques Zwiki, brasseur",
    "M. Migy, juge d'appel, ancien commissaire fédéral"), where the language's usage counts it in
    the mention (span_rules.json, person_functions). The name alone stays the person's normal form."""
    rules = _span_rules()
    functions = rules.functions.get(lang)
    if label != "person" or not functions:
        return end
    openers = rules.function_openers.get(lang, frozenset())
    while found := _APPOSITION.match(text, end):
        words = re.sub(r"\s*-\s*", "-", found.group(1)).split()  # tokenised text: "vice - président"
        if words and words[0].lower() in openers:
            words = words[1:]
        if not words or words[0].lower() not in functions or len(words) > rules.max_apposition_words:
            break
        end = found.start(1) + len(found.group(1).rstrip())
    return end


def without_proclitic(text: str, start: int, end: int, label: str) -> int:
    """A model's Arabic span can take in a conjunction or preposition (وألمانيا): when the
    span without it names a known place or registry entity of the span's kind and the whole
    span does not, the name starts after it. The kind matters: بلير (Blair) without ب is لير,
    a town, and a person's name is not cut to a town's."""
    word = text[start:end].split(" ")[0]
    if not arabic_initial(word) or _known(text[start:end]):
        return start
    for new_start, _ in first_word_variants(start, word)[1:]:
        if _known(text[new_start:end], label):
            return new_start
    return start


_REGISTRY_KINDS = {"person": ("person",), "organization": ("organization", "armed_group"), "location": ("location",)}


def _known(surface: str, label: str | None = None) -> bool:
    """Exactly a registry alias or a place name (the look-ups used for linking also forgive clitics);
    with `label`, only one of that kind."""
    key = name_key(surface)
    entry = registry().by_key.get(key) or registry().by_acronym.get(surface)
    if entry is not None and (label is None or registry().entries[entry].entity.type in _REGISTRY_KINDS[label]):
        return True
    return key in places() and label in (None, "location")


# A heading in capitals run into the next line: "FRANCE Tué dans la rue", "MOSCOW Police said" (cased
# scripts only: Arabic has no capitals to tell a heading by).
_CAPS_HEAD = re.compile(r"([A-ZÀ-ÖØ-ÞА-ЯЁ]{4,}(?:[ -][A-ZÀ-ÖØ-ÞА-ЯЁ]{2,})*)\s+(?=[A-ZÀ-ÖØ-ÞА-ЯЁ][a-zß-öø-ÿа-яё])")


def trim(text: str, start: int, end: int, lang: str) -> tuple[int, int]:
    surface = text[start:end]
    # an article opens an English or French name's span ("the Kremlin"); in a Russian or Arabic
    # text a Latin "The" is part of a title ("газета The Independent")
    lead = _LEADING.match(surface) if lang in ("en", "fr") else None
    if lead:
        start += lead.end()
    head = _CAPS_HEAD.match(text, start, end)
    if head and name_key(head.group(1)) in places():
        end = head.end(1)  # the place in capitals is the name; the word after it starts the story
    trail = _TRAILING.search(text[start:end])
    if trail and not (lang != "en" and _POSSESSIVE.fullmatch(trail.group())):
        end -= len(trail.group())
    # a bracket the name does not open or close: a model's span that ran into "(Jürgen Klinsmann)"
    while end > start and text[end - 1] == ")" and text.count("(", start, end) < text.count(")", start, end):
        end -= 1
    while start < end and text[start] == "(" and text.count("(", start, end) > text.count(")", start, end):
        start += 1
    if text[end : end + 1] == "." and _ABBREVIATED_END.search(text, start, end):
        end += 1
    return start, end
