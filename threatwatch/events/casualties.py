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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from threatwatch.events.lexicon import Lexicon
from threatwatch.events.quantities import Quantity, find_quantities
from threatwatch.events.victim_lists import read_along, read_list
from threatwatch.records import Span

OUTCOMES = ("killed", "injured", "arrested")
_WORD = re.compile(r"\w+(?:['’-]\w+)*")
_BEFORE_WORDS = 2  # outcome word right before the number, with at most one word between ("killing all 224")
_AFTER_WORDS = 14
_CLOCK_BEFORE = re.compile(r"(?:\bat|\baround|\babout|\bby|\buntil)\s+(?:approximately\s+)?$", re.IGNORECASE)
_CLOCK_LIMIT = 2400
_UNREAL_REACH = 25  # characters before an outcome word searched for "plotting to", "could"
_ADDITIVE_REACH = 30
_NEAR_WORDS = 2  # "15 ранены", "23 people injured": an outcome this close beats a list going on
_TOLL_WORDS = 6
_SUBSET_WORDS = 12  # back from a number to an 'including' whose breakdown it may end
_LIST_WORDS = 5  # words between two listed numbers ("two soldiers and three")
_AGE = re.compile(r"^[\s-]*(?:years?|yrs?)[\s-]*old|^-year|^\s*(?:ans|лет|года|عاما|عامًا|سنة)\b", re.IGNORECASE)
_BOTH = re.compile(r"\bboth\b|\bles deux\b|\bобоих\b|\bобеих\b|كلا", re.IGNORECASE)
_NAME_BEFORE = re.compile(r"(?<![\w'’-])(?-i:[A-Z])[\w'’-]+\s*[,(]\s*$")
_SET_OFF_AFTER = re.compile(r"\s*[,)]")
_PARTICIPLE = re.compile(r"\b(?!including\b)[a-z]{3,}(?:ing|ed)\b")
_LIST_BREAK = re.compile(r"\band\b|\bet\b|\bи\b|[,;:]|\sو")


@dataclass(frozen=True, slots=True)
class Figure:
    """An outcome and its count, read from `span` (the number, or the phrase that implies it)."""

    outcome: str
    value: int
    span: Span
    subset: bool = False
    additive: bool = False  # "three others were also killed": on top of the toll another sentence gave
    final: bool = False  # "fatalities coded as 5", "the final toll": replaces every other figure
    perpetrator: bool = False  # "the assailant was killed": an attacker's death, on top of the victims
    included: bool = False  # the attackers are already inside the sentence's toll
    across: int = 1  # the number of incidents the sentence's toll is given for ("across both blasts")


def read_casualties(
    text: str, start: int, end: int, quantities: Sequence[Quantity], lex: Lexicon, incidents: int = 1,
    attackers: int | None = None,
) -> list[Figure]:
    """The figures of the sentence text[start:end]; `incidents` is how many incidents the document
    says its one belongs to ("one of three coordinated attacks"), for tolls given across them;
    `attackers` how many attackers an earlier sentence counted ("Three suicide bombers detonated"),
    for "in addition to the assailants" and "all of the assailants were killed"."""
    figures = _figures(text, start, end, quantities, lex, attackers)
    across = _across(text, start, end, quantities, lex, incidents)
    return [replace(f, across=across) for f in figures] if across > 1 else figures


def incident_count(text: str, lex: Lexicon) -> int:
    """How many incidents a document says its own is one of ("this was one of four coordinated
    attacks": 4); 1 when it does not say."""
    found = lex.one_of_incidents.search(text) if lex.one_of_incidents else None
    if not found:
        return 1
    return _incident_number(find_quantities(found.group(), lex.lang)) or 1


def _across(text: str, start: int, end: int, quantities: Sequence[Quantity], lex: Lexicon, incidents: int) -> int:
    """How many incidents the sentence's toll is for: 2 for "in both blasts", 3 for "across all three
    incidents", the document's count for "across the attacks"; 1 when the toll is this incident's."""
    found = lex.across_incidents.search(text, start, end) if lex.across_incidents else None
    if not found:
        return 1
    named = _incident_number(q for q in quantities if found.start() <= q.start < found.end())
    return named or (2 if _BOTH.search(found.group()) else incidents)


def _incident_number(quantities: Iterable[Quantity]) -> int | None:
    """The last count above one among the numbers of an incidents phrase ("one of four attacks": 4)."""
    counts = [int(q.value) for q in quantities if q.value > 1]
    return counts[-1] if counts else None


