"""Events and numeric claims on the reference seeds, plus what must not become an event."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import seed_files
from threatwatch.events import classify
from threatwatch.ingest import read_file
from threatwatch.pipeline import process
from threatwatch.records import Document, Event, RawDocument


@pytest.fixture(scope="module")
def seeds() -> dict[str, Document]:
    if not seed_files():
        pytest.skip("reference seeds not found")
    docs = {}
    for path in seed_files():
        (raw,) = list(read_file(Path(path)))
        docs[path.name[:3]] = process(raw)
    return docs


def _read(text: str, entities: bool = True) -> Document:
    """One plain-text document through the pipeline."""
    return process(RawDocument(path="t.txt", content=text, is_html=False), entities=entities)


def _of(doc: Document, kind: str) -> list[Event]:
    return [e for e in doc.events if e.type == kind]


def _actor_ids(event: Event, role: str) -> set[str | None]:
    return {a.entity_id for a in event.actors if a.role == role}


def test_every_evidence_span_is_the_text_it_points_to(seeds: dict[str, Document]) -> None:
    for doc in seeds.values():
        for event in doc.events:
            for span in (*event.evidence, *(s for _, s in event.fields)):
                assert doc.text[span.start:span.end] == span.text
        for claim in doc.claims:
            assert doc.text[claim.evidence.start:claim.evidence.end] == claim.evidence.text


def test_crocus_attack_sinai_bombing_and_the_arrests(seeds: dict[str, Document]) -> None:
    doc = seeds["003"]
    attacks = _of(doc, "attack")
    crocus = [e for e in attacks if e.location_id == "geo:524901"]
    assert len(crocus) == 1 and crocus[0].killed == 143 and crocus[0].country == "RU"
    sinai = [e for e in attacks if e.killed == 224]
    assert len(sinai) == 1 and sinai[0].date == "2015-10" and sinai[0].attack_type == "bombing"
    assert any(e.killed == 100 and e.location_id == "geo:128234" for e in attacks)  # Kerman, apart
    (arrest,) = _of(doc, "arrest")
    assert arrest.arrested == 11 and "fsb" in _actor_ids(arrest, "authority")
    claims = _of(doc, "claim_of_responsibility")
    assert any("islamic-state-khorasan" in _actor_ids(e, "perpetrator") for e in claims)
    assert _of(doc, "threat"), "the call to attack Christians and Jews is a threat"


def test_kabul_bombing_with_its_toll_and_date(seeds: dict[str, Document]) -> None:
    (kabul,) = [e for e in _of(seeds["000"], "attack") if e.location_id == "geo:1138958"]
    assert (kabul.killed, kabul.injured, kabul.date, kabul.attack_type, kabul.weapon) == (
        80, 23, "2016-07-23", "bombing", "explosives")
    assert dict(kabul.fields)["killed"].text == "80"


@pytest.mark.parametrize("seed", ["000", "004"])
def test_video_threat_against_russia_and_putin(seeds: dict[str, Document], seed: str) -> None:
    threats = _of(seeds[seed], "threat")
    assert any({"country:RU", "vladimir-putin"} <= _actor_ids(t, "target") for t in threats), threats


def test_hypotheticals_are_not_attacks(seeds: dict[str, Document]) -> None:
    doc = seeds["000"]
    for event in _of(doc, "attack"):
        assert not any("could soon spread" in s.text or "will be forced" in s.text for s in event.evidence)


def test_pledge_of_allegiance_to_islamic_state(seeds: dict[str, Document]) -> None:
    (pledge, *_) = _of(seeds["001"], "allegiance")
    assert "islamic-state" in {a.entity_id for a in pledge.actors}


def test_foreign_fighter_figures_with_their_speakers(seeds: dict[str, Document]) -> None:
    putin = next(c for c in seeds["000"].claims if c.value == 5000)
    assert (putin.value_max, putin.qualifier, putin.speaker_entity_id, putin.said_on) == (
        7000, "range", "vladimir-putin", "2015-10")
    deputy = next(c for c in seeds["001"].claims if c.value == 2000 and c.qualifier != "about")
    assert deputy.qualifier == "up_to" and deputy.speaker and "security council" in deputy.speaker
    rogachev = next(c for c in seeds["002"].claims if c.value == 3200 and "Rogachev" in (c.speaker or ""))
    assert rogachev.qualifier == "more_than" and "Rogachev" in rogachev.speaker
    assert rogachev.said_on == "2016-11-21" and "Russian" in rogachev.subject


def test_negated_and_planned_attacks_are_not_events() -> None:
    text = ("No group claimed responsibility for the incident.\n\n"
            "The militants were planning to bomb the embassy, police said.\n\n"
            "Officials warned that attacks could follow.")
    doc = _read(text, entities=False)
    assert not [e for e in doc.events if e.type in ("attack", "claim_of_responsibility")]


@pytest.mark.parametrize(("text", "attack"), [
    ("Six gunmen stormed a police post in the district.", True),
    ("Two militants attacked a plane at the airport.", True),
    ("The assailants barged into the house of a village elder.", True),
    ("Militants executed three hostages on Sunday night.", True),
    ("Militants raided the village.", True),  # the longer "raided the village" names attackers too
    ("The state executed the prisoner on Sunday.", False),
    # passive: the named men are the victims
    ("Three militants were executed in prison on Sunday.", False),
    ("The insurgents had been ambushed by the army.", False),
    # no attackers named before the verb: a generic word, as before
    ("Protesters stormed the parliament building.", False),
    ("The army attacked positions near the border.", False),
    # attackers named, but in another clause
    ("Police arrested the militants, and officers stormed their hideout.", False),
])
def test_a_generic_attack_verb_starts_an_attack_when_attackers_are_named_before_it(text: str, attack: bool) -> None:
    doc = _read(text, entities=False)
    assert bool(_of(doc, "attack")) is attack


@pytest.mark.parametrize(("text", "attack"), [
    ("Two assailants threw acid at three schoolgirls outside their school.", True),
    ("A journalist was brutally beaten by unidentified men near his home.", True),
    ("Acid was thrown on her face by two men.", True),
    ("Militants decapitated two young men in the market.", True),
    ("Unknown perpetrators fired small arms (machine guns) at the headquarters of the party.", True),
    ("Israeli forces fired rubber bullets at fishermen off the coast.", True),
    ("Gunmen fired several shots at a police patrol.", True),
    ("The former mayor suffered a gunshot wound in his left arm.", True),
    ("Assailants set a Delhi Public School bus on fire in the district.", True),
    ("A man crashed his vehicle into the gate of the air base.", True),
    ("A man drove a truck into the crowd at the market.", True),
    ("A vehicle was driven into a crowd of protesters in the city centre.", True),
    ("A car was deliberately driven into officers outside parliament.", True),
    ("A truck was driven into a group of people at a Christmas market.", True),
    ("A car was driven into police at a checkpoint in Hebron.", True),
    ("A girls school was attacked by suspected militants in Jamrud.", True),
    ("Assailants invaded the home of a local leader.", True),
    # the same words about other things
    ("He fired his assistant on Monday at the office.", False),
    ("The coach was badly beaten in the final by the champion.", False),
    ("The plan was attacked by critics in parliament.", False),
    ("Two soldiers were injured in the accident.", False),
    ("Three men were seriously injured in a car crash.", False),
    ("A man injured his back lifting boxes.", False),
    ("Two men invaded the pitch during the match.", False),
    ("A drunk driver crashed his car into a tree on the highway.", False),
    ("The bus was driven into the market square to collect passengers.", False),
    ("A delivery truck was driven into the gate of the factory after the driver lost control.", False),
    ("The car was driven into the police station car park by an officer.", False),
    ("The car was driven into the people's park for the parade.", False),
    ("The new law was attacked by members of the opposition.", False),
    ("The budget was attacked by Conservative rebels in the Commons.", False),
    ("The convoy was targeted by Russian fighter jets near Idlib.", False),
    ("The president fired the commander of the missile forces.", False),
    ("Trump fired shots at DeSantis during the rally in Iowa.", False),
    ("The coast guard fired water cannons at the vessels.", False),
    ("Soldiers fired warning shots at the crowd.", False),
    ("The actor died of a self-inflicted gunshot wound.", False),
    ("Israel pursued a decapitation strategy against the group's leadership.", False),
    ("The ruling party was severely beaten in the local elections.", False),
])
def test_acid_beatings_beheadings_shots_fired_and_attacks_in_the_passive(text: str, attack: bool) -> None:
    doc = _read(text, entities=False)
    assert bool(_of(doc, "attack")) is attack


def test_mortars_fired_at_a_target_are_a_bombing_and_shelling_stays_a_military_operation() -> None:
    doc = process(RawDocument(path="t.txt", content="The rebels fired 120mm and 82mm mortars at the army positions.",
                              is_html=False), entities=False)
    assert [(e.attack_type, e.weapon) for e in _of(doc, "attack")] == [("bombing", "explosives")]
    doc = process(RawDocument(path="t.txt", content="Regime forces shelled Kinda in Idleb using artillery fire.",
                              is_html=False), entities=False)
    assert _of(doc, "military_operation") and not _of(doc, "attack")


@pytest.mark.parametrize(("text", "kind", "weapon"), [
    ("Two assailants threw acid at three schoolgirls outside their school.", "unarmed_assault", "chemical"),
    ("A journalist was brutally beaten by unidentified men near his home.", "unarmed_assault", "melee"),
    ("A man rammed a truck into the crowd at the market.", "unarmed_assault", "vehicle"),
    ("Six suspected extremists slit the throats of seven shepherds in a pasture.", "armed_assault", "melee"),
    ("A mob hacked a Hindu man to death in the town.", "armed_assault", "melee"),
    ("Two youths smashed the windows of a bank, poured petrol inside and lit it on fire.", "facility_attack",
     "incendiary"),
])
def test_throats_slit_hacked_to_death_and_lit_on_fire_are_attacks(text: str, kind: str, weapon: str) -> None:
    doc = _read(text, entities=False)
    (attack,) = _of(doc, "attack")
    assert (attack.attack_type, attack.weapon) == (kind, weapon)


@pytest.mark.parametrize(("text", "killed", "injured"), [
    ("A suicide bomber killed 12 people and wounded 30 at a market in Kabul on Monday.", 12, 30),
    ("Gunmen opened fire on a bus; two soldiers and three civilians were killed.", 5, None),
    ("The blast killed 23 civilians, including four children, and wounded 107 others.", 23, 107),
    ("Assailants shot and killed a traditional elder in Afgoye.", 1, None),
    ("A roadside bomb exploded near a convoy but caused no casualties.", 0, None),
    ("Взрыв на рынке: погибли 7 человек, ещё 15 ранены.", 7, 15),
    ("أسفر التفجير الانتحاري عن مقتل 21 شخصا وإصابة 40 آخرين.", 21, 40),
    ("L'attentat à la bombe a fait 9 morts et 31 blessés.", 9, 31),
])
def test_casualty_figures_in_four_languages(text: str, killed: int | None, injured: int | None) -> None:
    doc = _read(text, entities=False)
    (attack,) = [e for e in doc.events if e.type == "attack"]
    assert (attack.killed, attack.injured) == (killed, injured)


@pytest.mark.parametrize(("text", "killed", "injured"), [
    # An attacker's death counts among the dead, once, however many sentences say so.
    ("A gunman opened fire at a concert, killing 58 people and injuring 851. "
     "The gunman shot and killed himself before police reached him. The gunman died at the scene.", 59, 851),
    ("Police shot dead an assailant who stabbed two officers at a checkpoint; the officers were wounded.", 1, 2),
    # ... but not twice when a figure already counts the attacker.
    ("Assailants attacked a base with grenades. One assailant was killed and two soldiers were wounded.", 1, 2),
    ("A bomb exploded at a market. Five people, including the bomber, were killed.", 5, None),
    ("Three suicide bombers attacked a court. In addition to the three assailants, at least four people "
     "were killed in the blast.", 7, None),
    # "Including X, 31 people died" names no whole figure that the 31 would be part of.
    ("A suicide bomber drove a truck into a building. Including the bomber, 31 people died in the blast.", 31, None),
    # A toll given across several incidents is shared evenly among them.
    ("A car bomb exploded near a ministry. This was one of three coordinated attacks in the city on the same "
     "day. At least 39 people were killed and 30 were injured across all three incidents.", 13, 10),
    ("A bomb exploded near a checkpoint, killing the driver of a truck.", 1, None),
    # a breakdown after "including" is part of the whole of the same outcome, however long; another
    # outcome or a closing bracket ends it
    ("Gunmen attacked a bank. Eight people, including a civilian, a police officer, and six assailants, were "
     "killed.", 8, None),
    ("A bomb exploded in a market. Eleven people were killed, including the attacker, and at least 150 were "
     "injured.", 11, 150),
    ("Police fired on a protest. At least 4 people (including 1 journalist) as well as 2 policemen were killed.",
     6, None),
    # "one of two related attacks" counts attacks, not dead
    ("In one of two related attacks, one security guard was killed when militants fired upon a bank.", 1, None),
    # A bomber who "detonated" (no object: himself) died; a toll that includes him already counts him.
    ("Two suicide bombers approached a checkpoint. One bomber detonated, killing three soldiers.", 4, None),
    ("A suicide bomber detonated near a tour bus. At least five people, including the assailant, were killed.",
     5, None),
    # ... and so did one who detonated his own explosives. A bomber who "detonated an explosive vest" is not
    # counted: the seeds' Kabul bombing is 80 killed, as reported, and GTD itself counts such bombers either way.
    ("A suicide bomber detonated his explosives inside a mosque. Eight people were killed.", 9, None),
    ("A suicide bomber detonated an explosives-laden truck at a checkpoint. The blast killed twenty people and "
     "wounded 27.", 20, 27),
    ("An assailant detonated an explosive device near a base. At least two people were wounded.", None, 2),
])
def test_attacker_deaths_and_shared_tolls(text: str, killed: int | None, injured: int | None) -> None:
    doc = _read(text, entities=False)
    attack = max((e for e in doc.events if e.type == "attack"), key=lambda e: len(e.evidence))
    assert (attack.killed, attack.injured) == (killed, injured)


def test_a_street_the_places_data_cannot_locate_does_not_split_an_attack() -> None:
    text = ("Two assailants shot Saidakhmat Satayev on Batyr Murzayev Street, Khasavyurt, Dagestan, Russia. "
            "Satayev, a senior tax official of the city tax service, was killed in the attack.")
    doc = _read(text)
    (attack,) = [e for e in doc.events if e.type == "attack"]
    assert attack.killed == 1 and len(attack.evidence) == 2


@pytest.mark.parametrize(("text", "killed"), [
    # Victims named one by one count one each, numbers as they say, an attacker among them apart.
    ("Gunmen opened fire in a barber shop in Maiduguri and killed a prison guard and a barber.", 2),
    ("Armed assailants fired upon a party member in Karachi, killing him and his father.", 2),
    ("A student opened fire at a school in Tuusula. He killed seven students, a teacher, and himself.", 9),
    ("A suicide bomber attacked a mosque. The militant and four police officers were killed.", 5),
    ("A bomber struck the vehicle of the governor, killing him, his adult son, the driver, and three guards.", 6),
    ("Assailants shot and killed farm owner Carlos Alberto Murcia in Quinchia.", 1),
    # A name and its apposition are one person; a breakdown of a toll adds nothing.
    ("A suicide bomber detonated a vehicle. In addition to the bomber, Hadhal, a former parliamentarian, and four "
     "security members were killed.", 6),
    ("Gunmen attacked a patrol. Five people, including a soldier and four assailants, were killed.", 5),
    ("Gunmen opened fire on a bar. Jean Rossi and his bodyguard, Jean-Claude Fratacci, were shot dead.", 2),
    ("Two assailants opened fire on the village head. Awae Lunae, the village head, and his wife were killed.", 2),
    # A count and its parts: the outcome after the parts is the whole count's.
    ("A gunman fired at civilians at a market. Eight people including two Ugandan nationals were killed.", 8),
    # A new clause after the list is not part of it.
    ("Soldiers opened fire on an assailant in Hebron, killing the assailant and two civilians were injured.", 1),
    # Attackers counted earlier: "the assailants" then means that many.
    ("Three suicide bombers detonated explosives at a police headquarters. In addition to the assailants, at least "
     "43 police officers were killed in the blasts.", 46),
    ("Fourteen militants launched a suicide attack on the airport. Seven soldiers were killed. All of the "
     "assailants were killed.", 21),
    ("Unidentified gunmen fired at a market. The assailants were killed when police returned fire.", None),
    # a single victim and the attacker "in addition"; a number's own words are not a preposition
    ("A suicide bomber detonated at a checkpoint. In addition to the suicide bomber, a police officer was killed.",
     2),
    ("Assailants fired on a convoy. At least six soldiers and an assailant were killed in the attack.", 7),
    ("Ten Israelis were killed and 20 more injured when two Palestinians blew themselves up at the port.", 12),
    ("Two female cadres of the group detonated at the army headquarters. 16 civilians were killed in the blast.", 18),
    # an age set off after a name is not a toll; a count after a verb starts a new clause
    ("Gunmen shot dead Ghulam Mohammad Sunni, 33, a party leader, outside a mosque in Karachi.", 1),
    ("A suicide bomber drove into the house of a police chief, killing one security man and inuring nine others.", 1),
    ("Assailants attacked an employee at home. The employee, his wife, and his three children were all killed.", 5),
    ("A car bomb exploded outside an apartment in Peshawar. The blast killed Hamza, the son of the driver.", 1),
    # "along with": more victims on top of the one named
    ("Assailants attacked Fang Kezheng in Yarkant. Kezheng, a police commander, was killed along with his wife, his "
     "wife's uncle, and a security guard.", 4),
    ("Gunmen shot and killed Saleem Qadri, a party leader, along with four of his family members and a bodyguard.", 6),
    ("In an attack in the town of Raikia, fifty men armed with knives hacked a Hindu man to death.", 1),
])
def test_victims_named_one_by_one_and_attackers_counted_earlier(text: str, killed: int | None) -> None:
    doc = _read(text, entities=False)
    attack = max((e for e in doc.events if e.type == "attack"), key=lambda e: len(e.evidence))
    assert attack.killed == killed
    assert all(doc.text[s.start : s.end] == s.text for s in attack.evidence)


@pytest.mark.parametrize(("text", "killed"), [
    # The month "May" is not the modal "may": the attack stands.
    ("On 7 May 2020, soldiers killed 2 suicide bombers near the border.", 2),
    # A killing told by its victim.
    ("On 1 May 2020, a man was found dead in the old town with his hands tied.", 1),
    ("Around 29 April 2020, the body of a shopkeeper was found in a field with gunshot wounds.", 1),
    ("Two men were shot in a drive-by attack. One man was injured and the other died.", 1),
    # "five of them" after the verb is the whole toll, not a part of an earlier figure.
    ("Villagers attacked a family with sharp weapons, killing five of them.", 5),
])
def test_killings_and_their_victims(text: str, killed: int) -> None:
    doc = _read(text, entities=False)
    assert sum(e.killed or 0 for e in doc.events if e.type == "attack") == killed


def test_export_events_and_claims_from_the_store_and_corrections_reach_actors(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from threatwatch.cli import main

    seeds = {p.name[:3]: p for p in seed_files()}
    if not seeds:
        pytest.skip("reference seeds not found")
    db = str(tmp_path / "s.db")
    runner = CliRunner()
    ingested = runner.invoke(main, ["ingest", "--db", db, "--quiet", str(seeds["003"]), str(seeds["002"])])
    assert ingested.exit_code == 0
    texts = {d["id"]: d["text"] for d in map(json.loads, runner.invoke(
        main, ["export", "documents", "--db", db]).output.splitlines())}
    events = [json.loads(line) for line in runner.invoke(main, ["export", "events", "--db", db]).output.splitlines()]
    claims = [json.loads(line) for line in runner.invoke(main, ["export", "claims", "--db", db]).output.splitlines()]
    for span in [s for e in events for s in e["evidence"]] + [c["evidence"] for c in claims]:
        assert texts[span["doc_id"]][span["start"]:span["end"]] == span["text"]
    assert any(e["type"] == "attack" and e["killed"] == 143 for e in events)
    assert any(c["value"] == 3200 and c["qualifier"] == "more_than" for c in claims)
    # Folding ISIS-K into Islamic State moves the claim of responsibility's perpetrator with it.
    merged = runner.invoke(main, ["entities", "merge", "islamic-state", "islamic-state-khorasan", "--db", db])
    assert merged.exit_code == 0
    events = [json.loads(line) for line in runner.invoke(main, ["export", "events", "--db", db]).output.splitlines()]
    perpetrators = {a["entity_id"] for e in events for a in e["actors"] if a["role"] == "perpetrator"}
    assert "islamic-state" in perpetrators and "islamic-state-khorasan" not in perpetrators
    csv_out = runner.invoke(main, ["export", "events", "--db", db, "--format", "csv"]).output
    assert csv_out.splitlines()[0].startswith("id,type,attack_type,weapon,date")


def test_eval_gtd_and_acled_score_what_the_store_holds(tmp_path: Path) -> None:
    from threatwatch.eval.events import evaluate_acled, evaluate_gtd

    gtd = tmp_path / "gtd.jsonl"
    rows = [
        {"summary": "05/14/2008: A suicide bomber detonated explosives at a funeral in Fallujah, Iraq, killing 30 and "
                    "wounding 20.", "attacktype1_txt": "Bombing/Explosion", "weaptype1_txt": "Explosives",
         "nkill": 30, "nwound": 20},
        {"summary": "04/28/2008: Gunmen opened fire on a bus in Logar, Afghanistan. Two passengers were killed.",
         "attacktype1_txt": "Armed Assault", "weaptype1_txt": "Firearms", "nkill": 3, "nwound": 0},
    ]
    gtd.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    scores = evaluate_gtd(gtd)
    assert scores["metrics"] == {"attack_type": 1.0, "weapon": 1.0, "killed": 0.5, "injured": 1.0}
    acled = tmp_path / "acled.jsonl"
    notes = [{"notes": "On 3 May 2020, militants attacked a checkpoint in Ghazni, killing 4 soldiers.",
              "fatalities": 4},
             {"notes": "On 5 May 2020, students protested against budget cuts in Quito.", "fatalities": 0}]
    acled.write_text("".join(json.dumps(r) + "\n" for r in notes), "utf-8")
    scores = evaluate_acled(acled)
    assert scores["metrics"] == {"fatalities_exact": 1.0, "fatalities_exact_when_deaths": 1.0}


def test_assaulted_names_no_weapon_so_the_weapon_words_decide() -> None:
    doc = process(RawDocument(path="t.txt", content="Gunmen assaulted a police post with AK-47 rifles.",
                              is_html=False), entities=False)
    assert [e.weapon for e in _of(doc, "attack")] == ["firearms"]


def test_a_vehicle_driven_into_people_in_the_passive_is_a_ramming() -> None:
    text = "A vehicle was driven into a crowd of protesters in Charlottesville, killing one and injuring 19."
    attacks = _of(_read(text), "attack")
    assert attacks and (attacks[0].attack_type, attacks[0].weapon) == ("unarmed_assault", "vehicle")
    assert (attacks[0].killed, attacks[0].injured) == (1, 19)


@pytest.mark.parametrize(("text", "attack"), [
    ("Houthi rebels launched a drone attack on an oil facility.", True),
    ("Drones attacked military targets at the air base.", True),
    ("Assailants launched drones targeting the infantry division command.", True),
    ("Assailants fired projectiles targeting a village near the border.", True),
    ("Two kamikaze drones hit an apartment block in the city.", True),
    # drones and missiles that attack nobody
    ("The army launched a drone to monitor the border.", False),
    ("The company sells missile targeting systems to the navy.", False),
    ("The US uses armed drones in Somalia.", False),
    ("Iran supplies kamikaze drones to Russia.", False),
    ("Insurers are adding drone attack cover to shipping policies.", False),
    ("The conference discussed the growing threat of drone attacks.", False),
    ("A delivery drone crashed into a power line in Brisbane.", False),
    ("The new drones hit shelves next month.", False),
    ("Drones attacked by eagles fell into the lake.", False),
    ("The festival launched 500 drones into the night sky in a light show.", False),
    ("The navy fired practice projectiles into the Pacific during the drill.", False),
    ("Russia launched 120 drones and missiles at Ukraine overnight.", True),
])
def test_drone_and_projectile_attacks(text: str, attack: bool) -> None:
    attacks = _of(_read(text, entities=False), "attack")
    assert bool(attacks) is attack
    if attack:
        assert (attacks[0].attack_type, attacks[0].weapon) == ("bombing", "explosives")


@pytest.mark.parametrize(("text", "claimed"), [
    ("The Houthis claimed a drone attack on Aramco facilities.", True),
    ("The group claimed a suicide bombing in Kabul on Friday.", True),
    ("He claimed an attack was being planned.", False),  # an assertion, not a claim of responsibility
    ("Police claimed a victory against the gang.", False),
])
def test_a_claim_of_an_attack_with_a_or_an(text: str, claimed: bool) -> None:
    doc = _read(text)
    assert bool(_of(doc, "claim_of_responsibility")) is claimed


@pytest.mark.parametrize(("text", "injured"), [
    ("The group claimed a suicide bombing in Kabul on Friday.", None),
    ("Hamas claimed a rocket attack on Ashkelon, police said. Two people were wounded.", 2),
    ("Islamic State claimed the bombing of a church in Jolo that injured 20 people.", 20),
])
def test_a_claim_with_a_or_an_keeps_the_attack_it_names(text: str, injured: int | None) -> None:
    """The claim's words only look ahead at the attack: its own trigger still starts the attack."""
    doc = _read(text)
    attacks = _of(doc, "attack")
    assert _of(doc, "claim_of_responsibility") and attacks
    assert (attacks[0].attack_type, attacks[0].injured) == ("bombing", injured)


