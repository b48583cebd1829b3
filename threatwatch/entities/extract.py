"""The entity stage: names found in a document's paragraphs, each linked to one canonical entity.

Three sources of spans, in order of trust:
1. registry aliases found in the text (armed groups, people, organisations): curated, so they
   win over a model's span ("État islamique" is an armed group, not the place a model says);
2. the language's NER model, per paragraph in that paragraph's language;
3. country and region names from the places data, where no model span stands ("روسيا" when
   the Arabic model misses it).
Linking: the registry, then places (countries, cities with coordinates), then a key built from
the name's consonant skeleton, so an unknown name gets the same id in every script and document.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache

from threatwatch.entities.names import name_key, skeleton
from threatwatch.entities.ner import NamedSpan, recognizer_for
from threatwatch.entities.registry import find_place, is_acronym, places, regions, registry
from threatwatch.records import Document, Entity, EntityType, Mention

MAX_ALIAS_WORDS = 8
MIN_SKELETON = 4
OWN_LANGUAGE_MIN_CHARS = 80
# Words, hyphenated words (al-Qaeda, ISIS-K) and dotted acronyms (U.S.). Apostrophes split words,
# so "l'État islamique" and "Putin's" expose the name; name_key turns an apostrophe inside an
# alias (N'Djamena) into a space, so such aliases still match the split tokens.
_TOKEN = re.compile(r"(?:[A-Z]\.){2,}|\w+(?:[-‐]\w+)*")
_LABEL_TYPES: dict[str, EntityType] = {"person": "person", "organization": "organization", "location": "location"}
# Models often take in an article or a possessive that is not part of the name.
_LEADING = re.compile(r"^(?:the|The|THE|le|la|les|Le|La|Les|l'|l’|L'|L’)\s*(?=\w)")
# ... but the full stop of an abbreviation (U.S., Inc.) belongs to it.
_TRAILING = re.compile(r"(?:['’]s?|\s*[,;:]|(?<!\b[A-Z])(?<!\bInc)(?<!\bLtd)(?<!\bCo)(?<!\bJr)(?<!\bSt)\.)$")


@dataclass(frozen=True, slots=True)
class Found:
    start: int
    end: int
    type: EntityType
    entity: Entity | None  # known at find time for registry and country matches
    normal: str | None = None


@dataclass(frozen=True, slots=True)
class _Gazetteer:
    by_key: dict[str, Entity]
    by_acronym: dict[str, Entity]
    # name_key of an alias's first word -> most words of an alias starting with it. Most words
    # start no alias at all, so the scan skips them with one dictionary look-up.
    first_words: dict[str, int]


@cache
def _gazetteer(kind: str) -> _Gazetteer:
    """Alias tables for scanning: 'registry' (entities of the registry) or 'places' (countries
    by their short names, and the regions file)."""
    by_key: dict[str, Entity] = {}
    by_acronym: dict[str, Entity] = {}
    if kind == "registry":
        reg = registry()
        pairs = [(alias, reg.entries[eid].entity) for alias, eid in reg.aliases()]
    else:
        import json
        from importlib import resources

        data = json.loads(resources.files("threatwatch.data").joinpath("entities", "countries.json").read_text("utf-8"))
        pairs = []
        for names in data["names"].values():
            place = find_place(names[0])
            if place:
                pairs += [(name, place.entity()) for name in names]
        pairs += [(name, region.place.entity()) for region in regions() for name in region.aliases]
    first_words: dict[str, int] = {}
    for alias, entity in pairs:
        if is_acronym(alias):
            by_acronym.setdefault(alias, entity)
            continue
        key = name_key(alias)
        by_key.setdefault(key, entity)
        # Keys are built from tokens, so count the alias's own tokens (al-Qaeda is one token).
        words = [name_key(t.group()) for t in _TOKEN.finditer(alias)]
        if words:
            first_words[words[0]] = max(first_words.get(words[0], 0), len(words))
    return _Gazetteer(by_key, by_acronym, first_words)


_ARABIC_CLITICS = ("وال", "فال", "بال", "كال", "ولل", "لل", "وب", "ول", "وك", "فب", "فل", "و", "ف", "ب", "ل", "ك")


def _tokens(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]


def _first_word_variants(start: int, word: str) -> list[tuple[int, str]]:
    """The word, then the word without each Arabic proclitic it may carry (لداعش → داعش,
    للدولة → الدولة). Only the dictionary can tell بغداد (Baghdad) from ب + غداد, so every
    reading is tried, the whole word first."""
    variants = [(start, word)]
    if not word or not ("\u0600" <= word[0] <= "\u06ff"):
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
    import json
    from importlib import resources

    raw = resources.files("threatwatch.data").joinpath("entities", "not_names.json").read_text("utf-8")
    return {name_key(k): tuple(name_key(w) for w in v) for k, v in json.loads(raw)["not_before"].items()}


def _common_noun_here(surface: str, after: str) -> bool:
    """An alias that is also a common word, used as the common word here: القاعدة الجوية is
    "the air base", not al-Qaeda."""
    followers = _not_before().get(name_key(surface))
    if not followers:
        return False
    next_word = _TOKEN.search(after)
    return bool(next_word) and name_key(next_word.group()) in followers


def scan(text: str, gazetteer: _Gazetteer) -> list[Found]:
    """Longest alias matches, left to right, without overlaps."""
    tokens = _tokens(text)
    keys = [name_key(word) for _, _, word in tokens]
    found: list[Found] = []
    index = 0
    while index < len(tokens):
        match = _match_at(text, tokens, keys, index, gazetteer)
        if match:
            found.append(match[1])
            index += match[0]
        else:
            index += 1
    return found


def _match_at(
    text: str, tokens: list[tuple[int, int, str]], keys: list[str], index: int, gazetteer: _Gazetteer
) -> tuple[int, Found] | None:
    """The longest alias starting at token `index` (under any reading of its first word)."""
    start, end, word = tokens[index]
    if word in gazetteer.by_acronym and is_acronym(word):
        entity = gazetteer.by_acronym[word]
        return 1, Found(start, end, entity.type, entity)
    for variant_start, first in _first_word_variants(start, word):
        first_key = keys[index] if variant_start == start else name_key(first)
        longest = min(gazetteer.first_words.get(first_key, 0), len(tokens) - index)
        for size in range(longest, 0, -1):
            entity = gazetteer.by_key.get(" ".join([first_key, *keys[index + 1 : index + size]]))
            span_end = tokens[index + size - 1][1]
            if entity is not None and not _common_noun_here(text[variant_start:span_end], text[span_end:]):
                return size, Found(variant_start, span_end, entity.type, entity)
    return None


def _overlaps(a: Found | NamedSpan, b: Found) -> bool:
    return a.start < b.end and b.start < a.end


def _model_spans(doc: Document) -> list[Found]:
    """NER over each paragraph in its own language, batched per language."""
    by_lang: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for para in doc.paragraphs:
        # A short line's detected language is a weak guess; the article's is a better one.
        lang = para.lang if para.end - para.start >= OWN_LANGUAGE_MIN_CHARS else doc.lang
        lang = lang or doc.lang
        if lang:
            by_lang[lang].append((para.start, doc.text[para.start : para.end]))
    found: list[Found] = []
    for lang, items in by_lang.items():
        recognizer = recognizer_for(lang)
        if recognizer is None:
            continue
        for (offset, text), spans in zip(items, recognizer.find([text for _, text in items]), strict=True):
            for span in spans:
                start, end = _trim(text, span.start, span.end)
                start = _extend(text, start, span.label, lang)
                start = _without_proclitic(text, start, end)
                if end > start:
                    found.append(Found(offset + start, offset + end, _LABEL_TYPES[span.label], None, span.normal))
    return found


@cache
def _span_rules() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    import json
    from importlib import resources

    raw = json.loads(resources.files("threatwatch.data").joinpath("entities", "span_rules.json").read_text("utf-8"))
    return raw["person_prefixes"], raw["organization_descriptors"]


_PREVIOUS_WORD = re.compile(r"(\S+)\s*$")


def _extend(text: str, start: int, label: str, lang: str) -> int:
    """Move `start` left over titles before a person ("M. Jules Richard") or a descriptor before
    a quoted organisation name ("партии «Яблоко»"), per the language's usage in span_rules.json."""
    prefixes, descriptors = _span_rules()
    if label == "person" and lang in prefixes:
        words = set(prefixes[lang]) | {w.lower() for w in prefixes[lang]}
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


