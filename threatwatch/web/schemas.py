"""Response shapes of the JSON API, for /openapi.json. They mirror SPEC.md's records.

Handlers return ready JSON (the records come straight from the store's SPEC serialisers), so
these models document the responses without re-validating every one.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")


class SearchHit(BaseModel):
    doc_id: str
    title: str | None
    snippet: str = Field(description="Best window of the text; matched words in [brackets], as the CLI prints")
    lang: str | None
    published: str | None


class SearchResponse(BaseModel):
    total: int
    results: list[SearchHit]
    limit: int
    offset: int
    ranked: int = Field(description="How many of the matches were ranked: all, or the 10,000 most recent")
    facets: dict[str, list[tuple[str, int]]] | None = Field(
        None, description="With facets=true: counts per lang, year and entity id among the matches")


class Span(BaseModel):
    doc_id: str
    start: int
    end: int
    text: str


class DocumentRecord(BaseModel):
    id: str
    path: str
    url: str | None
    title: str | None
    published: str | None
    source: str | None
    lang: str | None
    langs: list[str]
    text: str
    story_id: str | None
    duplicate_of: str | None


class Actor(BaseModel):
    entity_id: str | None
    name: str
    role: str


class EventRecord(BaseModel):
    id: str
    type: str
    attack_type: str | None
    weapon: str | None
    date: str | None
    location: str | None
    country: str | None
    lat: float | None
    lon: float | None
    actors: list[Actor]
    killed: int | None
    injured: int | None
    arrested: int | None
    doc_ids: list[str]
    story_id: str | None
    evidence: list[Span]
    fields: dict[str, Span] = Field(description="The span each value was read from")


class ClaimRecord(BaseModel):
    id: str
    subject: str
    value: float
    value_max: float | None
    qualifier: str
    unit: str | None
    speaker: str | None
    speaker_entity_id: str | None
    said_on: str | None
    doc_id: str
    evidence: Span


class EntitySummary(BaseModel):
    id: str
    name: str
    type: str
    aliases: list[str]
    country: str | None
    lat: float | None
    lon: float | None
    mention_count: int = Field(description="All mentions of the entity")
    doc_count: int = Field(description="Documents naming it")


class EntityRecord(EntitySummary):
    """The SPEC entity record (`doc_ids`, `mentions`) with the summary's counts."""

    doc_ids: list[str]
    mentions: list[Span] = Field(description="The first mention_limit mentions; mention_count says how many in all")


class TimelinePeriod(BaseModel):
    period: str
    count: int
    killed: int
    types: dict[str, int]


class StoryEntity(BaseModel):
    id: str
    name: str
    type: str
    doc_count: int = Field(description="Reports of the story naming it")
    mention_count: int


class StoryRecord(BaseModel):
    id: str
    title: str | None
    doc_ids: list[str]
    langs: list[str]
    first_published: str | None
    last_published: str | None
    event_ids: list[str] = Field(description="Its merged (canonical) events, each named by its first report's event")


class StorySummary(StoryRecord):
    entities: list[StoryEntity] = Field(description="The entities named in most of its reports")


class StoryReport(BaseModel):
    doc_id: str
    title: str | None
    lang: str | None
    source: str | None
    published: str | None
    url: str | None
    duplicate_of: str | None = Field(description="The earlier report this one nearly repeats, if any")


class LedgerEntry(BaseModel):
    value: int
    doc_id: str
    published: str | None
    speaker: str | None
    span: Span | None = Field(description="Where the document gives the figure")
    canonical: bool = Field(description="The figure the merged event took")


class CanonicalToll(BaseModel):
    value: int
    doc_id: str
    published: str | None
    rule: str = Field(description="only_figure | reports_agree | latest_published | largest_of_latest")
    explanation: str


class MergedEvent(EventRecord):
    """A canonical event: the reports of one happening merged, every report's evidence kept."""

    ledger: dict[str, list[LedgerEntry]] = Field(description="Per toll (killed, injured, arrested): every figure "
                                                             "given, oldest report first")
    canonical: dict[str, CanonicalToll]


class GroupedClaim(ClaimRecord):
    claim_group: str
    published: str | None = Field(description="Its document's publication date")


class ClaimGroup(BaseModel):
    group: str = Field(description="What is counted, e.g. fighters:RU (as `export claims` keys it)")
    subject: str
    values_differ: bool
    doc_count: int
    claims: list[GroupedClaim] = Field(description="In the order they were said")


class StoryDetail(StorySummary):
    reports: list[StoryReport]
    events: list[MergedEvent]
    claim_groups: list[ClaimGroup]


class Listing(BaseModel, Generic[T]):
    total: int
    results: list[T]
    limit: int | None = None
    offset: int | None = None


class Problem(BaseModel):
    detail: str
