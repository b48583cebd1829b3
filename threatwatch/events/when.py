"""Time expressions in news text, normalised against the article's publication date.

Decisions (each pinned by tests/test_when.py):
- News tells the past, so a date without a year goes in the latest year that does not pass the publication date:
  a month (or a month and day) not after the publication month, a weekday on or before the publication day. The
  same day counts because wire copy names the weekday of same-day events ("said on Monday" in a Monday story);
  "last"/"dernier"/"الماضي" make it strictly earlier (a week or a year back).
- A value is never guessed: a relative expression whose publication date lacks the precision it needs, a week
  ("last week" has no ISO partial form) and anything anchored to another event ("two days after the attack") keep
  value None. Weeks counted back ("two weeks ago") resolve to a day.
- A span takes in the words that introduce the expression ("on Tuesday", "since 2015", "في أكتوبر الماضي"), but
  not an Arabic proclitic glued to its first word (بالأمس -> الأمس). For an anchored expression it stops at the
  relation word ("two days after"): the event it points at is whatever follows.
- Full day-month-year dates are read by `threatwatch.metadata.find_dates`, and 04/01/2000 by `find_slash_dates`
  (which number is the month is left to the text read, a paragraph; where it does not tell, English keeps only
  the year, other languages read the day first). The text is only rewritten character for character
  (Arabic-Indic digits; the second name in "تشرين الثاني/نوفمبر" blanked), so offsets hold.
- Languages other than en/fr/ar/ru get the full dates only (and slash dates, day first).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache, lru_cache
from typing import Any

from threatwatch.data import load_json
from threatwatch.metadata import find_dates, find_slash_dates, normalise_date

LANGUAGES = ("en", "fr", "ar", "ru")

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_YEAR = r"(?P<year>(?:19|20)\d\d)(?!\d)"
_END = r"(?!\w)"
# A day-month pattern must not take a date that has a year: that one is find_dates's, or invalid.
_NO_YEAR = r"(?!\s*,?\s*(?:19|20)\d\d(?!\d))"
_PRECISION = {4: "year", 7: "month", 10: "day"}
# Kind of a name that holds time words but is no date ("the Sunday Times"): it wins its overlap, then is dropped.
_NOT_TIME = "not a time"

# Cheap tests that let find_times skip work that cannot match (most paragraphs hold no time expression at all).
_WORD = re.compile(r"\w+")
_DIGIT = re.compile(r"\d")
_YEAR_CUE = re.compile(r"(?:19|20)\d\d(?!\d)")  # what _YEAR needs
_ARABIC_DIGIT = re.compile("[٠-٩۰-۹]")
# Lower-casing a text is what IGNORECASE matching does only where its word characters are letters of these blocks
# (re also folds ı/İ/ſ onto i/s and some old Cyrillic letters onto в/д/о/...): other texts are matched as they are.
# Lower-casing never changes the length of such a text, nor which characters are word characters.
_EXOTIC = re.compile(r"[^\W\x00-\u012f\u0132-\u017e\u0400-\u04ff\u0600-\u06ff]")
# metadata.find_dates reads "23 July 2016", "July 23, 2016" (month names of all languages, IGNORECASE), 2016-07-23
# and 23.07.2016; it is slow, so it runs only where the text has a year and one of these shapes (may_hold_date; keep
# it in step with metadata._date_patterns).
_FOUR_DIGITS = re.compile(r"\d{4}")
_NUMERIC_DATE = re.compile(r"\d(?:\d{3}-\d\d-\d\d|\.\d{1,2}\.\d{4})")  # one leading \d: re skips to digits
# Arabic proclitics written joined to the first word of an expression (see _start).
_AR_PROCLITICS = ("", "و", "ف", "ب", "ل", "وب", "ول", "فب", "فل")

# Publication year, month, day; 0 where the date does not say.
_Pub = tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class TimeExpression:
    start: int
    end: int
    text: str
    value: str | None
    precision: str | None
    kind: str


@dataclass(frozen=True, slots=True)
class _Grammar:
    rules: tuple[tuple[str, re.Pattern[str]], ...]
    # The same rules without IGNORECASE, for the lower-cased text: re compares case-sensitive letters faster, and
    # the matches are the same where lower-casing is what IGNORECASE does (see _EXOTIC); the rules' letters all come
    # lower-cased from _phrase.
    lowered: tuple[re.Pattern[str], ...]
    # Per rule, the cues it cannot match without: "digit", "year", or the name of a word list in `cues`.
    needs: tuple[frozenset[str], ...]
    cues: dict[str, tuple[str, ...]]  # lower-cased word of the text -> names of the word lists that hold it
    cue_names: frozenset[str]
    words: dict[str, Any]
    tables: dict[str, dict[str, Any]]
    double_month: re.Pattern[str]
    date_lead: re.Pattern[str]
    date_tail: re.Pattern[str]


def _key(words: str) -> str:
    return " ".join(words.lower().replace("’", "'").split())


def _phrase(words: str) -> str:
    # Lower-case, so that a rule compiled without IGNORECASE matches the lower-cased text (see _Grammar.lowered).
    return re.escape(words.lower()).replace(r"\ ", r"\s+").replace("'", "['’]")


def _alt(words: Any) -> str:
    ordered = sorted({w.strip() for w in words}, key=len, reverse=True)
    return "(?:" + "|".join(_phrase(w) for w in ordered) + ")" if ordered else "(?!)"


def _words(phrases: Any) -> frozenset[str] | None:
    """The longest word of each phrase, lower-cased, or None when a phrase has none: a cue. Every rule puts its
    phrases between word boundaries (an Arabic proclitic aside, see _AR_PROCLITICS), and a phrase's words are
    separated by non-word characters, so each word of a phrase a rule matched is a whole word of the text."""
    chosen = [max(re.findall(r"\w+", p.strip().lower()), key=len, default=None) for p in phrases]
    return None if None in chosen else frozenset(chosen)


def _start(lang: str) -> str:
    if lang == "ar":
        # و ف ب ل are written joined to the next word; the expression starts after them.
        return r"(?:(?<!\w)|(?<=(?<!\w)[وفبل])|(?<=(?<!\w)[وف][بل]))"
    return r"(?<!\w)"


@cache
def _grammar(lang: str) -> _Grammar | None:
    if lang not in LANGUAGES:
        return None
    w = load_json("events", "time_words.json")[lang]
    tables = {
        "months": {_key(k): v for k, v in {**load_json("months.json")["months"][lang], **w["extra_months"]}.items()},
        "weekdays": {_key(k): v for k, v in w["weekdays"].items()},
        "phrases": {_key(k): tuple(v) for k, v in w["phrases"].items()},
        "numbers": {_key(k): v for k, v in w["numbers"].items()},
        "units": {_key(form): unit for unit, forms in w["units"].items() for form in forms},
        "counted": {_key(k): tuple(v) for k, v in w["counted"].items()},
        "named": {_key(k): v for k, v in w["named"].items()},
    }
    a = {name: _alt(w[name]) for name in (
        "prepositions", "since", "last", "after_last", "qualifiers", "month_words", "year_words", "year_suffixes",
        "day_month_joiners", "ordinals", "month_year_joiners", "anchored_phrases", "phrase_blockers")}
    s = _start(lang)
    month = _alt(tables["months"])
    bare_month = _alt(k for k in tables["months"] if k not in w["bare_month_exclude"])
    weekday = _alt(tables["weekdays"])
    year_phrase = _alt(k for k, (unit, _) in tables["phrases"].items() if unit == "year")
    lead = (rf"{s}(?:(?P<since>{a['since']})\s+)?(?:(?P<prep>{a['prepositions']})\s+){{0,2}}"
            rf"(?:(?P<last>{a['last']})\s+)?(?:(?P<qual>{a['qualifiers']})(?:\s+|(?<=-)))?")
    weekday_lead = rf"(?:(?P<wd>{weekday})\s*,?\s+)?"
    month_word = rf"(?:(?P<mw>{a['month_words']})(?:\s+|(?<=['’])))?"
    day = rf"(?P<day>\d{{1,2}})(?:{a['ordinals']})?{_END}"
    year_tail = rf"{_YEAR}(?:\s*(?P<suf>{a['year_suffixes']}))?{_END}"
    quantity = (rf"(?:(?P<n>{_alt(tables['numbers'])}|\d{{1,3}})\s+(?P<unit>{_alt(tables['units'])})"
                rf"|(?P<counted>{_alt(tables['counted'])})){_END}")
    orders = {
        "dm": rf"{lead}{weekday_lead}{day}\s+(?:{a['day_month_joiners']}\s+)?(?P<month>{month}){_END}{_NO_YEAR}",
        "md": rf"{lead}{weekday_lead}(?P<month>{month}){_END}\.?\s+{day}{_NO_YEAR}",
    }
    # Each rule with the cues it cannot match without: "digit", "year" or a word list of `cue_lists`.
    cue_lists = {
        "named": _words(tables["named"]), "months": _words(tables["months"]), "weekdays": _words(tables["weekdays"]),
        "bare_months": _words(k for k in tables["months"] if k not in w["bare_month_exclude"]),
        "phrases": _words(tables["phrases"]), "anchored_phrases": _words(w["anchored_phrases"]),
        "units": _words([*tables["units"], *tables["counted"]]),  # a quantity has a unit or a counted word
    }
    rules = [("named", rf"{s}(?P<named>{_alt(tables['named'])}){_END}", {"named"})]
    rules += [("day_month", orders[order], {"months", "digit"}) for order in w["month_day_orders"]]
    rules += [
        ("month_year", rf"{lead}{month_word}(?P<month>{month}){_END}\.?,?\s+(?:{a['month_year_joiners']}\s+)?"
                       rf"(?:{a['year_words']}\s+)?{year_tail}", {"months", "year"}),
        # A digit after the month belongs to a day or a year another rule has refused: no month then either.
        ("month", rf"{lead}{month_word}(?P<month>{bare_month}){_END}(?!\.?\s*\d)"
                  rf"(?:\s+(?:{a['month_year_joiners']}\s+)?(?P<yphrase>{year_phrase}){_END}"
                  rf"|\s+(?P<post>{a['after_last']}){_END})?", {"bare_months"}),
        ("year", rf"{lead}(?:(?P<yw>{a['year_words']})\s+)?{year_tail}", {"year"}),
        ("weekday", rf"{lead}(?P<wd>{weekday}){_END}(?:\s+(?P<post>{a['after_last']}){_END})?", {"weekdays"}),
        ("phrase", rf"{lead}(?P<phrase>{_alt(tables['phrases'])}){_END}(?!\s+{a['phrase_blockers']}{_END})",
         {"phrases"}),
        ("anchored", rf"{s}(?:{a['prepositions']}\s+)?{a['anchored_phrases']}{_END}", {"anchored_phrases"}),
    ]
    for rule in ("anchored", "ago"):
        for template in w[rule]:
            before, after = template.split("{q}")
            # The quantity starts with a word character, so the last word of `before` may be glued to it.
            words = re.findall(r"\w+", after.lower()) + re.findall(r"\w+(?=\W)", before.lower())
            cue_lists[template] = frozenset([max(words, key=len)]) if words else None
            rules.append((rule, rf"{s}{_phrase(before)}{quantity}{_phrase(after)}{_END}", {"units", template}))
    # A word list that is empty or has a phrase without a word rules nothing out: it is no cue.
    cue_lists = {name: words for name, words in cue_lists.items() if words}
    cues: dict[str, tuple[str, ...]] = {}
    for name, words in cue_lists.items():
        for word in words:
            for clitic in _AR_PROCLITICS if lang == "ar" else ("",):
                cues[clitic + word] = (*cues.get(clitic + word, ()), name)
    return _Grammar(
        rules=tuple((rule, re.compile(pattern, re.IGNORECASE)) for rule, pattern, _ in rules),
        lowered=tuple(re.compile(pattern) for _, pattern, _ in rules),
        needs=tuple(frozenset(n for n in need if n in cue_lists or n in ("digit", "year")) for _, _, need in rules),
        cues=cues,
        cue_names=frozenset(cue_lists),
        words=w,
        tables=tables,
        double_month=re.compile(rf"{s}(?P<first>{month}){_END}(?P<second>\s*/\s*{month}){_END}", re.IGNORECASE),
        date_lead=re.compile(rf"{s}(?:(?P<since>{a['since']})\s+)?(?:(?:{a['prepositions']})\s+){{0,2}}"
                             rf"(?:{weekday}\s*,?\s+)?\Z", re.IGNORECASE),
        date_tail=re.compile(rf"\s*(?:{a['year_suffixes']}){_END}", re.IGNORECASE),
    )


@lru_cache(maxsize=4096)
def _published(published: str | None) -> _Pub:
    parts = [int(p) for p in (normalise_date(published) or "").split("-") if p] + [0, 0, 0]
    return parts[0], parts[1], parts[2]


def _plausible(year: int, pub: _Pub) -> bool:
    return 1900 <= year <= (pub[0] or date.today().year) + 1


def _shift(pub: _Pub, unit: str, offset: int) -> str | None:
    year, month, day = pub
    if unit == "day" and day:
        return (date(year, month, day) + timedelta(days=offset)).isoformat()
    if unit == "month" and month:
        total = year * 12 + month - 1 + offset
        return f"{total // 12:04d}-{total % 12 + 1:02d}"
    if unit == "year" and year:
        return f"{year + offset:04d}"
    return None


def _month_before(pub: _Pub, month: int, strict: bool) -> str | None:
    year, pub_month, _ = pub
    if not pub_month:
        return None
    same_year = month < pub_month or (month == pub_month and not strict)
    return f"{year if same_year else year - 1:04d}-{month:02d}"


def _resolve(rule: str, m: re.Match[str], g: _Grammar, pub: _Pub) -> tuple[str | None, str] | None:
    """(value, kind) of one match, or None when the match is not a time expression after all."""
    got = m.groupdict()
    kind = "since" if got.get("since") else "relative"
    strict = bool(got.get("last") or got.get("post"))
    month: int = g.tables["months"][_key(got["month"])] if got.get("month") else 0
    if rule == "anchored":
        return None, "anchored"
    if rule == "named":
        value = g.tables["named"][_key(m["named"])]
        return value, "absolute" if value else _NOT_TIME
    if rule in ("year", "month_year"):
        lead_ok = (got["since"] or got["prep"]) and not g.words["year_needs_word"]
        if not _plausible(int(m["year"]), pub) or not (rule == "month_year" or got["yw"] or got["suf"]
                                                       or got["qual"] or lead_ok):
            return None
        return (f"{m['year']}-{month:02d}" if month else m["year"]), "since" if got["since"] else "absolute"
    value: str | None = None
    if rule == "month":
        if not any(got[g_] for g_ in ("since", "prep", "last", "qual", "mw", "yphrase", "post")):
            return None
        if got["yphrase"]:
            year = _shift(pub, "year", g.tables["phrases"][_key(got["yphrase"])][1])
            value = f"{year}-{month:02d}" if year else None
        else:
            value = _month_before(pub, month, strict)
    elif rule == "day_month":
        day = int(m["day"])
        try:  # 2000 is a leap year, so this refuses only days no year has.
            date(2000, month, day)
        except ValueError:
            return None
        year_month = _month_before(pub, month, strict)
        try:  # 29 February in a year without one stays unresolved.
            value = date(int(year_month[:4]), month, day).isoformat() if year_month else None
        except ValueError:
            value = None
    elif rule == "weekday":
        if g.words["weekday_needs_lead"] and not (got["since"] or got["prep"] or got["last"]):
            return None
        if pub[2]:
            published = date(*pub)
            back = (published.weekday() - g.tables["weekdays"][_key(m["wd"])]) % 7 or (7 if strict else 0)
            value = (published - timedelta(days=back)).isoformat()
    elif rule == "phrase":
        value = _shift(pub, *g.tables["phrases"][_key(m["phrase"])])
    elif rule == "ago":
        if got["counted"]:
            unit, count = g.tables["counted"][_key(got["counted"])]
        else:
            unit = g.tables["units"][_key(got["unit"])]
            count = int(got["n"]) if got["n"].isdigit() else g.tables["numbers"][_key(got["n"])]
        if unit == "week":
            unit, count = "day", 7 * count
        value = _shift(pub, unit, -count)
    return value, kind


@cache
def _month_then_number() -> re.Pattern[str]:
    names = (name.lower() for names in load_json("months.json")["months"].values() for name in names)
    # (?<!\w) first: re then tries the names at word starts only.
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")\.?(?!\w)\s*,?\s*\d")


def may_hold_date(text: str) -> bool:
    """False where metadata.find_dates surely finds nothing in `text` (digits already ASCII); find_quantities asks
    it too."""
    if not _FOUR_DIGITS.search(text):
        return False
    if _NUMERIC_DATE.search(text) or _EXOTIC.search(text):
        return True
    return _month_then_number().search(text.lower()) is not None  # a month name, then the day or the year


def _cues(g: _Grammar, work: str, lowered: str | None) -> frozenset[str]:
    """The cues of g.needs that `work` holds; all of them when its words cannot be compared lower-cased."""
    if lowered is None:
        present = set(g.cue_names)
    else:  # lower-casing keeps every character, word or not, so the words of work.lower() are its words lower-cased
        present = {name for word in set(_WORD.findall(lowered)) for name in g.cues.get(word, ())}
    if _DIGIT.search(work):
        present.add("digit")
        if _YEAR_CUE.search(work):
            present.add("year")
    return frozenset(present)


def find_times(text: str, lang: str, published: str | None) -> list[TimeExpression]:
    """Time expressions in `text` (lang en|fr|ar|ru), in order, non-overlapping; `published` is an ISO date, possibly
    partial or None."""
    g = _grammar(lang)
    pub = _published(published)
    work = text.translate(_DIGITS) if _ARABIC_DIGIT.search(text) else text
    if g and "/" in work:
        work = g.double_month.sub(lambda m: m["first"] + " " * len(m["second"]), work)
    lowered = None if _EXOTIC.search(work) else work.lower()
    # (start, end, priority, value, kind); the longest wins an overlap, then the earliest, then the first rule.
    found: list[tuple[int, int, int, str | None, str]] = []
    dates = find_dates(work) if may_hold_date(work) else []
    if "/" in work:
        # 04/01/2000: English is written month first (US) and day first (UK); the other languages day first
        dates += find_slash_dates(work, day_first=None if lang == "en" else True)
    for full in dates:
        start, end, kind = full.start, full.end, "absolute"
        lead = g.date_lead.search(work, max(0, start - 60), start) if g else None
        if lead and lead.start() < start:
            start, kind = lead.start(), "since" if lead["since"] else kind
        tail = g.date_tail.match(work, end) if g else None
        found.append((start, tail.end() if tail else end, 0, full.iso, kind))
    present = _cues(g, work, lowered) if g else frozenset()
    for priority, (rule, pattern) in enumerate(g.rules if g else (), 1):
        if not g.needs[priority - 1] <= present:
            continue  # the text lacks a word or digit this rule needs
        for m in g.lowered[priority - 1].finditer(lowered) if lowered is not None else pattern.finditer(work):
            resolved = _resolve(rule, m, g, pub)
            if resolved:
                found.append((m.start(), m.end(), priority, *resolved))
    found.sort(key=lambda f: (f[0] - f[1], f[0], f[2]))
    chosen: list[tuple[int, int, int, str | None, str]] = []
    for f in found:
        if all(f[1] <= c[0] or c[1] <= f[0] for c in chosen):
            chosen.append(f)
    return [
        TimeExpression(start, end, text[start:end], value, _PRECISION[len(value)] if value else None, kind)
        for start, end, _, value, kind in sorted(chosen)
        if kind != _NOT_TIME
    ]
