"""A learned second opinion on an English attack's kind and weapon.

The rules in `detect`/`assemble` name an attack's kind and weapon from trigger words. GTD's
coders also weigh what the words around them say (a "prominent" target makes an assassination;
"opened fire" with no gun named is firearms). A linear model over the words and word pairs of
the event's evidence and the weapons the lexicon names in it (weighted by inverse document
frequency), plus the rules' own answer as a feature of its own, learns those habits from the GTD dev half
(`training/train_attack_classifier.py`, which also measures it by cross-validation).

The model's answer replaces the rules' (or fills a field they left empty) when it reads a word it
knows in the evidence and its probability reaches CONFIDENT (now 0: the model, which knows when to
trust the rules, has the last word); its evidence span is the word of the evidence that weighed
most for it.
Only English evidence is read: the model never saw another language. Deleting the model folder
leaves the rules alone in charge.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import numpy as np

from threatwatch.data import data_file
from threatwatch.events.lexicon import lexicon
from threatwatch.records import Span

# The model overrules the rules from this probability. Cross-validated on the GTD dev half (QUALITY.md),
# always taking the model's answer (it weighs the rules' answer as a feature) beat the thresholds
# tried, 0.4 to 0.8, for the kind and the weapon alike.
CONFIDENT = 0.0
_TOKEN = re.compile(r"[a-z][a-z'-]*[a-z]|[a-z]")
RULE_FEATURE = "RULE={}"  # the rules' answer, as a feature, so the model learns when to trust it
_RULE_PREFIX = RULE_FEATURE.format("")
# A weapon the English lexicon names anywhere in the evidence, as a feature of its own: the rules keep one
# weapon, the model also sees the others ("grenades and assault rifles"). Cross-validated over five seeds
# (QUALITY.md), it added 0.1 point to the kind on each.
WEAPON_FEATURE = "WEAPON={}"
_WEAPON_PREFIX = WEAPON_FEATURE.format("")
UNKNOWN = "unknown"  # the weapon model's answer for "the text names none": the weapon is left empty
SWITCH_OFF = "THREATWATCH_RULES_ONLY"  # set (to anything) to leave attacks to the rules, as training does
# GTD codes no bombing whose weapon is a gun, a blade or a vehicle (1 of the dev half's 1,336
# bombings): with such a weapon an attack's kind is the likeliest other one (a ramming is no bombing).
KINDS_RULED_OUT_BY_WEAPON = {weapon: frozenset({"bombing"}) for weapon in ("firearms", "melee", "vehicle")}


def features(text: str, rule_answer: str | None) -> set[str]:
    """Lower-cased words and adjacent word pairs (no digits: years and counts say nothing of
    the kind), the weapons the lexicon names in the text, and the rules' answer."""
    return {*_words(text), *_weapons_named(text), RULE_FEATURE.format(rule_answer)}


@lru_cache(maxsize=16)
def _weapons_named(text: str) -> frozenset[str]:
    """WEAPON_FEATURE of each weapon an English weapon word or weapon trigger names in `text`."""
    named: set[str] = set()
    for pattern, weapon in _weapon_phrases():
        if weapon not in named and pattern.search(text):
            named.add(weapon)
    return frozenset(WEAPON_FEATURE.format(weapon) for weapon in named)


@cache
def _weapon_phrases() -> tuple[tuple[re.Pattern[str], str], ...]:
    """Each English phrase that names a weapon, with it: the weapon words, then the triggers that
    name one ("suicide bomber")."""
    lex = lexicon("en")
    return (*lex.weapons, *((t.pattern, t.weapon) for t in lex.triggers if t.weapon))


@lru_cache(maxsize=16)
def _words(text: str) -> frozenset[str]:
    """The word features of a text, kept for a moment: an event's evidence is read once for its
    kind and again for its weapon."""
    tokens = _TOKEN.findall(text.lower())
    return frozenset((*tokens, *(f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False))))


def feature_values(known: list[str], index: dict[str, int], idf: np.ndarray,
                   rule_weight: float) -> tuple[np.ndarray, np.ndarray]:
    """The rows and values of a text's known features, as training and the pipeline both read them:
    each word or pair weighs its inverse document frequency (a rare word says more than "the"),
    the words together scaled to length 1 (a long evidence does not outweigh a short one); the
    rules' answer weighs `rule_weight` on its own, whatever the text's length."""
    rows = np.fromiter((index[f] for f in known), dtype=np.int64, count=len(known))
    is_rule = np.fromiter((f.startswith(_RULE_PREFIX) for f in known), dtype=bool, count=len(known))
    values = np.where(is_rule, 0.0, idf[rows])
    norm = float(np.sqrt((values * values).sum())) or 1.0
    return rows, np.where(is_rule, rule_weight, values / norm)


