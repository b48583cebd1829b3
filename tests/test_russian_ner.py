"""Russian NER: the span conventions of threatwatch/entities/russian.py and the shipped model."""

from __future__ import annotations

from dataclasses import replace
from functools import cache

import pytest

from threatwatch.entities import russian
from threatwatch.entities.backends import NatashaRecognizer, russian_model_path
from threatwatch.entities.ner import NamedSpan


@cache
def _morph() -> russian.Morphology:
    from natasha import MorphVocab

    return russian.Morphology(MorphVocab())


def _span(text: str, surface: str, label: str, normal: str | None = None, nth: int = 0) -> NamedSpan:
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return NamedSpan(start, start + len(surface), label, normal)  # type: ignore[arg-type]


def _adjust(text: str, *spans: NamedSpan) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.label) for s in russian.adjust(text, list(spans), _morph())]


def test_closing_quote_is_not_part_of_the_name() -> None:
    text = "Акционеры ОАО «Северный ветер» одобрили сделку."
    assert _adjust(text, _span(text, "ОАО «Северный ветер»", "organization")) == \
        [("ОАО «Северный ветер", "organization")]


@pytest.mark.parametrize(("text", "name", "mention"), [
    ("Соглашение подписала компания Roxbury.", "Roxbury", "компания Roxbury"),
    ("Об этом заявили в компании Roxbury.", "Roxbury", "компании Roxbury"),
    ("Фото появилось в социальной сети Instagram вчера.", "Instagram", "социальной сети Instagram"),
    ("Лидер партии «Новый путь» выступил.", "Новый путь", "партии «Новый путь"),
    ("Он играл за панк-группу Kleine Welt.", "Kleine Welt", "панк-группу Kleine Welt"),
])
def test_descriptor_joins_the_organisation(text: str, name: str, mention: str) -> None:
    assert _adjust(text, _span(text, name, "organization")) == [(mention, "organization")]


@pytest.mark.parametrize(("text", "name"), [
    # the name is in the genitive: the descriptor is something the organisation owns
    ("Новость опубликована на сайте «Северного банка».", "Северного банка"),
    ("Решение принял совет Ростелекома.", "Ростелекома"),
    # not a descriptor: a person's role
    ("Об этом сообщил директор Roxbury.", "Roxbury"),
])
def test_no_descriptor_no_change(text: str, name: str) -> None:
    assert _adjust(text, _span(text, name, "organization")) == [(name, "organization")]


def test_a_descriptor_inside_the_previous_name_stays_there() -> None:
    text = "Сделку заключили Альфа группа Roxbury."
    assert _adjust(text, _span(text, "Альфа группа", "organization"), _span(text, "Roxbury", "organization")) == \
        [("Альфа группа", "organization"), ("Roxbury", "organization")]


def test_a_descriptor_does_not_join_a_person() -> None:
    text = "Об этом рассказал партии Иван Смирнов."
    assert _adjust(text, _span(text, "Иван Смирнов", "person")) == [("Иван Смирнов", "person")]


def test_country_in_the_genitive_joins_the_body() -> None:
    text = "Заявление Министерства финансов Франции вышло утром."
    out = russian.adjust(text, [_span(text, "Министерства финансов", "organization", "Министерство финансов"),
                                _span(text, "Франции", "location", "Франция")], _morph())
    assert [(text[s.start : s.end], s.label, s.normal, s.nested) for s in out] == [
        ("Министерства финансов Франции", "organization", "Министерство финансов Франции", False),
        ("Франции", "location", "Франция", True),  # the country is a mention inside the body's name
    ]


@pytest.mark.parametrize(("text", "body", "place", "lemma"), [
    ("В эфире радиостанции «Эхо Москвы» выступил депутат.", "радиостанции «Эхо Москвы", "Москвы", "Москва"),
    ("Об этом сообщили в МИД РФ.", "МИД РФ", "РФ", "РФ"),
    ("Съезд партии «Единая Россия» открылся.", "партии «Единая Россия", "Россия", None),
])
def test_place_inside_an_organisation_is_nested(text: str, body: str, place: str, lemma: str | None) -> None:
    out = russian.adjust(text, [_span(text, body, "organization")], _morph())
    nested = [(text[s.start : s.end], s.normal) for s in out if s.nested]
    # "Россия" in the nominative is the party's own name word, not a place it belongs to
    assert nested == ([(place, lemma)] if lemma else [])


