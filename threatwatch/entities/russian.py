"""Russian span conventions, applied to the NER model's spans before the shared span rules.

They follow the annotation guidelines of factRuEval-2016 (the Russian evaluation set of issue #3),
where a mention is the whole noun group that names the organisation or place:
* a generic noun that types an organisation belongs to it, with its adjectives: "компанией
  Roxbury", "социальной сети Instagram", "партии «Яблоко»"; so does a place's: "реки Быстрицы",
  "штата Огайо";
* a country a body belongs to, written after it in the genitive, belongs to it: "Конгресса США",
  "Министерство обороны Индии"; so does a state body named only by its common noun:
  "правительства Украины", "сборная России" (the country stays a mention of its own inside);
* a name with its abbreviation in brackets is two mentions: "Федеральная таможенная служба" and
  "ФТС" in "Федеральная таможенная служба (ФТС)";
* a place named inside an organisation's name is a mention of its own as well: "Москвы" in "Эха
  Москвы", "РФ" in "МИД РФ" (a nested span, so the place links too);
* an organisation a body belongs to, named inside the body's span after a word that is not the
  body's own descriptor, is a mention of its own, nested: "Газпром-Медиа" in "правления
  «Газпром-Медиа»", "ОБСЕ" in "группы наблюдателей ОБСЕ"; so is a person an organisation is named
  after: "Пушкина" in "ГМИИ им. Пушкина", "Вахтангова" in "Театре Вахтангова";
* a person's mention starts at the name, not at a title or any other common word the model took
  in before it ("Полковник Васин" is Васин);
* quotation marks are not part of a name: a name ends before its closing quote ("ОАО «Северный
  ветер»" is the mention ОАО «Северный ветер, the opening quote kept inside as written).

The rules change offsets only; a span keeps the model's normal form of the name itself, so
"Roxbury" and "компанией Roxbury" link to one entity (an organisation merged with its country
gets "Конгресс США").
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

from threatwatch.entities.names import starts_a_sentence
from threatwatch.entities.ner import NamedSpan

# Nouns that name a kind of organisation (dictionary forms). Written from the factRuEval guidelines'
# notion of an organisation descriptor; lower-case, matched on pymorphy's lemma.
DESCRIPTORS = frozenset({
    "агентство", "информагентство", "агенство", "ассоциация", "академия", "авиакомпания", "банк", "блок", "бюро",
    "ведомство", "галерея", "газета", "группа", "департамент", "движение", "еженедельник", "журнал", "завод",
    "издание", "издательство", "институт", "канал", "киностудия", "клуб", "коалиция", "команда", "комиссия",
    "комитет", "компания", "консорциум", "концерн", "корпорация", "министерство", "медиагруппа", "медиахолдинг",
    "мессенджер", "музей", "объединение", "организация", "партия", "палата", "парламент", "портал", "правительство",
    "прокуратура", "профсоюз", "радиостанция", "радио", "ретейлер", "ритейлер", "сайт", "сборная", "сеть",
    "соцсеть", "служба", "совет", "союз", "студия", "телеканал", "телекомпания", "театр", "университет",
    "управление", "училище", "фабрика", "федерация", "фирма", "фонд", "фракция", "холдинг", "центр"
})

# Nouns for a kind of business that stand before its own name ("аукционный дом Sotheby's",
# "производитель Huawei", "интернет-магазин Ozon"); not descriptors (a name after "дом" is most often
# an owner's: "в доме ФБК"), but a name after them is no organisation nested in another.
BUSINESS_KINDS = frozenset({
    "дом", "магазин", "интернет-магазин", "производитель", "оператор", "сервис", "бренд", "марка", "ритейлер",
    "нефтетрейдер", "трейдер", "перевозчик", "застройщик", "девелопер", "поставщик", "дистрибьютор", "биржа",
})

# Nouns that name a kind of place (factRuEval's location descriptors: "реки Быстрицы", "штата
# Огайо", "замке Шёнбрунн").
PLACE_DESCRIPTORS = frozenset({
    "город", "посёлок", "поселок", "село", "деревня", "станица", "хутор", "штат", "район", "микрорайон", "улица",
    "проспект", "площадь", "переулок", "бульвар", "шоссе", "набережная", "река", "озеро", "море", "залив", "пролив",
    "остров", "полуостров", "гора", "хребет", "мыс", "долина", "пустыня", "замок", "храм", "собор", "монастырь",
    "дворец", "промзона", "аэропорт", "вокзал"
})

# Common nouns of a state's own bodies: with the country after them in the genitive they name an
# organisation ("правительство Белоруссии", "руководства России", "сборной СССР"). Kept to the
# bodies a state has one of; "власти", "суд" and "армия" are left out (factRuEval often leaves
# "власти Греции" unmarked, and a court or army of a place is often not the state's).
STATE_BODIES = frozenset({
    "правительство", "руководство", "парламент", "сборная", "делегация", "посольство", "представительство",
    "кабмин",
})

# Between a descriptor and a quoted name only the opening quote stands.
_OPEN_QUOTES = "«\"„“"
_CLOSE_QUOTES = "»\"”“"
# parts of speech (pymorphy's OpenCorpora tags) that never name anything on their own
_NOT_NOUNS = frozenset({"VERB", "INFN", "GRND", "PRTF", "PRTS", "ADJF", "ADJS", "COMP", "ADVB"})
_WORD_BEFORE = re.compile(r"(?:^|(?<=[\s(]))([\w-]+)(\s+[«\"„“]?|[«\"„“])$")
MAX_ADJECTIVES = 2
_CAPITALISED = re.compile(r"[А-ЯЁ][а-яё-]+")


class Morphology:
    """pymorphy's parses, memoised (the same few descriptor words recur)."""

    def __init__(self, vocab: Any) -> None:
        self.vocab = vocab  # natasha's MorphVocab (pymorphy2 inside)
        self._cache: dict[str, list] = {}

    def parses(self, word: str) -> list:
        found = self._cache.get(word)
        if found is None:
            if len(self._cache) > 20_000:
                self._cache.clear()
            found = self._cache[word] = self.vocab.parse(word)
        return found

    def descriptor_cases(self, word: str, label: str = "organization") -> set[str]:
        """Cases in which `word` is a form of a descriptor of `label` (empty if it is none);
        an organisation's compounds count by their last part ("панк-группы")."""
        if label == "organization":
            return {p.tag.case for p in self.parses(word.lower())
                    if "NOUN" in p.tag and p.normal_form.rsplit("-", 1)[-1] in DESCRIPTORS and p.tag.case}
        # a plural one names no single place ("в городах Украины": the place is Украины)
        return {p.tag.case for p in self.parses(word.lower())
                if "NOUN" in p.tag and p.normal_form in PLACE_DESCRIPTORS and p.tag.case and p.tag.number == "sing"}

    def name_parses(self, word: str) -> list:
        """The parses of a capitalised Cyrillic word, as a name is written; none for any other word."""
        return self.parses(word) if _CAPITALISED.fullmatch(word) else []

    def dependent(self, word: str) -> bool:
        """A Cyrillic name word that is a noun or adjective and cannot be a nominative
        ("Северного", "Ростелекома"): after a descriptor it names the owner ("сайта «Северного
        банка»", "совет Ростелекома"), not the descriptor's own name."""
        parses = self.name_parses(word)
        nominal = all({"NOUN", "ADJF", "PRTF"} & p.tag.grammemes for p in parses)
        return bool(parses) and nominal and not any(p.tag.case == "nomn" or "Fixd" in p.tag for p in parses)

    def adjective_cases(self, word: str) -> set[str]:
        return {p.tag.case for p in self.parses(word) if ("ADJF" in p.tag or "PRTF" in p.tag) and p.tag.case}

    def pronoun(self, word: str) -> bool:
        """A pronominal adjective ("всё", "своей", "этом"), which is no part of a name."""
        return any("Apro" in p.tag for p in self.parses(word.lower()))

    def genitive_place(self, word: str) -> bool:
        return any("Geox" in p.tag and p.tag.case == "gent" for p in self.parses(word))

    def common_word(self, word: str) -> bool:
        """A Cyrillic word the dictionary knows only as a common word, never as a first name,
        surname or patronymic: "Полковник", "Премьер-министр", "профессору", "Нравился"."""
        if not re.fullmatch(r"[А-ЯЁа-яё-]+", word):
            return False
        parses = self.parses(word)
        return bool(parses) and all(p.is_known for p in parses) and \
            not any({"Name", "Surn", "Patr", "Init", "Geox", "Orgn", "Abbr"} & p.tag.grammemes for p in parses)

    def surname(self, word: str) -> bool:
        parses = self.parses(word)
        return bool(parses) and "Surn" in parses[0].tag.grammemes

    def family_name(self, word: str) -> bool:
        """One word that reads only as a surname or patronymic in the plural names a family, not a
        person ("семье Пугачевых", "братьев Стругацких", "для Вандербильтов и Ротшильдов")."""
        parses = self.name_parses(word)
        family = {"Surn", "Patr"}
        return bool(parses) and bool(family & parses[0].tag.grammemes) and parses[0].tag.number == "plur" \
            and not any(p.tag.number == "sing" and (family | {"Name"}) & p.tag.grammemes for p in parses)

    def business_kind(self, word: str) -> bool:
        """A noun for a kind of business ("производитель", "магазина", "дома" as in "аукционного
        дома"): a name after it is the business's own."""
        return any("NOUN" in p.tag and p.normal_form in BUSINESS_KINDS for p in self.parses(word.lower()))

    def owner_word(self, word: str) -> bool:
        """A capitalised Cyrillic noun or adjective whose likeliest reading is a genitive and that
        is no place or person: the start of a name that owns what comes before it ("Палаты
        представителей Конгресса", "комиссии Европейского союза"), not "Театра на Таганке"."""
        parses = self.name_parses(word)
        return bool(parses) and parses[0].tag.case == "gent" and bool({"NOUN", "ADJF"} & parses[0].tag.grammemes) \
            and not {"Geox", "Name", "Surn", "Patr"} & parses[0].tag.grammemes

    def personal_name(self, word: str) -> bool:
        """A capitalised Cyrillic word whose likeliest reading is a first name, surname or patronymic."""
        parses = self.name_parses(word)
        return bool(parses) and bool({"Name", "Surn", "Patr"} & parses[0].tag.grammemes)

    def never_a_noun(self, word: str) -> bool:
        """A Cyrillic word the dictionary knows only as a verb, gerund, participle, adjective or
        adverb, never as a name or a noun: "Скопив", "Успокоил", "Речная", "Тбилисский" (not
        "Московскому", which may be the surname Московский, nor "Грозный"): a common word
        (`common_word`) whose every reading is one of those parts of speech."""
        return self.common_word(word) and all(p.tag.POS in _NOT_NOUNS for p in self.parses(word))

    def place_lemma(self, word: str) -> str | None:
        """The dictionary form of a capitalised geographical name in the genitive ("Москвы" ->
        "Москва", "РФ" -> "РФ"); None for any other word. Only the most likely parse counts, so a
        surname or a common noun that could also be a place is not taken."""
        if not re.fullmatch(r"[А-ЯЁ][А-ЯЁа-яё-]*", word):
            return None
        parses = self.parses(word)
        if not parses or "Geox" not in parses[0].tag or not any(p.tag.case == "gent" for p in parses):
            return None
        lemma = parses[0].normal_form
        return lemma.upper() if word.isupper() else "-".join(part.capitalize() for part in lemma.split("-"))


