"""Stories: near-duplicates, online story assignment, merged events with a toll ledger, claims
compared, the timeline, and the seeds' shared story across English and Arabic."""

from __future__ import annotations

import io
import json
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import seed_files
from threatwatch.cli import main
from threatwatch.entities.overrides import Override
from threatwatch.export import export
from threatwatch.pipeline import ingest
from threatwatch.records import Document, Entity, Event, Mention, Paragraph, Span, StorySignals
from threatwatch.store import Store
from threatwatch.store.migrations import MIGRATIONS
from threatwatch.store.stories import story_events
from threatwatch.stories import duplicates
from threatwatch.stories.assign import StoryIndex
from threatwatch.stories.claims import claim_group
from threatwatch.stories.cluster import (
    Similarity,
    StoryParams,
    Vector,
    dates_differ,
    feature_key,
    is_date,
    is_title_mark,
    names_differ,
    similarity,
    story_open,
)
from threatwatch.stories.evaluate import bcubed, pair_accuracy
from threatwatch.stories.merge import Context, EventKey, compatible, link_reports, merge_records
from threatwatch.stories.rebuild import rebuild
from threatwatch.stories.signals import day_number, features, with_corrections
from threatwatch.stories.timeline import timeline
from threatwatch.web.queries import Filters, Page, find_events

ARTICLE = (
    "Gunmen opened fire on worshippers at a mosque in the northern city of Kano on Friday, killing at least "
    "twelve people and wounding dozens more, police said. Witnesses said the attackers arrived on motorcycles "
    "and fled into the bush after the shooting. The governor condemned the attack and ordered an inquiry, "
    "while security forces sealed off the area and began searching nearby villages for the gunmen."
)


# --- near-duplicates ---------------------------------------------------------------------------

def test_minhash_estimates_jaccard_and_bands_find_near_copies() -> None:
    copy = ARTICLE + " Subscribe to our newsletter for the latest news."
    a, b = duplicates.text_signature(ARTICLE), duplicates.text_signature(copy)
    unrelated = duplicates.text_signature("The central bank raised interest rates by half a point on Tuesday.")
    assert duplicates.estimated_jaccard(a.tobytes(), a.tobytes()) == 1.0
    assert duplicates.estimated_jaccard(a.tobytes(), b.tobytes()) >= duplicates.DUPLICATE_JACCARD
    assert duplicates.estimated_jaccard(a.tobytes(), unrelated.tobytes()) < 0.2
    assert set(duplicates.band_keys(a)) & set(duplicates.band_keys(b))
    assert not set(duplicates.band_keys(a)) & set(duplicates.band_keys(unrelated))


def test_a_rescraped_copy_gets_duplicate_of_and_the_same_story(tmp_path: Path) -> None:
    lines = [{"text": f"Mosque attack in Kano\n\n{ARTICLE}", "published": "2024-03-01"},
             {"text": f"Mosque attack in Kano\n\n{ARTICLE}\n\nShare this article. Advertisement.",
              "published": "2024-03-01"},
             {"text": "Floods in Dhaka\n\nMonsoon floods displaced thousands of families across Bangladesh "
                      "this week as rivers burst their banks, officials said.", "published": "2024-03-01"}]
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(json.dumps(line) + "\n" for line in lines), "utf-8")
    with Store(tmp_path / "s.db") as store:
        summary = ingest(store, [corpus], entities=False, embeddings=False)
        first, copy, other = store.documents()
    assert summary.stored == 3 and summary.near_duplicates == 1
    assert copy.duplicate_of == first.id and first.duplicate_of is None and other.duplicate_of is None
    assert copy.story_id == first.story_id != other.story_id


# --- online stories over synthetic documents (no models) ---------------------------------------

