"""The learned second opinion on an English attack's kind and weapon (threatwatch/events/classify.py)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from threatwatch.events import classify
from threatwatch.events.classify import LinearModel, feature_values, features, second_opinion
from threatwatch.pipeline import process
from threatwatch.records import RawDocument, Span


def _tiny_model() -> LinearModel:
    # "machete" speaks for melee, "rifle" for firearms; the rules' answer weighs a little.
    index = {"machete": 0, "rifle": 1, "RULE=firearms": 2, "opened fire": 3}
    weights = np.array([[4.0, -2.0], [-2.0, 4.0], [-0.5, 0.5], [-1.0, 2.0]], dtype=np.float32)
    idf = np.ones(len(index), dtype=np.float32)
    return LinearModel(("melee", "firearms"), index, weights, np.zeros(2, dtype=np.float32), idf, 1.0)


def test_words_weigh_their_idf_scaled_to_length_one_and_the_rule_its_own_weight() -> None:
    index = {"rare": 0, "common": 1, "RULE=firearms": 2}
    idf = np.array([3.0, 1.0, 9.0])
    rows, values = feature_values(["rare", "common", "RULE=firearms"], index, idf, 0.5)
    assert rows.tolist() == [0, 1, 2]
    assert np.allclose(values, [3 / np.sqrt(10), 1 / np.sqrt(10), 0.5])  # the rule's idf plays no part
    # A longer evidence does not weigh more: the words stay of length 1.
    _, twice = feature_values(["rare", "common"], index, idf, 0.5)
    assert np.isclose(float(np.linalg.norm(twice)), 1.0)


def test_features_are_words_pairs_and_the_rules_answer() -> None:
    found = features("Gunmen opened fire in 2016 on a bus.", "firearms")
    assert {"gunmen", "opened fire", "fire in", "RULE=firearms"} <= found
    assert not any(f.isdigit() for f in found)  # years say nothing of an attack's kind


def test_a_saved_model_loads_with_the_same_answers(tmp_path: Path) -> None:
    model = _tiny_model()
    model.save(tmp_path, {"field": "weapon"})
    loaded = LinearModel.load(tmp_path)
    assert loaded.labels == ("melee", "firearms")
    for text in ("a machete attack", "a rifle", "nothing known"):
        expected, _ = model.probabilities(features(text, None))
        got, _ = loaded.probabilities(features(text, None))
        assert np.allclose(expected, got, atol=1e-2) and abs(float(got.sum()) - 1) < 1e-5


def test_the_model_overrides_when_it_knows_a_word_and_points_at_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(classify, "models", lambda: {"weapon": _tiny_model()})
    text = "Assailants armed with a machete attacked a village."
    evidence = [Span(0, len(text), text)]
    answer, cue = second_opinion("weapon", evidence, "firearms")  # type: ignore[misc]
    # the lexicon's words for a blade cite it ("with a machete"), not the model's strongest word
    assert answer == "melee" and cue is not None and text[cue.start:cue.end] == cue.text == "with a machete"
    # The same answer as the rules': nothing to change.
    assert second_opinion("weapon", [Span(0, 8, "a rifle.")], "firearms") is None
    # No word it knows: the rules' answer, or their silence, stands.
    assert second_opinion("weapon", [Span(0, 6, "a raid")], None) is None
    assert second_opinion("weapon", [Span(0, 6, "a raid")], "firearms") is None
    # A rules' answer the model has no label for (too rare to learn) is not its to overrule.
    assert second_opinion("weapon", evidence, "vehicle") is None
    # Less sure than CONFIDENT: the rules' answer stands.
    monkeypatch.setattr(classify, "CONFIDENT", 0.999)
    assert second_opinion("weapon", evidence, "firearms") is None


def test_switched_off_the_rules_answer_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    classify.models.cache_clear()
    monkeypatch.setenv(classify.SWITCH_OFF, "1")
    try:
        assert classify.models() == {}
    finally:
        classify.models.cache_clear()


def test_shipped_models_keep_every_field_span_true_to_the_text() -> None:
    assert set(classify.models()) == {"attack_type", "weapon"}
    text = ("Assailants attacked the home of a tribal elder in Kunar province, Afghanistan. "
            "The elder was killed in the attack. No group claimed responsibility.\n\n"
            "In another incident, militants set fire to a girls' school in the same district.")
    doc = process(RawDocument(path="t.txt", content=text, is_html=False), entities=False)
    attacks = [e for e in doc.events if e.type == "attack"]
    assert attacks
    for event in attacks:
        for _, span in event.fields:
            assert doc.text[span.start:span.end] == span.text


def test_the_weapon_models_unknown_leaves_the_weapon_empty_and_points_at_nothing(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # "unspecified" speaks for GTD's Unknown weapon; the rules' firearms weighs little.
    index = {"unspecified": 0, "RULE=firearms": 1}
    weights = np.array([[4.0, -2.0], [-0.5, 0.5]], dtype=np.float32)
    model = LinearModel((classify.UNKNOWN, "firearms"), index, weights, np.zeros(2, dtype=np.float32),
                        np.ones(2, dtype=np.float32), 1.0)
    monkeypatch.setattr(classify, "models", lambda: {"weapon": model})
    text = "Gunmen shot dead a guard with unspecified weapons in the town."
    assert second_opinion("weapon", [Span(0, len(text), text)], "firearms") == (classify.UNKNOWN, None)
    (attack,) = [e for e in process(RawDocument("t.txt", text, False), entities=False).events if e.type == "attack"]
    assert attack.weapon is None and "weapon" not in dict(attack.fields)
    assert attack.attack_type == "armed_assault"  # the kind model is untouched (none loaded here)


def test_the_cue_is_a_lexicon_word_for_the_answer_else_no_name_and_no_function_words(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # The model learned "sweden" and "on a" beside melee; the lexicon knows "with a knife".
    index = {"sweden": 0, "on a": 1, "elder": 2, "knife": 3}
    weights = np.array([[6.0, -2.0], [5.0, -2.0], [1.0, -1.0], [0.5, -0.5]], dtype=np.float32)
    model = LinearModel(("melee", "firearms"), index, weights, np.zeros(2, dtype=np.float32),
                        np.ones(4, dtype=np.float32), 1.0)
    monkeypatch.setattr(classify, "models", lambda: {"weapon": model})
    text = "In Sweden an assailant attacked an elder on a bus with a knife."
    answer, cue = second_opinion("weapon", [Span(0, len(text), text)], "firearms")  # type: ignore[misc]
    assert answer == "melee" and cue is not None and cue.text == "with a knife" == text[cue.start:cue.end]
    # No lexicon word: the strongest word that is neither a name nor function words alone.
    text = "In Sweden an assailant attacked an elder on a bus."
    answer, cue = second_opinion("weapon", [Span(0, len(text), text)], "firearms")  # type: ignore[misc]
    assert answer == "melee" and cue is not None and cue.text == "elder"


@pytest.mark.parametrize(("field", "answer", "text", "cue"), [
    ("weapon", "explosives", "Rioters threw petrol bombs and then a bomb exploded.", "bomb"),  # not "bombs"
    ("attack_type", "bombing", "A bombing campaign began; a bomb exploded later.", "bomb"),
    ("weapon", "firearms", "Two gunmen shot dead a guard.", "gunmen"),
    ("attack_type", "armed_assault", "The guard was shot dead at the gate.", "shot dead"),  # the longest at a place
    ("attack_type", "assassination", "Khan, a tribal elder, was shot dead.", None),  # runs over a name
])
def test_a_lexicon_cue_names_the_answer_and_no_longer_phrase_says_otherwise(
        field: str, answer: str, text: str, cue: str | None) -> None:
    found = classify._lexicon_cue(field, answer, [Span(10, 10 + len(text), text)])
    assert (found.text if found else None) == cue
    if found:
        assert text[found.start - 10 : found.end - 10] == found.text


def test_a_models_cue_skips_pairs_with_function_words_and_any_capitalised_word() -> None:
    index = {"attacked a": 0, "in kabul": 1, "gunmen": 2}
    weights = np.array([[5.0, 0.0], [4.0, 0.0], [1.0, 0.0]], dtype=np.float32)
    model = LinearModel(("firearms", "melee"), index, weights, np.zeros(2, dtype=np.float32),
                        np.ones(3, dtype=np.float32), 1.0)
    text = "Gunmen attacked a school in Kabul. Later the gunmen returned."
    cue = classify._cue(model, 0, list(index), [Span(0, len(text), text)])
    assert cue is not None and cue.text == "gunmen" and cue.start == text.index("the gunmen") + 4


def test_training_reads_only_rows_with_a_summary_from_main_and_extra_files(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """--data and every --extra file go through one reader: a row without a summary (or with a blank
    one, or a number) has nothing to learn from and is skipped, not read as an empty text."""
    import json

    module = _training_script(monkeypatch)
    path = tmp_path / "rows.jsonl"
    rows = [{"summary": "Gunmen opened fire on a bus.", "attacktype1_txt": "Armed Assault"}, {"summary": "  "},
            {"attacktype1_txt": "Bombing/Explosion"}, {"summary": 7}, {"summary": "A bomb exploded."}]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", "utf-8")
    assert [r["summary"] for r in module.gtd_rows(path)] == ["Gunmen opened fire on a bus.", "A bomb exploded."]


def test_a_weapon_gtd_never_pairs_with_a_bombing_rules_the_bombing_out() -> None:
    labels = ("armed_assault", "bombing", "unarmed_assault")
    p = np.array([0.2, 0.7, 0.1])
    assert classify.without_kinds_ruled_out(p, labels, "firearms") == pytest.approx([2 / 3, 0.0, 1 / 3])
    assert classify.without_kinds_ruled_out(p, labels, "vehicle").argmax() == 0
    for weapon in ("explosives", None, "incendiary"):
        assert classify.without_kinds_ruled_out(p, labels, weapon) is p


def test_the_kind_is_decided_with_the_weapon_and_never_a_bombing_with_a_vehicle(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The pipeline decides the weapon first; a kind model whose words lean to a bombing answers its
    next likeliest kind when the weapon is a vehicle (a ramming), and a bombing when it is explosives."""
    from threatwatch.events.extract import _with_second_opinion
    from threatwatch.records import Event

    index = {"crowd": 0, "drove": 1}
    weights = np.array([[2.0, 0.0, 1.0], [1.5, 0.5, 1.0]], dtype=np.float32)  # bombing, then unarmed assault
    kind = LinearModel(("bombing", "armed_assault", "unarmed_assault"), index, weights,
                       np.zeros(3, dtype=np.float32), np.ones(2, dtype=np.float32), 1.0)
    monkeypatch.setattr(classify, "models", lambda: {"attack_type": kind})
    text = "He drove into the crowd."
    attack = Event("e1", "attack", (Span(0, len(text), text),))
    assert _with_second_opinion(replace(attack, weapon="explosives")).attack_type == "bombing"
    assert _with_second_opinion(replace(attack, weapon="vehicle")).attack_type == "unarmed_assault"
    assert _with_second_opinion(attack).attack_type == "bombing"  # no weapon: nothing ruled out