def strip_closing_quote(text: str, span: NamedSpan) -> NamedSpan:
    end = span.end
    while end - 1 > span.start and text[end - 1] in _CLOSE_QUOTES:
        end -= 1
    return span if end == span.end else replace(span, end=end)


def with_descriptor(text: str, span: NamedSpan, morph: Morphology, rules: Sequence[str] = ("descriptor", "place"),
                    floor: int = 0) -> NamedSpan:
    """An organisation's span starts at the descriptor before it ("компанией Roxbury", "партии
    «Яблоко»") and that descriptor's agreeing adjectives ("социальной сети Instagram"); a place's
    at its descriptor ("реке Быстрице"). Nothing before `floor` (the previous span's end) is taken."""
    if not (span.label == "organization" and "descriptor" in rules or span.label == "location" and "place" in rules):
        return span
    found = _WORD_BEFORE.search(text, floor, span.start)
    if not found or (found.group(1)[0].isupper() and not starts_a_sentence(text, found.start(1))):
        return span
    cases = morph.descriptor_cases(found.group(1), span.label)
    first = re.match(r"[\w-]+", text[span.start : span.end].lstrip(_OPEN_QUOTES))
    if not cases or (span.label == "organization" and first and morph.dependent(first.group())):
        return span
    start = found.start(1)
    for _ in range(MAX_ADJECTIVES if span.label == "organization" else 0):
        prev = re.search(r"(?:^|(?<=\s))([а-яё-]+)\s+$", text[:start])
        if not prev or prev.start(1) < floor or not morph.adjective_cases(prev.group(1)) & cases:
            break
        start = prev.start(1)
    return replace(span, start=start)


