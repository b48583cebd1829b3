"""Text normalisation for search, per language and script.

Index and query go through the same function, so a query matches whatever spelling variant
the article used: Arabic loses diacritics and tatweel and folds alef/hamza/ya/ta-marbuta forms;
Russian folds ё; every language is case-folded and stemmed with Snowball (PyStemmer).
A token is stemmed by the stemmer of its paragraph's language when the scripts agree, else by
the usual stemmer of its own script (a Latin "ISIS" inside Arabic text).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import cache, lru_cache

import Stemmer

TOKEN = re.compile(r"\w+")
_ARABIC_MARKS = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"})
_STEMMER_NAMES = {"en": "english", "fr": "french", "ru": "russian", "ar": "arabic", "de": "german",
                  "es": "spanish", "it": "italian", "tr": "turkish", "uk": "russian"}
_SCRIPT_DEFAULT = {"latin": ("en", "fr"), "cyrillic": ("ru",), "arabic": ("ar",)}
_LANG_SCRIPT = {"en": "latin", "fr": "latin", "de": "latin", "es": "latin", "it": "latin", "tr": "latin",
                "ru": "cyrillic", "uk": "cyrillic", "ar": "arabic"}


@cache
def _stemmer(lang: str) -> Stemmer.Stemmer | None:
    name = _STEMMER_NAMES.get(lang)
    return Stemmer.Stemmer(name) if name else None


def script_of(token: str) -> str:
    for ch in token:
        if "\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f":
            return "arabic"
        if "\u0400" <= ch <= "\u04ff":
            return "cyrillic"
        if ch.isalpha():
            return "latin" if ch.isascii() or "\u00c0" <= ch <= "\u024f" else "other"
    return "other"


def fold(token: str) -> str:
    """Case, accents that spelling varies on, and Arabic orthographic variants."""
    token = token.casefold().replace("ё", "е")
    if script_of(token) == "arabic":
        token = _ARABIC_MARKS.sub("", token).translate(_ARABIC_FOLD)
    return unicodedata.normalize("NFC", token)


# Indexing stems every word of every document; news repeats its words, so a bounded cache of
# the stems takes most of that work off the ingest process (BENCHMARKS.md).
@lru_cache(maxsize=100_000)
def stem(token: str, lang: str | None) -> str:
    folded = fold(token)
    script = script_of(folded)
    if lang is None or _LANG_SCRIPT.get(lang) != script:
        lang = _SCRIPT_DEFAULT.get(script, (None,))[0]
    stemmer = _stemmer(lang) if lang else None
    return stemmer.stemWord(folded) if stemmer else folded


def index_tokens(text: str, lang: str | None) -> Iterator[tuple[int, int, str]]:
    """(start, end, indexed form) of every word in `text`."""
    for match in TOKEN.finditer(text):
        yield match.start(), match.end(), stem(match.group(), lang)


def index_text(text: str, lang: str | None) -> str:
    return " ".join(form for _, _, form in index_tokens(text, lang))


def query_variants(term: str, lang: str | None = None) -> set[str]:
    """Every indexed form a query word can have: per candidate language of its script."""
    folded = fold(term)
    if lang:
        return {stem(term, lang)}
    langs = _SCRIPT_DEFAULT.get(script_of(folded), ())
    return {stem(term, candidate) for candidate in langs} or {folded}