def test_an_enemys_attack_an_armed_group_reports_is_not_its_claim() -> None:
    text = "Hamas claimed an Israeli attack on the hospital killed 500 people."
    doc = _read(text)
    assert not _of(doc, "claim_of_responsibility")


@pytest.mark.parametrize(("text", "attacks", "date"), [
    # a slash date alone dates the sentence, so a generic "attacked" with attackers starts an attack
    ("04/01/2000: Two members of the Free Aceh Movement attacked a plane in Lhokseumawe, Indonesia.", 1, "2000"),
    # what followed a few days later, with no kind of its own, is the same attack
    ("04/12/2010: Maoists attacked and killed two party supporters in West Midnapore, India. "
     "On 04/14/2010, the bodies of the two men were recovered.", 1, "2010-04-12"),
    # a later date in a sentence that points back at the attack ("in the attack") is what followed it
    ("On March 3, 2015, gunmen attacked a convoy in Kandahar and abducted two soldiers. "
     "The soldiers abducted in the attack were released on March 20, 2015.", 1, "2015-03-03"),
    # a later abduction that names no earlier attack is another one
    ("On March 3, 2015, gunmen attacked a convoy in Kandahar and abducted two soldiers. "
     "Gunmen abducted three soldiers in Kandahar on March 20, 2015.", 2, "2015-03-03"),
    # an earlier date is another story, even when "the attack" points at it
    ("A suicide bomber killed 12 people in Kabul on July 23, 2016. "
     "It was the deadliest bombing in Kabul since the attack of May 31, 2015.", 2, "2016-07-23"),
    # a few days later with no word pointing back, and no kind of its own
    ("04/12/2010: Maoists attacked and killed two party supporters in West Midnapore, India. "
     "Bodies were recovered on 04/14/2010.", 1, "2010-04-12"),
    # attackers acting anew a few days later: another attack
    ("On March 3, 2015, gunmen attacked a convoy in Kandahar. On March 8, 2015, gunmen attacked a school in "
     "Kandahar.", 2, "2015-03-03"),
    # a bare article points at nothing: "the bombing" four years later is another one
    ("Gunmen killed five people in Kabul in 2015. In 2019, the bombing of a Kabul wedding killed 63 people.", 2,
     "2015"),
    ("A bomb killed 5 people in Baghdad on July 3, 2016. On July 5, 2016, a car bomb that exploded in Baghdad "
     "killed 10.", 2, "2016-07-03"),
])
def test_later_dates_that_tell_what_followed_keep_one_attack(text: str, attacks: int, date: str) -> None:
    found = _of(_read(text), "attack")
    assert (len(found), found[0].date) == (attacks, date)