_PARENTHESIS = re.compile(r"\s*\(([^()]+)\)$")


def split_parenthesis(text: str, span: NamedSpan) -> list[NamedSpan]:
    """A name with its abbreviation or original spelling in brackets is two mentions:
    "Федеральной таможенной службы (ФТС)" -> the service, and ФТС."""
    opened = text.rfind("(", span.start, span.end)
    if opened > span.start and ")" not in text[opened : span.end] and text[span.end : span.end + 1] == ")" \
            and text[opened + 1 : opened + 2].isupper():
        # the model stopped before closing the bracket it took in ("… авиации (ICAO")
        normal = span.normal
        if normal and "(" in normal and ")" not in normal[normal.rfind("(") :]:
            normal += ")"
        span = replace(span, end=span.end + 1, normal=normal)
    found = _PARENTHESIS.search(text, span.start, span.end)
    if not found or found.start() == span.start:
        return [span]
    inner = found.group(1)
    normal = span.normal
    head_normal = normal[: -len(found.group())] if normal and normal.endswith(found.group()) else None
    return [replace(span, end=found.start(), normal=head_normal),
            replace(span, start=found.start(1), end=found.end(1), normal=inner)]


def with_country(text: str, spans: Sequence[NamedSpan], morph: Morphology) -> list[NamedSpan]:
    """An organisation directly followed by a country or region in the genitive is one name:
    "Конгресса США", "Центральный банк Бразилии"."""
    out: list[NamedSpan] = []
    for span in spans:
        last = out[-1] if out else None
        if (last is not None and last.label == "organization" and span.label == "location"
                and text[last.end : span.start] == " " and " " not in text[span.start : span.end]
                and morph.genitive_place(text[span.start : span.end])):
            normal = f"{last.normal or text[last.start:last.end]} {text[span.start:span.end]}"
            out[-1] = replace(last, end=span.end, normal=normal)
            continue
        out.append(span)
    return out


