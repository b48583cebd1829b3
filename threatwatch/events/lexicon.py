"""The per-language event vocabulary in `data/events/triggers_{lang}.json`, compiled once.

The data holds regular-expression fragments; this module wraps each in whole-word guards and
compiles it. Arabic writes conjunctions and prepositions (و ف ب ل) onto the next word, so its
fragments get an optional proclitic in front instead of a plain word boundary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from threatwatch.data import data_file, load_json
from threatwatch.events.victim_lists import VictimListWords

FALLBACK_LANG = "en"
_ARABIC_PROCLITIC = "(?:[وفبلك]|وب|ول|فب|فل|وال|بال|لل|فال|ال)?"


@dataclass(frozen=True, slots=True)
class Trigger:
    pattern: re.Pattern[str]
    type: str
    attack_type: str | None
    weapon: str | None
    specific: bool
    secondary: bool = False  # names the attack's kind only when no other trigger does
    # a generic verb ("attacked", "stormed") that starts an attack when the attackers are named
    # before it in its clause ("Two gunmen stormed the building"), not when a country is
    with_attackers: bool = False
    # ... and only then, not with a date or a figure as other generic words ("executed")
    attackers_only: bool = False


@dataclass(frozen=True, slots=True)
class Lexicon:
    lang: str
    triggers: tuple[Trigger, ...]
    any_trigger: re.Pattern[str]  # one pass that says whether any trigger is in a sentence at all
    weapons: tuple[tuple[re.Pattern[str], str], ...]
    casualties: dict[str, re.Pattern[str]]
    implied_casualty: tuple[tuple[re.Pattern[str], str, int], ...]
    zero_casualty: re.Pattern[str]
    death_toll: re.Pattern[str]
    subset: re.Pattern[str]
    modal: re.Pattern[str]
    intent: re.Pattern[str]
    negation: re.Pattern[str]
    actor_nouns: re.Pattern[str]
    passive: re.Pattern[str] | None
    window_stops: re.Pattern[str]
    additive: re.Pattern[str]
    subset_after: re.Pattern[str]
    in_addition: re.Pattern[str]
    perpetrator_deaths: tuple[tuple[re.Pattern[str], int], ...]  # "the assailant was killed": 1
    attackers_included: re.Pattern[str] | None  # "five killed, including the bomber"
    across_incidents: re.Pattern[str] | None  # "killed across the three attacks": a toll for several
    one_of_incidents: re.Pattern[str] | None  # "one of four coordinated attacks": how many
    before_blockers: re.Pattern[str]
    final_toll: re.Pattern[str]
    not_victims: re.Pattern[str]
    clause_breaks: re.Pattern[str]
    attacker_group: re.Pattern[str] | None = None  # "suicide bombers": what a count of attackers counts
    victim_list: VictimListWords | None = None  # "killed a guard and a barber": victims one by one
    # "in the attack", "following the assault": the words right before a trigger that point back at
    # an event already told (matched at the end of the text before the trigger)
    refers_back: re.Pattern[str] | None = None


def words(fragment: str, lang: str) -> re.Pattern[str]:
    """`fragment` as whole words; in Arabic a proclitic may be glued to the front."""
    front = r"(?<!\w)" + (_ARABIC_PROCLITIC if lang == "ar" else "")
    return re.compile(f"{front}(?:{fragment})(?!\\w)", re.IGNORECASE)


_PHRASE = re.compile(r"\{([a-z_]+)\}")  # a named fragment; a quantifier ({0,5}) has no letters


def with_phrases(expression: str, phrases: dict[str, str]) -> str:
    """`expression` with each {name} of the file's 'phrases' written out (one list of offices serves
    every assassination trigger)."""
    return _PHRASE.sub(lambda m: phrases[m.group(1)], expression)


def available() -> frozenset[str]:
    folder = data_file("events")
    return frozenset(
        p.name.removeprefix("triggers_").removesuffix(".json")
        for p in folder.iterdir()
        if p.name.startswith("triggers_")
    )


@cache
def lexicon(lang: str | None) -> Lexicon:
    """The vocabulary for `lang`; a language without a file is read with the English one
    (digits, names and loanwords like 'ISIS' still match)."""
    code = lang if lang in available() else FALLBACK_LANG
    raw = load_json(f"events/triggers_{code}.json")
    triggers = [{**t, "re": with_phrases(t["re"], raw.get("phrases", {}))} for t in raw["triggers"]]
    return Lexicon(
        lang=code,
        triggers=tuple(
            Trigger(words(t["re"], code), t["type"], t.get("attack_type"), t.get("weapon"), t.get("specific", True),
                    t.get("secondary", False), t.get("with_attackers", False), t.get("attackers_only", False))
            for t in triggers
        ),
        any_trigger=words("|".join(t["re"] for t in triggers), code),
        weapons=tuple((words(w["re"], code), w["weapon"]) for w in raw["weapons"]),
        casualties={kind: words(fragment, code) for kind, fragment in raw["casualties"].items()},
        implied_casualty=tuple(
            (re.compile(f"(?<!\\w){i['re']}", re.IGNORECASE), i["outcome"], i["value"]) for i in raw["implied_casualty"]
        ),
        zero_casualty=words(raw["zero_casualty"], code),
        death_toll=words(raw["death_toll"], code),
        subset=words(raw["subset"], code),
        modal=words(raw["modal"], code),
        intent=words(raw["intent"], code),
        negation=words(raw["negation"], code),
        actor_nouns=words(raw["actor_nouns"], code),
        passive=words(raw["passive"], code) if raw.get("passive") else None,
        window_stops=words(raw["window_stops"], code),
        additive=words(raw["additive"], code),
        subset_after=re.compile(rf"^\s*,?\s*(?:{raw['subset_after']})(?!\w)", re.IGNORECASE),
        in_addition=words(raw["in_addition"], code),
        perpetrator_deaths=tuple((words(p["re"], code), p["value"]) for p in raw.get("perpetrator_deaths", ())),
        attackers_included=words(raw["attackers_included"], code) if raw.get("attackers_included") else None,
        across_incidents=words(raw["across_incidents"], code) if raw.get("across_incidents") else None,
        one_of_incidents=words(raw["one_of_incidents"], code) if raw.get("one_of_incidents") else None,
        before_blockers=words(raw["before_blockers"], code),
        final_toll=words(raw["final_toll"], code),
        not_victims=re.compile(rf"^\s*(?:{raw['not_victims']})(?!\w)", re.IGNORECASE),
        clause_breaks=re.compile(raw["clause_breaks"]),
        attacker_group=words(raw["attacker_group"], code) if raw.get("attacker_group") else None,
        victim_list=_victim_list_words(raw["victim_list"], code) if raw.get("victim_list") else None,
        refers_back=re.compile(f"(?<!\\w)(?:{raw['refers_back']})\\s*$", re.IGNORECASE)
        if raw.get("refers_back") else None,
    )


def _victim_list_words(raw: dict[str, str], lang: str) -> VictimListWords:
    return VictimListWords(
        active=words(raw["active"], lang), passive=words(raw["passive"], lang),
        end=re.compile(raw["end"], re.IGNORECASE), singular=words(raw["singular"], lang),
        reflexive=words(raw["reflexive"], lang), attacker=words(raw["attacker"], lang),
        along=words(raw["along"], lang) if raw.get("along") else None,
        plural=words(raw["plural"], lang), collective=words(raw["collective"], lang),
        subset=words(raw["subset"], lang), not_item=words(raw["not_item"], lang),
    )