def stated_attackers(text: str, start: int, end: int, quantities: Sequence[Quantity], lex: Lexicon) -> int | None:
    """How many attackers the sentence counts with an exact number ("Three suicide bombers", "two
    assailants"); None when it counts none, or only one."""
    if lex.attacker_group is None:
        return None
    for group in lex.attacker_group.finditer(text, start, end):
        for q in quantities:
            if q.end <= group.start() and not text[q.end:group.start()].strip() and q.value > 1 \
                    and q.qualifier == "exact" and not (q.vague or q.multiplier):
                return int(q.value)
    return None


def _figures(
    text: str, start: int, end: int, quantities: Sequence[Quantity], lex: Lexicon, attackers: int | None = None
) -> list[Figure]:
    sentence = text[start:end]
    figures: list[Figure] = []
    besides = lex.in_addition.search(sentence)
    # "In addition to the three assailants, four people were killed": the three are counted once, below.
    # "in one of two related attacks" counts attacks, not people
    incidents = [(m.start(), m.end()) for m in lex.one_of_incidents.finditer(text, start, end)] \
        if lex.one_of_incidents else []
    inside = [q for q in quantities if start <= q.start and q.end <= end
              and not (besides and start + besides.start() <= q.start < start + besides.end())
              and not any(low <= q.start < high for low, high in incidents)]
    eligible = [not (q.multiplier or q.vague or _AGE.match(text[q.end:q.end + 12]) or _age_after_name(text, q)
                     or _clock(text, q) or lex.not_victims.match(text[q.end:q.end + 20])) for q in inside]
    before = [_outcome_before(text[start:q.start], lex) if ok else None for q, ok in zip(inside, eligible, strict=True)]
    outcomes = list(before)
    for index, q in enumerate(inside):
        if not eligible[index] or outcomes[index]:
            continue
        # An age or a clock time between a count and its outcome word does not cut the window, nor
        # does a part of the count: "eight people including two foreigners were killed".
        limit = next((r.start for r, ok in zip(inside[index + 1:], eligible[index + 1:], strict=True)
                      if ok and not lex.subset.search(text[q.end:r.start])), end)
        near = _outcome_after(text[q.end:limit], lex, _NEAR_WORDS)
        if near:
            outcomes[index] = near
            continue
        # "killing two children, four civilians": a list goes on with the verb before it.
        if index and before[index - 1] and _listed(text[inside[index - 1].end:q.start]):
            outcomes[index] = before[index - 1]
            continue
        outcomes[index] = _outcome_after(text[q.end:limit], lex, _AFTER_WORDS, agent_check=True)
    # "two soldiers and three civilians were killed": a number listed with the next shares its outcome.
    for index in range(len(inside) - 2, -1, -1):
        between = text[inside[index].end:inside[index + 1].start]
        if eligible[index] and outcomes[index] is None and outcomes[index + 1] and _listed(between) \
                and not any(lex.casualties[o].search(between) for o in OUTCOMES):  # "two gunmen killed two"
            outcomes[index] = outcomes[index + 1]
    for q, outcome in zip(inside, outcomes, strict=True):
        if outcome:
            head = _last_words(text[start:q.start], _SUBSET_WORDS)
            including = list(lex.subset.finditer(head))
            # "five people, including a soldier and four assailants": part of the five, also as the
            # list's last item; but in "killing 30, including a child, and wounding 20" the new verb
            # ends the inclusion, as do a closing bracket ("4 people (including 1 journalist) as well
            # as 2 policemen") and another outcome ("three killed, including a boy, and 22 wounded"),
            # and "Including the bomber, 31 people died" names no whole the 31 could be a part of.
            whole_before = including and any(
                other.end <= q.start - len(head) + including[-1].start() and other_outcome == outcome
                for other, other_outcome in zip(inside, outcomes, strict=True) if other is not q)
            after_including = head[including[-1].end():] if including else ""
            inside_subset = bool(whole_before) and ")" not in after_including and not any(
                lex.casualties[o].search(after_including) for o in OUTCOMES)
            near = _last_words(text[start:q.start], 1) + text[q.end:q.end + _ADDITIVE_REACH]
            figures.append(Figure(outcome, int(q.value), Span(q.start, q.end, q.text),
                                  subset=inside_subset or (bool(lex.subset_after.match(text[q.end:])) and any(
                                      other.end <= q.start for other in inside)),  # "killing five of them" is whole
                                  additive=bool(lex.additive.search(near)),
                                  final=bool(lex.final_toll.search(_last_words(text[start:q.start], _TOLL_WORDS)))))
    listed = read_list(text, start, end, inside, lex.victim_list) if lex.victim_list else None
    if listed:
        # "killed seven students, a teacher, and himself": the list's own count replaces its numbers' figures
        figures = [f for f in figures if not (f.outcome == "killed" and f.span.start < listed.end
                                              and listed.start < f.span.end)]
        span = Span(listed.start, listed.end, text[listed.start:listed.end])
        if listed.victims:  # "Alvi's driver and a passerby were also killed": on top of another sentence's toll
            also = bool(lex.additive.search(text[listed.end:listed.end + _ADDITIVE_REACH]))
            figures.append(Figure("killed", listed.victims, span, additive=also))
        if listed.attackers:
            figures.append(Figure("killed", listed.attackers, span, perpetrator=True))
    included = lex.attackers_included.search(sentence) if lex.attackers_included else None
    if included and any(f.outcome == "killed" for f in figures):
        # "five people, including the assailant, were killed": the toll counts them; a zero-value
        # attacker figure tells the other sentences' "the bomber detonated" not to add them again.
        figures.append(Figure("killed", 0, Span(start + included.start(), start + included.end(), included.group()),
                              perpetrator=True, included=True))
        attacker = None
    else:
        attacker = None if besides else _perpetrator_death(sentence, start, figures, lex, attackers, inside)
    if attacker:
        value, found = attacker
        figures.append(Figure("killed", value, Span(start + found.start(), start + found.end(), found.group()),
                              perpetrator=True))
    counted = {f.outcome for f in figures if not f.perpetrator}
    for pattern, outcome, value in lex.implied_casualty:
        match = pattern.search(sentence)
        if match and attacker and match.start() < attacker[1].end() and attacker[1].start() < match.end():
            continue  # "the gunman was shot dead" is the attacker's death, read above
        if match and outcome not in counted:
            counted.add(outcome)
            figures.append(Figure(outcome, value, Span(start + match.start(), start + match.end(), match.group())))
    along = read_along(text, start, end, inside, lex.victim_list, lex.casualties["killed"]) if lex.victim_list else None
    if along:  # "X was killed along with his wife and a guard": on top of X, read above
        figures.append(Figure("killed", along.victims, Span(along.start, along.end, text[along.start:along.end]),
                              additive=True))
    # After the single victims, so "In addition to the bomber, a police officer was killed" counts both.
    if besides and any(f.outcome == "killed" and not f.subset for f in figures):
        span = Span(start + besides.start(), start + besides.end(), besides.group())
        plural = lex.attacker_group is not None and lex.attacker_group.search(besides.group())
        count = next((int(q.value) for q in quantities if span.start <= q.start < span.end),
                     attackers if plural and attackers else 1)
        figures.append(Figure("killed", count, span, perpetrator=True))
    if "killed" not in counted:
        zero = lex.zero_casualty.search(sentence)
        if zero:
            figures.append(Figure("killed", 0, Span(start + zero.start(), start + zero.end(), zero.group())))
    return figures