def _without_proclitic(text: str, start: int, end: int) -> int:
    """A model's Arabic span can take in a conjunction or preposition (وألمانيا): when the
    span without it names a known place or registry entity and the whole span does not, the
    name starts after it."""
    word = text[start:end].split(" ")[0]
    if not word or not ("\u0600" <= word[0] <= "\u06ff") or _known(text[start:end]):
        return start
    for new_start, _ in _first_word_variants(start, word)[1:]:
        if _known(text[new_start:end]):
            return new_start
    return start


def _known(surface: str) -> bool:
    """Exactly a registry alias or a place name (the look-ups used for linking also forgive clitics)."""
    key = name_key(surface)
    return key in registry().by_key or surface in registry().by_acronym or key in places()


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    surface = text[start:end]
    lead = _LEADING.match(surface)
    if lead:
        start += lead.end()
    trail = _TRAILING.search(text[start:end])
    if trail:
        end -= len(trail.group())
    return start, end


def _drop_nested(spans: list[Found]) -> list[Found]:
    """After title extension a model's "M" can sit inside "M. Jules Richard": keep the longest."""
    by_length = sorted(spans, key=lambda f: f.start - f.end)
    kept: list[Found] = []
    for span in by_length:
        if not any(_overlaps(span, other) for other in kept):
            kept.append(span)
    return kept


