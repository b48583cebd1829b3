"""Where sentences, words and quotations start and end in cleaned article text, as character offsets.

A newline always ends a sentence: cleaning leaves one paragraph, heading or caption per line, and
none of them runs on into the next. Inside a line, end punctuation ends a sentence when whitespace and
a likely sentence opening follow: a letter that is not lower case (capitals, and the letters of scripts
without case such as Arabic), a digit, or an opening quote or bracket. Abbreviations
(data/events/abbreviations.json), dotted acronyms and single initials never do.
"""

from __future__ import annotations

import re
from functools import cache

from threatwatch.data import load_json

# Closing quotes and brackets after the full stop belong to the sentence they close.
_END = re.compile(r"([.!?…؟۔]+)[\"'”’»)\]]*(?=\s+(\S))")
_LINE = re.compile(r"[^\n]+")
_OPENERS = frozenset("\"'“‘«„([")
_DOTTED = re.compile(r"(?:[^\W\d_]\.){2,}")
WORD_CHARACTERS = r"\w\u0640\u064B-\u065F\u0670"  # for a character class: \w with the Arabic tatweel and vowel marks
_WORD = re.compile(rf"{_DOTTED.pattern}|[{WORD_CHARACTERS}](?:[{WORD_CHARACTERS}'’-]*[{WORD_CHARACTERS}])?|\S")
_QUOTE_MARK = re.compile(r"[\"“”«»„]")
_CLOSES = {"»": "«", "”": "“„", "“": "„", '"': '"'}  # closing mark -> the opening marks it closes
_MAX_QUOTE = 3000  # a lost closing mark must not pair quotation marks paragraphs apart


@cache
def _abbreviations() -> frozenset[str]:
    """Words ending in a full stop that never end a sentence, case-folded, all languages together."""
    raw = load_json("events/abbreviations.json")
    return frozenset(word.casefold() for key, words in raw.items() if not key.startswith("_") for word in words)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of sentences in text, stripped of surrounding whitespace, covering every
    non-space character once."""
    spans: list[tuple[int, int]] = []
    for line in _LINE.finditer(text):
        start = line.start()
        for match in _END.finditer(text, line.start(), line.end()):
            if _ends_sentence(text, match):
                _append(spans, text, start, match.end())
                start = match.end()
        _append(spans, text, start, line.end())
    return spans


def _ends_sentence(text: str, match: re.Match[str]) -> bool:
    following = match.group(2)
    if not (following in _OPENERS or following.isdigit() or (following.isalpha() and not following.islower())):
        return False
    if match.group(1) != ".":
        return True
    word_start = match.start()
    while word_start > 0 and not text[word_start - 1].isspace():
        word_start -= 1
    word = text[word_start:match.start() + 1].lstrip("\"'“‘«„([")
    if len(word) == 2 and word[0].isupper():
        return False  # an initial: "J. Smith", "В. Путин"
    return word.casefold() not in _abbreviations() and not _DOTTED.fullmatch(word)


def _append(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        spans.append((start, end))


def words(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of the words and punctuation marks in text[start:end]: a word keeps its inner
    apostrophes and hyphens (l'Intérieur, al-Baghdadi, ISIS-K), an abbreviation or initial its full stop
    (U.S., Gen., J.); any other character that is not a space is a mark of its own."""
    spans: list[tuple[int, int]] = []
    for match in _WORD.finditer(text, start, end):
        s, e = match.span()
        word = text[spans[-1][0]:s] if spans and spans[-1][1] == s and text[s:e] == "." else ""
        if word and ((len(word) == 1 and word.isupper()) or word.casefold() + "." in _abbreviations()):
            spans[-1] = (spans[-1][0], e)
        else:
            spans.append((s, e))
    return spans


def quotations(text: str) -> list[tuple[int, int]]:
    """(start, end) of each quotation, its marks included, in order. A closing mark pairs with the nearest
    opening mark of its kind; openers left inside are dropped (news style reopens a quotation that runs
    on to a new paragraph without closing it). A closing mark with no opening mark ends a quotation opened
    in an earlier paragraph: its span starts where the closing mark's paragraph does."""
    pairs: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    for match in _QUOTE_MARK.finditer(text):
        pos, mark = match.start(), match.group()
        if mark in "«„" or (mark == "“" and all(m != "„" for m, _ in stack)) or (mark == '"' and _opens(text, pos)):
            stack.append((mark, pos))
            continue
        depth = next((d for d in range(len(stack) - 1, -1, -1) if stack[d][0] in _CLOSES[mark]), None)
        if depth is None:
            paragraph = text.rfind("\n", 0, pos) + 1
            if text[paragraph:pos].strip():
                pairs.append((paragraph, pos + 1))
        else:
            if pos - stack[depth][1] <= _MAX_QUOTE:
                pairs.append((stack[depth][1], pos + 1))
            del stack[depth:]
    return sorted(pairs)


def _opens(text: str, pos: int) -> bool:
    return pos == 0 or text[pos - 1].isspace() or text[pos - 1] in "([{—–-:«“"