def _doc(doc_id: str, published: str, entities: list[str], words: str, killed: int | None = None,
         place: str = "geo:2335204", lang: str = "en") -> Document:
    text = f"{words} " + " ".join(e.split(":")[-1].capitalize() for e in entities)
    mentions, at = [], len(words) + 1
    for entity in entities:
        surface = entity.split(":")[-1].capitalize()
        mentions.append(Mention(at, at + len(surface), surface, "person", entity))
        at += len(surface) + 1
    event = Event(id=f"ev-{doc_id}", type="attack", evidence=(Span(0, 10, text[:10]),), location_id=place,
                  country="NG", location="Kano", killed=killed,
                  fields=(("killed", Span(0, 10, text[:10])),) if killed is not None else ())
    doc = Document(id=doc_id, path=doc_id, raw=text, text=text, title=words[:30], published=published, lang=lang,
                   langs=(lang,), paragraphs=(Paragraph(0, len(text), lang),), mentions=tuple(mentions),
                   events=(event,))
    sig = duplicates.text_signature(text)
    signals = StorySignals(sig.tobytes(), duplicates.band_keys(sig), features(doc), None, day_number(published))
    return replace(doc, signals=signals)


def _add(store: Store, index: StoryIndex, doc: Document) -> Document:
    placement = index.place(doc)
    assert placement is not None
    doc = replace(doc, story_id=placement.story_id, duplicate_of=placement.duplicate_of)
    assert store.add_document(doc, placement)
    index.added(placement, doc.signals.day if doc.signals else None)
    return doc


NAMES = ["person:abubakar", "organization:boko", "geo:2335204"]


def test_a_report_joins_the_story_of_its_happening_until_the_story_closes(store: Store) -> None:
    index = StoryIndex(store)
    first = _add(store, index, _doc("a1", "2024-03-01", NAMES, "gunmen mosque kano worshippers motorcycles", 12))
    other = _add(store, index, _doc("b1", "2024-03-01", ["person:mahama", "geo:2306104"],
                                    "election ballots accra parliament vote", place="geo:2306104"))
    second = _add(store, index, _doc("a2", "2024-03-02", NAMES, "gunmen mosque kano worshippers inquiry", 15))
    late = _add(store, index, _doc("a3", "2024-04-20", NAMES, "gunmen mosque kano worshippers anniversary"))
    assert second.story_id == first.story_id != other.story_id
    assert late.duplicate_of is None
    assert late.story_id != first.story_id, "a story is closed to reports published long after it began"
    (story,) = [s for s in store.stories() if s["id"] == first.story_id]
    assert story["doc_ids"] == ["a1", "a2"] and story["first_published"] == "2024-03-01"
    assert story["last_published"] == "2024-03-02" and story["langs"] == ["en"]


def test_events_of_one_story_merge_with_a_toll_ledger(store: Store) -> None:
    index = StoryIndex(store)
    for doc in (_doc("a1", "2024-03-01", NAMES, "gunmen mosque kano worshippers", 12),
                _doc("a2", "2024-03-02", NAMES, "gunmen mosque kano worshippers toll", 15)):
        _add(store, index, doc)
    (event,) = list(store.merged_events())
    assert event["doc_ids"] == ["a1", "a2"] and event["id"] == "ev-a1"
    assert {span["doc_id"] for span in event["evidence"]} == {"a1", "a2"}
    assert event["killed"] == 15, "the latest-published report's toll is the canonical one"
    assert [(e["value"], e["doc_id"], e["published"]) for e in event["ledger"]["killed"]] == [
        (12, "a1", "2024-03-01"), (15, "a2", "2024-03-02")]
    assert event["fields"]["killed"]["doc_id"] == "a2"
    (story,) = list(store.stories())
    assert story["event_ids"] == ["ev-a1"]


def test_merge_rules() -> None:
    moscow, russia = EventKey("threat", "geo:524901", "RU", None), EventKey("threat", "country:RU", "RU", "2016-08")
    assert compatible(moscow, russia), "a city and its country are one place; an unknown date agrees"
    assert not compatible(moscow, EventKey("threat", "geo:498817", "RU", None)), "two cities are two events"
    assert not compatible(russia, EventKey("threat", "country:RU", "RU", "2015-11"))
    assert compatible(EventKey("attack", None, None, "2024-03-22"), EventKey("attack", None, None, "2024-03-23"))
    assert not compatible(moscow, EventKey("attack", "geo:524901", "RU", None))
    member = {"id": "e1", "type": "attack", "attack_type": "unknown", "weapon": None, "date": None, "location": None,
              "country": None, "lat": None, "lon": None, "actors": [], "killed": 40, "injured": None,
              "arrested": None, "doc_ids": ["d1"], "story_id": "s", "evidence": [], "fields": {}}
    same_day = dict(member, id="e2", killed=60, doc_ids=["d2"], attack_type="bombing")
    merged = merge_records([member, same_day], Context({"d1": "2024-03-22", "d2": "2024-03-22"}, {}, {}))
    assert merged["killed"] == 60 and merged["attack_type"] == "bombing", "same day: the largest figure"


