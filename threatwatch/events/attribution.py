"""Who said it: reported speech and its speaker, in English, French, Arabic and Russian.

A cue is a reporting verb ("said", "a déclaré", "قال", "заявил"), a phrase whose speaker follows it
("according to", "selon", "بحسب", "по словам") or a verb that relays someone else's words ("quoted ...
as saying", "نقلت ... عن"); one compiled pattern per language finds them all. The speaker is the noun
phrase next to the cue, read off the sentence's tokens by the word classes in
data/events/reporting_{lang}.json; this code knows no word of any language.

The speaker follows the cue for according-to phrases, relays and verb-first languages (Arabic), and
follows a verb that comes right after a quotation, a dash or a comma (`"...," said X`, `«...», — заявил X`,
`..., передает ТАСС`); otherwise it stands before the verb, or, in languages of free word order
(Russian), after it when nothing before it can be a speaker ("Об этом заявил Путин").

Pronouns (he, il, он) are returned as the speaker, for a later stage to resolve. Arabic leaves the
subject pronoun out ("وأضاف أن", he added that); then the speaker span is the verb itself
(speaker_start == cue_start), to be resolved the same way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from threatwatch.data import load_json
from threatwatch.events.sentences import WORD_CHARACTERS as _W
from threatwatch.events.sentences import quotations, split_sentences, words

_CLOSERS = frozenset("\"”»“’'")
_MARKS = frozenset("\"“”«»„")
_INVERTS = _CLOSERS | frozenset(",—–-")  # after these a verb may come before its speaker
_POSSESSIVE = ("'s", "’s", "s'", "s’")
_GAP = " \t\u00a0,;:—–-"  # what may stand between a quotation and its attribution
_WINDOW = 250  # characters read either side of a cue
_LANGS = ("en", "fr", "ar", "ru")
_WORD_CLASSES = ("pronouns", "determiners", "heads", "titles", "connectors", "links", "boundaries", "prepositions",
                 "speaker_prepositions", "between", "passive", "complementizers", "not_cues")


@dataclass(frozen=True, slots=True)
class Attribution:
    """Reported speech: who (speaker, as written), the words that report it (cue), what it covers (scope:
    the sentence, widened to a quotation that runs over several) and the quoted words, if any. Offsets
    are into the text given to find_attributions."""

    speaker_start: int
    speaker_end: int
    speaker: str  # "Ilya Rogachev", "a Foreign Ministry official", "الناطق باسم الداخلية", "Марии Захаровой", "he"
    cue_start: int
    cue_end: int
    cue: str  # "said", "according to", "quoted", "a déclaré", "a-t-il déclaré", "قال", "по словам"
    scope_start: int
    scope_end: int
    quote_start: int | None = None  # the words inside the quotation marks, without a trailing comma
    quote_end: int | None = None


@dataclass(frozen=True, slots=True)
class _Lexicon:
    """One language's data/events/reporting_{lang}.json, compiled."""

    cues: re.Pattern[str]
    pronoun_in_cue: re.Pattern[str]
    order: str
    pro_drop: bool
    cased: bool
    max_words: int
    speaker_before: tuple[str, ...]
    elisions: tuple[str, ...]
    definite: tuple[str, ...]
    words: dict[str, frozenset[str]]


@dataclass(frozen=True, slots=True)
class _Token:
    start: int
    end: int
    text: str
    low: str  # case-folded, without an elided article or a possessive ending
    kind: str  # p punctuation, d determiner, o pronoun, b boundary, h head noun, c capitalised, m other word
    det: bool  # carries an elided article: l'armée