_WORD = re.compile(r"[\w-]+")
_NOUN_BEFORE = re.compile(r"(?:^|(?<=[\s(]))([А-ЯЁа-яё-]+) $")
_ADJECTIVE_BEFORE = re.compile(r"(?:^|(?<=\s))([а-яё-]+) +$")


def state_bodies(text: str, spans: Sequence[NamedSpan], morph: Morphology) -> list[NamedSpan]:
    """A state body's common noun right before a country or place in the genitive, outside any
    span, names an organisation with it ("правительства Украины" -> "Правительство Украины"), with
    the noun's agreeing adjectives ("российской сборной России" is rare, "греческого правительства" is
    not followed by a place); the place stays a mention of its own, nested inside."""
    out: list[NamedSpan] = []
    floor = 0  # the end of every span so far, nested ones included: nothing is built across one
    for span in spans:
        body = _state_body(text, span, floor, morph)
        out += [body, replace(span, nested=True)] if body else [span]
        floor = max(floor, span.end)
    return out


def _state_body(text: str, span: NamedSpan, floor: int, morph: Morphology) -> NamedSpan | None:
    """The organisation a state body's noun before the place `span` names, if any (nothing before `floor`)."""
    if span.label != "location" or span.nested:
        return None
    found = _NOUN_BEFORE.search(text, max(floor, span.start - 40), span.start)
    if not found or not any(p.tag.case == "gent" for p in morph.parses(text[span.start : span.end].split()[-1])):
        return None
    noun = found.group(1)
    bodies = [p for p in morph.parses(noun.lower()) if "NOUN" in p.tag and p.normal_form in STATE_BODIES]
    if not bodies or (noun[0].isupper() and not starts_a_sentence(text, found.start(1))):
        return None
    start = found.start(1)
    cases = {p.tag.case for p in bodies}
    for _ in range(MAX_ADJECTIVES):
        # an agreeing adjective on the same line, not a pronoun ("всё руководство", "своей делегации")
        prev = _ADJECTIVE_BEFORE.search(text, max(floor, start - 40), start)
        if not prev or not morph.adjective_cases(prev.group(1)) & cases or morph.pronoun(prev.group(1)):
            break
        start = prev.start(1)
    normal = f"{bodies[0].normal_form.capitalize()} {text[span.start:span.end]}"
    return NamedSpan(start, span.end, "organization", normal)


_OPENING_QUOTE = re.compile(r"[«\"„“]\s*$")