def test_first_word_and_surnames_are_not_nested_places() -> None:
    text = "Администрация Обамы и Москва-Сити ответили."
    out = russian.adjust(text, [_span(text, "Администрация Обамы", "organization")], _morph())
    # no place nested; the president the administration belongs to is a person of its own
    assert [(text[s.start : s.end], s.label) for s in out if s.nested] == [("Обамы", "person")]


def test_country_as_subject_stays_a_place() -> None:
    text = "Ответ Минфина Франция отвергла."
    assert _adjust(text, _span(text, "Минфина", "organization"), _span(text, "Франция", "location")) == \
        [("Минфина", "organization"), ("Франция", "location")]


def test_a_bracket_the_model_opened_but_did_not_close_is_split_off_too() -> None:
    text = "Под эгидой Международной организации гражданской авиации (ICAO) работают эксперты."
    out = russian.adjust(text, [_span(text, "Международной организации гражданской авиации (ICAO", "organization")],
                         _morph())
    assert [text[s.start : s.end] for s in out] == ["Международной организации гражданской авиации", "ICAO"]


def test_a_span_that_opens_with_the_bracket_is_left_to_the_trimming() -> None:
    text = "Эксперты (ICAO) работают."
    out = russian.adjust(text, [_span(text, "(ICAO", "organization")], _morph())
    assert [text[s.start : s.end] for s in out] == ["(ICAO"]  # spans.trim drops the lone bracket later


def test_bracketed_abbreviation_is_its_own_mention() -> None:
    text = "Федеральная таможенная служба (ФТС) усилила контроль."
    out = russian.adjust(text, [_span(text, "Федеральная таможенная служба (ФТС)", "organization",
                                      "Федеральная таможенная служба (ФТС)")], _morph())
    assert [(text[s.start : s.end], s.normal) for s in out] == \
        [("Федеральная таможенная служба", "Федеральная таможенная служба"), ("ФТС", "ФТС")]


@pytest.mark.parametrize(("text", "name", "mention"), [
    ("Вода в реке Быстрице поднялась.", "Быстрице", "реке Быстрице"),
    ("Он живёт в городе Самара.", "Самара", "городе Самара"),
    ("Дом стоит на улице Чехова.", "Чехова", "улице Чехова"),
])
def test_place_descriptor_joins_the_place(text: str, name: str, mention: str) -> None:
    assert _adjust(text, _span(text, name, "location")) == [(mention, "location")]


def test_a_plural_place_descriptor_names_no_one_place() -> None:
    text = "Концерты прошли в других городах России."
    assert _adjust(text, _span(text, "России", "location")) == [("России", "location")]


@pytest.mark.parametrize(("text", "model_span", "model_normal", "name", "normal"), [
    ("На очереди был русскоязычный Крым.", "русскоязычный Крым", "русскоязычный Крым", "Крым", "Крым"),
    ("Центр строят в подмосковном Сколково.", "подмосковном Сколково", "подмосковный Сколково", "Сколково", "Сколково"),
    ("По всей Ботсване проходят забастовки.", "всей Ботсване", None, "Ботсване", None),
])
def test_a_places_mention_starts_at_a_one_word_name(text: str, model_span: str, model_normal: str | None,
                                                    name: str, normal: str | None) -> None:
    spans = russian.adjust(text, [_span(text, model_span, "location", model_normal)], _morph())
    assert [(text[s.start : s.end], s.normal) for s in spans] == [(name, normal)]


def test_adjectives_stay_in_a_longer_place_name() -> None:
    text = "Ополченцы самопровозглашенной Донецкой народной республики отступили."
    name = "самопровозглашенной Донецкой народной республики"
    assert _adjust(text, _span(text, name, "location")) == [(name, "location")]