def find_attributions(text: str, lang: str, names: Sequence[tuple[int, int]] = ()) -> list[Attribution]:
    """Attributions in text (lang en|fr|ar|ru; any other is read as English), in order. `names` are (start, end)
    spans of person/organisation names an NER already found; a speaker that overlaps one of them is
    extended/trimmed to it."""
    lex = _lexicon(lang)
    matches = [m for m in lex.cues.finditer(text) if m.group().casefold() not in lex.words["not_cues"]]
    if not matches:
        return []
    quotes = quotations(text)
    stops = frozenset(m.start() for m in matches)
    found = []
    sentences = iter(split_sentences(text))
    sentence = next(sentences, None)
    for match in matches:
        while sentence is not None and sentence[1] <= match.start():
            sentence = next(sentences, None)
        kind = match.lastgroup or "verb"
        cue_start, cue_end = match.span(kind)
        if sentence is None or cue_end > sentence[1] or any(q <= cue_start < e for q, e in quotes):
            continue
        if lex.cased and text[cue_start].isupper() and cue_start > sentence[0] and kind != "acc":
            continue  # a capitalised verb inside a sentence: a headline in title case ("Video Threatens To ...")
        speaker = _speaker(text, match, kind, sentence, lex, stops)
        if speaker is None and kind == "verb" and lex.pro_drop:
            speaker = (cue_start, cue_end)
        if speaker is not None:
            found.append(_attribution(text, speaker, (cue_start, cue_end), sentence, quotes, names, lex))
    return found


def _speaker(text: str, match: re.Match[str], kind: str, sentence: tuple[int, int], lex: _Lexicon,
             stops: frozenset[int]) -> tuple[int, int] | None:
    if kind == "inv":
        pronoun = lex.pronoun_in_cue.search(text, *match.span(kind))
        return pronoun.span(1) if pronoun else None
    # a speaker phrase, with an apposition, is far shorter than the window; whole sentences cost time
    window_start = max(sentence[0], match.start() - _WINDOW)
    if window_start > sentence[0]:
        window_start = next((i for i in range(window_start, match.start()) if text[i].isspace()), match.start())
    before = [_token(text, s, e, lex) for s, e in words(text, window_start, match.start())]
    after = words(text, match.end(kind), min(sentence[1], match.end(kind) + _WINDOW))
    tokens = before + [_token(text, s, e, lex) for s, e in after]
    b = len(before)
    if kind == "acc":  # "как заявили в МВД": the speaker may stand behind a preposition
        if b < len(tokens) and tokens[b].low in lex.words["speaker_prepositions"]:
            b += 1
        span = _forward(tokens, b, lex, stops, loose=True)
    elif kind == "rel":
        span = _relay(text, tokens, b, match.end(kind), lex, stops)
    else:
        span = _verb(tokens, b, lex, stops)
    if span is None:
        return None
    first, last = _tail_name(tokens, *span, lex) if lex.cased else span
    return tokens[first].start, tokens[last].end


def _verb(tokens: list[_Token], b: int, lex: _Lexicon, stops: frozenset[int]) -> tuple[int, int] | None:
    j = _skip(tokens, b - 1, lex.words["between"])
    if lex.order == "verb_first" and j < b - 1:
        return None  # a particle between subject and verb ("... قد حذرت"): the subject came first
    if j >= 0 and tokens[j].text == ")":  # "Russia's Federal Security Service (FSB) announced"
        j = next((k for k in range(j - 1, max(j - 8, -1), -1) if tokens[k].text == "("), 0) - 1
        return _backward(tokens, j, lex) if j >= 0 else None
    if j >= 0 and tokens[j].kind != "p":
        if tokens[j].low in lex.words["passive"]:
            return None  # "he was told": the subject did not speak
        if tokens[j].kind == "d" and b < len(tokens) and tokens[b].kind in "hcm":
            return None  # "the said document"
        if lex.cased and tokens[j].text.endswith(_POSSESSIVE):
            return None  # "Putin's claim", "Kiev's alleged ...": a noun or an adjective
        if lex.order == "verb_first":
            return _forward(tokens, b, lex, stops, loose=not lex.cased)
        span = _backward(tokens, j, lex)
        return span or (_forward(tokens, b, lex, stops, loose=False) if lex.order == "free" else None)
    if j >= 0 and tokens[j].text == "," and not (j > 0 and tokens[j - 1].text in _CLOSERS):
        apposed = _apposition(tokens, j, lex)  # "X, a Foreign Ministry official, said"
        if apposed is not None:
            return apposed
    if j >= 0 and tokens[j].text not in _INVERTS and lex.order != "verb_first":
        return None
    return _forward(tokens, b, lex, stops, loose=not lex.cased)