def nested_places(text: str, spans: Sequence[NamedSpan], morph: Morphology) -> list[NamedSpan]:
    """Places named inside organisation names, after the first word: "МИД РФ", "Конгресса США",
    "радиостанции «Эхо Москвы»", "партии «Единая Россия»"."""
    out = []
    for span in spans:
        if span.label != "organization":
            continue
        for word in list(_WORD.finditer(text, span.start, span.end))[1:]:
            lemma = morph.place_lemma(word.group())
            if lemma:
                out.append(NamedSpan(word.start(), word.end(), "location", lemma, nested=True))
    return out


_TOKEN = re.compile(r"\S+")
_LATIN_OR_ACRONYM = re.compile(r"[A-Za-z][\w.&!'-]*|[А-ЯЁ]{2,}")
_LEGAL_FORMS = frozenset({"ОАО", "ЗАО", "ООО", "ПАО", "АО", "ГУП", "ФГУП", "МУП", "НКО", "АНО"})


def nested_organisations(text: str, spans: Sequence[NamedSpan], morph: Morphology) -> list[NamedSpan]:
    """An organisation named inside an organisation's span, after a lower-case word that is not a
    descriptor, as factRuEval marks it: a body of an organisation is one mention and the
    organisation another ("правления «Газпром-Медиа»" -> Газпром-Медиа, "группы наблюдателей ОБСЕ" ->
    ОБСЕ, "Палаты представителей Конгресса США" -> Конгресса США). A name right after the span's
    first word, or after a descriptor or a kind of business, is the organisation's own and no
    mention of its own ("социальной сети Facebook", "группа «Ленинград»", "китайский производитель
    Huawei", "аукционного дома Sotheby's")."""
    out: list[NamedSpan] = []
    for span, words in _organisation_words(text, spans):
        inner = _inner_organisation(words, morph)
        if inner is not None:
            out.append(NamedSpan(inner, span.end, "organization", None, nested=True))
    return out


def _organisation_words(text: str, spans: Sequence[NamedSpan]) -> Iterator[tuple[NamedSpan, list[re.Match[str]]]]:
    """The outer organisation spans of two or more words that open with a Cyrillic word, and their words."""
    for span in spans:
        if span.label == "organization" and not span.nested:
            words = list(_TOKEN.finditer(text, span.start, span.end))
            if len(words) >= 2 and re.match(r"[А-ЯЁа-яё]", words[0].group()):
                yield span, words


def _bare(word: str) -> str:
    return word.strip(_OPEN_QUOTES + _CLOSE_QUOTES + ".,;:()")


def _inner_organisation(words: list[re.Match[str]], morph: Morphology) -> int | None:
    """Where the organisation inside a span of `words` starts, if one does: a quoted name after the
    first word (from its legal form, if one stands before the quote); a run of Latin words or
    acronyms that ends the span, or a capitalised genitive name, from the third word on (right
    after the first word a name is that word's own: "нефтетрейдера Gunvor")."""
    def after_a_body(i: int, nearest: int) -> bool:
        """Word i, at index `nearest` or further, follows a lower-case word that names neither a
        kind of organisation nor a kind of business."""
        before = _bare(words[i - 1].group())
        return i >= nearest and before.islower() and not morph.descriptor_cases(before) \
            and not morph.business_kind(before)

    quoted = [i for i in range(1, len(words)) if words[i].group()[0] in _OPEN_QUOTES]
    if quoted:
        i = quoted[-1]
        if i >= 2 and _bare(words[i - 1].group()) in _LEGAL_FORMS:
            return words[i - 1].start() if after_a_body(i - 1, 1) else None
        return words[i].start() + 1 if after_a_body(i, 1) else None
    run = len(words)
    while run > 1 and _LATIN_OR_ACRONYM.fullmatch(_bare(words[run - 1].group())) \
            and not morph.place_lemma(_bare(words[run - 1].group())):
        run -= 1
    if run < len(words):
        return words[run].start() if after_a_body(run, 2) else None
    for i in range(len(words) - 1, 1, -1):
        word = _bare(words[i].group())
        if word[:1].isupper() and morph.owner_word(word) and after_a_body(i, 2):
            return words[i].start()  # "… Конгресса США", "… Университета Кембриджа", "… Европейского союза"
    return None


_INITIALS = re.compile(r"(?:[А-ЯЁ]\.){1,2}")