def _perpetrator_death(
    sentence: str, start: int, figures: Sequence[Figure], lex: Lexicon, attackers: int | None = None,
    quantities: Sequence[Quantity] = (),
) -> tuple[int, re.Match[str]] | None:
    """The largest count of attackers a sentence says died, unless a figure already counts them
    ("one assailant was killed") or the sentence makes them part of one ("five people, including
    the bomber, were killed"). A phrase of value 0 counts the exact number inside it ("two
    Palestinians blew themselves up"), else the attackers an earlier sentence numbered ("all of the
    assailants were killed"), and nothing when neither says how many."""
    best: tuple[int, re.Match[str]] | None = None
    for pattern, stated in lex.perpetrator_deaths:
        for match in pattern.finditer(sentence):
            named = next((int(q.value) for q in quantities if start + match.start() <= q.start
                          and q.end <= start + match.end() and q.qualifier == "exact"), None)
            value = stated or named or attackers or 0
            if not value:
                continue
            if lex.subset.search(_last_words(sentence[:match.start()], _SUBSET_WORDS)) or any(
                    f.span.start < start + match.end() and start + match.start() < f.span.end for f in figures):
                continue
            if best is None or value > best[0]:
                best = (value, match)
    return best


def perpetrators_killed(figures: Sequence[Figure]) -> tuple[int, Span] | None:
    """The attackers a sentence says died, apart from its victims' toll."""
    return next(((f.value, f.span) for f in figures if f.perpetrator), None)


