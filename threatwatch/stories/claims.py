"""Claims compared: figures about one subject grouped across documents, in the order they were said.

A claim's group is a readable key built from what is counted, never from the figure:
- its class (`fighters`, `people`, `soldiers`, from the subject's words; people counted with a
  word of joining or fighting nearby are fighters gone abroad),
- what happened to them (`killed`, `injured`, `arrested`), when the sentence says,
- where they come from: a demonym in the subject ("Russian nationals", "Russians"), else the
  first country named in the sentence ("fighters from Russia");
  e.g. `fighters:RU`, `people:killed:RU`.
A subject with no known class keys on its stemmed words and its normalised unit (`percent`, `usd`).
The word lists are data: `threatwatch/data/stories/claims.json`.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

from threatwatch.normalize import TOKEN, stem
from threatwatch.store import Store
from threatwatch.stories.signals import stop_words

CONTEXT_BEFORE = 300  # characters before the claim's sentence searched for joining words


@dataclass(frozen=True, slots=True)
class _Lexicon:
    classes: dict[str, str]  # stem -> class
    joining: frozenset[str]
    outcomes: dict[str, str]  # stem -> outcome
    demonyms: dict[str, str]  # stem -> country code
    units: dict[str, str]  # folded surface -> unit


def _stems(words: Iterable[str], lang: str | None) -> Iterator[str]:
    for word in words:
        for token in TOKEN.findall(word):
            yield stem(token, lang)


@cache
def lexicon() -> _Lexicon:
    data = json.loads(resources.files("threatwatch.data").joinpath("stories/claims.json").read_text("utf-8"))
    classes = {s: name for name, by_lang in data["classes"].items() for lang, words in by_lang.items()
               for s in _stems(words, lang)}
    joining = frozenset(s for lang, words in data["joining"].items() for s in _stems(words, lang))
    outcomes = {s: name for name, by_lang in data["outcomes"].items() for lang, words in by_lang.items()
                for s in _stems(words, lang)}
    demonyms = {s: code for code, words in data["demonyms"].items() for s in _stems(words, None)}
    units = {w.casefold(): name for name, words in data["units"].items() for w in words}
    return _Lexicon(classes, joining, outcomes, demonyms, units)


def claim_group(
    subject: str, unit: str | None, sentence: str, before: str = "", lang: str | None = None,
    countries: Iterable[str] = (),
) -> str:
    """The group key of a claim from its subject, unit, evidence sentence, the text before it and
    the countries the sentence names (ISO codes, in order; from the document's linked mentions)."""
    lex = lexicon()
    words = list(_stems([subject], lang))
    said = list(_stems([sentence], lang))
    origin = next((lex.demonyms[w] for w in words if w in lex.demonyms), None)
    kind = next((lex.classes[w] for w in words if w in lex.classes), None)
    if kind is None and origin and all(w in lex.demonyms for w in words):
        kind = "people"  # "Russians"
    if kind is None:
        measured = lex.units.get((unit or "").casefold())
        stop = stop_words(lang or "en")
        rest = sorted({w for w in words if w not in lex.demonyms and w not in stop})
        return ":".join(part for part in (" ".join(rest), measured, origin) if part)
    if kind == "people" and origin and lex.joining.intersection(said + list(_stems([before], lang))):
        kind = "fighters"
    outcome = next((lex.outcomes[w] for w in said if w in lex.outcomes), None)
    origin = origin or next((lex.demonyms[w] for w in said if w in lex.demonyms), None) or next(iter(countries), None)
    return ":".join(part for part in (kind, outcome, origin) if part)


def with_claim_groups(store: Store, records: Iterable[dict[str, object]]) -> Iterator[dict[str, object]]:
    """The claims export records with their `claim_group` added."""
    text = _TextOf(store.db)
    for record in records:
        evidence: Mapping[str, object] = record["evidence"]  # type: ignore[assignment]
        body, lang = text.get(str(record["doc_id"]))
        start = int(evidence["start"])  # type: ignore[call-overload]
        before = body[max(0, start - CONTEXT_BEFORE) : start]
        end = int(evidence["end"])  # type: ignore[call-overload]
        countries = [code for at, code in text.countries(str(record["doc_id"])) if start <= at < end]
        record["claim_group"] = claim_group(str(record["subject"]), record["unit"], str(evidence["text"]),  # type: ignore[arg-type]
                                            before, lang, countries)
        yield record


def group_claims(store: Store) -> dict[str, list[dict[str, object]]]:
    """Every claim of the store by group, each group in the order the figures were said
    (`said_on`, else the document's publication date; undated last)."""
    published = dict(store.db.execute("SELECT id, published FROM documents").fetchall())
    groups: dict[str, list[dict[str, object]]] = defaultdict(list)
    for record in with_claim_groups(store, store.claims()):
        record["published"] = published.get(record["doc_id"])
        groups[str(record["claim_group"])].append(record)
    for members in groups.values():
        members.sort(key=lambda r: (str(r["said_on"] or r["published"] or "9999"), str(r["doc_id"])))
    return dict(groups)


def compare_claims(store: Store, group_or_subject: str) -> list[dict[str, object]]:
    """The figures of one group (a key such as `fighters:RU`, or a subject in words, whose group is
    looked up the way claims are keyed), in the order they were said."""
    groups = group_claims(store)
    if group_or_subject in groups:
        return groups[group_or_subject]
    key = claim_group(group_or_subject, None, group_or_subject)
    return groups.get(key, [])


class _TextOf:
    """Text, language and country mentions of the last document read: claims come grouped by document."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.doc_id: str | None = None
        self.value: tuple[str, str | None] = ("", None)
        self.mentions: list[tuple[int, str]] = []

    def _load(self, doc_id: str) -> None:
        if doc_id == self.doc_id:
            return
        row = self.db.execute("SELECT rowid, text, lang FROM documents WHERE id = ?", (doc_id,)).fetchone()
        self.doc_id, self.value = doc_id, (row[1], row[2]) if row else ("", None)
        self.mentions = [(r[0], r[1][len("country:"):]) for r in self.db.execute(
            "SELECT start_char, entity_id FROM mentions WHERE doc_rowid = ? AND entity_id LIKE 'country:%' "
            "ORDER BY start_char", (row[0] if row else -1,))]

    def get(self, doc_id: str) -> tuple[str, str | None]:
        self._load(doc_id)
        return self.value

    def countries(self, doc_id: str) -> list[tuple[int, str]]:
        self._load(doc_id)
        return self.mentions
