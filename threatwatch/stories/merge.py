"""Cross-document events: the reports of one happening in a story merged into one canonical event.

A document's event joins a canonical event of its story when the type is the same and the
place and date agree (`compatible`). The merged record keeps every source document and every
evidence span; where the reports give different tolls, each figure is kept in a `ledger`
(value, document, its publication date, the speaker if one is named) and the canonical value is
the one of the latest-published report that gives one (tolls are revised as they become known;
an undated report counts as the oldest), the largest when reports of the same day differ.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

TOLL_FIELDS = ("killed", "injured", "arrested")
DATE_TOLERANCE_DAYS = 2  # reports of one happening may date it a day or two apart
_PRECISION = {"geo": 0, "region": 2, "country": 3}  # lower is more specific; other ids are 1


@dataclass(frozen=True, slots=True)
class EventKey:
    """What decides whether two reports tell the same event: type, place and (effective) date."""

    type: str
    place_id: str | None
    country: str | None
    date: str | None  # the event's date, else its document's publication date, else None


def place_precision(place_id: str | None) -> int:
    return _PRECISION.get(place_id.split(":")[0], 1) if place_id else 9


def places_agree(a: EventKey, b: EventKey) -> bool:
    """Same place, or one is the country of the other, or either has no place."""
    if not a.place_id or not b.place_id or a.place_id == b.place_id:
        return True
    if a.country and b.country and a.country != b.country:
        return False
    # Two distinct cities (or two named places) are two events; a place within the other's country is one.
    return place_precision(a.place_id) >= 2 or place_precision(b.place_id) >= 2


def dates_agree(a: str | None, b: str | None) -> bool:
    """Unknown agrees with anything; partial dates agree by prefix; full dates within DATE_TOLERANCE_DAYS."""
    if not a or not b:
        return True
    if len(a) == len(b) == 10:
        try:
            return abs(date.fromisoformat(a).toordinal() - date.fromisoformat(b).toordinal()) <= DATE_TOLERANCE_DAYS
        except ValueError:
            return a == b
    shorter, longer = sorted((a, b), key=len)
    return longer.startswith(shorter)


def compatible(a: EventKey, b: EventKey) -> bool:
    return a.type == b.type and places_agree(a, b) and dates_agree(a.date, b.date)


def match_rank(a: EventKey, b: EventKey) -> tuple[int, int]:
    """Among compatible canonical events, prefer the same place id, then the same date."""
    return (0 if a.place_id and a.place_id == b.place_id else 1, 0 if a.date and a.date == b.date else 1)


def refined(canonical: EventKey, report: EventKey) -> EventKey:
    """The canonical key after a report joins: the more specific place, the more precise date."""
    place, country = canonical.place_id, canonical.country
    if place_precision(report.place_id) < place_precision(place):
        place, country = report.place_id, report.country or country
    when = canonical.date
    if report.date and (not when or len(report.date) > len(when)):
        when = report.date
    return EventKey(canonical.type, place, country or report.country, when)


def link_reports(known: list[EventKey], reports: Sequence[EventKey]) -> list[int]:
    """Where the events of one document go among a story's canonical events `known` (in the order
    they began; updated in place): each joins the best compatible one (`match_rank`, then the
    oldest) that no other event of the same document took, which is then `refined`, or starts a
    new one at the end. Returns the index in `known` of each report's canonical event."""
    taken: set[int] = set()  # the document kept these events apart: they never share a canonical event
    chosen: list[int] = []
    for report in reports:
        fits = [i for i, key in enumerate(known) if i not in taken and compatible(key, report)]
        if fits:
            index = min(fits, key=lambda i: (match_rank(known[i], report), i))
            known[index] = refined(known[index], report)
        else:
            known.append(report)
            index = len(known) - 1
        taken.add(index)
        chosen.append(index)
    return chosen


@dataclass(frozen=True, slots=True)
class Context:
    """What the export records of the reports do not carry: each document's publication date,
    each event's place id, and the speaker of each figure (`"<event id>:<field>"`), where known."""

    published: Mapping[str, str | None]
    place_ids: Mapping[str, str | None]
    speakers: Mapping[str, str | None]


def merge_records(members: Sequence[dict[str, object]], context: Context) -> dict[str, object]:
    """One SPEC event record from the records of its reports (in ingest order), plus `ledger`."""
    first = dict(members[0])
    place = min(members, key=lambda m: place_precision(context.place_ids.get(str(m["id"]))))
    merged = dict(first)
    for name in ("location", "country", "lat", "lon"):
        merged[name] = place[name]
    merged["attack_type"] = _most_common(members, "attack_type", skip=("unknown",)) or first["attack_type"]
    merged["weapon"] = _most_common(members, "weapon")
    merged["date"] = max((m["date"] for m in members if m["date"]), key=lambda d: len(str(d)), default=None)
    merged["actors"] = list({(a.get("entity_id") or a["name"], a["role"]): a
                             for m in members for a in m["actors"]}.values())  # type: ignore[attr-defined]
    merged["doc_ids"] = list(dict.fromkeys(d for m in members for d in m["doc_ids"]))  # type: ignore[attr-defined]
    merged["evidence"] = [span for m in members for span in m["evidence"]]  # type: ignore[attr-defined]
    fields = dict(first.get("fields") or {})  # type: ignore[call-overload]
    if place is not first and "location" in (place.get("fields") or {}):  # type: ignore[operator]
        fields["location"] = place["fields"]["location"]  # type: ignore[index]
    ledger: dict[str, list[dict[str, object]]] = {}
    for name in TOLL_FIELDS:
        reports = [m for m in members if m[name] is not None]
        entries = [_entry(m, name, context) for m in reports]
        if entries:
            ledger[name] = sorted(entries, key=lambda e: (e["published"] or "", str(e["doc_id"])))
        chosen = _canonical_report(reports, name, context.published)
        merged[name] = chosen[name] if chosen else None
        if chosen and name in (chosen.get("fields") or {}):  # type: ignore[operator]
            fields[name] = chosen["fields"][name]  # type: ignore[index]
        elif name in fields and chosen is None:
            del fields[name]
    merged["fields"] = fields
    merged["ledger"] = ledger
    return merged


def _most_common(members: Sequence[Mapping[str, object]], name: str, skip: tuple[str, ...] = ()) -> object:
    counts = Counter(m[name] for m in members if m[name] is not None and m[name] not in skip)
    return counts.most_common(1)[0][0] if counts else None


def _entry(member: Mapping[str, object], name: str, context: Context) -> dict[str, object]:
    doc_id = str(member["doc_ids"][0])  # type: ignore[index]
    return {"value": member[name], "doc_id": doc_id, "published": context.published.get(doc_id),
            "speaker": context.speakers.get(f"{member['id']}:{name}")}


def _canonical_report(reports: Sequence[Mapping[str, object]], name: str,
                      published: Mapping[str, str | None]) -> Mapping[str, object] | None:
    """The latest-published report giving the figure; among reports of that day, the largest figure."""
    if not reports:
        return None
    return max(reports, key=lambda m: (published.get(m["doc_ids"][0]) or "", m[name]))  # type: ignore[index,call-overload]
