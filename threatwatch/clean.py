"""Boilerplate removal: from a list of raw paragraphs to the article a reader would call the article.

The rules are generic; the words that trigger them live in `data/boilerplate/*.txt`. The order:
1. drop paragraphs that are never text (ad markers, share buttons, dumped data blobs);
2. in the head (before the body starts), take out the title, bylines, labels and date lines,
   keeping them aside so metadata can be read from them;
3. cut the footer at the first footer marker in the second half of the text;
4. drop a standfirst the body repeats, a trailing list of headline-like lines (related articles) and a
   trailing or leading run of paragraphs in another language than the article (disclaimers).
Every dropped paragraph is kept in `CleanResult.removed`, so nothing is lost silently.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

from threatwatch.data import data_file
from threatwatch.language import main_language
from threatwatch.metadata import find_dates, looks_like_headline

_MARKDOWN_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MARKDOWN_LINK = re.compile(r"\[([^\]\n]+)\]\((?:[^)\s]*)\)")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200c\u200d\u200e\u200f\u2060\ufeff]")
_SENTENCE_END = re.compile(r"[.!?…؟:]['\"”’»)\]]*$")
_DATA_CHARS = re.compile(r'[{}\[\]":]')
_NOT_ALNUM = re.compile(r"[\W_]+")
_NUMBER = re.compile(r"[(\[]?[\d.,:/-]+[)\]]?\.?")

HEAD_MAX_PARAGRAPHS = 10
BODY_MIN_WORDS = 12
RELATED_LIST_MIN_LINES = 3
RELATED_LINE_MAX_WORDS = 40


@dataclass(frozen=True, slots=True)
class Rules:
    drop: re.Pattern[str]
    head: re.Pattern[str]
    tail: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class CleanResult:
    paragraphs: tuple[tuple[str, str | None], ...]  # (text, language) of each kept paragraph
    title: str | None
    head: tuple[str, ...]  # metadata lines taken out of the head, in order
    removed: tuple[str, ...]  # every other paragraph taken out


@cache
def load_rules() -> Rules:
    """All rule files together: a disclaimer is often in another language than the article."""
    kinds: dict[str, list[str]] = {"drop": [], "head": [], "tail": []}
    folder = data_file("boilerplate")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".txt"):
            continue
        for number, line in enumerate(entry.read_text("utf-8").splitlines(), start=1):
            if not line.strip() or line.startswith("#"):
                continue
            kind, _, pattern = line.partition(" ")
            if kind not in kinds:
                raise ValueError(f"{entry.name}:{number}: unknown rule kind {kind!r}; use drop, head or tail")
            re.compile(pattern)  # fail here, naming the file, rather than in the joined pattern
            kinds[kind].append(f"(?:{pattern})")
    return Rules(**{k: re.compile("|".join(v) or "(?!)", re.IGNORECASE) for k, v in kinds.items()})


def normalise_paragraph(text: str) -> str:
    """Readable text of one paragraph: entities decoded, markdown links reduced to their words."""
    text = unicodedata.normalize("NFC", html.unescape(text))
    text = _INVISIBLE.sub("", text)
    text = _MARKDOWN_IMAGE.sub("", text)
    text = _MARKDOWN_LINK.sub(r"\1", text)
    return _SPACES.sub(" ", text).strip()


def split_paragraphs(text: str, unwrap: bool = True) -> list[str]:
    """Paragraphs of scraped text: one per line, unless the text is hard-wrapped in blocks
    (and `unwrap` allows joining them: an HTML extractor's output is never wrapped)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks = [b for b in re.split(r"\n\s*\n", text) if b.strip()]
    lines = [line for line in text.split("\n") if line.strip()]
    wrapped = [b for b in blocks if b.strip().count("\n") >= 1]
    in_wrapped = sum(b.strip().count("\n") + 1 for b in wrapped)
    if unwrap and lines and in_wrapped / len(lines) >= 0.6 and _looks_hard_wrapped(wrapped):
        raw = [" ".join(b.split("\n")) for b in blocks]
    else:
        raw = lines
    return [p for p in (normalise_paragraph(r) for r in raw) if p]


def _looks_hard_wrapped(blocks: Sequence[str]) -> bool:
    """Lines of a wrapped block are similar in length and mostly end mid-sentence."""
    inner = [line for b in blocks for line in b.strip().split("\n")[:-1]]
    if not inner:
        return False
    mid_sentence = sum(not _SENTENCE_END.search(line.strip()) for line in inner)
    lengths = sorted(len(line) for line in inner)
    median = lengths[len(lengths) // 2]
    return 40 <= median <= 100 and mid_sentence / len(inner) >= 0.6


def is_data_blob(paragraph: str) -> bool:
    """Serialised JSON/PHP scraped with the page: many brackets and quotes, few plain words."""
    if len(paragraph) < 40:
        return False
    density = len(_DATA_CHARS.findall(paragraph)) / len(paragraph)
    return density > 0.08 and ('":"' in paragraph or '":' in paragraph)


def _title_fingerprints(title: str | None) -> set[str]:
    """The title, and the title without the site name pages append ("… - The Paradigm")."""
    if not title:
        return set()
    parts = [title, *re.split(r"\s+[|–—-]\s+|\s+::\s+", title)]
    return {_fingerprint(p) for p in parts if len(p.split()) >= 3} | {_fingerprint(title)}


def _fingerprint(paragraph: str) -> str:
    return _NOT_ALNUM.sub("", paragraph.casefold())


def _word_count(paragraph: str) -> int:
    return len(paragraph.split())


def _is_body(paragraph: str) -> bool:
    words = _word_count(paragraph)
    return words >= 30 or (words >= BODY_MIN_WORDS and bool(_SENTENCE_END.search(paragraph)))


def _is_date_line(paragraph: str) -> bool:
    """A line that is a date with at most a few words around it (a dateline, a site and a date)."""
    dates = find_dates(paragraph)
    if not dates:
        return False
    rest = paragraph[: dates[0].start] + " " + paragraph[dates[0].end :]
    return _word_count(rest) <= 4


def clean_paragraphs(
    paragraphs: Sequence[str],
    detect: Callable[[str], str | None],
    title: str | None = None,
    from_html: bool = False,
) -> CleanResult:
    """Keep the article's paragraphs. `detect` gives a paragraph's language (injected for tests).

    `from_html` says the paragraphs come from an HTML extractor, which has already used the
    page structure to cut footers and link lists and knows the title: the text rules that
    stand in for structure (title guess, footer cut, related list) would only cut article text.
    """
    rules = load_rules()
    removed: list[str] = []
    kept = [p for p in paragraphs if not _drop(p, rules, removed)]

    body_start = next((i for i, p in enumerate(kept) if _is_body(p)), len(kept))
    head_end = min(body_start, HEAD_MAX_PARAGRAPHS)
    # A lone paragraph is the article, never its headline.
    if title is None and not from_html and len(kept) > 1 and head_end > 0 and looks_like_headline(kept[0]):
        title = kept[0]
    head: list[str] = []
    title_prints = _title_fingerprints(title)
    body: list[str] = []
    standfirst_count = 0  # body paragraphs that stand before the body starts
    for index, paragraph in enumerate(kept):
        if _fingerprint(paragraph) in title_prints:
            continue  # the title is metadata, and scraped pages repeat it
        if index < head_end and (rules.head.search(paragraph) or _is_date_line(paragraph)):
            head.append(paragraph)
            continue
        body.append(paragraph)
        standfirst_count += index < head_end

    with_langs = [(p, detect(p)) for p in body]
    with_langs = _drop_repeated_standfirst(with_langs, standfirst_count, removed)
    with_langs = _cut_footer(with_langs, rules, removed, cut_rest=not from_html)
    if not from_html:
        with_langs = _drop_related_list(with_langs, removed)
    with_langs = _drop_foreign_edges(with_langs, removed)
    return CleanResult(tuple(with_langs), title, tuple(head), tuple(removed))


def _drop(paragraph: str, rules: Rules, removed: list[str]) -> bool:
    if rules.drop.search(paragraph) or is_data_blob(paragraph):
        removed.append(paragraph)
        return True
    return False


Lang = tuple[str, str | None]


def _cut_footer(body: list[Lang], rules: Rules, removed: list[str], cut_rest: bool = True) -> list[Lang]:
    """Drop footer markers; from a marker in the second half, drop the rest too, unless an
    article paragraph (body-like, in the article's language) still follows it."""
    main = main_language(body)
    total = sum(len(p) for p, _ in body)
    seen = 0
    kept: list[Lang] = []
    for index, (paragraph, lang) in enumerate(body):
        if rules.tail.search(paragraph):
            rest = body[index + 1 :]
            if cut_rest and seen >= total / 2 and not any(_is_body(p) and lg == main for p, lg in rest):
                removed.extend(p for p, _ in body[index:])
                return kept
            removed.append(paragraph)
        else:
            kept.append((paragraph, lang))
        seen += len(paragraph)
    return kept


def _drop_repeated_standfirst(body: list[Lang], head_count: int, removed: list[str]) -> list[Lang]:
    """A standfirst that the body repeats word for word: keep the body's copy, in context."""
    later = {_fingerprint(p) for p, _ in body[head_count:]}
    kept = []
    for index, (paragraph, lang) in enumerate(body):
        if index < head_count and _fingerprint(paragraph) in later:
            removed.append(paragraph)
        else:
            kept.append((paragraph, lang))
    return kept


def _looks_like_link_text(line: str) -> bool:
    """A headline or teaser: no sentence end, not too long, and not a row of figures
    (a results table or a casualty list is content, and it ends or starts with numbers)."""
    words = line.split()
    return (
        not _SENTENCE_END.search(line)
        and 3 <= len(words) <= RELATED_LINE_MAX_WORDS
        and not any(_NUMBER.fullmatch(w) for w in (words[0], words[-1]))
    )


def _drop_related_list(body: list[Lang], removed: list[str]) -> list[Lang]:
    """A trailing run of headline-like lines is a related-articles list."""
    start = len(body)
    while start > 0 and _looks_like_link_text(body[start - 1][0]):
        start -= 1
    if len(body) - start >= RELATED_LIST_MIN_LINES and start > 0:
        removed.extend(p for p, _ in body[start:])
        return body[:start]
    return body


def _drop_foreign_edges(paragraphs: list[Lang], removed: list[str]) -> list[Lang]:
    """Runs at the end (or short lines at the start) in another language than the article.

    Quotes in another language inside the article stay: only the edges are site furniture.
    """
    main = main_language(paragraphs)
    if main is None:
        return paragraphs
    end = len(paragraphs)
    while end > 0 and paragraphs[end - 1][1] not in (main, None):
        end -= 1
    start = 0
    while start < end and paragraphs[start][1] not in (main, None) and _word_count(paragraphs[start][0]) < 15:
        start += 1
    if start >= end:  # everything foreign: the detector, not the page, is confused
        return paragraphs
    removed.extend(p for p, _ in paragraphs[:start] + paragraphs[end:])
    return paragraphs[start:end]