def nested_persons(text: str, spans: Sequence[NamedSpan], morph: Morphology) -> list[NamedSpan]:
    """A person named at the end of an organisation's span, who it is named after or who leads it,
    is a mention of its own, as factRuEval marks it: "ГМИИ им. Пушкина", "Театре Вахтангова",
    "фонд Джорджа Монтгомери", "Администрация Обамы". One word alone must read as a surname first
    ("ФК Спартак" is a club, not the first name Спартак)."""
    out: list[NamedSpan] = []
    for span, words in _organisation_words(text, spans):
        first = len(words)
        while first > 1 and (_INITIALS.fullmatch(words[first - 1].group())
                             or morph.personal_name(words[first - 1].group())):
            first -= 1
        if first == len(words) or (first == len(words) - 1 and not morph.surname(words[first].group())):
            continue
        start = words[first].start()
        # a quoted name is the organisation's own ("группы «Бич Бойз»"), whatever its words
        if not any(q in text[span.start : start] for q in _OPEN_QUOTES):
            out.append(NamedSpan(start, span.end, "person", None, nested=True))
    return out


# Descriptors that can name an organisation again on their own. Left out: those that are as often
# ordinary nouns of another sense ("движение" traffic, "совет" advice, "сеть" a network, "центр" a
# centre, "управление" control, "группа" any group), which would make any such word a mention.
ANAPHORIC_DESCRIPTORS = DESCRIPTORS - {
    "группа", "движение", "совет", "сеть", "центр", "канал", "блок", "радио", "управление", "объединение",
    "организация", "команда", "служба", "союз", "палата", "федерация", "комиссия",
}

# Words before a descriptor that point away from the organisation named earlier ("свой театр",
# "другая компания", "ни один банк", "каждый фонд"); "этот" points back to it.
_ELSEWHERE = frozenset({
    "свой", "собственный", "другой", "иной", "один", "каждый", "любой", "какой", "какой-либо", "какой-то",
    "некоторый", "такой", "всякий", "никакой", "чей", "наш", "ваш", "мой", "твой", "новый", "первый", "второй",
})
_CONTEXT = 80  # characters either side of a candidate word that its neighbours are read from
_PREVIOUS = re.compile(r"(?:^|(?<=\s))([А-ЯЁа-яё][а-яё-]*|\d[\d.,]*)\s+$")
_NEXT = re.compile(r"\s+([«\"„“']?)([\w-]+)")


def descriptor_anaphors(text: str, organisations: Sequence[tuple[int, int]], taken: Sequence[tuple[int, int]],
                        morph: Morphology, within: Sequence[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """Later mentions of an organisation by its descriptor alone, as factRuEval marks them: after
    "радиостанция «Эхо Москвы»", "выкупить радиостанцию" and "журналистам радиостанции" name it too.
    `organisations`: the document's organisation mentions (not armed groups: "вооружённая группа"
    is any group), in order; `taken`: every mention (a descriptor inside one is no mention of its
    own); `within`: the Russian stretches of the text. Returns (start, end, index of the
    organisation it names): the nearest one before it that opens with the same descriptor
    (ANAPHORIC_DESCRIPTORS). Left out: a descriptor followed by a name or a genitive ("совет
    директоров", "сайте Кремля", "театре военных действий"); one after a word pointing elsewhere
    ("свой театр"), a numeral or a plural ("две компании", "3 компании", "российские компании");
    one that reads as a plural where it stands ("компании начали уходить", "читает газеты"); one
    with an adjective the organisation's own mention does not have ("британское издание" after
    "издания «Коммерсантъ»"). Adjectives it has join it ("ежедневной газеты")."""
    heads = [(i, lemma) for i, (start, end) in enumerate(organisations)
             if (lemma := _opening_descriptor(text, start, end, morph))]
    if not heads:
        return []
    stems = sorted({lemma[: max(3, len(lemma) - 2)] for _, lemma in heads}, key=len, reverse=True)
    candidate = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, stems)) + r")[а-яё-]*(?![\w-])", re.IGNORECASE)
    out: list[tuple[int, int, int]] = []
    for lo, hi in within:
        for word in candidate.finditer(text, lo, hi):
            if any(a <= word.start() < b for a, b in taken) or \
                    not (word.group().islower() or starts_a_sentence(text, word.start())):
                continue
            forms = [p for p in morph.parses(word.group().lower()) if "NOUN" in p.tag]
            lemmas = {p.normal_form for p in forms if p.tag.number == "sing"}
            before = [i for i, lemma in heads if lemma in lemmas and organisations[i][1] <= word.start()]
            if not before or _names_something_else(text, word.end(), hi, morph):
                continue
            own_words = {p.normal_form for w in _WORD.finditer(text, *organisations[before[-1]])
                         for p in morph.parses(w.group().lower())[:1]}
            start = _anaphor_start(text, word, max(lo, word.start() - _CONTEXT), forms, morph, own_words)
            if start is not None and not (start == word.start() and _reads_as_plural(text, word, lo, hi, forms, morph)):
                out.append((start, word.end(), before[-1]))
    return out