def final_totals(figures: Sequence[Figure]) -> dict[str, tuple[int, Span]]:
    """Per outcome, the settled figure, when the sentence gives one."""
    return {f.outcome: (f.value, f.span) for f in figures if f.final}


def totals(figures: Sequence[Figure]) -> dict[str, tuple[int, int, Span]]:
    """Per outcome, the sum of the sentence's figures that are not part of another, split into
    (the sentence's own toll, what it adds to others), and the span of the first figure."""
    out: dict[str, tuple[int, int, Span]] = {}
    for figure in figures:
        if figure.subset or figure.perpetrator:
            continue
        own, extra, span = out.get(figure.outcome, (0, 0, figure.span))
        if figure.additive:
            extra += figure.value
        else:
            own += figure.value
        out[figure.outcome] = (own, extra, span)
    return out


def _age_after_name(text: str, q: Quantity) -> bool:
    """"Ghulam Mohammad Sunni, 33, was killed", "Shehzad Ali (35)": a number set off right after a
    name is the person's age."""
    before, after = text[max(0, q.start - 40) : q.start], text[q.end : q.end + 3]
    return bool(_NAME_BEFORE.search(before) and _SET_OFF_AFTER.match(after))


def _listed(between: str) -> bool:
    """The text between two numbers continues a list: "two soldiers and three", not "one guard and
    injuring nine" (a participle after the break starts a new clause)."""
    breaks = list(_LIST_BREAK.finditer(between))
    return bool(breaks) and len(_WORD.findall(between)) <= _LIST_WORDS and not _PARTICIPLE.search(
        between[breaks[-1].end():])


def _last_words(head: str, count: int) -> str:
    found = list(_WORD.finditer(head))
    return head[found[-count].start():] if len(found) >= count else head


def _outcome_before(head: str, lex: Lexicon) -> str | None:
    tail = _last_words(head, _BEFORE_WORDS)
    for outcome in OUTCOMES:
        found = list(lex.casualties[outcome].finditer(tail))
        # "killing 80" counts; "were killed and 23" and "shot to death by two men" do not.
        rest = tail[found[-1].end():] if found else ""
        if found and not _LIST_BREAK.search(rest) and not lex.before_blockers.search(rest):
            return None if _unreal(head[:len(head) - len(tail) + found[-1].start()], lex) else outcome
    if lex.death_toll.search(_last_words(head, _TOLL_WORDS)):
        return "killed"
    return None


def _outcome_after(tail: str, lex: Lexicon, reach: int, agent_check: bool = False) -> str | None:
    words = list(_WORD.finditer(tail))
    window = tail[: words[reach - 1].end()] if len(words) >= reach else tail
    stop = lex.window_stops.search(window)
    window = window[: stop.start()] if stop else window
    best: tuple[int, str, str] | None = None
    for outcome in OUTCOMES:
        for match in lex.casualties[outcome].finditer(window):
            if not tail[match.end():].strip():
                continue  # "20 hostages, killing two": the verb belongs to the number after it
            if best is None or match.start() < best[0]:
                best = (match.start(), outcome, match.group())
            break
    if best is None:
        return None
    between = tail[:best[0]]
    if _unreal(between, lex):
        return None
    # "two gunmen shot and killed a man": the number counts the attackers, who did the killing.
    voiced = between + best[2]
    if agent_check and lex.passive and lex.actor_nouns.search(between) and not lex.passive.search(voiced):
        return None
    return best[1]


def _unreal(before: str, lex: Lexicon) -> bool:
    """The outcome word is planned or possible, not reported: "plotting to kill four people"."""
    near = before[-_UNREAL_REACH:]
    return bool(lex.intent.search(near) or lex.modal.search(near))


def _clock(text: str, q: Quantity) -> bool:
    """GTD's "at 2130", "around 0400": a four-digit clock time, not a count."""
    digits = q.text[-4:]
    if not (digits.isdigit() and int(digits) < _CLOCK_LIMIT and not q.text[-5:-4].isdigit()):
        return False
    return bool(_CLOCK_BEFORE.search(text[max(0, q.end - 4 - 22):q.end - 4]))
