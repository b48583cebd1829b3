"""What a number in an event sentence counts: the killed, the injured or the arrested.

A number counts an outcome when the outcome word sits right before it ("killing 80", "قتل 80",
"погибли 143", "the death toll rose to 143") or follows it within a few words ("80 people were
killed", "23 wounded", "80 قتيلا"). Within one sentence the figures for one outcome add up ("two
soldiers and three civilians were killed" is 5) unless a number is a part of another ("11 people,
including four gunmen"). A sentence that says one person died without a number gives 1; one that
says nobody did gives 0.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from threatwatch.events.lexicon import Lexicon
from threatwatch.events.quantities import Quantity
from threatwatch.records import Span

OUTCOMES = ("killed", "injured", "arrested")
_WORD = re.compile(r"\w+(?:['’-]\w+)*")
_BEFORE_WORDS = 2  # outcome word right before the number, with at most one word between ("killing all 224")
_AFTER_WORDS = 7
_NEAR_WORDS = 2  # "15 ранены", "23 people injured": an outcome this close beats a list going on
_TOLL_WORDS = 6
_LIST_WORDS = 4  # words between two listed numbers ("two soldiers and three")
_AGE = re.compile(r"^[\s-]*(?:years?|yrs?)[\s-]*old|^-year|^\s*(?:ans|лет|года|عاما|عامًا|سنة)\b", re.IGNORECASE)
_LIST_BREAK = re.compile(r"\band\b|\bet\b|\bи\b|[,;:]|\sو")


@dataclass(frozen=True, slots=True)
class Figure:
    """An outcome and its count, read from `span` (the number, or the phrase that implies it)."""

    outcome: str
    value: int
    span: Span
    subset: bool = False


def read_casualties(
    text: str, start: int, end: int, quantities: Sequence[Quantity], lex: Lexicon
) -> list[Figure]:
    sentence = text[start:end]
    figures: list[Figure] = []
    inside = [q for q in quantities if start <= q.start and q.end <= end]
    eligible = [not (q.multiplier or q.vague or _AGE.match(text[q.end:q.end + 12])) for q in inside]
    before = [_outcome_before(text[start:q.start], lex) if ok else None for q, ok in zip(inside, eligible, strict=True)]
    outcomes = list(before)
    for index, q in enumerate(inside):
        if not eligible[index] or outcomes[index]:
            continue
        limit = inside[index + 1].start if index + 1 < len(inside) else end
        near = _outcome_after(text[q.end:limit], lex, _NEAR_WORDS)
        if near:
            outcomes[index] = near
            continue
        # "killing two children, four civilians": a list goes on with the verb before it.
        if index and before[index - 1] and _listed(text[inside[index - 1].end:q.start]):
            outcomes[index] = before[index - 1]
            continue
        outcomes[index] = _outcome_after(text[q.end:limit], lex, _AFTER_WORDS)
    # "two soldiers and three civilians were killed": a number listed with the next shares its outcome.
    for index in range(len(inside) - 2, -1, -1):
        if eligible[index] and outcomes[index] is None and outcomes[index + 1] \
                and _listed(text[inside[index].end:inside[index + 1].start]):
            outcomes[index] = outcomes[index + 1]
    for q, outcome in zip(inside, outcomes, strict=True):
        if outcome:
            head = _last_words(text[start:q.start], 3)
            figures.append(Figure(outcome, int(q.value), Span(q.start, q.end, q.text),
                                  subset=bool(lex.subset.search(head))))
    counted = {f.outcome for f in figures}
    for pattern, outcome, value in lex.implied_casualty:
        match = pattern.search(sentence)
        if match and outcome not in counted:
            counted.add(outcome)
            figures.append(Figure(outcome, value, Span(start + match.start(), start + match.end(), match.group())))
    if "killed" not in counted:
        zero = lex.zero_casualty.search(sentence)
        if zero:
            figures.append(Figure("killed", 0, Span(start + zero.start(), start + zero.end(), zero.group())))
    return figures


def totals(figures: Sequence[Figure]) -> dict[str, tuple[int, Span]]:
    """Per outcome, the sum of the sentence's figures that are not part of another, and the
    span of the first of them."""
    out: dict[str, tuple[int, Span]] = {}
    for figure in figures:
        if figure.subset:
            continue
        value, span = out.get(figure.outcome, (0, figure.span))
        out[figure.outcome] = (value + figure.value, span)
    return out


def _listed(between: str) -> bool:
    return bool(_LIST_BREAK.search(between)) and len(_WORD.findall(between)) <= _LIST_WORDS


def _last_words(head: str, count: int) -> str:
    found = list(_WORD.finditer(head))
    return head[found[-count].start():] if len(found) >= count else head


def _outcome_before(head: str, lex: Lexicon) -> str | None:
    tail = _last_words(head, _BEFORE_WORDS)
    for outcome in OUTCOMES:
        found = list(lex.casualties[outcome].finditer(tail))
        # "killing 80" counts; "were killed and 23" does not: the list break ends the reach.
        if found and not _LIST_BREAK.search(tail[found[-1].end():]):
            return outcome
    if lex.death_toll.search(_last_words(head, _TOLL_WORDS)):
        return "killed"
    return None


def _outcome_after(tail: str, lex: Lexicon, reach: int) -> str | None:
    words = list(_WORD.finditer(tail))
    window = tail[: words[reach - 1].end()] if len(words) >= reach else tail
    best: tuple[int, str] | None = None
    for outcome in OUTCOMES:
        match = lex.casualties[outcome].search(window)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), outcome)
    return best[1] if best else None