def find_names(doc: Document) -> list[Found]:
    curated = scan(doc.text, _gazetteer("registry"))
    model = [f for f in _drop_nested(_model_spans(doc)) if not any(_overlaps(f, c) for c in curated)]
    places = [f for f in scan(doc.text, _gazetteer("places"))
              if not any(_overlaps(f, other) for other in curated + model)]
    return sorted(curated + model + places, key=lambda f: f.start)


def link(surface: str, normal: str | None, entity_type: EntityType) -> Entity:
    """The canonical entity for a name a model found."""
    reg = registry()
    for form in dict.fromkeys(f for f in (surface, normal) if f):
        entry = reg.lookup(form)
        if entry:
            return entry.entity
    if entity_type in ("location", "organization"):
        for form in dict.fromkeys(f for f in (normal, surface) if f):
            place = find_place(form)
            if place and (entity_type == "location" or place.id.startswith(("country:", "region:"))):
                return place.entity()
    name = normal or surface
    key = skeleton(name)
    if len(key) < MIN_SKELETON:
        key = name_key(name).replace(" ", "-")
    return Entity(f"{entity_type}:{key}", name, entity_type)


def _resolve_short_person_names(mentions: list[Mention]) -> list[Mention]:
    """Within one article "Bortnikov" after "Alexander Bortnikov" is the same person, whatever
    label a model gave the lone surname (they often call it an organisation)."""
    full: dict[str, str] = {}
    for m in mentions:
        words = m.text.split()
        if m.type == "person" and len(words) > 1:
            full.setdefault(name_key(words[-1]), m.entity_id)
    out = []
    for m in mentions:
        target = full.get(name_key(m.text)) if len(m.text.split()) == 1 else None
        if target and target != m.entity_id and m.entity_id not in registry().entries:
            m = Mention(m.start, m.end, m.text, "person", target)
        out.append(m)
    return out


def extract_entities(doc: Document) -> tuple[tuple[Mention, ...], tuple[Entity, ...]]:
    mentions: list[Mention] = []
    entities: dict[str, Entity] = {}
    for found in find_names(doc):
        surface = doc.text[found.start : found.end]
        entity = found.entity or link(surface, found.normal, found.type)
        entities.setdefault(entity.id, entity)
        mentions.append(Mention(found.start, found.end, surface, entity.type, entity.id))
    mentions = _resolve_short_person_names(mentions)
    used = {m.entity_id for m in mentions}
    return tuple(mentions), tuple(e for e in entities.values() if e.id in used)


def iter_mentions(doc: Document, types: Sequence[EntityType] | None = None) -> Iterator[Mention]:
    for mention in doc.mentions:
        if types is None or mention.type in types:
            yield mention