def _relay(text: str, tokens: list[_Token], b: int, cue_end: int, lex: _Lexicon,
           stops: frozenset[int]) -> tuple[int, int] | None:
    if lex.speaker_before and text[cue_end:cue_end + 30].lstrip().casefold().startswith(lex.speaker_before):
        # "Putin was quoted as saying": the subject is the speaker
        return _backward(tokens, _skip(tokens, b - 1, lex.words["passive"] | lex.words["between"]), lex)
    if lex.words["speaker_after"]:  # "نقلت وكالة رويترز عن مصدر أمني"
        b = next((k + 1 for k in range(b, len(tokens)) if tokens[k].low in lex.words["speaker_after"]), len(tokens))
    return _forward(tokens, b, lex, stops, loose=True)


def _apposition(tokens: list[_Token], comma: int, lex: _Lexicon) -> tuple[int, int] | None:
    """The speaker before an apposition closed by the comma: the apposition opens with a determiner or
    a number, or ends with a head noun ("Zamir Kabulov, head of the ... Department, said")."""
    for c in range(comma - 1, max(comma - 14, 0), -1):
        if tokens[c].kind == "p":
            first = tokens[c + 1]
            if tokens[c].text != "," or not (first.kind == "d" or first.text[0].isdigit()
                                              or tokens[comma - 1].kind == "h"):
                return None
            return _backward(tokens, c - 1, lex)
    return None


def _backward(tokens: list[_Token], j: int, lex: _Lexicon) -> tuple[int, int] | None:
    """The speaker phrase that ends at token j: a pronoun, or determiner, modifiers and a head noun or name."""
    if j < 0 or tokens[j].kind not in "ohc":
        return None
    if tokens[j].kind == "o":
        return j, j
    k, links = _phrase_start(tokens, j, lex), lex.words["links"]
    for _ in range(2):  # "the director of the Department for New Challenges and Threats", "le chef du groupe"
        if k >= 1 and tokens[k].kind == "d" and tokens[k].low in links and tokens[k - 1].kind == "h":
            k = _phrase_start(tokens, k - 1, lex)
        elif k >= 2 and tokens[k - 1].low in links and tokens[k - 2].kind == "h":
            k = _phrase_start(tokens, k - 2, lex)
    if k > 0 and tokens[k - 1].low in lex.words["governing"]:
        return None  # "posted on YouTube said": the object of a preposition is not the subject
    return k, j


def _phrase_start(tokens: list[_Token], j: int, lex: _Lexicon) -> int:
    """Back from token j over the phrase; lower-case modifiers only before a head noun, so that a name
    does not take in the verb before it ("Moscow dismisses U.S. claims")."""
    k, named = j, tokens[j].kind == "c"
    while not tokens[k].det and k > 0 and j - k + 1 < lex.max_words:
        if k > 1 and _joins_names(tokens, k - 1, lex):
            k -= 2
        elif tokens[k].kind == "d":
            break
        elif tokens[k - 1].kind in "dhc" or (tokens[k - 1].kind == "m" and not named):
            k -= 1
            named = named and tokens[k].kind != "h"
        else:
            break
    return k


def _joins_names(tokens: list[_Token], k: int, lex: _Lexicon) -> bool:
    """A connector between capitalised words belongs to the name: "Islamic State of Iraq and the Levant"."""
    return (tokens[k].low in lex.words["connectors"] and tokens[k - 1].kind == "c"
            and k + 1 < len(tokens) and tokens[k + 1].kind in "cd")


def _forward(tokens: list[_Token], i: int, lex: _Lexicon, stops: frozenset[int], loose: bool) -> tuple[int, int] | None:
    """The speaker phrase that starts at token i, up to its last head noun or name; `loose` takes the
    whole phrase when it has neither ("according to a recording")."""
    if i >= len(tokens) or tokens[i].kind in "pb":
        return None
    if tokens[i].kind == "o":
        return i, i
    last, definite, k = None, False, i
    while k < len(tokens) and k - i < lex.max_words and tokens[k].start not in stops:
        token = tokens[k]
        linked = k > i and tokens[k - 1].low in lex.words["linking"]
        if k > i and token.kind == "b" and _joins_names(tokens, k, lex):
            k += 1
            continue
        if token.kind in "pbo" or (k > i and (token.kind == "d" or token.det) and not linked
                                   and token.low not in lex.words["links"]):
            break
        if lex.definite:  # after a definite word, one without the article starts the next phrase
            article = token.low.startswith(lex.definite)
            if definite and not article and not linked and token.low not in lex.words["links"]:
                break
            definite = definite or article
        if token.kind in "hc" or not lex.cased:
            last = k
        k += 1
    if last is None and k > i and (loose or tokens[i].kind == "d"):
        last = k - 1
    return None if last is None else (i, last)