def _opening_descriptor(text: str, start: int, end: int, morph: Morphology) -> str | None:
    """The dictionary form of the descriptor an organisation's mention opens with, after its
    adjectives if any ("ежедневной газеты «Коммерсантъ»" → газета); None when it opens with its name."""
    for word in _WORD.finditer(text, start, end):
        if not word.group().islower():
            return None
        parses = morph.parses(word.group())
        lemma = next((p.normal_form for p in parses if "NOUN" in p.tag and p.normal_form in ANAPHORIC_DESCRIPTORS),
                     None)
        if lemma or not morph.adjective_cases(word.group()):
            return lemma
    return None


def _names_something_else(text: str, end: int, limit: int, morph: Morphology) -> bool:
    """The descriptor is followed by a name, or by a noun in the genitive after any genitive
    adjectives ("совет директоров", "театре военных действий"): it is that one's."""
    for _ in range(MAX_ADJECTIVES + 1):
        after = _NEXT.match(text[end : min(limit, end + _CONTEXT)])
        if not after:
            return False
        word = after.group(2)
        if after.group(1) or not word.islower():
            return True
        first = morph.parses(word)[:1]
        if not first or first[0].tag.case != "gent":
            return False
        if "NOUN" in first[0].tag:
            return True
        if not {"ADJF", "PRTF"} & first[0].tag.grammemes:
            return False
        end += after.end()
    return False


def _anaphor_start(text: str, word: re.Match[str], floor: int, forms: list, morph: Morphology,
                   own_words: set[str]) -> int | None:
    """Where the anaphor starts, or None when a word before it says it is another organisation or
    several: at the adjectives before it, each one the organisation's own mention also has, else at
    the descriptor. A word that does not agree with it (case and number) is no part of it ("по
    данным издания"); a demonstrative points back to the organisation ("этот мессенджер")."""
    noun = {(p.tag.case, p.tag.number) for p in forms}
    start = word.start()
    for _ in range(MAX_ADJECTIVES):
        prev = _PREVIOUS.search(text, floor, start)
        if not prev:
            break
        if prev.group(1)[0].isdigit():
            return None  # "3 компании"
        if prev.group(1)[0].isupper() and not starts_a_sentence(text, prev.start(1)):
            break
        parses = morph.parses(prev.group(1).lower())
        if not parses:
            break
        if parses[0].normal_form in _ELSEWHERE or "NUMR" in parses[0].tag:
            return None  # "свой театр", "две компании"
        agreeing = {(p.tag.case, p.tag.number) for p in parses
                    if {"ADJF", "PRTF"} & p.tag.grammemes and (p.tag.case, p.tag.number) in noun}
        if not agreeing:
            break
        if all(number == "plur" for _, number in agreeing):
            return None  # "российские компании", "эти компании"
        if "Apro" in parses[0].tag:
            break
        if parses[0].normal_form not in own_words:
            return None  # "британское издание"
        start = prev.start(1)
    return start


def _reads_as_plural(text: str, word: re.Match[str], floor: int, limit: int, forms: list, morph: Morphology) -> bool:
    """A descriptor alone that could also be a nominative or accusative plural ("компании",
    "газеты") and stands as one: before a plural verb ("компании начали") or right after a verb
    ("читает газеты", "были компании")."""
    if not any(p.tag.number == "plur" and p.tag.case in ("nomn", "accs") for p in forms):
        return False
    after = _NEXT.match(text[word.end() : min(limit, word.end() + _CONTEXT)])
    if after and not after.group(1):
        first = morph.parses(after.group(2).lower())[:1]
        if first and {"VERB", "PRTS", "ADJS"} & first[0].tag.grammemes and first[0].tag.number == "plur":
            return True
    prev = _PREVIOUS.search(text, max(floor, word.start() - _CONTEXT), word.start())
    if prev and not prev.group(1)[0].isdigit():
        first = morph.parses(prev.group(1).lower())[:1]
        return bool(first) and bool({"VERB", "INFN"} & first[0].tag.grammemes)
    return False