def test_extra_rows_that_repeat_a_tested_row_are_not_learned_from(monkeypatch: pytest.MonkeyPatch) -> None:
    """A summary of --data repeated in an --extra file would be learned from while it is tested."""
    module = _training_script(monkeypatch)
    rows = [{"summary": "Gunmen opened fire on a bus."}, {"summary": "A bomb exploded."}]
    extra = [{"summary": "Gunmen  opened fire on a bus. "}, {"summary": "Arsonists burned a school."},
             {"summary": "arsonists burned a school."}, {"summary": "A grenade was thrown."}]
    assert [r["summary"] for r in module.without_rows_of(rows, extra)] == [
        "Arsonists burned a school.", "A grenade was thrown."]


def _training_script(monkeypatch: pytest.MonkeyPatch):
    """training/train_attack_classifier.py as a module (it is a script, not part of the package)."""
    import importlib.util
    import sys

    script = Path(__file__).resolve().parents[1] / "training" / "train_attack_classifier.py"
    spec = importlib.util.spec_from_file_location("train_attack_classifier", script)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    monkeypatch.setitem(sys.modules, "train_attack_classifier", module)  # its dataclass looks itself up there
    spec.loader.exec_module(module)
    return module


def test_features_name_every_weapon_the_lexicon_reads() -> None:
    found = features("Assailants armed with grenades and assault rifles raided the police lines.", "bombing")
    assert {"WEAPON=explosives", "WEAPON=firearms", "RULE=bombing", "grenades", "assault rifles"} <= found
    assert not {f for f in features("Police met the mayor.", None) if f.startswith("WEAPON=")}