def _tail_name(tokens: list[_Token], first: int, last: int, lex: _Lexicon) -> tuple[int, int]:
    """A name after a title or description is the speaker: "Health Minister Mikhail Murashko",
    "Foreign Ministry spokeswoman Maria Zakharova"."""
    k = last + 1
    while k > first and tokens[k - 1].low not in lex.words["titled"] and not tokens[k - 1].det \
            and tokens[k - 1].text[:1].isupper() and not tokens[k - 1].text.isupper():  # Titlecase, not an acronym
        k -= 1
    if k <= first or k > last:
        return first, last
    before = tokens[k - 1]
    if before.kind == "d" or before.low in lex.words["linking"]:
        return first, last
    return (k, last) if last - k + 1 >= (1 if before.low in lex.words["titles"] else 2) else (first, last)


def _skip(tokens: list[_Token], j: int, skipped: frozenset[str]) -> int:
    while j >= 0 and tokens[j].kind != "p" and tokens[j].low in skipped:
        j -= 1
    return j


def _attribution(text: str, speaker: tuple[int, int], cue: tuple[int, int], sentence: tuple[int, int],
                 quotes: list[tuple[int, int]], names: Sequence[tuple[int, int]], lex: _Lexicon) -> Attribution:
    start, end = speaker
    if speaker != cue:
        start, end = _fit_name(text, start, end, end - 1 if lex.cased else start, names)
    scope_start, scope_end = sentence
    quote = _quote_for(text, quotes, sentence, min(start, cue[0]), max(end, cue[1]), lex)
    inner: tuple[int | None, int | None] = (None, None)
    if quote is not None:
        scope_start, scope_end = min(scope_start, quote[0]), max(scope_end, quote[1])
        first = quote[0] + (text[quote[0]] in _MARKS)  # no opening mark: opened in an earlier paragraph
        quoted = text[first:quote[1] - 1]
        inner_end = first + len(quoted.rstrip().rstrip(",").rstrip())
        inner = (min(first + len(quoted) - len(quoted.lstrip()), inner_end), inner_end)
    return Attribution(start, end, text[start:end], cue[0], cue[1], text[cue[0]:cue[1]], scope_start, scope_end,
                       *inner)


_OF = re.compile(r"(?<!\w)(?:of|for|at|de|du|des|d'|при)(?!\w)", re.IGNORECASE)


def _fit_name(text: str, start: int, end: int, anchor: int, names: Sequence[tuple[int, int]]) -> tuple[int, int]:
    """The NER's name when it holds the phrase's main word (the last in cased scripts, the first in
    Arabic), or follows the phrase in apposition ("المتحدث باسم الكرملين دميتري بيسكوف")."""
    # "the deputy secretary of Russia's security council" is the secretary, not the council.
    holding = (name for name in names if name[0] <= anchor < name[1] and not _OF.search(text[start:name[0]]))
    apposed = (name for name in names if name[0] > end and not text[end:name[0]].strip())
    return next(holding, None) or next(apposed, None) or (start, end)


def _quote_for(text: str, quotes: list[tuple[int, int]], sentence: tuple[int, int], lo: int, hi: int,
               lex: _Lexicon) -> tuple[int, int] | None:
    """The quotation that ends right before the attribution in its sentence, or that it introduces."""
    before = [q for q in quotes if sentence[0] < q[1] <= lo and not text[q[1]:lo].strip(_GAP)]
    if before:
        return max(before, key=lambda q: q[1])
    for quote in quotes:
        if hi <= quote[0] < sentence[1]:
            lead_in = text[hi:quote[0]]
            lead_words = lead_in.strip(_GAP).casefold()
            if not lead_words or lead_words in lex.words["complementizers"] or lead_in.rstrip().endswith(":"):
                return quote
            return None
    return None