def test_documents_in_two_languages_are_compared_on_names_and_embedding_only() -> None:
    params = StoryParams()
    a = Vector.build([feature_key("w:kano"), feature_key("e:geo:1")], [1.0, 1.0], {}, 10)
    b = Vector.build([feature_key("w:kano"), feature_key("e:geo:2")], [1.0, 1.0], {}, 10)
    same_words = similarity(a, b, None, None, same_language=True)
    assert same_words.words == pytest.approx(1.0) and same_words.names == 0.0
    assert same_words.score(params) > 1.0
    assert similarity(a, b, None, None, same_language=False).score(params) == 0.0
    assert story_open(day_number("2024-03-20") or 0, day_number("2024-03-01") or 0, day_number("2024-03-05") or 0)
    assert not story_open(day_number("2024-04-20") or 0, day_number("2024-03-01") or 0, day_number("2024-04-01") or 0)


def test_candidate_lookups_stay_bounded_as_the_store_grows(store: Store) -> None:
    params = StoryParams(block_candidates=8, postings_per_feature=16)
    index = StoryIndex(store, params)
    for i in range(60):  # sixty reports that all share the same names, words and day
        _add(store, index, _doc(f"d{i:02d}", "2024-03-01", NAMES + [f"person:p{i}"], f"kano mosque w{i}"))
    probe = _doc("probe", "2024-03-01", NAMES, "kano mosque")
    assert probe.signals is not None
    keys = tuple(feature_key(name) for name, _ in probe.signals.features)
    weights = tuple(w for _, w in probe.signals.features)
    df = index.frequencies(keys)
    assert len(index._blocked(probe.signals, list(zip(keys, weights, strict=True)), df)) <= 8


def test_pair_and_cluster_scores() -> None:
    story = {"a": "s1", "b": "s1", "c": "s2", "d": None}
    scores = pair_accuracy([("a", "b", True), ("a", "c", False), ("c", "d", True), ("d", "d", False)], story)
    assert scores["accuracy"] == 0.75 and scores["true_same"] == 1 and scores["false_different"] == 1
    assert bcubed(["x", "x", "y", "y"], ["1", "2", "3", "4"]) == {"precision": 1.0, "recall": 0.5, "f1": 0.6667}
    assert bcubed(["x", "x", "y"], ["1", "1", "1"])["precision"] == pytest.approx(0.5556, abs=1e-4)


def test_claim_groups_key_on_what_is_counted_never_the_figure() -> None:
    assert claim_group("Russian nationals", None, "Over 3,200 Russian nationals have left to join Daesh") == \
        "fighters:RU"
    assert claim_group("Russians", None, 'put the figure at "up to 2,000."',
                       before="thousands of Russians have travelled to Syria to fight alongside IS") == "fighters:RU"
    assert claim_group("fighters", None, "5,000 to 7,000 fighters from Russia", countries=["RU"]) == "fighters:RU"
    assert claim_group("people", None, "killing 80 people in Kabul", countries=["AF"]) == "people:killed:AF"
    assert claim_group("of the vote", "%", "won 52% of the vote") == "vote:percent"