def test_rules_keep_the_models_normal_form() -> None:
    text = "Сделку одобрила компания Roxbury."
    (span,) = russian.adjust(text, [_span(text, "Roxbury", "organization", "Roxbury")], _morph())
    assert span.normal == "Roxbury"  # so "компания Roxbury" and "Roxbury" link to one entity


def test_shipped_model_loads_and_keeps_normal_forms() -> None:
    path = russian_model_path()
    assert path.is_file(), "threatwatch/data/models/ru_ner/ner.tar is missing (training/train_ru_ner.py)"
    recognizer = NatashaRecognizer()
    text = "Сотрудники ФСБ задержали в Москве троих подозреваемых, сообщил Александр Бортников."
    spans = recognizer.find([text])[0]
    found = {(text[s.start : s.end], s.label, s.normal) for s in spans}
    assert ("Москве", "location", "Москва") in found
    assert ("Александр Бортников", "person", "Александр Бортников") in found
    assert all(0 <= s.start < s.end <= len(text) for s in spans)


@pytest.mark.parametrize(("text", "model_span", "model_normal", "name", "normal"), [
    ("Об этом сообщил Полковник Васин журналистам.", "Полковник Васин", "Полковник Васин", "Васин", "Васин"),
    ("Письмо отправили профессору Баженову вчера.", "профессору Баженову", "профессор Баженов", "Баженову", "Баженов"),
    # a first name is part of the name
    ("Об этом заявил Николай Гумилёв на встрече.", "Николай Гумилёв", "Николай Гумилёв", "Николай Гумилёв",
     "Николай Гумилёв"),
])
def test_a_persons_mention_starts_at_the_name(text: str, model_span: str, model_normal: str, name: str,
                                              normal: str) -> None:
    (span,) = russian.adjust(text, [_span(text, model_span, "person", model_normal)], _morph())
    assert (text[span.start : span.end], span.normal) == (name, normal)