@pytest.fixture
def rules_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The rules alone, without the learned second opinion that may overrule them."""
    classify.models.cache_clear()
    monkeypatch.setenv(classify.SWITCH_OFF, "1")
    yield
    classify.models.cache_clear()


@pytest.mark.parametrize("text", [
    "Gunmen opened fire on Takow in Mogadishu on Monday. Takow, a local government head, was killed in the attack.",
    "Assailants opened fire on Mohamed Nur in Mogadishu. Mohamed Nur, a journalist with Bar-Kulan radio station, "
    "was seriously injured in the attack.",
    "Two assailants opened fire on Wahab Aoun in Aden. Aoun, the central prison director, and his relative were "
    "killed in the attack.",
    "Assailants shot and killed Manzurul Islam Liton, an Awami League Member of Parliament, in Sundarganj.",
    "On Wednesday, the district head administrator, Mikhail Mambetov, was shot by a gunman as he entered his home.",
    "Assailants attacked Fesshazion Pietros in Rome. At least two people, including Pietros, a senior party "
    "official, and his aide, were injured in the assault.",
    "Gunmen opened fire on Ali Mohamed in Mogadishu. The district head administrator, Ali Mohamed, was killed "
    "in the attack.",
    "Assailants shot and killed Captain Elie Mugabonuwundi inside a bar in Kamenge on Monday.",
    "Assailants armed with machetes attacked and killed blogger Niladri Niloy in Dhaka on Friday.",
])
def test_a_named_victim_with_an_office_makes_an_assassination(text: str, rules_only: None) -> None:
    """GTD's assassination: the attack's object is a named, prominent person, told in apposition (the
    rules' answer; the learned second opinion may weigh other words, a machete, against it)."""
    attacks = _of(_read(text), "attack")
    assert [a.attack_type for a in attacks] == ["assassination"]


@pytest.mark.parametrize("text", [
    "Gunmen shot him in the head in Kabul on Monday, killing him.",
    "Militants attacked a major city in the north on Monday, killing 12 people.",  # a title only capitalised
])
def test_words_that_only_look_like_an_office_name_none(text: str) -> None:
    attacks = _of(_read(text), "attack")
    assert [a.attack_type for a in attacks] == ["armed_assault"]


def test_an_official_hurt_in_a_blast_is_one_of_its_victims(rules_only: None) -> None:
    text = ("A car bomb killed 8 people in Mogadishu on Monday. The district head administrator, Ali Mohamed, "
            "was injured in the blast.")
    attacks = _of(_read(text), "attack")
    assert [(a.attack_type, a.killed, a.injured) for a in attacks] == [("bombing", 8, 1)]


@pytest.mark.parametrize(("text", "kind"), [
    # GTD's codebook: harm by means other than explosives, firearms, fire or a sharp instrument is unarmed
    ("Assailants armed with baseball bats attacked Syrian refugees in Magdeburg on Monday. "
     "Three refugees were injured in the attack.", "unarmed_assault"),
    ("Six masked men armed with hammers, iron bars and sticks forced their way into an apartment and attacked the "
     "three.", "unarmed_assault"),
    ("Assailants armed with knives and sticks attacked villagers on Monday, killing two.", "armed_assault"),
    ("Assailants armed with sticks and knives attacked villagers on Monday, killing two.", "armed_assault"),
])
def test_blunt_weapons_make_an_unarmed_assault(text: str, kind: str, rules_only: None) -> None:
    attacks = _of(_read(text), "attack")
    assert [(a.attack_type, a.weapon) for a in attacks] == [(kind, "melee")]


@pytest.mark.parametrize(("text", "kind", "weapon"), [
    ("08/09/2016: Assailants threw a firecracker at the house of Rabbi Avremel Kotlarsky in New City, New York.",
     "bombing", "explosives"),
    ("The office of Senate majority leader Bill Frist received an envelope filled with ricin on 02/02/2004.",
     "unarmed_assault", "chemical"),
    ("The editorial offices of the newspaper Daily Jang received an anthrax-laden letter in Karachi.",
     "unarmed_assault", "chemical"),
    ("On Monday an assailant attacked three worshippers with a knife in Alexandria.", "armed_assault", "melee"),
])
def test_thrown_devices_poisoned_letters_and_knives_are_attacks(text: str, kind: str, weapon: str,
                                                                 rules_only: None) -> None:
    attacks = _of(_read(text), "attack")
    assert [(a.attack_type, a.weapon) for a in attacks] == [(kind, weapon)]


@pytest.mark.parametrize("text", [
    # a named person with an office, hurt with no attack
    "On Monday, Smith, the head of the company, was injured in a car crash.",
    "John Smith, a reporter with the Times, was injured when he fell on Tuesday.",
    # sticks, bats, knives and firecrackers with no attack
    "Police armed with batons dispersed the protesters in Paris on Monday.",
    "Youths with hockey sticks played in the park on Sunday.",
    "Men armed with brooms and sticks cleaned the beach on Saturday.",
    "The Premier League is a group with 20 clubs, officials said on Monday.",
    "The chef injured his finger with a knife on Monday.",
    "A man injured his hand with an axe on Monday.",
    "Children threw firecrackers during the festival on Monday.",
    "Revellers threw firecrackers into the air at midnight on New Year's Eve.",
    # poison with no letter sent
    "Police seized packages filled with cyanide at the airport on Tuesday.",
    "In Agatha Christie's novel, the killer sends a poisoned letter to the vicar.",
])
def test_ordinary_sentences_with_stop_20s_attack_words_are_no_attack(text: str) -> None:
    assert not _of(_read(text), "attack")


@pytest.mark.parametrize("text", [
    "On Tuesday, four people were killed and seven others were injured when their van hit a land mine in Kurram.",
    "Assailants attacked Ukrainian soldiers with artillery and tanks near Starohnativka on Monday, killing seven.",
    "Six members of the LTTE rammed a small boat filled with explosives into a navy vessel off Point Pedro.",
])
def test_land_mines_artillery_and_explosive_laden_craft_make_bombings(text: str, rules_only: None) -> None:
    attacks = _of(_read(text), "attack")
    assert [(a.attack_type, a.weapon) for a in attacks] == [("bombing", "explosives")]


def test_named_phrases_are_written_out_in_trigger_expressions() -> None:
    from threatwatch.events.lexicon import lexicon, with_phrases

    assert with_phrases(r"killed (?:\S+ ){0,5}?(?:{offices})s?", {"offices": "mayor|judge"}) == \
        r"killed (?:\S+ ){0,5}?(?:mayor|judge)s?"
    assert not any("{offices}" in t.pattern.pattern for t in lexicon("en").triggers)


@pytest.mark.parametrize(("text", "kind", "weapon", "injured"), [
    # attackers who injure people, named before the verb
    ("On Monday a man injured three people with a knife in Alexandria.", "armed_assault", "melee", 3),
    ("Gunmen wounded two policemen in Quetta on Friday.", "armed_assault", "firearms", 2),
    # two people hurt, named one by one, in an attack of no named kind: people hurt make an armed assault
    ("Noorani and his driver were injured in the assault on Friday.", "armed_assault", None, 2),
    # explosives carried in that wrecked a building; a victim held at knife point; a mob's beating
    ("A pickup truck carrying 660 pounds of explosives destroyed a dairy plant in Doncello.", "bombing", "explosives",
     None),
    ("An assailant held a woman at knife point at a shopping complex in Sungai Petani.", "hostage_taking", "melee",
     None),
    ("Said-Akhmad Khaladov was beaten by an angry mob that had broken into his house.", "unarmed_assault", "melee",
     None),
    # devices that attackers planted, and explosive charges, found or not
    ("On Monday security forces defused two devices planted by unknown militants near a madrassah.", "bombing",
     "explosives", None),
])
def test_injuries_inflicted_wrecked_buildings_held_victims_and_planted_devices_are_attacks(
        text: str, kind: str | None, weapon: str | None, injured: int | None, rules_only: None) -> None:
    attacks = _of(_read(text, entities=False), "attack")
    assert [(a.attack_type, a.weapon, a.injured) for a in attacks] == [(kind, weapon, injured)]


@pytest.mark.parametrize("text", [
    "A man injured his back lifting boxes on Monday.",
    "The men injured themselves while climbing on Monday.",
    "Men wounded during the war receive pensions from Monday.",
    "Police held the suspect at gunpoint until backup arrived on Monday.",
    "The team was beaten by ten men on Saturday.",
    "Manchester United were beaten by Liverpool on Saturday.",
    "Farmers burned the stubble in their fields on Monday.",
    "Rebels planted listening devices in the embassy on Monday.",
    "Listening devices planted by militants were found in the embassy on Monday.",
    "Attackers planted malware on devices across the network on Monday.",
    "The senator was beaten by 200 people in the primary vote on Monday.",
    "The team was beaten by the people's favourite in the final on Monday.",
    "Two men were held at gunpoint by police officers on 06/13/2014.",
    "Demolition experts placed explosive charges on the stadium's pillars on Monday.",
    "The explosives destroyed the old bridge as engineers watched the controlled demolition on Monday.",
    "The group injured the interests of workers, the union said on Monday.",
    "Angry villagers caught two gunmen and burned their car on Monday.",
    "The pantry was raided by an unknown group of raccoons on Monday.",
    "The company planted sensor devices in the field on Monday.",
    "The rocket hit its target orbit on Monday, NASA said.",
    "The rocket landed on the barge after its launch on Monday.",
    "The mortar struck the wall as the bricklayer worked on Monday.",
    "Mortar prices hit a record high on Monday.",
    "The candles were set alight for the vigil on 06/13/2014.",
    # a toll of none tells an attack's outcome, it does not start one
    "The army launched an attack on the rebel stronghold, with no casualties among soldiers.",
    "Soldiers fired 21 shots in salute on 06/13/2014.",
    "The gunmen fired shots into the air and fled on 06/13/2014.",
    "Police seized the building on 06/13/2014.",
    "The group took over the headquarters of the company on 06/13/2014.",
    "The rebels fired 21 rounds in honour of their commander on 06/13/2014.",
    "On 06/13/2014 the suspects had seized weapons from the police station.",
    "On 06/13/2014 the militants shelled out $5 million for weapons.",
    # the attackers are the object of the troops' verb, not the subject of the shelling
    "On 06/13/2014 troops pursuing the militants shelled the village.",
    "On 06/13/2014 soldiers fighting the rebels seized the town hall.",
])
def test_ordinary_sentences_with_stop_21s_attack_words_are_no_attack(text: str) -> None:
    assert not _of(_read(text, entities=False), "attack")


@pytest.mark.parametrize(("text", "attack"), [
    # an attempt is an attack that failed, which GTD and analysts count; a plan is not one yet
    ("06/13/2014: Assailants attempted to carry out attacks on polling stations in Logar province.", True),
    ("On 06/13/2014 militants tried to stage an attack on the base in Logar but were repelled.", True),
    ("On 06/13/2014 militants planned to carry out attacks on polling stations in Logar.", False),
    ("On 06/13/2014 the group vowed to stage attacks on polling stations in Logar.", False),
])
def test_an_attempted_attack_is_an_attack_and_a_plan_is_not(text: str, attack: bool) -> None:
    assert bool(_of(_read(text, entities=False), "attack")) is attack


@pytest.mark.parametrize(("text", "injured"), [
    ("In the bombing on 06/13/2014 the mayor and his driver were injured.", 2),
    # plurals, and a list longer than two, are not two people named one by one
    ("Police and soldiers were injured in the bombing on 06/13/2014.", None),
    ("In the bombing on 06/13/2014 the conductor, the driver and his son were injured.", None),
])
def test_two_people_named_and_hurt_count_two(text: str, injured: int | None) -> None:
    assert [a.injured for a in _of(_read(text, entities=False), "attack")] == [injured]


@pytest.mark.parametrize(("text", "kind", "killed"), [
    ("10/08/2014: A mortar struck a civilian residence in Albu Faraj area, Saladin, Iraq.", "bombing", None),
    ("02/06/2012: Buildings used to house displaced Kurds were hit by mortars in Balad Ruz village, Iraq.", "bombing",
     None),
    ("08/07/2008: The prosecutor's office in Kizlyar, Dagestan, was set fire by six armed men in masks.",
     "facility_attack", None),
    # "no reported casualties" is a toll of none, and tells the attack's outcome
    ("11/29/2016: Assailants threw a petrol bomb at a school in Manigam, India. There were no reported casualties in "
     "the attack.", "facility_attack", 0),
])
def test_mortar_strikes_arson_in_the_passive_and_no_reported_casualties(text: str, kind: str, killed: int | None,
                                                                          rules_only: None) -> None:
    attacks = _of(_read(text, entities=False), "attack")
    assert [(a.attack_type, a.killed) for a in attacks] == [(kind, killed)]
    assert len(attacks[0].evidence) == text.count(". ") + 1


def test_no_other_casualties_leaves_the_toll_unread_rather_than_none() -> None:
    text = ("Gunmen attacked a bus in Quetta on 06/13/2014. Officials said the number of dead stood at eleven. "
            "There were no other casualties.")
    assert [a.killed for a in _of(_read(text, entities=False), "attack")] == [None]


@pytest.mark.parametrize(("text", "kind"), [
    ("11/04/2010: In Belfast an unidentified militant fired nine shots and damaged the car of Martin Doherty.",
     "armed_assault"),
    ("04/29/2014: Assailants seized the Militsiya Station in Luhansk city, Ukraine.", "facility_attack"),
    ("01/02/2016: At least 12 armed assailants seized the wildlife refuge headquarters in Princeton, Oregon.",
     "facility_attack"),
])
def test_shots_fired_and_buildings_seized_by_attackers_are_attacks(text: str, kind: str, rules_only: None) -> None:
    assert [a.attack_type for a in _of(_read(text, entities=False), "attack")] == [kind]


@pytest.mark.parametrize(("text", "kind", "attack_type"), [
    # the doer decides: attackers who shell attack, a state's forces operate
    ("08/13/2015: Assailants shelled a hospital in Tagab district, Badakhshan province.", "attack", "bombing"),
    ("On 06/13/2014 rebel shelling killed five civilians in Donetsk.", "attack", "bombing"),
    ("On 06/13/2014 the army shelled rebel positions near Idlib.", "military_operation", None),
    ("On 06/13/2014 militants were shelled by the army near Idlib.", "military_operation", None),
])
def test_shelling_by_attackers_is_an_attack(text: str, kind: str, attack_type: str | None, rules_only: None) -> None:
    assert [(e.type, e.attack_type) for e in _read(text, entities=False).events] == [(kind, attack_type)]