@dataclass(frozen=True)
class LinearModel:
    labels: tuple[str, ...]
    index: dict[str, int]  # feature -> row of weights
    weights: np.ndarray  # features x labels
    bias: np.ndarray
    idf: np.ndarray  # per feature: log((1 + rows) / (1 + rows that have it)) + 1, from the training rows
    rule_weight: float  # the value of the rules'-answer feature

    def probabilities(self, found: Iterable[str]) -> tuple[np.ndarray, list[str]]:
        known = [f for f in found if f in self.index]
        rows, values = feature_values(known, self.index, self.idf, self.rule_weight)
        scores = self.bias + values @ self.weights[rows]
        scores = np.exp(scores - scores.max())
        return scores / scores.sum(), known

    def contributions(self, known: list[str], label: int) -> dict[str, float]:
        """How much each known feature adds to `label`'s score."""
        rows, values = feature_values(known, self.index, self.idf, self.rule_weight)
        return {f: float(v * self.weights[r, label]) for f, r, v in zip(known, rows, values, strict=True)}

    @classmethod
    def load(cls, folder: Path) -> LinearModel:
        meta = json.loads((folder / "meta.json").read_text("utf-8"))
        with np.load(folder / "weights.npz") as arrays:
            weights, bias = arrays["weights"].astype(np.float32), arrays["bias"].astype(np.float32)
            idf = arrays["idf"].astype(np.float32)
        names = (folder / "features.txt").read_text("utf-8").split("\n")
        return cls(tuple(meta["labels"]), {name: i for i, name in enumerate(names)}, weights, bias, idf,
                   float(meta["rule_weight"]))

    def save(self, folder: Path, meta: dict[str, object]) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        names = sorted(self.index, key=self.index.__getitem__)
        (folder / "features.txt").write_text("\n".join(names), "utf-8")
        np.savez_compressed(folder / "weights.npz", weights=self.weights.astype(np.float16), bias=self.bias,
                            idf=self.idf.astype(np.float32))
        meta = {**meta, "labels": list(self.labels), "rule_weight": self.rule_weight}
        (folder / "meta.json").write_text(json.dumps(meta, indent=1) + "\n", "utf-8")


def model_folder() -> Path:
    return Path(str(data_file("models", "attack_classifier")))


@cache
def models() -> dict[str, LinearModel]:
    """The shipped models by the field they decide ('attack_type', 'weapon'); empty when absent."""
    folder = model_folder()
    if os.environ.get(SWITCH_OFF):
        return {}
    return {p.name: LinearModel.load(p) for p in sorted(folder.iterdir()) if (p / "meta.json").is_file()} \
        if folder.is_dir() else {}


def second_opinion(
    field: str, evidence: Iterable[Span], rule_answer: str | None, weapon: str | None = None
) -> tuple[str, Span | None] | None:
    """The model's answer for `field` and the evidence word that weighed most for it, when it
    should replace the rules' answer; None to keep the rules'. The weapon model may answer UNKNOWN
    (no span): the evidence names no weapon and the weapon stays empty. For the kind, `weapon` is
    the attack's weapon as decided: a kind GTD never pairs with it is not answered."""
    model = models().get(field)
    spans = list(evidence)
    if model is None or not spans:
        return None
    text = " ".join(span.text for span in spans)
    probabilities, known = model.probabilities(features(text, rule_answer))
    if field == "attack_type":
        probabilities = without_kinds_ruled_out(probabilities, model.labels, weapon)
    best = int(probabilities.argmax())
    answer = model.labels[best]
    if not overrules(probabilities, known, answer, rule_answer, model.labels):
        return None
    if answer == UNKNOWN:
        return answer, None
    return answer, _lexicon_cue(field, answer, spans) or _cue(model, best, known, spans)


