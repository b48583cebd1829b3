"""A document's text cut into pieces at every annotated offset, rendered as escaped HTML.

Mentions, event evidence, event field spans and claim evidence overlap freely (a killed figure
lies inside its evidence sentence, which holds mentions), so instead of nesting tags the text is
split at every annotation boundary and each piece carries the classes of what covers it plus its
offsets (`data-s`, `data-e`). The page's script highlights any range [start, end) by selecting
the pieces inside it, so every extracted value can point at its evidence with a plain
`#span-START-END` link. Every piece of text goes through `markupsafe.escape`.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import islice
from urllib.parse import quote

from markupsafe import Markup, escape

from threatwatch.normalize import TOKEN, stem
from threatwatch.records import Document, Mention
from threatwatch.search import HIT_CLOSE, HIT_OPEN, SNIPPET_WORDS

_SPACE = re.compile(r"\s+")
RTL_LANGS = frozenset({"ar", "fa", "he", "ur", "ps", "yi", "dv", "ku", "sd", "ug"})


def direction(lang: str | None) -> str:
    return "rtl" if lang in RTL_LANGS else "ltr"


@dataclass(slots=True)
class _Cover:
    classes: set[str] = field(default_factory=set)
    entity: Mention | None = None


def _spans(events: Iterable[dict[str, object]], claims: Iterable[dict[str, object]]) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    for event in events:
        spans += [(int(s["start"]), int(s["end"]), "evd") for s in event["evidence"]]  # type: ignore[attr-defined]
        spans += [(int(s["start"]), int(s["end"]), "val") for s in event["fields"].values()]  # type: ignore[attr-defined]
    for claim in claims:
        evidence: dict[str, object] = claim["evidence"]  # type: ignore[assignment]
        spans.append((int(evidence["start"]), int(evidence["end"]), "clm"))  # type: ignore[call-overload]
    return spans


def render_text(
    doc: Document, mentions: list[Mention], events: list[dict[str, object]], claims: list[dict[str, object]]
) -> list[Markup]:
    """One Markup per paragraph (its inner HTML); the template wraps each in <p dir=auto>."""
    spans = _spans(events, claims) + [(m.start, m.end, "ent") for m in mentions]
    cuts = sorted({0, len(doc.text)} | {s for s, _, _ in spans} | {e for _, e, _ in spans})
    covers = [_Cover() for _ in cuts]
    for start, end, kind in spans:
        for i in range(bisect_left(cuts, start), bisect_left(cuts, end)):
            covers[i].classes.add(kind)
    # Longest first, so where mentions nest ("Москвы" inside "Эха Москвы") the inner one's link wins there.
    for mention in sorted(mentions, key=lambda m: m.start - m.end):
        for i in range(bisect_left(cuts, mention.start), bisect_left(cuts, mention.end)):
            covers[i].entity = mention
    paragraphs = doc.paragraphs or ()
    bounds = [(p.start, p.end) for p in paragraphs] or [(0, len(doc.text))]
    return [_paragraph(doc.text, start, end, cuts, covers) for start, end in bounds]


def _paragraph(text: str, start: int, end: int, cuts: list[int], covers: list[_Cover]) -> Markup:
    points = [start] + cuts[bisect_right(cuts, start) : bisect_left(cuts, end)] + [end]
    out: list[str] = []
    for left, right in zip(points, points[1:], strict=False):
        if left >= right:
            continue
        piece = escape(text[left:right])
        cover = covers[bisect_right(cuts, left) - 1]
        if not cover.classes:
            out.append(piece)
            continue
        classes = sorted(cover.classes)
        if cover.entity is not None:
            classes.append(f"t-{cover.entity.type}")
            piece = Markup('<a href="/entities/{}">{}</a>').format(quote(cover.entity.entity_id, safe=":"), piece)
        out.append(Markup('<span class="{}" data-s="{}" data-e="{}">{}</span>').format(
            " ".join(classes), left, right, piece))
    return Markup("").join(out)


_STEMS: dict[str | None, dict[str, str]] = {}  # lang -> word -> indexed form
_STEMS_CAP = 500_000


def _matching(words: set[str], lang: str | None, forms: set[str]) -> set[str]:
    """The words whose indexed form (`normalize.stem`) is one the query looks for. Stems are
    remembered: news vocabulary repeats, and a snippet looks at every word of a document."""
    cache = _STEMS.setdefault(lang, {})
    if len(cache) > _STEMS_CAP:
        cache.clear()
    found = set()
    for word in words:
        form = cache.get(word)
        if form is None:
            form = cache[word] = stem(word, lang)
        if form in forms:
            found.add(word)
    return found


def _window(doc: Document, forms: set[str], width: int) -> tuple[list[tuple[int, int, bool]], bool, bool]:
    """The `width` words with the most matches (as `threatwatch.search.snippet` chooses them),
    and whether words were cut before and after.

    Words are listed by the regex engine and each distinct word is stemmed once; offsets are
    worked out only for the words of the window. Same result, a fraction of the cost."""
    words: list[str] = []
    starts: list[tuple[int, int, str | None]] = []  # (first word index, paragraph start, lang) per paragraph
    for para in doc.paragraphs or ():
        starts.append((len(words), para.start, para.lang or doc.lang))
        words += TOKEN.findall(doc.text, para.start, para.end)
    ranges = [(begin, starts[i + 1][0] if i + 1 < len(starts) else len(words), lang)
              for i, (begin, _, lang) in enumerate(starts)]
    vocabulary: dict[str | None, set[str]] = {}
    for begin, stop, lang in ranges:
        vocabulary.setdefault(lang, set()).update(words[begin:stop])
    matching = {lang: _matching(vocab, lang, forms) for lang, vocab in vocabulary.items()}
    hits: list[int] = []
    for begin, stop, lang in ranges:
        if matching[lang]:
            hits += [i for i in range(begin, stop) if words[i] in matching[lang]]
    first = 0
    if hits:
        first = max(hits, key=lambda i: bisect_left(hits, i + width) - bisect_left(hits, i))
        first = max(0, first - width // 4)
    last = min(first + width, len(words))
    hit_set = set(hits)
    window: list[tuple[int, int, bool]] = []
    for index, (begin, para_start, _) in enumerate(starts):
        stop = starts[index + 1][0] if index + 1 < len(starts) else len(words)
        if stop <= first or begin >= last:
            continue
        para_end = doc.paragraphs[index].end
        matches = islice(TOKEN.finditer(doc.text, para_start, para_end), max(first - begin, 0), last - begin)
        for offset, match in enumerate(matches, start=max(first, begin)):
            window.append((match.start(), match.end(), offset in hit_set))
    return window, first > 0, first + width < len(words)


def snippet_text(doc: Document, forms: set[str], width: int = SNIPPET_WORDS) -> str:
    """The CLI's snippet (matches in [brackets]), as `threatwatch.search.snippet` writes it."""
    window, before, after = _window(doc, forms, width)
    if not window:
        return doc.text[:200]
    out: list[str] = []
    cursor = window[0][0]
    for start, end, hit in window:
        out.append(doc.text[cursor:start])
        out.append(f"{HIT_OPEN}{doc.text[start:end]}{HIT_CLOSE}" if hit else doc.text[start:end])
        cursor = end
    return ("… " if before else "") + " ".join("".join(out).split()) + (" …" if after else "")


def snippet_html(doc: Document, forms: set[str], width: int = SNIPPET_WORDS) -> Markup:
    """The same window, matches in <mark> (a bracket in the article would be ambiguous)."""
    window, before, after = _window(doc, forms, width)
    if not window:
        return escape(doc.text[:200])
    out: list[str] = [Markup("… ") if before else Markup("")]
    cursor = window[0][0]
    for start, end, hit in window:
        out.append(escape(_SPACE.sub(" ", doc.text[cursor:start])))  # runs of spaces and newlines: one space
        word = escape(doc.text[start:end])
        out.append(Markup("<mark>{}</mark>").format(word) if hit else word)
        cursor = end
    if after:
        out.append(Markup(" …"))
    return Markup("").join(out)
