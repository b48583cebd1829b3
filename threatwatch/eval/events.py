"""`threatwatch eval gtd FILE` and `threatwatch eval acled FILE`: event quality on coded datasets.

Each row's narrative (GTD `summary`, ACLED `notes`) is one document. All are written to one
JSONL file, ingested into a fresh store with the default pipeline and read back from the events
export, as a user would. Conventions are those of shared/eval/README.md:
- gtd: the attack event with the most evidence spans answers for the row; attack type and
  weapon are scored on rows whose gold maps to our labels; killed and injured exactly, a missing
  prediction counting as 0.
- acled: a note's fatalities are the sum of `killed` over its events, scored exactly.
"""

from __future__ import annotations

import json
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from threatwatch.pipeline import ingest
from threatwatch.store import Store

GTD_ATTACK_TYPES = {
    "Bombing/Explosion": "bombing", "Armed Assault": "armed_assault", "Assassination": "assassination",
    "Hostage Taking (Kidnapping)": "hostage_taking", "Hostage Taking (Barricade Incident)": "hostage_taking",
    "Facility/Infrastructure Attack": "facility_attack", "Unarmed Assault": "unarmed_assault",
    "Hijacking": "hijacking",
}
GTD_WEAPONS = {
    "Explosives": "explosives", "Firearms": "firearms", "Melee": "melee", "Incendiary": "incendiary",
    "Chemical": "chemical", "Vehicle": "vehicle",
}
# The long GTD labels: explosives in the 1970-71 file, and GTD's vehicle label everywhere (the
# eval README's "Vehicle").
GTD_WEAPONS["Explosives/Bombs/Dynamite"] = "explosives"
GTD_WEAPONS["Vehicle (not to include vehicle-borne explosives, i.e., car or truck bombs)"] = "vehicle"


def read_rows(path: str | Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in Path(path).read_text("utf-8").split("\n") if line.strip()]


def gtd_rows(path: str | Path) -> list[dict[str, object]]:
    """The rows of a GTD file that have a summary to read (a blank or missing one, or a number, is
    nothing to read); `eval gtd` and the attack models' training read the same rows."""
    return [r for r in read_rows(path) if isinstance(r.get("summary"), str) and str(r["summary"]).strip()]


def events_by_text(texts: Iterable[str], workers: int) -> dict[str, list[dict[str, object]]]:
    """Ingest each text as one document; the events exported for it, keyed by the text."""
    unique = list(dict.fromkeys(t.strip() for t in texts if t and t.strip()))
    with tempfile.TemporaryDirectory(prefix="threatwatch-eval-") as tmp:
        corpus = Path(tmp, "narratives.jsonl")
        corpus.write_text("".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in unique), "utf-8")
        with Store(Path(tmp, "eval.db")) as store:
            ingest(store, [corpus], workers=workers)
            doc_of_text = {doc.raw.strip(): doc.id for doc in store.documents()}
            found: dict[str, list[dict[str, object]]] = defaultdict(list)
            for event in store.events():
                found[event["doc_ids"][0]].append(event)  # type: ignore[index]
    return {text: found.get(doc_of_text.get(text, ""), []) for text in unique}


def _count(value: object) -> int | None:
    if value in (None, "", "-99", -99):
        return None
    try:
        number = int(float(value))  # type: ignore[arg-type]
    except ValueError:
        return None
    return number if number >= 0 else None


def _rate(hits: int, total: int) -> float:
    return round(hits / total, 4) if total else 0.0


def evaluate_gtd(path: str | Path, workers: int = 1) -> dict[str, object]:
    rows = gtd_rows(path)
    events = events_by_text((str(r["summary"]) for r in rows), workers)
    tallies: dict[str, list[int]] = {k: [0, 0] for k in ("attack_type", "weapon", "killed", "injured")}
    confusion: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    detected = 0
    for row in rows:
        attacks = [e for e in events.get(str(row["summary"]).strip(), []) if e["type"] == "attack"]
        best = max(attacks, key=lambda e: len(e["evidence"]), default=None)  # type: ignore[arg-type]
        detected += best is not None
        gold_type = GTD_ATTACK_TYPES.get(str(row.get("attacktype1_txt")))
        if gold_type:
            predicted = best["attack_type"] if best else None
            confusion[gold_type][str(predicted)] += 1
            _tally(tallies["attack_type"], predicted == gold_type)
        gold_weapon = GTD_WEAPONS.get(str(row.get("weaptype1_txt")))
        if gold_weapon:
            _tally(tallies["weapon"], (best["weapon"] if best else None) == gold_weapon)
        for field, gold_field in (("killed", "nkill"), ("injured", "nwound")):
            gold = _count(row.get(gold_field))
            if gold is not None:
                _tally(tallies[field], ((best or {}).get(field) or 0) == gold)
    return {
        "dataset": "gtd",
        "rows": len(rows),
        "attack_detected": _rate(detected, len(rows)),
        "metrics": {name: _rate(hits, total) for name, (hits, total) in tallies.items()},
        "scored_rows": {name: total for name, (_, total) in tallies.items()},
        "attack_type_confusion": {gold: dict(row) for gold, row in confusion.items()},
    }


def evaluate_acled(path: str | Path, workers: int = 1) -> dict[str, object]:
    rows = [r for r in read_rows(path) if isinstance(r.get("notes"), str) and r["notes"].strip()]
    events = events_by_text((str(r["notes"]) for r in rows), workers)
    overall, deadly, detected = [0, 0], [0, 0], 0
    for row in rows:
        found = events.get(str(row["notes"]).strip(), [])
        detected += bool(found)
        predicted = sum(int(e["killed"] or 0) for e in found)  # type: ignore[call-overload]
        gold = _count(row.get("fatalities")) or 0
        _tally(overall, predicted == gold)
        if gold > 0:
            _tally(deadly, predicted == gold)
    return {
        "dataset": "acled",
        "rows": len(rows),
        "event_detected": _rate(detected, len(rows)),
        "metrics": {"fatalities_exact": _rate(*overall), "fatalities_exact_when_deaths": _rate(*deadly)},
        "scored_rows": {"fatalities_exact": overall[1], "fatalities_exact_when_deaths": deadly[1]},
    }


def _tally(cell: list[int], hit: bool) -> None:
    cell[0] += hit
    cell[1] += 1
