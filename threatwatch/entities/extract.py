"""The entity stage: names found in a document's paragraphs, each linked to one canonical entity.

Three sources of spans, in order of trust:
1. registry aliases found in the text (armed groups, people, organisations): curated, so they
   win over a model's span ("État islamique" is an armed group, not the place a model says);
2. the language's NER model, per paragraph in that paragraph's language, and the other places in
   the article where a name it found recurs unmarked (`_repeats`);
3. country and region names from the places data, where no model span stands ("روسيا" when
   the Arabic model misses it).
Linking: the registry, then places (countries, cities with coordinates), then a key built from
the name's consonant skeleton, so an unknown name gets the same id in every script and document.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import replace
from itertools import accumulate

from threatwatch.entities import russian
from threatwatch.entities.gazetteer import Found, Gazetteer, Tokens, gazetteer, scan, tokenise
from threatwatch.entities.names import has_case, name_key, skeleton, starts_a_sentence, uncapitalised
from threatwatch.entities.ner import NamedSpan, recognizer_for
from threatwatch.entities.registry import find_place, is_acronym, registry
from threatwatch.entities.spans import (
    after_a_place_preposition,
    apposition_end,
    beside_a_place_noun,
    extend,
    never_a_name,
    trim,
    without_proclitic,
)
from threatwatch.records import Document, Entity, EntityType, Mention, Paragraph

MIN_SKELETON = 4
MIN_REPEATED_KEY = 3  # shorter names ("Li", "EU") are carried over by the registry or not at all
OWN_LANGUAGE_MIN_CHARS = 80


def _overlaps(a: Found | NamedSpan, b: Found) -> bool:
    return a.start < b.end and b.start < a.end


def _model_spans(doc: Document) -> tuple[list[Found], set[str]]:
    """NER over each paragraph in its own language, batched per language; and the names it called
    persons that stand beside a place's noun (`spans.beside_a_place_noun`), made places."""
    by_lang: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for para in doc.paragraphs:
        lang = _paragraph_lang(doc, para)
        if lang:
            by_lang[lang].append((para.start, doc.text[para.start : para.end]))
    found: list[Found] = []
    places: set[str] = set()
    for lang, items in by_lang.items():
        recognizer = recognizer_for(lang)
        if recognizer is None:
            continue
        for (offset, text), spans in zip(items, recognizer.find([text for _, text in items]), strict=True):
            here: list[Found] = []
            for span in spans:
                start, end = trim(text, span.start, span.end, lang)
                if span.nested:
                    here.append(Found(offset + start, offset + end, span.label, None, span.normal, nested=True))
                    continue
                start = extend(text, start, span.label, lang)
                start = without_proclitic(text, start, end, span.label)
                if end > start and _looks_like_a_name(text[start:end]) and not never_a_name(text[start:end], lang):
                    label = span.label
                    if label == "person" and beside_a_place_noun(text, start, end, lang):
                        label = "location"  # "Maalbeek station": a place named like a person
                        places.add(text[start:end])
                    normal, office = span.normal, None
                    if (role_end := apposition_end(text, end, label, lang)) > end:
                        normal = normal or text[start:end]  # linked by the name, not by "…, brasseur"
                        office, end = offset + end, role_end
                    here.append(Found(offset + start, offset + end, label, None, normal, office=office))
            # A name inside an office ("président de la BNS") stays a mention of its own, nested in the person's
            found += [replace(f, nested=True) if _in_an_office(f, here) else f for f in here]
    return found, places


def _paragraph_lang(doc: Document, para: Paragraph) -> str | None:
    # A short line's detected language is a weak guess; the article's is a better one.
    return (para.lang if para.end - para.start >= OWN_LANGUAGE_MIN_CHARS else None) or doc.lang


def _looks_like_a_name(surface: str) -> bool:
    """In scripts with capitals, a name has one; and it is more than a letter. OCR fragments
    ("usanne") and lone initials a model labels are not names; "G7" and "F5" are."""
    letters = [ch for ch in surface if ch.isalpha()]
    if not letters or sum(ch.isalnum() for ch in surface) < 2:
        return False
    return not uncapitalised("".join(letters))


def _drop_nested(spans: list[Found]) -> list[Found]:
    """After title extension a model's "M" can sit inside "M. Jules Richard": keep the longest."""
    by_length = sorted(spans, key=lambda f: f.start - f.end)
    kept: list[Found] = []
    for span in by_length:
        if not any(_overlaps(span, other) for other in kept):
            kept.append(span)
    return kept


def _within_longer_name(alias: Found, model: list[Found]) -> bool:
    """A registry alias strictly inside a model's name of the same kind is part of that name:
    the model's "Ramzan Kadyrov" or "Kadyrov's Chechen government" is kept, not the alias "Kadyrov"
    inside it. Where the kinds differ ("Islamic State" inside a model's place), the registry wins."""
    kind = "organization" if alias.type == "armed_group" else alias.type
    return any(m.start <= alias.start and alias.end <= m.end and m.end - m.start > alias.end - alias.start
               and m.type == kind for m in model)


