"""Users' corrections to entity linking hold, and hold for documents ingested later."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from threatwatch.cli import main
from threatwatch.entities.overrides import Override, resolve, split_id
from threatwatch.errors import StoreError
from threatwatch.pipeline import ingest

FIRST = "Ahmad Zia Saraj, the intelligence chief, met Haji Zahir in Jalalabad on Monday to discuss the attacks.\n"
SECOND = "Zahir Qadir said the Nangarhar security plan was working, according to his office on Tuesday evening.\n"


def _entity_of(store, surface: str) -> str:
    rows = [e for e in store.entities() if surface in e["aliases"]]
    assert len(rows) == 1, (surface, rows)
    return rows[0]["id"]


def test_resolve_applies_corrections_in_order() -> None:
    log = [Override("merge", "a", "b"), Override("split", "a", "Mr B")]
    assert resolve("b", "B", log) == "a"
    assert resolve("b", "Mr B", log) == split_id("a", "Mr B")
    assert resolve("c", "C", log) == "c"


def test_merge_split_rename_in_the_store_and_after_reingest(tmp_path: Path, store) -> None:
    (tmp_path / "one.txt").write_text(FIRST, "utf-8")
    ingest(store, [tmp_path / "one.txt"])
    haji, saraj = _entity_of(store, "Haji Zahir"), _entity_of(store, "Ahmad Zia Saraj")

    store.correct_entities(Override("rename", saraj, "Ahmad Zia Saraj (NDS)"))
    assert next(e for e in store.entities() if e["id"] == saraj)["name"] == "Ahmad Zia Saraj (NDS)"

    (tmp_path / "two.txt").write_text(SECOND, "utf-8")
    ingest(store, [tmp_path / "two.txt"])
    qadir = _entity_of(store, "Zahir Qadir")
    assert qadir != haji
    moved = store.correct_entities(Override("merge", haji, qadir))
    assert moved == 1 and _entity_of(store, "Zahir Qadir") == haji

    # A later article naming him the same way lands on the merged entity, not a new one.
    (tmp_path / "three.txt").write_text(SECOND.replace("Tuesday", "Wednesday"), "utf-8")
    ingest(store, [tmp_path / "three.txt"])
    merged = next(e for e in store.entities() if e["id"] == haji)
    assert set(merged["aliases"]) == {"Haji Zahir", "Zahir Qadir"} and len(merged["doc_ids"]) == 3

    store.correct_entities(Override("split", haji, "Zahir Qadir"))
    assert _entity_of(store, "Zahir Qadir") == split_id(haji, "Zahir Qadir")
    assert _entity_of(store, "Haji Zahir") == haji


def test_correcting_an_unknown_entity_is_refused(store) -> None:
    with pytest.raises(StoreError, match="no entity"):
        store.correct_entities(Override("rename", "nobody", "x"))


def test_cli_entities_commands(tmp_path: Path) -> None:
    (tmp_path / "one.txt").write_text(FIRST, "utf-8")
    db = str(tmp_path / "s.db")
    runner = CliRunner()
    assert runner.invoke(main, ["ingest", "--db", db, "--quiet", str(tmp_path / "one.txt")]).exit_code == 0
    result = runner.invoke(main, ["entities", "rename", "--db", db, "missing-id", "X"])
    assert result.exit_code == 2 and "no entity" in result.stderr
    from threatwatch.store import Store

    with Store(db) as store:
        target = _entity_of(store, "Haji Zahir")
    result = runner.invoke(main, ["entities", "rename", "--db", db, target, "Haji Zahir Qadir"])
    assert result.exit_code == 0 and "renamed" in result.stdout


def test_relink_keeps_corrections_and_follows_the_registry(tmp_path: Path, store, monkeypatch) -> None:
    from threatwatch.entities import extract

    (tmp_path / "one.txt").write_text(FIRST, "utf-8")
    ingest(store, [tmp_path / "one.txt"])
    haji, saraj = _entity_of(store, "Haji Zahir"), _entity_of(store, "Ahmad Zia Saraj")
    store.correct_entities(Override("merge", saraj, haji))
    assert store.relink(extract.relink_mention) == 0  # nothing changed: the merge still holds
    assert _entity_of(store, "Haji Zahir") == saraj

    # A registry update that knows the name moves its mentions; the merge log follows the old id.
    from threatwatch.records import Entity

    def registry_knows_jalalabad(surface: str, entity_type: str) -> Entity | None:
        if surface == "Jalalabad":
            return Entity("region:jalalabad-test", "Jalalabad", "location")
        return extract.relink_mention(surface, entity_type)

    assert store.relink(registry_knows_jalalabad) == 1
    assert _entity_of(store, "Jalalabad") == "region:jalalabad-test"
    assert _entity_of(store, "Haji Zahir") == saraj