def _token(text: str, start: int, end: int, lex: _Lexicon) -> _Token:
    word = text[start:end]
    if len(word) == 1 and not word.isalnum():
        return _Token(start, end, word, word, "p", False)
    low, core, det = word.casefold().replace("’", "'"), word, False
    for elision in lex.elisions:
        if low.startswith(elision) and len(low) > len(elision):
            low, core, det = low[len(elision):], word[len(elision):], elision in lex.words["determiners"]
            break
    if lex.cased and low.endswith(("'s", "'")):
        low = low[:-2] if low.endswith("'s") else low[:-1]
    particle, _, rest = core.partition("-")
    if rest and particle.casefold() + "-" in lex.words["connectors"]:
        core = rest  # al-Baghdadi
    classes = lex.words
    acronym = lex.cased and len(word) > 1 and word.isupper()  # "US officials", "IS said": not "us", "is"
    kind = ("d" if low in classes["determiners"] and not acronym else
            "o" if low in classes["pronouns"] and not acronym else
            "b" if low in classes["boundaries"] and not acronym else "h" if low in classes["heads"] else
            "c" if lex.cased and core[:1].isupper() else "m")
    return _Token(start, end, word, low, kind, det)


@cache
def _lexicon(lang: str) -> _Lexicon:
    # like the other event stages, a language without a data file is read with English: a paragraph
    # whose language was misdetected is most often English, and other text rarely matches English cues
    raw = load_json(f"events/reporting_{lang if lang in _LANGS else 'en'}.json")
    return _Lexicon(
        cues=_cue_pattern(raw),
        pronoun_in_cue=re.compile(rf"-(?:t-)?({_alternation(raw['inverted_pronouns'])})", re.IGNORECASE),
        order=raw["order"], pro_drop=raw["pro_drop"], cased=raw["cased"], max_words=raw["max_words"],
        speaker_before=tuple(w.casefold() for w in raw["relay"]["speaker_before"]),
        elisions=tuple(raw["elisions"]), definite=tuple(raw["definite_prefixes"]),
        words=_word_classes(raw))


def _word_classes(raw: dict) -> dict[str, frozenset[str]]:
    classes = {key: frozenset(w.casefold() for w in raw[key]) for key in _WORD_CLASSES}
    classes["speaker_after"] = frozenset(w.casefold() for w in raw["relay"]["speaker_after"])
    classes["linking"] = classes["links"] | classes["connectors"]
    classes["titled"] = classes["titles"] | classes["heads"]
    classes["governing"] = (classes["prepositions"] | classes["links"]) - classes["speaker_prepositions"]
    return classes


def _cue_pattern(raw: dict) -> re.Pattern[str]:
    verbs, auxiliary, participle = (_alternation(raw[key]) for key in ("verbs", "auxiliaries", "participles"))
    adverb = rf"(?:(?:{_alternation(raw['cue_adverbs'])})\s+)?"
    pronoun = _alternation(raw["inverted_pronouns"])
    inverted = rf"(?:{auxiliary})(?:-t)?-(?:{pronoun})\s+{adverb}(?:{participle})|(?:{verbs})(?:-t)?-(?:{pronoun})"
    proclitic = f"(?:{'|'.join(map(re.escape, raw['proclitics']))})?" if raw["proclitics"] else ""
    phrases = [*raw["verbs"], *raw["auxiliaries"], *raw["according_to"], *raw["relay"]["cues"], *raw["proclitics"]]
    initials = "".join(sorted({c for p in phrases for c in (p[0].lower(), p[0].upper())}))
    according, relay = _alternation(raw["according_to"]), _alternation(raw["relay"]["cues"])
    return re.compile(  # the look-ahead on the first letter spares trying every alternative at every position
        rf"(?=[{re.escape(initials)}])(?<![{_W}]){proclitic}(?:(?P<inv>{inverted})|(?P<acc>{according})"
        rf"|(?P<rel>{relay})|(?P<verb>(?:{auxiliary})\s+{adverb}(?:{participle})|{verbs}))", re.IGNORECASE)


def _alternation(phrases: Sequence[str]) -> str:
    """Longest first, so that "a déclaré" wins over "a"; a final tatweel marks a preposition written onto
    the next word ("وفقا لـ"), which then needs no word boundary and may drop the tatweel."""
    parts = []
    for phrase in sorted(set(phrases), key=len, reverse=True):
        body = r"\s+".join(re.escape(word) for word in phrase.rstrip("ـ").split()).replace("'", "['’]")
        parts.append(body + "ـ?" if phrase.endswith("ـ") else body + rf"(?![{_W}])")
    return "|".join(parts) or "(?!)"