def _inside_kept_names(inner: list[Found], outer: list[Found]) -> list[Found]:
    """The nested names that lie inside a kept organisation's or person's span and are not that span."""
    bodies = [(f.start, f.end) for f in outer if f.type in ("organization", "armed_group", "person")]
    taken = {(f.start, f.end) for f in outer}
    return [f for f in inner if (f.start, f.end) not in taken
            and any(start <= f.start and f.end <= end for start, end in bodies)]


def find_names(doc: Document) -> list[Found]:
    tokens = tokenise(doc.text)  # shared by both dictionary scans
    model_all = _places_throughout(doc.text, *_model_spans(doc))
    outer = _drop_nested([f for f in model_all if not f.nested])
    outer += _repeats(doc.text, tokens, outer, model_all)
    # A person whose office was taken in (spans.apposition_end) holds the names of that office as
    # nested mentions: "BNS" in "Jean-Pierre Roth, président de la BNS" neither drops the person
    # nor is lost. Names in the name part go the usual way.
    with_office = [f for f in outer if f.office is not None]
    registry_found = scan(doc.text, gazetteer("registry"), tokens)
    curated = [c for c in registry_found if not _in_an_office(c, with_office) and not _within_longer_name(c, outer)]
    model = [f for f in outer if not any(_overlaps(f, c) for c in curated)]
    kept_offices = [f for f in with_office if f in model]
    # a person dropped for a registry name gives the names of its office back
    curated += [c for c in registry_found if _in_an_office(c, with_office) and not _in_an_office(c, kept_offices)]
    places_found = scan(doc.text, gazetteer("places"), tokens)
    in_office = [replace(f, nested=True) for f in registry_found + places_found if _in_an_office(f, kept_offices)]
    places = [f for f in places_found if not any(_overlaps(f, other) for other in curated + model)]
    nested = _inside_kept_names([f for f in model_all if f.nested] + in_office, curated + model)
    return sorted(curated + model + places + _distinct(nested), key=lambda f: f.start)


def _places_throughout(text: str, found: list[Found], places: set[str]) -> list[Found]:
    """A name made a place beside a place's noun ("at Maalbeek metro station") is that place where
    the model called it a person elsewhere in the article after a preposition of place ("at
    Maalbeek"); elsewhere the person stays ("poems by Pushkin" beside "Pushkin Square")."""
    return [replace(f, type="location") if f.type == "person" and text[f.start : f.end] in places
            and after_a_place_preposition(text, f.start) else f for f in found]


def _repeats(text: str, tokens: Tokens, model: list[Found], taken: list[Found]) -> list[Found]:
    """The other places where a name the model found stands in the article unmarked. The model
    reads one paragraph at a time and can label "Freud" in one sentence and miss him in the
    next; an article uses a name one way throughout, so its kind carries over. Left alone: a name
    the model gave two kinds, a place any model span already covers, and what `_same_name_here`
    rejects."""
    spans, keys = tokens.spans, tokens.keys
    token_starts = [start for start, _, _ in spans]
    kinds: dict[str, set[EntityType]] = defaultdict(set)
    spellings: dict[str, set[str]] = defaultdict(set)
    sources: dict[str, Found] = {}
    table = Gazetteer({}, {}, {})
    for found in model:
        if found.office is not None:  # the span holds an office too; the name alone is not known
            continue
        # the name's words, keyed as the scan keys the text (a span off the word bounds is skipped)
        first = bisect_left(token_starts, found.start)
        last = bisect_right(token_starts, found.end - 1)
        surface = text[found.start : found.end]
        if first == last or token_starts[first] != found.start or spans[last - 1][1] != found.end:
            continue
        key = " ".join(keys[first:last])
        # without capitals one word is no name on its own (المدينة: Medina, or "the city")
        if len(key) < MIN_REPEATED_KEY or not (has_case(surface) or last - first > 1):
            continue
        kinds[key].add(found.type)
        spellings[key].add(surface)
        if key not in sources:
            sources[key] = found
            entity = Entity(key, surface, found.type)
            if last - first == 1 and is_acronym(surface):  # the scan looks acronyms up one word at a time
                table.by_acronym[surface] = entity
            else:
                table.by_key[key] = entity
                table.first_words[keys[first]] = max(table.first_words.get(keys[first], 0), last - first)
    if not sources:
        return []
    # Does a hit overlap a span already taken? The taken spans by start, with the furthest end so far.
    ordered = sorted(taken, key=lambda f: f.start)
    taken_starts = [f.start for f in ordered]
    furthest = list(accumulate((f.end for f in ordered), max))
    lower_words = {word for _, _, word in spans if word.islower()}
    out = []
    for hit in scan(text, table, tokens):
        assert hit.entity is not None  # every entry of the table has one
        key = hit.entity.id
        before = bisect_left(taken_starts, hit.end)  # the taken spans that start before the hit ends
        if (len(kinds[key]) > 1 or (before and furthest[before - 1] > hit.start)
                or not _same_name_here(text, hit.start, hit.end, spellings[key], lower_words)):
            continue
        out.append(Found(hit.start, hit.end, hit.type, None, sources[key].normal))
    return out