def without_kinds_ruled_out(probabilities: np.ndarray, labels: tuple[str, ...], weapon: str | None) -> np.ndarray:
    """The kind model's probabilities with the kinds `weapon` rules out (KINDS_RULED_OUT_BY_WEAPON)
    set to zero and the rest scaled to sum to one."""
    ruled_out = KINDS_RULED_OUT_BY_WEAPON.get(weapon or "", frozenset())
    kept = np.array([label not in ruled_out for label in labels])
    if kept.all() or not kept.any():
        return probabilities
    kept_probabilities = np.where(kept, probabilities, 0.0)
    return kept_probabilities / kept_probabilities.sum()


def overrules(probabilities: np.ndarray, known: list[str], answer: str, rule_answer: str | None,
              labels: tuple[str, ...]) -> bool:
    """Whether the model's answer replaces the rules' (or fills their silence): it differs, the
    model is confident enough, it read at least one word it knows (the rules' answer alone gives it
    nothing to add), and the rules' answer is one of its `labels` (one it never learned, too rare
    in its training rows, is not its to overrule)."""
    return (answer != rule_answer and float(probabilities.max()) >= CONFIDENT
            and any(not f.startswith(_RULE_PREFIX) for f in known)
            and (rule_answer is None or rule_answer in labels))


MAX_CUE_CHARS = 40  # a longer trigger match (or one with a comma) runs over a name or a clause


def _lexicon_cue(field: str, answer: str, spans: list[Span]) -> Span | None:
    """The first words of the evidence that the English lexicon ties to `answer` ("opened fire" for
    firearms, "suicide bomber" for a bombing): a better citation than the model's strongest word,
    which can be a place or a name it happened to see beside that answer. A match inside a longer
    lexicon phrase that says something else is not one ("bombs" in "petrol bombs", "bombing" in
    "bombing campaign"); nor is a trigger that runs over a name and a clause (the office-holder
    phrases of assassinations)."""
    lex = lexicon("en")
    said: list[tuple[re.Pattern[str], str | None]]  # each phrase with what it says for this field
    if field == "weapon":
        said = [*_weapon_phrases(), *((t.pattern, f"type:{t.type}") for t in lex.triggers if not t.weapon)]
    else:
        said = [(t.pattern, t.attack_type or f"type:{t.type}") for t in lex.triggers]
    matches = [(span.start + m.start(), span.start + m.end(), m.group(), meaning)
               for span in spans for pattern, meaning in said for m in pattern.finditer(span.text)]
    cues = [(start, end, text) for start, end, text, meaning in matches
            if meaning == answer and end - start <= MAX_CUE_CHARS and "," not in text
            and not any(s <= start and end <= e and e - s > end - start and other != answer
                        for s, e, _, other in matches)]
    if not cues:
        return None
    start, end, text = min(cues, key=lambda c: (c[0], -c[1]))  # the first, and the longest there
    return Span(start, end, text)


# Words that cannot stand as the evidence of a kind or a weapon, alone or in a pair ("on a",
# "attacked a", "his"); nor can a single letter ("s" of "Taliban’s").
_FUNCTION_WORDS = frozenset({
    "a", "an", "the", "on", "in", "at", "of", "to", "by", "with", "from", "for", "as", "and", "or", "but", "his",
    "her", "its", "their", "he", "she", "it", "they", "them", "him", "this", "that", "these", "those", "was", "were",
    "is", "are", "be", "been", "being", "has", "have", "had", "not", "no", "into", "onto", "near", "after", "before",
    "during",
})


def _cue(model: LinearModel, label: int, known: list[str], spans: list[Span]) -> Span | None:
    """Where in the evidence the strongest word for `label` is (a word pair counts as one phrase,
    written with only spaces between its words): no function word or single letter, and nowhere
    written with a capital (a name, a place the model saw beside this answer, not its cause). Ties
    go by name, so the same evidence always cites the same words."""
    weighs = model.contributions(known, label)
    words = (f for f in known if not f.startswith((_RULE_PREFIX, _WEAPON_PREFIX)))
    for name in sorted(words, key=lambda f: (-weighs[f], f)):
        if weighs[name] <= 0:
            break
        if any(word in _FUNCTION_WORDS or len(word) < 2 for word in name.split()):
            continue
        pattern = re.compile(r"(?<![\w'-])" + r"\s+".join(map(re.escape, name.split())) + r"(?![\w'-])", re.IGNORECASE)
        for span in spans:
            for found in pattern.finditer(span.text):
                if not any(word[0].isupper() for word in found.group().split()):
                    return Span(span.start + found.start(), span.start + found.end(), found.group())
    return None