def place_without_adjectives(text: str, span: NamedSpan, morph: Morphology) -> NamedSpan:
    """A place's mention is its name: lower-case adjectives a model took in before a one-word name
    are left out ("русскоязычный Крым", "подмосковном Сколково", "всей Ботсване"). A longer name keeps
    them; they may be part of it ("самопровозглашенной Донецкой народной республики")."""
    if span.label != "location":
        return span
    words = list(_WORD.finditer(text, span.start, span.end))
    if len(words) < 2 or not words[-1].group()[0].isupper():
        return span
    if not all(w.group().islower() and morph.adjective_cases(w.group()) for w in words[:-1]):
        return span
    normal = span.normal.split() if span.normal else []
    return replace(span, start=words[-1].start(), normal=normal[-1] if len(normal) == len(words) else None)


def without_common_words(text: str, span: NamedSpan, morph: Morphology) -> NamedSpan:
    """A person's name starts at the name: a title or any other common word the model took in
    before it is left out ("Полковник Васин", "профессору Баженову", "Нравился Сталину")."""
    if span.label != "person":
        return span
    start, dropped = span.start, 0
    words = list(_WORD.finditer(text, span.start, span.end))
    for word, following in zip(words, words[1:], strict=False):
        if not morph.common_word(word.group()):
            break
        start, dropped = following.start(), dropped + 1
    if not dropped:
        return span
    # the model's normal form has a word for each word of the span: keep the name's
    normal = span.normal.split() if span.normal else []
    return replace(span, start=start, normal=" ".join(normal[dropped:]) if len(normal) == len(words) else None)


def one_word_names(text: str, spans: Sequence[NamedSpan], original: Sequence[NamedSpan],
                   morph: Morphology) -> list[NamedSpan]:
    """A span the model gave as one word, left one word by the other rules, whose word is never a
    noun or a name, is no name: a capitalised verb or gerund opening a sentence ("Скопив 25
    рублей…"), an adjective ("Речная экосистема"), or one whose noun is left out ("в Тульской,
    Псковской и Белгородской областях"; factRuEval marks few such adjectives alone). Kept: a word
    a descriptor rule joined ("улице Садовой"), a word a title was cut from ("Полковник Луговой"),
    and a word in quotes («Наши», «Новая»)."""
    single = {(s.start, s.end) for s in original if _WORD.fullmatch(text, s.start, s.end)}
    return [s for s in spans
            if (s.start, s.end) not in single or _OPENING_QUOTE.search(text[max(0, s.start - 4) : s.start])
            or not morph.never_a_noun(text[s.start : s.end])]


RULES = ("country", "quote", "parenthesis", "descriptor", "place", "nested", "person", "one_word", "state_body",
         "nested_org", "nested_person", "place_adjective", "family")


def adjust(text: str, spans: Sequence[NamedSpan], morph: Morphology,
           rules: Sequence[str] | None = None) -> list[NamedSpan]:
    rules = RULES if rules is None else rules
    spans = original = sorted(spans, key=lambda s: s.start)
    if "country" in rules:
        spans = with_country(text, spans, morph)
    if "parenthesis" in rules:
        spans = [part for s in spans for part in split_parenthesis(text, s)]
    if "quote" in rules:
        spans = [strip_closing_quote(text, s) for s in spans]
    if "person" in rules:
        spans = [without_common_words(text, s, morph) for s in spans]
    if "place_adjective" in rules:
        spans = [place_without_adjectives(text, s, morph) for s in spans]
    if "descriptor" in rules or "place" in rules:
        spans = [with_descriptor(text, s, morph, rules, floor=spans[i - 1].end if i else 0)
                 for i, s in enumerate(spans)]
    if "one_word" in rules:
        spans = one_word_names(text, spans, original, morph)
    if "nested" in rules:
        spans = sorted([*spans, *nested_places(text, spans, morph)], key=lambda s: s.start)
    if "state_body" in rules:
        spans = state_bodies(text, spans, morph)
    if "nested_org" in rules:
        spans = sorted([*spans, *nested_organisations(text, spans, morph)], key=lambda s: s.start)
    if "nested_person" in rules:
        spans = sorted([*spans, *nested_persons(text, spans, morph)], key=lambda s: s.start)
    if "family" in rules:  # after the nested persons: "фонд Ротшильдов" names no person either
        spans = [s for s in spans if not (s.label == "person" and morph.family_name(text[s.start : s.end]))]
    return spans