def test_the_morphology_vocabulary_named_directly_reads_words_as_natashas_own(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from natasha import MorphVocab

    from threatwatch.entities.backends import morph_vocab

    monkeypatch.delitem(sys.modules, "pkg_resources", raising=False)
    direct, own = morph_vocab(), MorphVocab()
    for word in ("Москве", "правительства", "Путину", "заявил", "пресс-службы"):
        assert repr(direct.parse(word)) == repr(own.parse(word))
    assert direct.lemmatize("Москве", "PROPN", {"Case": "Loc"}) == own.lemmatize("Москве", "PROPN", {"Case": "Loc"})


def test_the_faster_slovnet_parts_compute_what_slovnets_do() -> None:
    """natasha's NER and morphology encoders and the NER's CRF, replaced by entities/slovnet_fast.py,
    give slovnet's own results on batches with padding; the recogniser runs with the replacements."""
    import numpy as np
    from natasha import NewsEmbedding, NewsMorphTagger, NewsNERTagger

    from threatwatch.entities.slovnet_fast import CRF, CNNEncoder, speed_up

    embedding = NewsEmbedding()
    rng = np.random.default_rng(7)
    for tagger in (NewsNERTagger(embedding), NewsMorphTagger(embedding)):
        model = tagger.infer.model
        slovnet_encoder = model.encoder
        ours = CNNEncoder(slovnet_encoder.layers)
        for batch, length in ((1, 1), (3, 17), (8, 120)):
            x = rng.standard_normal((batch, length, slovnet_encoder.layers[0].conv.weight.shape[1]))
            pad = np.zeros((batch, length), dtype=bool)
            pad[0, length // 2 + 1 :] = True  # the first sequence is shorter than the rest
            expected = slovnet_encoder(x.astype(np.float32), pad)
            got = ours(x.astype(np.float32), pad)
            assert got.shape == expected.shape
            assert np.allclose(got, expected, rtol=1e-4, atol=1e-3)
            assert not got[pad].any(), "padding stays zero, so a sequence's tags do not depend on its batch"
        if hasattr(model.head, "crf"):
            emissions = rng.standard_normal((4, 30, model.head.crf.transitions.shape[0])).astype(np.float32)
            real = np.ones((4, 30), dtype=bool)
            real[1, 12:] = real[2, 1:] = False  # a shorter sequence and a one-token one
            expected_paths = model.head.crf.decode(emissions, real)
            paths = CRF(model.head.crf.transitions.array).decode(emissions, real)
            assert [p.tolist() for p in paths] == [p.tolist() for p in expected_paths]
            assert [len(p) for p in paths] == [30, 12, 1, 30]
        speed_up(model)
        assert isinstance(model.encoder, CNNEncoder)
        replaced, crf = model.encoder, getattr(model.head, "crf", None)
        speed_up(model)
        assert model.encoder is replaced, "a second call leaves the replacement alone"
        assert getattr(model.head, "crf", None) is crf
    tagger = NewsNERTagger(embedding)
    tagger.infer.model.encoder.layers[1].conv.padding = 2  # a layer that would lengthen the sequence
    speed_up(tagger.infer.model)
    assert not isinstance(tagger.infer.model.encoder, CNNEncoder), "only layers that keep the length are replaced"
    recognizer = NatashaRecognizer()
    assert isinstance(recognizer.tagger.infer.model.encoder, CNNEncoder)
    text = "Владимир Путин провёл встречу в Москве с представителями «Газпрома»."
    found = {(text[s.start : s.end], s.label) for s in recognizer.find([text])[0]}
    assert {("Владимир Путин", "person"), ("Москве", "location")} <= found


@pytest.mark.parametrize(("text", "word", "label"), [
    ("Скопив 25 рублей, он уехал.", "Скопив", "person"),  # a gerund opening a sentence
    ("Речная экосистема понесла потери.", "Речная", "location"),  # an adjective
    ("В Тульской и Псковской областях.", "Тульской", "location"),  # an adjective before an elided noun
    ("Тбилисский врач считает иначе.", "Тбилисский", "location"),
])
def test_a_one_word_span_that_is_never_a_noun_is_dropped(text: str, word: str, label: str) -> None:
    assert _adjust(text, _span(text, word, label)) == []


@pytest.mark.parametrize(("text", "word", "label"), [
    ("Навальный вернулся в Москву.", "Навальный", "person"),  # a surname that is also an adjective
    ("Грозный восстановлен.", "Грозный", "location"),  # a city that is also an adjective
    ("Путин приехал.", "Путин", "person"),
    ("Басманный суд решил.", "Басманный", "location"),  # an adjective, but also a place in the dictionary
    ("Вчера «Новая» опубликовала статью.", "Новая", "organization"),  # a word in quotes
])
def test_names_that_read_as_adjectives_too_stay(text: str, word: str, label: str) -> None:
    assert _adjust(text, _span(text, word, label)) == [(word, label)]


@pytest.mark.parametrize(("text", "model_span", "label", "mention"), [
    ("Он живёт на улице Садовой.", "Садовой", "location", "улице Садовой"),  # a descriptor joins it first
    ("Полковник Луговой ответил.", "Полковник Луговой", "person", "Луговой"),  # a title cut from a name
])
def test_a_word_the_other_rules_changed_is_not_dropped(text: str, model_span: str, label: str, mention: str) -> None:
    assert _adjust(text, _span(text, model_span, label)) == [(mention, label)]


@pytest.mark.parametrize(("text", "place", "body"), [
    ("Решение одобрили в правительстве Германии.", "Германии", "правительстве Германии"),
    ("Этого требует руководство России.", "России", "руководство России"),
    ("Вчера прибыла делегация Южной Кореи.", "Южной Кореи", "делегация Южной Кореи"),
    ("Матч выиграла сборная СССР.", "СССР", "сборная СССР"),
    ("Средства выделили в правительстве Новгородской области.", "Новгородской области",
     "правительстве Новгородской области"),
    ("Об этом спорят в этом правительстве России.", "России", "правительстве России"),  # no pronoun
    ("Это решили главные\nпарламент Грузии.", "Грузии", "парламент Грузии"),  # not across a line
])
def test_a_state_body_before_its_country_is_an_organisation_around_the_place(text: str, place: str,
                                                                             body: str) -> None:
    spans = russian.adjust(text, [_span(text, place, "location")], _morph())
    assert [(text[s.start : s.end], s.label, s.nested) for s in spans] == \
        [(body, "organization", False), (place, "location", True)]
    assert spans[0].normal is not None and spans[0].normal.endswith(place) and spans[0].normal[0].isupper()


@pytest.mark.parametrize(("text", "place"), [
    ("Власти Греции молчат.", "Греции"),  # "власти" is not among the bodies: often left unmarked
    ("Мы поедем в Германию.", "Германию"),  # no body
    ("Правительство Сирии и Ирака", "Ирака"),  # "и" stands between
    ("В правительстве он бывал. Германия молчит.", "Германия"),  # not right before the place
])
def test_no_state_body_no_organisation(text: str, place: str) -> None:
    assert _adjust(text, _span(text, place, "location")) == [(place, "location")]


def test_a_place_already_nested_in_a_name_gets_no_second_organisation() -> None:
    text = "Заявление сделал Комитет Германии по делам парламента Грузии."
    name = "Комитет Германии по делам парламента Грузии"
    spans = russian.state_bodies(text, [_span(text, name, "organization"),
                                        replace(_span(text, "Грузии", "location"), nested=True)], _morph())
    assert [(text[s.start : s.end], s.nested) for s in spans] == [(name, False), ("Грузии", True)]


def _nested(text: str, outer: str, rule: str) -> list[tuple[str, str]]:
    spans = russian.adjust(text, [_span(text, outer, "organization")], _morph(), rules=(rule,))
    return [(text[s.start : s.end], s.label) for s in spans if s.nested]


@pytest.mark.parametrize(("text", "outer", "inner"), [
    ("Об этом сообщил член правления «Газпром-Медиа».", "правления «Газпром-Медиа", "Газпром-Медиа"),
    ("Собрался совет директоров ОАО «Известия».", "совет директоров ОАО «Известия", "ОАО «Известия"),
    ("Выступил глава группы наблюдателей ОБСЕ.", "группы наблюдателей ОБСЕ", "ОБСЕ"),
    ("Заявки принимает Фонд посевного финансирования Microsoft.", "Фонд посевного финансирования Microsoft",
     "Microsoft"),
    ("Закон одобрила Палата представителей Конгресса США.", "Палата представителей Конгресса США",
     "Конгресса США"),
])
def test_an_organisation_inside_another_after_a_word_that_is_not_its_descriptor(text: str, outer: str,
                                                                                inner: str) -> None:
    assert _nested(text, outer, "nested_org") == [(inner, "organization")]


@pytest.mark.parametrize(("text", "outer"), [
    ("Клип показала группа «Ленинград».", "группа «Ленинград"),  # its own descriptor: one mention
    ("Патент получила социальная сеть Facebook.", "социальная сеть Facebook"),
    ("Картину продал аукционный дом Sotheby's.", "аукционный дом Sotheby's"),  # a kind of business
    ("Смартфон выпустил китайский производитель Huawei.", "китайский производитель Huawei"),
    ("Контроль перешёл к нефтетрейдеру Gunvor.", "нефтетрейдеру Gunvor"),  # right after the first word
    ("Выступил Совет Федерации.", "Совет Федерации"),  # no lower-case word before a name inside
])
def test_an_organisations_own_name_after_its_descriptor_is_not_nested(text: str, outer: str) -> None:
    assert _nested(text, outer, "nested_org") == []


@pytest.mark.parametrize(("text", "outer", "person"), [
    ("Спектакль идёт в ГМИИ им. Пушкина.", "ГМИИ им. Пушкина", "Пушкина"),
    ("Он играл в Театре Вахтангова.", "Театре Вахтангова", "Вахтангова"),
    ("Он учился в Московском университете имени М.В. Ломоносова.", "Московском университете имени М.В. Ломоносова",
     "М.В. Ломоносова"),
    ("Грант выделил фонд Джорджа Монтгомери.", "фонд Джорджа Монтгомери", "Джорджа Монтгомери"),
])
def test_a_person_an_organisation_is_named_after_is_a_mention_of_its_own(text: str, outer: str, person: str) -> None:
    assert _nested(text, outer, "nested_person") == [(person, "person")]


@pytest.mark.parametrize(("text", "outer"), [
    ("Звучал шлягер группы «Бич Бойз».", "группы «Бич Бойз"),  # a quoted name is the group's own
    ("Учёные Университета Кембриджа.", "Университета Кембриджа"),  # a place, not a person
    ("Матч выиграл ФК Спартак.", "ФК Спартак"),  # one word that reads as a first name, not a surname
])
def test_no_person_inside_a_quoted_name_or_a_place(text: str, outer: str) -> None:
    assert _nested(text, outer, "nested_person") == []


def test_a_house_is_no_organisation_descriptor() -> None:
    # "дом" names a business only with its adjective ("аукционный дом"); "в доме ФБК" is a search of a house
    text = "Силовики провели обыск в доме ФБК."
    assert _adjust(text, _span(text, "ФБК", "organization")) == [("ФБК", "organization")]


def _anaphors(text: str, *organisations: str) -> list[tuple[str, str]]:
    """(anaphor, the organisation it names) for organisations given by their surface, in order."""
    spans = [(text.index(o), text.index(o) + len(o)) for o in organisations]
    found = russian.descriptor_anaphors(text, spans, spans, _morph(), [(0, len(text))])
    return [(text[start:end], organisations[i]) for start, end, i in found]


def test_an_organisation_named_again_by_its_descriptor_alone_is_a_mention_of_it() -> None:
    text = ("Акционеры радиостанции «Эхо Москвы» собрались в среду. Венедиктов предлагал выкупить радиостанцию, "
            "а журналистам радиостанции принадлежит треть акций.")
    assert _anaphors(text, "радиостанции «Эхо Москвы»") == [
        ("радиостанцию", "радиостанции «Эхо Москвы»"), ("радиостанции", "радиостанции «Эхо Москвы»")]


def test_the_nearest_organisation_with_that_descriptor_is_named() -> None:
    text = ("Акции компании «Лукойл» выросли. Акции компании «Роснефть» упали. Представитель компании "
            "сообщил об этом.")
    assert _anaphors(text, "компании «Лукойл»", "компании «Роснефть»") == [("компании", "компании «Роснефть»")]
    # "Сборная России" opens with a capital: the descriptor is part of the name and not read as one
    text = "Сборная России сыграла с командой Армении. Главный тренер сборной оценил итоги матча."
    assert _anaphors(text, "Сборная России") == []


@pytest.mark.parametrize(("later", "anaphor"), [
    ("Тираж ежедневной газеты вырос.", "ежедневной газеты"),  # the organisation's own adjective joins it
    ("Тираж этой газеты вырос.", "газеты"),  # a demonstrative points back to it: the descriptor alone
    ("По данным газеты, тираж вырос.", "газеты"),  # "данным" does not agree with it: no part of it
    ("Тираж британской газеты вырос.", None),  # another paper
    ("Российская газета сообщила об этом.", None),
    ("Газета перестала выходить.", "Газета"),  # at a sentence's start, capitalised
    ("Он читает газеты каждый день.", None),  # a plural here, though "газеты" also reads as one paper's
])
def test_an_adjective_before_the_descriptor_must_be_the_organisations_own(later: str, anaphor: str | None) -> None:
    text = "Главный редактор ежедневной газеты «Коммерсантъ» ушёл в отставку. " + later
    found = _anaphors(text, "ежедневной газеты «Коммерсантъ»")
    assert found == ([(anaphor, "ежедневной газеты «Коммерсантъ»")] if anaphor else [])


def test_a_countrys_adjective_is_not_matched_to_a_country_in_the_name() -> None:
    """Adjectives are matched by their dictionary form only: a country's adjective is not guessed
    from the country's name (a prefix would pair Австрия with Австралия, Нигер with Нигерия)."""
    text = "Глава правительства Австрии прилетел в Канберру. Австралийское правительство его встретило."
    assert _anaphors(text, "правительства Австрии") == []
    text = "Глава правительства Украины выступил в Раде. Российское правительство ответило ему."
    assert _anaphors(text, "правительства Украины") == []


@pytest.mark.parametrize("later", [
    "Он создал собственный театр.",  # a word that points to another one
    "Ни один банк не подал заявку.",
    "Коммерческие банки отказались.",  # plural: many, not the one
    "Нефтяные компании отказались.",  # plural, though "компании" also reads as a singular
    "Эти компании отказались.",
    "Две компании отказались.",
    "Это решил совет директоров.",  # followed by a genitive: a board of directors
    "Новость появилась на сайте Кремля.",  # followed by a name
    "Движение на трассе перекрыли.",  # "движение" is as often traffic: never an anaphor
    "После введения санкций компании начали уходить с рынка.",  # a plural before a plural verb
    "Ещё 3 компании отказались.",
    "На театре военных действий наступило затишье.",  # followed by a genitive after its adjective
])
def test_no_anaphor_where_the_descriptor_points_elsewhere(later: str) -> None:
    text = ("Представители театра «Современник», банка «Открытие», компании «Лукойл», совета «Мемориала», "
            "движения «Яблоко» и сайта «Медуза» пришли. " + later)
    organisations = ("театра «Современник»", "банка «Открытие»", "компании «Лукойл»", "совета «Мемориала»",
                     "движения «Яблоко»", "сайта «Медуза»")
    assert _anaphors(text, *organisations) == []


def test_an_anaphor_names_an_organisation_and_never_an_armed_group() -> None:
    """An armed group's descriptor alone ("группировка", "движение") is any group of its kind: the
    entity stage reads organisations only."""
    from dataclasses import replace

    from threatwatch.entities.extract import _russian_descriptor_anaphors
    from threatwatch.pipeline import process
    from threatwatch.records import RawDocument

    text = "Представители партии «Справедливая Россия» провели съезд в Москве. Лидер партии выступил с докладом."
    doc = process(RawDocument(path="ru.txt", content=text, is_html=False))
    named = [m for m in doc.mentions if m.text.startswith("партии «")]
    assert named and any(m.text == "партии" and m.entity_id == named[0].entity_id for m in doc.mentions)
    mentions = [m for m in doc.mentions if m.text != "партии"]
    assert [m.text for m in _russian_descriptor_anaphors(doc, mentions)] == ["партии"]
    as_group = [replace(m, type="armed_group") if m is named[0] else m for m in mentions]
    assert _russian_descriptor_anaphors(doc, as_group) == []


def test_no_anaphor_before_its_organisation_is_named() -> None:
    text = "Радиостанцию продали. Потом радиостанция «Эхо Москвы» сменила владельца."
    assert _anaphors(text, "радиостанция «Эхо Москвы»") == []


def test_an_anaphor_links_to_its_organisations_entity_in_the_pipeline() -> None:
    from threatwatch.pipeline import process
    from threatwatch.records import RawDocument

    text = ("Главный редактор радиостанции «Эхо Москвы» Алексей Венедиктов рассказал о переговорах с "
            "акционерами. По его словам, «Газпром-Медиа» не собирается продавать радиостанцию.")
    doc = process(RawDocument(path="ru.txt", content=text, is_html=False))
    by_text = {m.text: m for m in doc.mentions}
    assert "радиостанцию" in by_text, sorted(by_text)
    station = next(m for m in doc.mentions if m.type == "organization" and "Эхо" in m.text)
    assert by_text["радиостанцию"].entity_id == station.entity_id
    assert doc.text[by_text["радиостанцию"].start : by_text["радиостанцию"].end] == "радиостанцию"


@pytest.mark.parametrize(("text", "word", "kept"), [
    ("Магазин принадлежит семье Пугачевых.", "Пугачевых", False),  # a family, not a person
    ("Премия имени братьев Стругацких вручается ежегодно.", "Стругацких", False),
    ("Пугачев продал магазин.", "Пугачев", True),
    ("Представители фонда Ротшильдов приехали.", "Ротшильдов", False),  # nested in a name as well
    ("На вопросы Ливанов отвечал коротко.", "Ливанов", True),  # a surname that also reads as a plural place
])
def test_a_surname_in_the_plural_alone_names_a_family_not_a_person(text: str, word: str, kept: bool) -> None:
    assert (_adjust(text, _span(text, word, "person")) == [(word, "person")]) is kept
