"""Named-entity recognition behind one interface, one backend per language.

A recogniser takes plain texts and returns, for each, the names it found as character spans
labelled person, organization or location. Backends load lazily on first use, so a corpus
without Russian never loads the Russian model. Bigger models plug in through the
`threatwatch.ner` entry-point group: an entry named `xx` (a language code) that points to a
callable returning a Recognizer replaces the built-in backend for `xx`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.metadata import entry_points
from typing import Literal, Protocol

NerLabel = Literal["person", "organization", "location"]
ENTRY_POINT_GROUP = "threatwatch.ner"


@dataclass(frozen=True, slots=True)
class NamedSpan:
    start: int
    end: int
    label: NerLabel
    normal: str | None = None  # a dictionary form, when the backend knows it (Москве → Москва)
    # A name inside another one that is a mention of its own ("Москвы" in "Эха Москвы"), kept
    # beside the outer span instead of giving way to it.
    nested: bool = False


class Recognizer(Protocol):
    lang: str

    def find(self, texts: Sequence[str]) -> list[list[NamedSpan]]:
        """Names in each text, as character spans into that text."""
        ...


def _builtin() -> dict[str, Callable[[], Recognizer]]:
    from threatwatch.entities import backends

    return {
        "en": backends.english,
        "fr": backends.french,
        "ru": backends.russian,
        "ar": backends.arabic,
    }


@cache
def recognizer_for(lang: str | None) -> Recognizer | None:
    """The recogniser for a language, a plug-in first; None when no backend knows the language."""
    if lang is None:
        return None
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        if entry.name == lang:
            return entry.load()()  # type: ignore[no-any-return]
    factory = _builtin().get(lang)
    return factory() if factory else None


def supported_languages() -> tuple[str, ...]:
    plugins = {entry.name for entry in entry_points(group=ENTRY_POINT_GROUP)}
    return tuple(sorted(set(_builtin()) | plugins))
