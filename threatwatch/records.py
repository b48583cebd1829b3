"""Typed records passed between pipeline stages.

The JSON shape of `Document.to_dict()` is the one SPEC.md promises for `export documents`.
Records are frozen: a stage returns a new record instead of mutating the one it was given,
so every stage can be tested as a pure function.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

InputFormat = Literal["text", "html", "jsonl", "warc"]


@dataclass(frozen=True, slots=True)
class RawDocument:
    """One article as read from an input file, before any cleaning.

    `content` is decoded text; `is_html` says whether it is markup. Hints come from the
    container (JSONL fields, WARC headers) and win over what the text itself suggests.
    """

    path: str
    content: str
    is_html: bool
    url: str | None = None
    title: str | None = None
    published: str | None = None
    source: str | None = None


@dataclass(frozen=True, slots=True)
class Rejection:
    """An input that could not be turned into a document, with a reason a user can act on."""

    path: str
    reason: str

    def line(self) -> str:
        return f"rejected {self.path}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph of the cleaned text: `text[start:end]` of the document, and its language."""

    start: int
    end: int
    lang: str | None


EntityType = Literal["person", "organization", "armed_group", "location", "other"]


@dataclass(frozen=True, slots=True)
class Mention:
    """A name in a document's cleaned text: `text == document.text[start:end]`, linked to an entity."""

    start: int
    end: int
    text: str
    type: EntityType
    entity_id: str


@dataclass(frozen=True, slots=True)
class Entity:
    """A canonical entity: from the registry, from places data, or grouped from unknown names."""

    id: str
    name: str
    type: EntityType
    country: str | None = None
    lat: float | None = None
    lon: float | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Span:
    """Evidence: `text == document.text[start:end]` of the document the record belongs to."""

    start: int
    end: int
    text: str

    def to_dict(self, doc_id: str) -> dict[str, object]:
        return {"doc_id": doc_id, "start": self.start, "end": self.end, "text": self.text}


EventType = Literal[
    "threat", "attack", "claim_of_responsibility", "allegiance", "arrest", "military_operation", "statement",
    "armed_clash", "protest",
]
ActorRole = Literal["perpetrator", "target", "speaker", "victim", "authority"]


@dataclass(frozen=True, slots=True)
class Actor:
    """A participant, named by a mention of the document (`span`), so a later merge or split
    of its entity reaches the event too."""

    entity_id: str | None
    name: str
    role: ActorRole
    span: Span


@dataclass(frozen=True, slots=True)
class Event:
    """One happening as reported by one document. `fields` says which span each value was read from."""

    id: str
    type: EventType
    evidence: tuple[Span, ...]
    attack_type: str | None = None
    weapon: str | None = None
    date: str | None = None
    location: str | None = None
    location_id: str | None = None
    country: str | None = None
    lat: float | None = None
    lon: float | None = None
    actors: tuple[Actor, ...] = ()
    killed: int | None = None
    injured: int | None = None
    arrested: int | None = None
    fields: tuple[tuple[str, Span], ...] = ()


Qualifier = Literal["exact", "more_than", "less_than", "about", "up_to", "range"]


@dataclass(frozen=True, slots=True)
class Claim:
    """A figure someone stated: "more than 3,200 Russian citizens", said Ilya Rogachev, 2016-11-21."""

    id: str
    subject: str
    value: float
    qualifier: Qualifier
    evidence: Span
    value_max: float | None = None
    unit: str | None = None
    speaker: str | None = None
    speaker_entity_id: str | None = None
    said_on: str | None = None
    speaker_span: Span | None = None


@dataclass(frozen=True, slots=True)
class StorySignals:
    """What the story stage needs from a document, computed in the worker (`threatwatch/stories/`).

    `minhash` is the MinHash signature of the text's word shingles (uint32 values as bytes) and
    `bands` its LSH band keys; `features` are weighted cues (`e:` entity ids, `v:` event signatures,
    `w:` stemmed words of title and lead) before any store-wide weighting; `embedding` is the
    L2-normalised sentence embedding of title and lead (float16 bytes), None when embeddings are off;
    `day` is the publication date as a day number (None when the day is not known).
    """

    minhash: bytes
    bands: tuple[int, ...]
    features: tuple[tuple[str, float], ...]
    embedding: bytes | None = None
    day: int | None = None


@dataclass(frozen=True, slots=True)
class Placement:
    """Where the story stage puts a new document: its story (`story_rowid` None for a new one),
    the document it duplicates if any, its hashed features and those to index for later lookups."""

    story_id: str
    story_rowid: int | None
    duplicate_of: str | None
    feature_keys: tuple[int, ...]
    feature_weights: tuple[float, ...]
    posted: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Document:
    id: str
    path: str
    raw: str
    text: str
    url: str | None = None
    title: str | None = None
    published: str | None = None
    source: str | None = None
    lang: str | None = None
    langs: tuple[str, ...] = ()
    paragraphs: tuple[Paragraph, ...] = field(default=())
    story_id: str | None = None
    duplicate_of: str | None = None
    mentions: tuple[Mention, ...] = ()
    entities: tuple[Entity, ...] = ()  # what this document's mentions link to, as seen from it
    events: tuple[Event, ...] = ()
    claims: tuple[Claim, ...] = ()
    signals: StorySignals | None = None  # for the story stage; never stored as such

    def to_dict(self) -> dict[str, object]:
        """The SPEC.md `documents` record."""
        return {
            "id": self.id,
            "path": self.path,
            "url": self.url,
            "title": self.title,
            "published": self.published,
            "source": self.source,
            "lang": self.lang,
            "langs": list(self.langs),
            "text": self.text,
            "story_id": self.story_id,
            "duplicate_of": self.duplicate_of,
        }


@dataclass(frozen=True, slots=True)
class SearchHit:
    doc_id: str
    title: str | None
    snippet: str
    lang: str | None
    published: str | None
    score: float

    def to_dict(self) -> dict[str, object]:
        return {
            "doc_id": self.doc_id,
            "title": self.title,
            "snippet": self.snippet,
            "lang": self.lang,
            "published": self.published,
        }


@dataclass(slots=True)
class IngestSummary:
    """What an ingest run did; the CLI prints it and picks the exit status from it."""

    stored: int = 0
    duplicates: int = 0  # identical content already stored (not stored again)
    near_duplicates: int = 0  # stored, with `duplicate_of` naming the document they copy
    rejected: list[Rejection] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.rejected