def test_a_schema_3_store_migrates_to_stories(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    for script in MIGRATIONS[:3]:
        db.executescript(script)
    db.execute("PRAGMA user_version = 3")
    db.close()
    with Store(path) as store:
        assert store.schema_version() == len(MIGRATIONS)
        assert list(store.stories()) == []
        assert "story_event_rowid" in {r[1] for r in store.db.execute("PRAGMA table_info(events)")}


# --- the reference seeds -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Store:
    if not seed_files():
        pytest.skip("reference seeds not found")
    path = tmp_path_factory.mktemp("seeds") / "seeds.db"
    with Store(path) as store:
        ingest(store, seed_files())
    opened = Store(path)
    yield opened
    opened.close()


def _ids(store: Store) -> dict[str, Document]:
    return {Path(doc.path).name[:3]: doc for doc in store.documents()}


def test_seed_000_and_004_share_one_story_and_the_others_do_not(seeded: Store) -> None:
    docs = _ids(seeded)
    video = docs["000"].story_id
    assert video and docs["004"].story_id == video
    assert {docs[n].story_id for n in ("001", "002", "003")}.isdisjoint({video})
    (story,) = [s for s in seeded.stories() if s["id"] == video]
    assert set(story["langs"]) == {"en", "ar"} and story["first_published"] == "2016-08-02"
    assert story["doc_ids"] == [docs["000"].id, docs["004"].id]


def test_the_video_threat_is_one_event_with_evidence_in_both_languages(seeded: Store) -> None:
    docs = _ids(seeded)
    threats = [e for e in seeded.merged_events() if e["type"] == "threat" and e["story_id"] == docs["000"].story_id
               and len(e["doc_ids"]) == 2]
    assert len(threats) == 1
    (threat,) = threats
    texts = {d.id: d.text for d in docs.values()}
    by_doc = {span["doc_id"] for span in threat["evidence"]}
    assert by_doc == {docs["000"].id, docs["004"].id}
    for span in threat["evidence"]:
        assert texts[span["doc_id"]][span["start"]:span["end"]] == span["text"]
    assert any("هدد" in span["text"] for span in threat["evidence"])
    assert "vladimir-putin" in {a["entity_id"] for a in threat["actors"]}


def test_the_foreign_fighter_claims_of_000_001_002_are_one_group(seeded: Store) -> None:
    out = io.StringIO()
    export(seeded, "claims", "jsonl", out)
    claims = [json.loads(line) for line in out.getvalue().splitlines()]
    docs = _ids(seeded)
    fighters = [c for c in claims if c["claim_group"] == "fighters:RU"]
    assert {c["doc_id"] for c in fighters} >= {docs["000"].id, docs["001"].id, docs["002"].id}
    assert {c["value"] for c in fighters} >= {5000, 2000, 3200}


def test_export_stories_and_timeline_commands(seeded: Store) -> None:
    docs = _ids(seeded)
    runner = CliRunner()
    result = runner.invoke(main, ["export", "stories", "--db", seeded.path, "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "id,title,doc_ids,langs,first_published,last_published,event_ids"
    result = runner.invoke(main, ["timeline", "--db", seeded.path, "--story", str(docs["000"].story_id)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any("event  threat" in line for line in lines) and any("claim  fighters:RU" in line for line in lines)
    dated = [line[:10].strip() for line in lines if not line.startswith("undated")]
    assert dated == sorted(dated)
    result = runner.invoke(main, ["timeline", "--db", seeded.path, "--entity", "Putin"])
    assert result.exit_code == 0 and "fighters:RU: 5,000-7,000" in result.output
    assert runner.invoke(main, ["timeline", "--db", seeded.path, "--entity", "Nobody Known"]).exit_code == 2


# --- dates named in titles, and the rule without embeddings -------------------------------------

def test_titles_naming_different_dates_are_different_happenings(store: Store) -> None:
    def titled(title: str) -> Document:
        return Document(id="t", path="t", raw="", text="", title=title, lang="ru")

    assert {k for k, _ in features(titled("Прогноз погоды на 8 ноября")) if k.startswith("d:")} == {"d:--11-08"}
    assert {k for k, _ in features(titled("Полуфинал 2010 года")) if k.startswith("d:")} == {"d:2010"}
    assert not [k for k, _ in features(titled("Заболевший COVID-19 митрополит")) if k.startswith("d:")]
    eighth, eighteenth = feature_key("d:--11-08"), feature_key("d:--11-18")
    assert dates_differ([eighth], [eighteenth]) and dates_differ([feature_key("d:2010")], [feature_key("d:2012")])
    assert not dates_differ([eighth], [feature_key("d:2019-11-08")]), "a day without its year may be that day"
    assert not dates_differ([eighth], [feature_key("d:2016")]) and not dates_differ([eighth], [])
    def report(doc_id: str, title: str, words: str) -> Document:
        doc = replace(_doc(doc_id, "2024-03-01", NAMES, "gunmen mosque kano worshippers motorcycles" + words),
                      title=title)
        return replace(doc, signals=replace(doc.signals, features=features(doc)))

    index = StoryIndex(store)
    first = _add(store, index, report("a1", "Attack in Kano on 8 November", ""))
    same = _add(store, index, report("a2", "Kano attack of 8 November: inquiry", " inquiry"))
    other = _add(store, index, report("a3", "Attack in Kano on 18 November", " toll"))
    assert same.story_id == first.story_id != other.story_id


def test_titles_naming_different_places_or_bodies_are_different_happenings(store: Store, tmp_path: Path) -> None:
    forecast = "Погода {}: днём до +18, ночью до +6, ветер северо-западный, без осадков."

    def weather(doc_id: str, city: str, city_id: str, title: str, also: str = "") -> Document:
        text = forecast.format(f"в {city}е на 17 мая") + also
        mentions = [Mention(text.index(city), text.index(city) + len(city) + 1, city + "е", "location", city_id)]
        if also:
            start = text.index("Брест", len(forecast) - 10)
            mentions.append(Mention(start, start + 6, "Бресте", "location", "geo:629634"))
        doc = Document(id=doc_id, path=doc_id, raw=text, text=text, title=title, published="2020-05-16", lang="ru",
                       langs=("ru",), paragraphs=(Paragraph(0, len(text), "ru"),), mentions=tuple(mentions))
        sig = duplicates.text_signature(text + doc_id * 40)  # alike, but no copy of one another
        signals = StorySignals(sig.tobytes(), duplicates.band_keys(sig), (), None, day_number("2020-05-16"))
        doc = replace(doc, signals=signals)
        return replace(doc, signals=replace(doc.signals, features=features(doc)))

    brest = weather("brest", "Брест", "geo:629634", "Погода в Бресте на 17 мая")
    assert {k for k, _ in brest.signals.features if k.startswith("t:")} == {"t:geo:629634"}
    unlinked = replace(brest, mentions=(replace(brest.mentions[0], entity_id="location:brst"),))
    assert {k for k, _ in features(unlinked) if k.startswith("t:")} >= {"t:location:brst", "t:organization:brst"}, \
        "a name no model linked stands under each kind a model may give it"
    countries = replace(brest, mentions=(replace(brest.mentions[0], entity_id="country:BY"),))
    assert not [k for k, _ in features(countries) if k.startswith("t:")], "countries say little of which happening"
    key = feature_key("t:geo:629634")
    assert is_title_mark(key) and not is_date(key) and (key & ~3) | 1 == feature_key("e:geo:629634")

    def vector(doc: Document) -> Vector:
        assert doc.signals is not None
        cues = doc.signals.features
        return Vector.build([feature_key(k) for k, _ in cues], [w for _, w in cues], {}, 1)

    gomel = weather("gomel", "Гомел", "geo:627907", "Погода в Гомеле на 17 мая")
    both = weather("both", "Гомел", "geo:627907", "Погода в Гомеле на 17 мая", " Завтра в Бресте похолодает.")
    assert names_differ(vector(brest), vector(gomel))
    assert not names_differ(vector(brest), vector(both)), "the other report also names Brest"
    park = replace(brest, mentions=(replace(brest.mentions[0], entity_id="location:brst"),))
    also_park = replace(both, mentions=(both.mentions[0], replace(both.mentions[1], entity_id="organization:brst")))
    park, also_park = (replace(d, signals=replace(d.signals, features=features(d))) for d in (park, also_park))
    assert not names_differ(vector(park), vector(also_park)), "one unlinked name, given two kinds by two models"
    untitled = weather("untitled", "Гомел", "geo:627907", "Погода на 17 мая")
    assert not names_differ(vector(brest), vector(untitled)), "a title that names nothing vetoes nothing"

    index = StoryIndex(store)
    first = _add(store, index, brest)
    assert _add(store, index, gomel).story_id != first.story_id, "the weather in Gomel is not the weather in Brest"
    with Store(tmp_path / "control.db") as control:
        index = StoryIndex(control)
        first = _add(control, index, brest)
        assert _add(control, index, untitled).story_id == first.story_id, "alike enough to join, but for the titles"


def test_without_embeddings_reports_are_compared_on_their_own_rule() -> None:
    params = StoryParams()
    plain = Similarity(words=0.35, names=0.2, embedding=None, same_language=True)
    assert plain.score(params) == pytest.approx((2 * 0.35 + 0.25 * 0.2) / params.plain_same_threshold)
    assert plain.score(params) >= 1.0, "words alone carry the decision when no embedding is there"
    assert Similarity(0.35, 0.2, 0.0, True).score(params) < 1.0, "with an embedding, a far one counts against"
    assert Similarity(0.0, 0.6, None, False).score(params) >= 1.0
    assert Similarity(0.0, 0.4, None, False).score(params) < 1.0


def test_ingest_no_embeddings_stores_no_embedding(tmp_path: Path) -> None:
    lines = [{"text": f"Mosque attack in Kano\n\n{ARTICLE}", "published": "2024-03-01"},
             {"text": "Kano mosque gunmen\n\nGunmen on motorcycles attacked worshippers at a Kano mosque, killing "
                      "twelve people; the governor ordered an inquiry and police searched nearby villages.",
              "published": "2024-03-02"}]
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(json.dumps(line) + "\n" for line in lines), "utf-8")
    db = tmp_path / "s.db"
    result = CliRunner().invoke(main, ["ingest", "--quiet", "--no-entities", "--no-embeddings", "--db", str(db),
                                       str(corpus)])
    assert result.exit_code == 0, result.output
    with Store(db) as store:
        assert store.db.execute("SELECT count(*) FROM story_docs WHERE embedding IS NOT NULL").fetchone()[0] == 0
        first, second = store.documents()
    assert first.story_id == second.story_id and second.duplicate_of is None


# --- stories rebuild ----------------------------------------------------------------------------

def _story_state(store: Store) -> tuple[object, ...]:
    docs = [(d.id, d.story_id, d.duplicate_of) for d in store.documents()]
    events = [(e["id"], e["doc_ids"], e["story_id"], e["killed"]) for e in store.merged_events()]
    return docs, list(store.stories()), events


def test_stories_rebuild_groups_a_store_that_has_none_and_is_idempotent(tmp_path: Path) -> None:
    reports = [_doc("a1", "2024-03-01", NAMES, "gunmen mosque kano worshippers motorcycles", 12),
               _doc("b1", "2024-03-01", ["person:mahama", "geo:2306104"], "election ballots accra parliament vote",
                    place="geo:2306104"),
               _doc("a2", "2024-03-02", NAMES, "gunmen mosque kano worshippers inquiry", 15)]
    with Store(tmp_path / "online.db") as online:
        index = StoryIndex(online)
        for doc in reports:
            _add(online, index, doc)
        expected = _story_state(online)
    path = tmp_path / "old.db"
    with Store(path) as old:  # stored with stories off, as before schema 4
        for doc in reversed(reports):  # ingested out of publication order
            assert old.add_document(replace(doc, signals=None))
        assert list(old.stories()) == [] and all(d.story_id is None for d in old.documents())
    runner = CliRunner()
    result = runner.invoke(main, ["stories", "rebuild", "--db", str(path), "--no-embeddings", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "rebuilt 2 stories from 3 documents" in result.output
    with Store(path) as rebuilt:
        docs, stories, events = _story_state(rebuilt)
        by_id = {doc_id: story for doc_id, story, _ in docs}
        assert by_id["a1"] == by_id["a2"] != by_id["b1"]
        assert sorted(sorted(s["doc_ids"]) for s in stories) == sorted(sorted(s["doc_ids"]) for s in expected[1])  # type: ignore[attr-defined]
        (kano,) = [e for e in events if len(e[1]) == 2]  # type: ignore[arg-type]
        assert set(kano[1]) == {"a1", "a2"} and kano[3] == 15 and kano[2] == by_id["a1"]
        once = (docs, stories, events)
    assert runner.invoke(main, ["stories", "rebuild", "--db", str(path), "--no-embeddings", "--quiet"]).exit_code == 0
    with Store(path) as again:
        assert _story_state(again) == once, "a second rebuild gives the same stories, ids included"


def _placed(doc_id: str, published: str, city: str, city_id: str, killed: int) -> Document:
    """A report of a mosque attack in a city named by a linked mention at the event's location span."""
    text = f"Gunmen attacked a mosque in {city} killing {killed} worshippers"
    at = text.index(city)
    span = Span(at, at + len(city), city)
    event = Event(id=f"ev-{doc_id}", type="attack", evidence=(Span(0, len(text), text),), location=city,
                  location_id=city_id, country="NG", killed=killed, fields=(("location", span),))
    mentions = (Mention(at, at + len(city), city, "location", city_id),
                Mention(0, 6, "Gunmen", "armed_group", "armed_group:gunmen"))
    doc = Document(id=doc_id, path=doc_id, raw=text, text=text, title="Mosque attack", published=published,
                   lang="en", langs=("en",), paragraphs=(Paragraph(0, len(text), "en"),), mentions=mentions,
                   entities=(Entity(city_id, city, "location", "NG"),
                             Entity("armed_group:gunmen", "Gunmen", "armed_group")),
                   events=(event,))
    sig = duplicates.text_signature(text + doc_id)
    return replace(doc, signals=StorySignals(sig.tobytes(), duplicates.band_keys(sig), features(doc), None,
                                             day_number(published)))


def test_an_entity_merge_of_a_place_reaches_canonical_events_at_once(store: Store) -> None:
    index = StoryIndex(store)
    _add(store, index, _placed("k1", "2024-03-01", "Kano", "geo:2335204", 12))
    _add(store, index, _placed("k2", "2024-03-01", "Kano city", "geo:9999999", 15))
    (story,) = list(store.stories())
    assert len(story["event_ids"]) == 2, "two cities: two happenings"
    store.correct_entities(Override("merge", "geo:9999999", "geo:2335204"))  # the first report's place folded in
    (story,) = list(store.stories())
    (event,) = list(store.merged_events())
    assert story["event_ids"] == ["ev-k1"] and event["doc_ids"] == ["k1", "k2"] and event["killed"] == 15
    ((merged, members),) = list(story_events(store.db, str(story["id"])))
    assert merged["doc_ids"] == ["k1", "k2"] and len(members) == 2
    assert [e.record["doc_ids"] for e in timeline(store, entity="geo:9999999") if e.kind == "event"] == [["k1", "k2"]]
    # The web's event filter reads the corrected place too: both reports' events are at the kept city.
    total, rows = find_events(store.db, Filters(entity="geo:9999999"), Page(limit=10))
    assert total == 2 and {r["id"] for r in rows} == {"ev-k1", "ev-k2"}
    assert find_events(store.db, Filters(entity="geo:2335204"), Page(limit=10))[0] == 0
    # A report ingested after the correction is compared on the corrected entity.
    later = _placed("k3", "2024-03-02", "Kano", "geo:2335204", 16)
    assert "e:geo:9999999" in {name for name, _ in features(with_corrections(later, store.overrides()))}
    assert _add(store, StoryIndex(store), later).story_id == story["id"]
    assert [len(e["doc_ids"]) for e in store.merged_events()] == [3]


def test_link_reports_keeps_one_documents_events_apart() -> None:
    kano = EventKey("attack", "geo:2335204", "NG", "2024-03-01")
    known: list[EventKey] = []
    assert link_reports(known, [kano, kano]) == [0, 1], "one document's two attacks are two events"
    assert link_reports(known, [EventKey("attack", "country:NG", "NG", "2024-03-02")]) == [0]
    assert link_reports(known, [EventKey("attack", "geo:2306104", "GH", None)]) == [2]


def test_stories_rebuild_of_the_seeds_keeps_their_stories(seeded: Store, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    target = sqlite3.connect(copy)
    seeded.db.backup(target)
    target.close()

    def partition(store: Store) -> set[frozenset[str]]:
        return {frozenset(s["doc_ids"]) for s in store.stories()}  # type: ignore[arg-type]

    with Store(copy) as store:
        before = partition(store)
        summary = rebuild(store)
        assert summary.documents == 5 and summary.embedded == 0, "stored embeddings are kept, not computed again"
        assert partition(store) == before
        docs = _ids(store)
        threats = [e for e in store.merged_events() if e["type"] == "threat" and len(e["doc_ids"]) == 2]
        assert [set(t["doc_ids"]) for t in threats] == [{docs["000"].id, docs["004"].id}]