def _same_name_here(text: str, start: int, end: int, spellings: set[str], lower_words: set[str]) -> bool:
    """Is text[start:end], which the dictionary scan matched, the name the model found? In scripts
    with capitals, only in a spelling the model marked, and a one-word name not at a sentence's
    start where the article also uses the word in lower case ("Will" after a model's "Will Smith":
    "Will he stay?"). Without capitals, only with nothing but spaces between its words (the scan
    reads "يحيى. بيرت" across a full stop as "يحيى بيرت")."""
    surface = text[start:end]
    if not has_case(surface):
        return not any(unicodedata.category(ch).startswith("P") and ch not in "-‐" for ch in surface)
    if surface not in spellings:
        return False
    return not (surface.lower() in lower_words and starts_a_sentence(text, start))


def _in_an_office(found: Found, persons: list[Found]) -> bool:
    return any(p.office is not None and p.office <= found.start and found.end <= p.end for p in persons)


def _distinct(found: list[Found]) -> list[Found]:
    """One mention per span: a nested name that several sources found is kept once, from the
    first source that knows its entity (the registry before the places data), else the first."""
    by_span: dict[tuple[int, int], Found] = {}
    for f in found:
        held = by_span.get((f.start, f.end))
        if held is None or (held.entity is None and f.entity is not None):
            by_span[(f.start, f.end)] = f
    return list(by_span.values())


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


def relink_mention(surface: str, entity_type: str) -> Entity | None:
    """The registry's or the places data's entity for a stored mention, found again from its text
    (no model is run); None for a name neither knows, whose stored link (which may come from
    the article's context, as a lone surname does) stays."""
    model_type: EntityType = "organization" if entity_type == "armed_group" else entity_type  # type: ignore[assignment]
    entity = link(surface, None, model_type)
    curated = entity.id in registry().entries or entity.id.startswith(("country:", "region:", "geo:"))
    return entity if curated else None


def _resolve_short_person_names(mentions: list[Mention]) -> list[Mention]:
    """Within one article "Bortnikov" after "Alexander Bortnikov" is the same person, whatever
    label a model gave the lone surname (they often call it an organisation)."""
    full: dict[str, str] = {}
    for m in mentions:
        words = m.text.split(",")[0].split()  # the name, without an office in apposition after it
        if m.type == "person" and len(words) > 1:
            full.setdefault(name_key(words[-1]), m.entity_id)
    out = []
    for m in mentions:
        target = full.get(name_key(m.text)) if len(m.text.split()) == 1 else None
        if target and target != m.entity_id and m.entity_id not in registry().entries:
            m = Mention(m.start, m.end, m.text, "person", target)
        out.append(m)
    return out


def _russian_descriptor_anaphors(doc: Document, mentions: list[Mention]) -> list[Mention]:
    """An organisation named again by its descriptor alone in Russian text ("радиостанции" after
    "радиостанция «Эхо Москвы»") is a mention of that organisation's entity (russian.py). Needs the
    Russian recognizer's morphology; a plug-in recognizer without one gets none."""
    within = [(p.start, p.end) for p in doc.paragraphs if _paragraph_lang(doc, p) == "ru"]
    morphology = getattr(recognizer_for("ru"), "morphology", None) if within else None
    if morphology is None:
        return []
    organisations = [m for m in mentions if m.type == "organization"]
    found = russian.descriptor_anaphors(doc.text, [(m.start, m.end) for m in organisations],
                                        [(m.start, m.end) for m in mentions], morphology, within)
    return [Mention(start, end, doc.text[start:end], organisations[i].type, organisations[i].entity_id)
            for start, end, i in found]


def extract_entities(doc: Document) -> tuple[tuple[Mention, ...], tuple[Entity, ...]]:
    mentions: list[Mention] = []
    entities: dict[str, Entity] = {}
    for found in find_names(doc):
        surface = doc.text[found.start : found.end]
        entity = found.entity or link(surface, found.normal, found.type)
        entities.setdefault(entity.id, entity)
        mentions.append(Mention(found.start, found.end, surface, entity.type, entity.id))
    mentions = _resolve_short_person_names(mentions)
    anaphors = _russian_descriptor_anaphors(doc, mentions)
    if anaphors:
        mentions = sorted([*mentions, *anaphors], key=lambda m: m.start)
    used = {m.entity_id for m in mentions}
    return tuple(mentions), tuple(e for e in entities.values() if e.id in used)
