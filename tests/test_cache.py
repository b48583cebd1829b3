"""threatwatch/cache.py: a table is built once per set of inputs, read back after, rebuilt when an
input changes or the file is damaged, and a cache that cannot be written costs nothing but time."""

from __future__ import annotations

from pathlib import Path

import pytest

from threatwatch import cache


class Builder:
    def __init__(self, value: object) -> None:
        self.value, self.calls = value, 0

    def __call__(self) -> object:
        self.calls += 1
        return self.value


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("THREATWATCH_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_a_table_is_built_once_and_read_back(folder: Path) -> None:
    build = Builder({"moscow": ("geo:524901", 55.75)})
    assert cache.cached("table", [b"v1"], build) == build.value
    assert cache.cached("table", [b"v1"], build) == build.value
    assert build.calls == 1 and len(list(folder.glob("table-*.pickle"))) == 1


def test_a_changed_input_builds_again_and_drops_the_old_file(folder: Path) -> None:
    first, second = Builder(1), Builder(2)
    cache.cached("table", [b"data v1"], first)
    assert cache.cached("table", [b"data v2"], second) == 2 and second.calls == 1
    assert len(list(folder.glob("table-*.pickle"))) == 1  # one file per table
    assert cache.cached("table", [b"data v2"], Builder(3)) == 2


def test_a_damaged_file_is_rebuilt(folder: Path) -> None:
    cache.cached("table", [b"v1"], Builder([1, 2, 3]))
    (path,) = folder.glob("table-*.pickle")
    path.write_bytes(path.read_bytes()[:10])  # a write cut short
    rebuild = Builder([1, 2, 3])
    assert cache.cached("table", [b"v1"], rebuild) == [1, 2, 3] and rebuild.calls == 1


def test_an_empty_setting_turns_the_cache_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THREATWATCH_CACHE_DIR", "")
    build = Builder("x")
    cache.cached("table", [b"v1"], build)
    cache.cached("table", [b"v1"], build)
    assert build.calls == 2


def test_an_unwritable_place_costs_only_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("THREATWATCH_CACHE_DIR", str(blocker / "cache"))
    assert cache.cached("table", [b"v1"], Builder(7)) == 7
