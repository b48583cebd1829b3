"""How records read on a page: values with their evidence spans, claim figures, chart geometry.

Pure functions over SPEC records, so the templates stay free of logic and these can be tested
without a server.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from threatwatch.web.basemap import countries, project

# The order an event's values are shown in; each may carry the span it was read from.
EVENT_FIELDS = ("type", "attack_type", "weapon", "date", "location", "killed", "injured", "arrested")
QUALIFIER_WORDS = {"more_than": "more than", "less_than": "fewer than", "about": "about", "up_to": "up to"}


@dataclass(frozen=True, slots=True)
class Value:
    """One shown value; `span` is (doc_id, start, end) of its evidence when the text gave it."""

    label: str
    text: str
    span: tuple[str, int, int] | None


def words(name: str | None) -> str:
    return (name or "").replace("_", " ")


def number(value: float | int | None) -> str:
    if value is None:
        return ""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def span_href(span: tuple[str, int, int] | None, here: str | None = None) -> str:
    """A link to a span: a bare fragment on its own document's page, else the document's URL."""
    if span is None:
        return ""
    doc_id, start, end = span
    fragment = f"#span-{start}-{end}"
    return fragment if doc_id == here else f"/documents/{quote(doc_id, safe='')}{fragment}"


def _span(record: dict[str, object]) -> tuple[str, int, int]:
    return (str(record["doc_id"]), int(record["start"]), int(record["end"]))  # type: ignore[call-overload]


def event_values(event: dict[str, object]) -> list[Value]:
    fields: dict[str, dict[str, object]] = event.get("fields") or {}  # type: ignore[assignment]
    values = []
    for name in EVENT_FIELDS:
        raw = event.get(name)
        if raw is None:
            continue
        text = number(raw) if isinstance(raw, int | float) else words(str(raw))  # type: ignore[arg-type]
        span = _span(fields[name]) if name in fields else None
        values.append(Value(words(name), text, span))
    return values


def evidence_spans(record: dict[str, object]) -> list[tuple[tuple[str, int, int], str]]:
    """(span, text) of each evidence sentence of an event, or the one of a claim."""
    evidence = record["evidence"]
    items = evidence if isinstance(evidence, list) else [evidence]
    return [(_span(item), str(item["text"])) for item in items]


def claim_value(claim: dict[str, object]) -> str:
    value, high = claim.get("value"), claim.get("value_max")
    qualifier = str(claim.get("qualifier") or "exact")
    if qualifier == "range" and high is not None:
        return f"{number(value)}–{number(high)}"  # type: ignore[arg-type]
    if qualifier == "up_to" and high is not None:
        value = high
    words_before = QUALIFIER_WORDS.get(qualifier)
    return f"{words_before} {number(value)}" if words_before else number(value)  # type: ignore[arg-type]


def with_params(params: dict[str, str], **changes: str | int | None) -> str:
    """The query string of `params` with `changes` applied (None removes a key); a filter
    change starts again at the first page."""
    merged = {k: v for k, v in params.items() if v not in (None, "")}
    if any(key != "offset" for key in changes):
        merged.pop("offset", None)
    for key, value in changes.items():
        if value in (None, ""):
            merged.pop(key, None)
        else:
            merged[key] = str(value)
    return "?" + urlencode(merged) if merged else "?"


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    count: int
    title: str
    show_label: bool


def bars(periods: list[dict[str, object]], width: float = 900, height: float = 120) -> list[Bar]:
    """Geometry of a bar chart of event counts per period (SVG user units)."""
    if not periods:
        return []
    top = max(int(p["count"]) for p in periods)  # type: ignore[call-overload]
    step = min(width / len(periods), 60.0)  # a few periods get bars, not slabs
    every = max(1, math.ceil(len(periods) / 12))
    out = []
    for i, period in enumerate(periods):
        count = int(period["count"])  # type: ignore[call-overload]
        h = max(2.0, (height - 20) * count / top)
        types = ", ".join(f"{words(t)} {n}" for t, n in period["types"].items())  # type: ignore[attr-defined]
        out.append(Bar(round(i * step + 1, 1), round(height - 18 - h, 1), round(max(step - 2, 1), 1), round(h, 1),
                       str(period["period"]), count, f"{period['period']}: {count} event(s): {types}", i % every == 0))
    return out


@dataclass(frozen=True, slots=True)
class MapPoint:
    x: float
    y: float
    r: float
    index: int
    point: dict[str, object]


def map_layer(points: list[dict[str, object]]) -> tuple[list[dict[str, str]], list[MapPoint]]:
    """Country outlines (those with events marked) and projected points, biggest first so that
    small ones are drawn on top."""
    with_events = {p["country"] for p in points if p.get("country")}
    shapes = [{**c, "hit": "hit" if c["id"] in with_events else ""} for c in countries()]
    placed = []
    for i, point in enumerate(points):
        x, y = project(float(point["lat"]), float(point["lon"]))  # type: ignore[arg-type]
        r = round(1.2 + 0.9 * math.sqrt(len(point["events"])), 2)  # type: ignore[arg-type]
        placed.append(MapPoint(x, y, r, i, point))
    placed.sort(key=lambda p: -p.r)
    return shapes, placed
