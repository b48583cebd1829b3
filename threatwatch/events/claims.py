"""Numeric claims: every figure stated in a document, what it counts, who said it and when.

All figures are kept, even when several disagree ("5,000 to 7,000", "up to 2,000", "more than
3,200" fighters): setting them side by side is the point. The subject is the noun phrase after
the number ("Russian citizens"); a figure with none ("put the figure at up to 2,000") takes the
subject of the figure just before it. The speaker is the attribution whose sentence holds the
figure; "he" is the last named speaker. `said_on` is a date written next to the reporting verb
("said last October"), else the publication date: a news report dates what it quotes.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from threatwatch.data import load_json
from threatwatch.events.attribution import Attribution
from threatwatch.events.lexicon import FALLBACK_LANG, words
from threatwatch.events.quantities import Quantity
from threatwatch.events.when import TimeExpression
from threatwatch.records import Claim, Mention, Span

_SUBJECT_WORDS = 6
_SAID_ON_WINDOW = 40  # characters around the reporting verb searched for the date it was said
_CARRY_SENTENCES = 2  # a figure without a noun borrows the subject of a figure at most this far back
_SPEAKER_TYPES = ("person", "organization", "armed_group")
_SPEAKER_COVER = 0.6
_TOKEN = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*|\S")


@dataclass(frozen=True, slots=True)
class ClaimWords:
    skip_units: re.Pattern[str]
    of_words: re.Pattern[str]
    stop_words: re.Pattern[str]
    pronouns: re.Pattern[str]


@cache
def claim_words(lang: str | None) -> ClaimWords:
    try:
        raw = load_json(f"events/claims_{lang}.json")
        code = lang or FALLBACK_LANG
    except FileNotFoundError:
        raw, code = load_json(f"events/claims_{FALLBACK_LANG}.json"), FALLBACK_LANG
    return ClaimWords(
        skip_units=re.compile(rf"^[\s-]*(?:{raw['skip_units']})(?!\w)", re.IGNORECASE),
        of_words=re.compile(rf"^\s*(?:{raw['of_words']})\s+", re.IGNORECASE),
        stop_words=words(raw["stop_words"], code),
        pronouns=re.compile(rf"^(?:{raw['pronouns']})$", re.IGNORECASE),
    )


@dataclass(frozen=True, slots=True)
class SentenceFacts:
    start: int
    end: int
    lang: str | None
    quantities: Sequence[Quantity]
    times: Sequence[TimeExpression]
    attributions: Sequence[Attribution]


def find_claims(
    doc_id: str, text: str, sentences: Sequence[SentenceFacts], mentions: Sequence[Mention], published: str | None
) -> tuple[Claim, ...]:
    claims: list[Claim] = []
    last_subject: tuple[int, str] | None = None  # (sentence index, subject)
    last_named: Attribution | None = None
    for index, sentence in enumerate(sentences):
        vocab = claim_words(sentence.lang)
        for q in sentence.quantities:
            # "one person", "several attacks": too small or too vague for anyone to dispute.
            if (q.value < 2 and not q.multiplier) or (q.vague and q.value < 10):
                continue
            said = _attribution_for(q, sentence.attributions)
            speaker = said
            if said and unnamed(said, sentence.lang):
                speaker = last_named or said
            if q.multiplier:
                unit, subject = "times", _subject(text, q.end, sentence.end, sentence.lang)
            else:
                if vocab.skip_units.match(text[q.end:q.end + 20]):
                    continue
                subject = _subject(text, q.end, sentence.end, sentence.lang)
                unit = subject.split()[0] if subject else None
            if not subject and last_subject and index - last_subject[0] <= _CARRY_SENTENCES:
                subject = last_subject[1]
            if not subject:
                continue
            last_subject = (index, subject)
            claims.append(_claim(doc_id, text, q, subject, unit, (speaker, said), mentions, sentence, published))
        named = [a for a in sentence.attributions if not unnamed(a, sentence.lang)]
        if named:
            last_named = named[-1]
    return tuple(claims)


def speaker_mention(said: Attribution, mentions: Sequence[Mention]) -> Mention | None:
    """The name that is the speaker: it must cover most of the phrase, or "the director of
    the Foreign Ministry" would become the Ministry itself."""
    span = said.speaker_end - said.speaker_start
    for m in mentions:
        overlap = min(m.end, said.speaker_end) - max(m.start, said.speaker_start)
        if m.type in _SPEAKER_TYPES and overlap > 0 and overlap >= _SPEAKER_COVER * span:
            return m
    return None


def unnamed(said: Attribution, lang: str | None) -> bool:
    """A speaker given only as "he" / "он", or (Arabic "وأضاف أن") not given at all: the
    last named speaker is meant."""
    return said.speaker_start == said.cue_start or bool(claim_words(lang).pronouns.match(said.speaker.strip()))


def _attribution_for(q: Quantity, attributions: Sequence[Attribution]) -> Attribution | None:
    """The attribution of a quotation that holds the figure, else the first whose scope does."""
    quoting = [a for a in attributions
               if a.quote_start is not None and a.quote_end is not None and a.quote_start <= q.start < a.quote_end]
    if quoting:
        return quoting[0]
    return next((a for a in attributions if a.scope_start <= q.start < a.scope_end), None)


def _subject(text: str, start: int, limit: int, lang: str | None) -> str:
    vocab = claim_words(lang)
    tail = text[start:limit]
    of = vocab.of_words.match(tail)
    if of:
        tail = tail[of.end():]
    kept: list[str] = []
    for token in _TOKEN.finditer(tail):
        word = token.group()
        if not word[0].isalpha() or vocab.stop_words.fullmatch(word) or len(kept) >= _SUBJECT_WORDS:
            break
        kept.append(word)
    return " ".join(kept)


def _claim(
    doc_id: str, text: str, q: Quantity, subject: str, unit: str | None,
    attributed: tuple[Attribution | None, Attribution | None], mentions: Sequence[Mention],
    sentence: SentenceFacts, published: str | None,
) -> Claim:
    """`attributed` is (the speaker, with "he" resolved; the attribution in this sentence)."""
    said, cue = attributed
    speaker_span = Span(said.speaker_start, said.speaker_end, said.speaker) if said else None
    linked = speaker_mention(said, mentions) if said else None
    return Claim(
        id="cl-" + hashlib.sha256(f"{doc_id}:{q.start}".encode()).hexdigest()[:16],
        subject=subject,
        value=q.value,
        qualifier=q.qualifier,  # type: ignore[arg-type]
        evidence=Span(sentence.start, sentence.end, text[sentence.start:sentence.end]),
        value_max=q.value_max,
        unit=unit,
        speaker=said.speaker if said else None,
        speaker_entity_id=linked.entity_id if linked else None,
        said_on=_said_on(sentence, cue, q) or published,
        speaker_span=speaker_span,
    )


def _said_on(sentence: SentenceFacts, said: Attribution | None, q: Quantity) -> str | None:
    if not said or not (sentence.start <= said.cue_start < sentence.end):
        return None
    near = [t for t in sentence.times
            if t.value and t.kind in ("absolute", "relative") and not (t.start < q.end and q.start < t.end)
            and (abs(t.start - said.cue_end) <= _SAID_ON_WINDOW or abs(said.cue_start - t.end) <= _SAID_ON_WINDOW)]
    return min(near, key=lambda t: abs(t.start - said.cue_end)).value if near else None
