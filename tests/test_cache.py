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


def test_a_changed_input_builds_again_and_only_the_newest_files_stay(folder: Path) -> None:
    first, second = Builder(1), Builder(2)
    cache.cached("table", [b"data v1"], first)
    assert cache.cached("table", [b"data v2"], second) == 2 and second.calls == 1
    assert cache.cached("table", [b"data v2"], Builder(3)) == 2
    assert cache.cached("table", [b"data v1"], Builder(4)) == 1  # two installations can share a folder
    for version in range(3, 3 + cache.KEEP_PER_TABLE):
        cache.cached("table", [f"data v{version}".encode()], Builder(version))
    assert len(list(folder.glob("table-*.pickle"))) == cache.KEEP_PER_TABLE


def test_a_file_others_can_write_is_not_read(folder: Path) -> None:
    cache.cached("table", [b"v1"], Builder("mine"))
    (path,) = folder.glob("table-*.pickle")
    path.chmod(0o666)  # anyone could have put a pickle here
    rebuild = Builder("mine")
    assert cache.cached("table", [b"v1"], rebuild) == "mine" and rebuild.calls == 1


def test_a_damaged_file_is_rebuilt(folder: Path) -> None:
    cache.cached("table", [b"v1"], Builder([1, 2, 3]))
    (path,) = folder.glob("table-*.pickle")
    rebuild = Builder([1, 2, 3])
    for damage in (path.read_bytes()[:10], b"\x80\x09 not a protocol", b"\x80\x04\x95\xff\xff"):
        path.write_bytes(damage)  # a write cut short, another format
        assert cache.cached("table", [b"v1"], rebuild) == [1, 2, 3]
    assert rebuild.calls == 3


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


def test_the_places_index_reads_back_the_places_it_was_built_with(folder: Path) -> None:
    from threatwatch.entities import registry
    from threatwatch.entities.names import name_key

    built = cache.cached("places", [b"test"], registry._build_places)
    read = cache.cached("places", [b"test"], registry._build_places)
    assert read is not built and read == built
    moscow, russia = read.get(name_key("Москва")), read.get(name_key("Russia"))
    assert moscow is not None and moscow.country == "RU" and moscow.lat and moscow == read.get(name_key("موسكو"))
    assert russia is not None and russia.id == "country:RU" and name_key("Россия") in read
    assert read.get("no such place anywhere") is None and "no such place anywhere" not in read
