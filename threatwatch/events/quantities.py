"""Counted quantities in news text, in words or digits, with their qualifier.

"more than 3,200", "около 150", "jusqu'à 2 000", "سبعة وعشرون", "5-7 тысяч", "dozens", "tenfold": each comes
back with exact offsets into the caller's text. All language knowledge (number words, qualifier phrases, vague
words, year and identifier cues) lives in data/events/numbers_<lang>.json; this module only walks tokens.

Conventions. A vague word gets the smallest value its plural allows, twice its unit (dozens = 24, hundreds =
200, des dizaines = 20, عشرات = 20), "several"/"a few" = 3, and qualifier "about" unless a qualifier phrase
says otherwise; "une centaine" is 100, vague. "a dozen" is 12, exact. "up to N" has value = value_max = N.
A percentage is returned as its number (the % sign stays outside the span). Years, calendar dates, month+day,
clock times, ordinals ("23rd", "5-й") and numbers fused to letters or named by the word before them
("Flight 9268", "Су-24", "Resolution 2254") are not quantities.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from threatwatch.data import load_json
from threatwatch.events.when import may_hold_date
from threatwatch.metadata import find_dates

Number = int | float

_LANGS = frozenset({"en", "fr", "ar", "ru"})
# One-to-one, so offsets into the translated text are offsets into the caller's text.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_MARKS = "\u0300-\u036f\u0640\u064b-\u065f\u0670"  # combining accents, tatweel, Arabic short vowels
_UNMARK = dict.fromkeys([*range(0x300, 0x370), 0x640, *range(0x64B, 0x660), 0x670])
_GAP = re.compile(r"[^\S\n]*(?:['’][^\S\n]*)?")  # what may separate the words of one phrase
_ID_GAP = re.compile(r"[^\S\n]?(?:[.°º#№][^\S\n]?)?")  # "Flight 9268", "No. 5", "n°5"
_ARABIC_DIGIT = re.compile("[٠-٩۰-۹]")
_DIGIT_BEFORE = re.compile(r"\d[.,:/]")  # 10:30, 23/07/2016, 23.07: parts of a structured token
_DIGIT_AFTER = re.compile(r"[.,:/]\d")
_SENTENCE_END = ".!?…:;\"'«»“”()\n"
_PHRASES = ("units", "articles", "weak", "hundreds", "scales", "vague", "vague_scales", "vague_links", "connectors",
            "qualifiers_before", "qualifiers_after", "range_frames", "multiplier_words", "multiplier_before",
            "multiplier_after")
_WORD_SETS = ("year_before", "year_after", "identifiers", "case_endings", "abbreviations", "range_links",
              "connectors", "proclitics", "stopwords")
_NUMBER_WORDS = ("units", "weak", "articles", "hundreds", "scales")


@dataclass(frozen=True, slots=True)
class Quantity:
    start: int
    end: int
    text: str
    value: int | float
    value_max: int | float | None
    qualifier: str  # exact | more_than | less_than | about | up_to | range
    vague: bool = False
    multiplier: bool = False


@dataclass(slots=True)  # not frozen: a frozen dataclass builds slower, and there is one per word
class _Tok:
    kind: str  # "n" digits, "w" word, "d" dash
    start: int
    end: int
    key: str  # folded lower-case word without marks, "-" for any dash, digits as written
    alt: str = ""  # a word's key without one proclitic ("بثلاثة")
    alt2: str = ""  # ... and without two ("وبثلاثة")
    upper: bool = False
    value: Number = 0


@dataclass(frozen=True, slots=True)
class _Core:
    i: int  # tokens [i, j)
    j: int
    end: int  # character end: a scale abbreviation may take its dot
    value: Number
    scale: int = 0
    vague: bool = False
    multiplier: bool = False
    clitic: str = ""


# Whether a word can open a quantity (see _openers): True, False, or only before a token with one of these keys.
_Opens = bool | frozenset[str]
_A_NUMBER = "#"  # in an _Opens set: a number token (no token's key is "#")


@dataclass(frozen=True, slots=True)
class _Lexicon:
    token_re: re.Pattern[str]
    gapped_re: re.Pattern[str]  # the text before each token, and the token (see _tokens)
    fold: dict[int, str | None]
    decimal: str
    phrases: dict[str, list[tuple[tuple[str, ...], dict[str, Any]]]]  # first key -> (keys, {category: payload})
    sets: dict[str, frozenset[str]]
    bare: dict[str, Number]
    pronouns: dict[str, frozenset[str]]
    time_re: re.Pattern[str] | None
    flags: dict[str, bool]
    openers: dict[str, _Opens]  # key -> what the first word of a quantity needs after it (see _openers)
    words: dict[str, tuple[str, str, str, bool, _Opens]]  # word as written -> key, alt, alt2, upper, opens
    matches: dict[tuple[str, tuple[str, ...]], list[tuple[tuple[str, ...], Any, str]]]  # see _match


@cache
def _lexicon(lang: str) -> _Lexicon:
    raw = load_json(f"events/numbers_{lang}.json")
    sep, dec = (re.escape("".join(raw["digits"][k])) for k in ("thousands", "decimal"))
    number = rf"\d{{1,3}}(?:[{sep}]\d{{3}})+(?!\d)(?:[{dec}]\d+)?|\d+(?:[{dec}]\d+)?"
    dashes = r"\-\u2010\u2011\u2013\u2014"
    tokens = rf"(?P<n>{number})|(?P<w>(?:[^\W\d_]|[{_MARKS}])+)|(?P<d>[{dashes}])"
    token_re = re.compile(tokens)
    # Before each token, the characters that cannot start one (a token starts at a digit, a letter, a mark or a
    # dash); \Z takes what follows the last token in one go.
    gapped_re = re.compile(rf"((?:[^\w{_MARKS}{dashes}]|_)*)(?:{tokens}|\Z)")
    fold = str.maketrans(raw["fold"]) | _UNMARK

    def keys(phrase: str) -> tuple[str, ...]:
        return tuple({"w": m.group().lower().translate(fold), "d": "-"}.get(m.lastgroup, m.group())
                     for m in token_re.finditer(phrase))

    phrases: dict[str, list[tuple[tuple[str, ...], dict[str, Any]]]] = {}
    for category in _PHRASES:
        table = raw[category]
        for phrase, payload in table.items() if isinstance(table, dict) else ((p, True) for p in table):
            key = keys(phrase)
            entries = phrases.setdefault(key[0], [])
            entry = next((e for e in entries if e[0] == key), None)
            if entry is None:
                entries.append(entry := (key, {}))
            entry[1][category] = frozenset(keys(c)[0] for c in payload) if category == "range_frames" else payload
    for entries in phrases.values():
        entries.sort(key=lambda e: -len(e[0]))
    months = [keys(name) for names in load_json("months.json")["months"].values() for name in names]
    sets = {name: frozenset(keys(w)[0] for w in raw[name]) for name in _WORD_SETS}
    sets["months_first"], sets["months_last"] = frozenset(m[0] for m in months), frozenset(m[-1] for m in months)
    sets["months"] = sets["months_first"] | sets["months_last"]
    sets["known"] = frozenset(k for entries in phrases.values() for e in entries for k in e[0]).union(
        sets["year_before"], sets["months_first"], sets["months_last"])
    times = "|".join(re.escape(t) for t in sorted(raw["time_after"], key=len, reverse=True))
    return _Lexicon(
        token_re, gapped_re, fold, raw["digits"]["decimal"], phrases, sets,
        bare={keys(w)[0]: v for w, v in raw["bare_values"].items()},
        pronouns={keys(w)[0]: frozenset(keys(c)[0] for c in cues) for w, cues in raw["pronouns"].items()},
        time_re=re.compile(rf"[^\S\n]*(?:{times})(?!\w)", re.IGNORECASE) if times else None,
        flags={"qualified_singular": raw["qualified_singular"], "bare_years": raw["year_without_separator"],
               "framed_multiplier": bool(raw["multiplier_before"])},
        openers=_openers(phrases),
        words={}, matches={},
    )


def _openers(phrases: dict[str, list[tuple[tuple[str, ...], dict[str, Any]]]]) -> dict[str, _Opens]:
    """What a word with each key needs after it to open a quantity, so that find_quantities can pass over the other
    words without calling _parse. _parse returns nothing at token i unless a phrase of one of the categories below
    matches there; a phrase of several words needs its second word next, and a one-word article, qualifier, range
    frame or multiplier frame needs the start of a number after it ("a hundred", "about 50", "between 5 and 7")."""
    def firsts(*categories: str) -> set[str]:
        return {k for k, entries in phrases.items() if any(c in found for _, found in entries for c in categories)}

    core = {"multiplier_words", "vague", *_NUMBER_WORDS}  # what _core reads
    opening = {"qualifiers_before", "range_frames", "multiplier_before", *core}
    number_start = {_A_NUMBER, *firsts(*core)}
    needs_after = {"articles": firsts("hundreds", "scales"), "range_frames": number_start,
                   "multiplier_before": number_start,
                   "qualifiers_before": number_start | firsts("range_frames", "multiplier_before")}
    openers: dict[str, _Opens] = {}
    for first, entries in phrases.items():
        nexts: set[str] = set()
        for keys, found in entries:
            categories = opening & found.keys()
            if not categories:
                continue
            if len(keys) > 1:
                nexts.add(keys[1])
            elif categories - needs_after.keys():
                openers[first] = True  # a number word that stands alone ("five", "dozens")
                break
            else:
                nexts.update(*(needs_after[c] for c in categories))
        else:
            if nexts:
                openers[first] = frozenset(nexts)
    return openers


def _word(lex: _Lexicon, raw: str) -> tuple[str, str, str, bool, _Opens]:
    """key, alt, alt2 and upper of a word token, and whether it can open a quantity; _tokens caches them."""
    proclitics, stopwords = lex.sets["proclitics"], lex.sets["stopwords"]
    key = raw.lower().translate(lex.fold)
    clitic = len(key) > 2 and key[0] in proclitics and key not in stopwords
    double = clitic and len(key) > 3 and key[1] in proclitics and key[1:] not in stopwords
    alt, alt2 = key[1:] if clitic else "", key[2:] if double else ""
    found = [lex.openers[k] for k in (key, alt, alt2) if k in lex.openers]
    opens: _Opens = True if True in found else frozenset().union(*found) if found else False
    if len(lex.words) >= 100_000:  # a bound for long-running processes
        lex.words.clear()
    known = lex.words[raw] = key, alt, alt2, raw[0].isupper(), opens
    return known


def _tokens(lex: _Lexicon, text: str) -> tuple[list[_Tok], list[int]]:
    """The tokens, and the indexes of those that can open a quantity (see _openers), in order."""
    toks: list[_Tok] = []
    starts: list[int] = []
    maybe: list[tuple[int, frozenset[str]]] = []
    words = lex.words
    end = 0
    # The hot loop of this module, once per word of every paragraph: findall makes no match objects, and the offsets
    # follow from the lengths.
    for gap, number, word, dash in lex.gapped_re.findall(text):
        start = end + len(gap)
        if word:
            end = start + len(word)
            key, alt, alt2, upper, opens = words.get(word) or _word(lex, word)
            if opens is True:
                starts.append(len(toks))
            elif opens:
                maybe.append((len(toks), opens))
            toks.append(_Tok("w", start, end, key, alt, alt2, upper))
        elif number:
            end = start + len(number)
            digits = "".join(c if c.isdigit() else "." if c in lex.decimal else "" for c in number)
            starts.append(len(toks))
            toks.append(_Tok("n", start, end, number, value=float(digits) if "." in digits else int(digits)))
        elif dash:
            end = start + 1
            toks.append(_Tok("d", start, end, "-"))
    if maybe:
        for i, nexts in maybe:
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            if nxt and (nxt.key in nexts or nxt.alt in nexts or nxt.alt2 in nexts or
                        nxt.kind == "n" and _A_NUMBER in nexts):
                starts.append(i)
        starts.sort()
    return toks, starts


def _near(text: str, toks: list[_Tok], j: int) -> bool:
    """Token j exists and continues the phrase that token j-1 belongs to."""
    if not 0 < j < len(toks):
        return False
    a, b = toks[j - 1].end, toks[j].start
    return a == b or (b == a + 1 and text[a] == " ") or _GAP.fullmatch(text, a, b) is not None


def _match(lex: _Lexicon, toks: list[_Tok], text: str, i: int, *categories: str) -> tuple[int, Any, str, str] | None:
    """Longest phrase of one of `categories` at token i: (token after it, payload, proclitic, category)."""
    if i >= len(toks):
        return None
    first = toks[i]
    for key, cut in ((first.key, 0), (first.alt, 1), (first.alt2, 2)):
        if key not in lex.phrases:  # most words; "" (no alt) never is
            continue
        entries = lex.matches.get((key, categories))
        if entries is None:  # the phrases that start with key and have one of the categories, longest first
            entries = lex.matches[key, categories] = [
                (keys, found[category], category) for keys, found in lex.phrases[key]
                if (category := next((c for c in categories if c in found), None))]
        for keys, payload, category in entries:
            end = i + len(keys)
            if end <= len(toks) and all(
                    toks[n].key == keys[n - i] and _near(text, toks, n) for n in range(i + 1, end)):
                return end, payload, first.key[:cut], category
    return None


def _addable(cur: Number, last: Number, value: Number, linked: bool) -> bool:
    if isinstance(cur, float) or isinstance(value, float):
        return False
    a, b = cur, value
    while a and b:
        if a % 10 and b % 10:  # both fill one decimal place: only French 60 + 11, 80 + 10 do that
            return value < last and cur % 10 == 0
        a, b = a // 10, b // 10
    # Words go from big to small, except with a conjunction (سبعة وعشرون, seven and twenty) or in a teen (ثلاثة عشر).
    return value < last or linked or cur + value < 20


def _clean(value: Number) -> Number:
    value = round(value, 6)
    return int(value) if float(value).is_integer() else value


def _number(lex: _Lexicon, toks: list[_Tok], text: str, i: int) -> _Core | None:
    digits = toks[i].kind == "n"
    total, cur, last, top, scale, words, first, clitic = 0, toks[i].value if digits else 0, 0, 0, 0, 0, "", ""
    j = i + 1 if digits else i
    if digits and _near(text, toks, j + 1) and toks[j].kind == "d" and toks[j].start == toks[i].end and \
            toks[j + 1].start == toks[j].end and toks[j + 1].key in lex.sets["case_endings"]:
        j += 2  # "3-х тысяч": a case ending keeps digits cardinal
    while j < len(toks):
        k, linked = j, False
        if j > i:
            if not _near(text, toks, j):
                break
            joint = None if digits else _match(lex, toks, text, j, "connectors")
            if joint or (toks[j].kind == "d" and not digits):
                k, linked = joint[0] if joint else j + 1, True
                if not _near(text, toks, k):
                    break
        hit = _match(lex, toks, text, k, *_NUMBER_WORDS)
        if hit is None:
            break
        end, value, proclitic, category = hit
        if j == i:
            clitic = proclitic
        elif proclitic:
            if linked or proclitic not in lex.sets["connectors"]:
                break  # "بثلاثة" after a number starts another phrase
            linked = True
        if category in ("units", "weak", "articles"):
            if digits or (cur and not _addable(cur, last, value, linked)):
                break
            if category == "articles" and (j > i or not _match(lex, toks, text, end, "hundreds", "scales")
                                           or not _near(text, toks, end)):
                break  # "a" is one only in "a hundred", "a million"
            cur, last = cur + value, value
        elif category == "hundreds":
            if linked or cur >= value:
                break
            cur = last = (cur or 1) * value
        else:
            if linked or (top and value >= top) or (not cur and total):
                break
            total += cur * value if cur else lex.bare.get(toks[k].key[len(proclitic) :], value)
            cur, last, top, scale = 0, 0, value, value
        first, words, j = first or category, words + 1, end
    if j == i or (words == 1 and not digits and first in ("weak", "articles")):
        return None
    end_char = toks[j - 1].end
    if toks[j - 1].key in lex.sets["abbreviations"] and text[end_char : end_char + 1] == ".":
        end_char += 1
    return _Core(i, j, end_char, _clean(total + cur), scale, clitic=clitic)


def _vague(lex: _Lexicon, toks: list[_Tok], text: str, i: int) -> _Core | None:
    hit = _match(lex, toks, text, i, "vague")
    if hit is None:
        return None
    j, value, clitic, _ = hit
    while _near(text, toks, j):  # "tens of thousands", "several hundred", "عشرات الآلاف"
        link = _match(lex, toks, text, j, "vague_links")
        k = link[0] if link and _near(text, toks, link[0]) else j
        unit = _match(lex, toks, text, k, "vague_scales")
        if unit is None and k == j:
            unit = _match(lex, toks, text, k, "hundreds", "scales")
        if unit is None:
            break
        j, value = unit[0], value * unit[1]
    return _Core(i, j, toks[j - 1].end, value, vague=True, clitic=clitic)


def _core(lex: _Lexicon, toks: list[_Tok], text: str, i: int, qualified: bool) -> _Core | None:
    if i >= len(toks) or toks[i].kind != "w":
        return _number(lex, toks, text, i) if i < len(toks) and toks[i].kind == "n" else None
    hit = _match(lex, toks, text, i, "multiplier_words")
    if hit:
        return _Core(i, hit[0], toks[hit[0] - 1].end, hit[1], multiplier=True, clitic=hit[2])
    # Russian "около тысячи" is one thousand; bare "тысячи" is thousands.
    singular = qualified and lex.flags["qualified_singular"] and _match(lex, toks, text, i, "hundreds", "scales")
    return (None if singular else _vague(lex, toks, text, i)) or _number(lex, toks, text, i)


def _range(lex: _Lexicon, toks: list[_Tok], text: str, low: _Core, links: frozenset[str]
           ) -> tuple[_Core, Number] | None:
    k = low.j
    if low.vague or low.multiplier or not _near(text, toks, k):
        return None
    if toks[k].key in links:
        k += 1
        if not _near(text, toks, k):
            return None
    elif not (toks[k].alt and toks[k].key[0] in links):  # Arabic "بين خمسة وسبعة": و is on the second number
        return None
    high = _number(lex, toks, text, k)
    if high is None:
        return None
    value = low.value
    if high.scale and not low.scale and value * high.scale <= high.value:
        value *= high.scale  # "5-7 тысяч": the scale of the high end covers the low end
    return (high, _clean(value)) if value < high.value else None


def _year(toks: list[_Tok], core: _Core) -> bool:
    tok = toks[core.i]
    return tok.kind == "n" and core.value == tok.value and len(tok.key) == 4 and 1800 <= tok.value <= 2099


def _not_a_count(lex: _Lexicon, toks: list[_Tok], text: str, core: _Core, k: int, end: int, explicit: bool,
                 masks: tuple[tuple[int, int], ...]) -> bool:
    """Years, dates, times, identifiers, numbers fused to letters ("23rd", "F-16", "2016م"); k/end close the span."""
    tok, start = toks[core.i], toks[core.i].start
    before = toks[core.i - 1] if core.i else None
    proclitic = before and before.kind == "w" and len(before.key) <= 2 and set(before.key) <= lex.sets["proclitics"]
    if before and before.end == start and not proclitic and (
            before.kind == "w" or core.i > 1 and toks[core.i - 2].kind == "w" and toks[core.i - 2].end == before.start):
        return True
    if k < len(toks) and toks[k].start == end and (toks[k].kind == "w" or (
            k + 1 < len(toks) and toks[k + 1].kind == "w" and toks[k + 1].start == toks[k].end)):
        return True
    if tok.kind != "n":
        cues = lex.pronouns.get(tok.key) if core.j == core.i + 1 else None
        return bool(cues and before and before.key in cues)
    if any(a < core.end and start < b for a, b in masks) or (start >= 2 and _DIGIT_BEFORE.match(text, start - 2)):
        return True
    if _DIGIT_AFTER.match(text, core.end) or (lex.time_re and lex.time_re.match(text, core.end)):
        return True
    prev = (before.key, before.alt) if before and _near(text, toks, core.i) else ()
    nxt = toks[core.j].key if _near(text, toks, core.j) else ""
    year = _year(toks, core)
    if year and (nxt in lex.sets["year_after"] or not explicit and (
            lex.flags["bare_years"] or any(p in lex.sets["year_before"] for p in prev))):
        return True
    day = core.j == core.i + 1 and len(tok.key) <= 2 and 1 <= tok.value <= 31
    if (year or day) and (nxt in lex.sets["months_first"] or any(p in lex.sets["months_last"] for p in prev)):
        return True
    if start and text[start - 1] in "#№":
        return True
    if before and before.kind == "w" and _ID_GAP.fullmatch(text, before.end, start):
        if before.key in lex.sets["identifiers"]:
            return True
        if "." in text[before.end:start] and not before.key.endswith("."):
            return False  # "... in Nepal. 14 soldiers": a full stop, not "No. 5"
        # A capitalised word inside a sentence names what the number identifies: "Flight 9268", "Рейс 9268".
        head = text[max(0, before.start - 3) : before.start].rstrip()
        return before.upper and before.key not in lex.sets["known"] and bool(head) and head[-1] not in _SENTENCE_END
    return False


def _parse(lex: _Lexicon, toks: list[_Tok], text: str, i: int, masks: tuple[tuple[int, int], ...]
           ) -> tuple[Quantity | None, int]:
    first = toks[i]
    if first.kind == "d" or first.kind == "w" and (
            first.key not in lex.phrases and first.alt not in lex.phrases and first.alt2 not in lex.phrases):
        return None, i + 1
    qualifier, j, clitic = "exact", i, None
    hit = first.kind == "w" and _match(lex, toks, text, i, "qualifiers_before")
    if hit and _near(text, toks, hit[0]):
        j, qualifier, clitic, _ = hit
    explicit, words = j > i, toks[j].kind == "w"
    core = found = suffix = lead = None
    frame = words and _match(lex, toks, text, j, "range_frames")  # "between 5,000 and 7,000", "от 5 до 7 тысяч"
    if frame and _near(text, toks, frame[0]):
        low = _core(lex, toks, text, frame[0], False)
        found = low and _range(lex, toks, text, low, frame[1])
        core, lead = (low, frame) if found else (None, None)
    prefix = words and not core and _match(lex, toks, text, j, "multiplier_before")
    if prefix and _near(text, toks, prefix[0]):  # "в десять раз"
        inner = _core(lex, toks, text, prefix[0], False)
        suffix = inner and not inner.vague and _near(text, toks, inner.j) and \
            _match(lex, toks, text, inner.j, "multiplier_after")
        core, lead = (inner, prefix) if suffix else (None, None)
    if core is None:
        core = _core(lex, toks, text, j, explicit)
        if core is None:
            return None, i + 1
    # A suffix may hang on a hyphen: "10-fold", "50-odd".
    at = core.j + 1 if core.j < len(toks) and toks[core.j].kind == "d" and toks[core.j].start == core.end else core.j
    if not (lead or core.vague or core.multiplier or lex.flags["framed_multiplier"]) and _near(text, toks, at):
        suffix = _match(lex, toks, text, at, "multiplier_after")  # "10-fold", "dix fois"
    if not (lead or suffix):
        found = _range(lex, toks, text, core, lex.sets["range_links"])
    k, end, value, value_max, multiplier = core.j, core.end, core.value, None, core.multiplier
    if suffix:
        k, end, multiplier = suffix[0], toks[suffix[0] - 1].end, True
    elif found:
        if _year(toks, core) and _year(toks, found[0]):
            return None, found[0].j
        k, end, value, value_max, qualifier = found[0].j, found[0].end, found[1], found[0].value, "range"
    elif not explicit and (after := _match(lex, toks, text, at, "qualifiers_after")) and _near(text, toks, at):
        k, end, qualifier = after[0], toks[after[0] - 1].end, after[1]  # "150 с лишним"
    if _not_a_count(lex, toks, text, core, k, end, explicit or bool(found), masks):
        return None, k
    if qualifier == "up_to":
        value_max = value
    elif core.vague and not explicit:
        qualifier = "about"
    if clitic is None:
        clitic = lead[2] if lead else core.clitic
    start = toks[i].start
    for _ in clitic:  # proclitics belong to the sentence, not to the number: "وبثلاثة" -> "ثلاثة"
        start += 1
        while start < toks[i].end and text[start].translate(_UNMARK) == "":
            start += 1
    return Quantity(start, end, text[start:end], value, value_max, qualifier, core.vague, multiplier), k


def find_quantities(text: str, lang: str) -> list[Quantity]:
    """Counted quantities in `text` (lang: en|fr|ar|ru, anything else falls back to digits-only + en words), in order,
    non-overlapping."""
    lex = _lexicon(lang if lang in _LANGS else "en")
    ascii_text = text.translate(_DIGITS) if _ARABIC_DIGIT.search(text) else text
    toks, starts = _tokens(lex, ascii_text)
    # Dates are looked for where there is a month name or three numbers (2016-07-23, 23.07.2016); most sentences
    # have neither.
    numbers = sum(toks[i].kind == "n" for i in starts)
    dated = (numbers >= 3 or numbers and any(t.key in lex.sets["months"] for t in toks)) and may_hold_date(ascii_text)
    masks = tuple((d.start, d.end) for d in find_dates(text)) if dated else ()
    found: list[Quantity] = []
    i = 0
    for start in starts:  # _parse passes over any other token
        if start < i:
            continue
        quantity, i = _parse(lex, toks, ascii_text, start, masks)
        if quantity is not None and ascii_text != text:
            quantity = replace(quantity, text=text[quantity.start : quantity.end])
        if quantity is not None:
            found.append(quantity)
    return found
