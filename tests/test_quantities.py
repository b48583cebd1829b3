"""Counted quantities in four languages: value, range, qualifier and the exact span, or nothing at all."""

from __future__ import annotations

import pytest

from threatwatch.data import load_json
from threatwatch.events.quantities import Quantity, find_quantities

V, M = "vague", "multiplier"

# (lang, text, span, value, value_max, qualifier, flags): the one quantity in `text`.
ONE = [
    # English
    ("en", "more than 3,200 people fled", "more than 3,200", 3200, None, "more_than", ""),
    ("en", "up to 2,000 fighters", "up to 2,000", 2000, 2000, "up_to", ""),
    ("en", "5,000 to 7,000 fighters", "5,000 to 7,000", 5000, 7000, "range", ""),
    ("en", "between 5,000 and 7,000 fighters", "between 5,000 and 7,000", 5000, 7000, "range", ""),
    ("en", "an army of 5,000-7,000 men", "5,000-7,000", 5000, 7000, "range", ""),
    ("en", "a hundred men were arrested", "a hundred", 100, None, "exact", ""),
    ("en", "one hundred and twenty hostages", "one hundred and twenty", 120, None, "exact", ""),
    ("en", "twenty-three soldiers", "twenty-three", 23, None, "exact", ""),
    ("en", "dozens were wounded", "dozens", 24, None, "about", V),
    ("en", "hundreds of people marched", "hundreds", 200, None, "about", V),
    ("en", "tens of thousands displaced", "tens of thousands", 20000, None, "about", V),
    ("en", "several hundred protesters", "several hundred", 300, None, "about", V),
    ("en", "a dozen suspects", "a dozen", 12, None, "exact", ""),
    ("en", "over a dozen suspects", "over a dozen", 12, None, "more_than", ""),
    ("en", "attacks rose tenfold", "tenfold", 10, None, "exact", M),
    ("en", "a 10-fold increase", "10-fold", 10, None, "exact", M),
    ("en", "ten times more attacks", "ten times more", 10, None, "exact", M),
    ("en", "at least 80 dead", "at least 80", 80, None, "more_than", ""),
    ("en", "nearly 100 dead", "nearly 100", 100, None, "less_than", ""),
    ("en", "almost 100 dead", "almost 100", 100, None, "less_than", ""),
    ("en", "about 150 dead", "about 150", 150, None, "about", ""),
    ("en", "around 150 dead", "around 150", 150, None, "about", ""),
    ("en", "some 150 dead", "some 150", 150, None, "about", ""),
    ("en", "approximately 150 dead", "approximately 150", 150, None, "about", ""),
    ("en", "roughly 150 dead", "roughly 150", 150, None, "about", ""),
    ("en", "fewer than 10 dead", "fewer than 10", 10, None, "less_than", ""),
    ("en", "80 people died", "80", 80, None, "exact", ""),
    ("en", "1.5 million refugees", "1.5 million", 1500000, None, "exact", ""),
    ("en", "two people were killed", "two", 2, None, "exact", ""),
    ("en", "Two people were killed", "Two", 2, None, "exact", ""),
    ("en", "one of the attackers", "one", 1, None, "exact", ""),
    ("en", "10 or more attackers", "10 or more", 10, None, "more_than", ""),
    ("en", "fifty-odd hostages", "fifty-odd", 50, None, "about", ""),
    ("en", "two or three attackers", "two or three", 2, 3, "range", ""),
    ("en", "three thousand two hundred and fifty men", "three thousand two hundred and fifty", 3250, None, "exact", ""),
    ("en", "more than 2000 people", "more than 2000", 2000, None, "more_than", ""),
    ("en", "casualties rose 50% this year", "50", 50, None, "exact", ""),
    ("xx", "killed 5 in 2014", "5", 5, None, "exact", ""),
    # French
    ("fr", "plus de 3 200 morts", "plus de 3 200", 3200, None, "more_than", ""),
    ("fr", "plus de 3\u00a0200 morts", "plus de 3\u00a0200", 3200, None, "more_than", ""),
    ("fr", "plus de 3\u202f200 morts", "plus de 3\u202f200", 3200, None, "more_than", ""),
    ("fr", "jusqu'à 2 000 combattants", "jusqu'à 2 000", 2000, 2000, "up_to", ""),
    ("fr", "jusqu’à 2 000 combattants", "jusqu’à 2 000", 2000, 2000, "up_to", ""),
    ("fr", "environ 150 blessés", "environ 150", 150, None, "about", ""),
    ("fr", "près de 100 blessés", "près de 100", 100, None, "less_than", ""),
    ("fr", "une centaine de blessés", "une centaine", 100, None, "about", V),
    ("fr", "plus d'une centaine de blessés", "plus d'une centaine", 100, None, "more_than", V),
    ("fr", "des dizaines de blessés", "des dizaines", 20, None, "about", V),
    ("fr", "des dizaines de milliers de policiers", "des dizaines de milliers", 20000, None, "about", V),
    ("fr", "vingt-trois soldats", "vingt-trois", 23, None, "exact", ""),
    ("fr", "quatre-vingts otages", "quatre-vingts", 80, None, "exact", ""),
    ("fr", "quatre-vingt-dix-sept otages", "quatre-vingt-dix-sept", 97, None, "exact", ""),
    ("fr", "soixante-dix otages", "soixante-dix", 70, None, "exact", ""),
    ("fr", "soixante et onze otages", "soixante et onze", 71, None, "exact", ""),
    ("fr", "vingt et un morts", "vingt et un", 21, None, "exact", ""),
    ("fr", "trois cents otages", "trois cents", 300, None, "exact", ""),
    ("fr", "deux mille soldats", "deux mille", 2000, None, "exact", ""),
    ("fr", "au moins 80 morts", "au moins 80", 80, None, "more_than", ""),
    ("fr", "1,5 million de réfugiés", "1,5 million", 1500000, None, "exact", ""),
    ("fr", "entre 5 000 et 7 000 combattants", "entre 5 000 et 7 000", 5000, 7000, "range", ""),
    ("fr", "de 10 à 15 morts", "de 10 à 15", 10, 15, "range", ""),
    ("fr", "dix fois plus d'attentats", "dix fois", 10, None, "exact", M),
    # Arabic
    ("ar", "قتل ٢١ شخصا", "٢١", 21, None, "exact", ""),
    ("ar", "أصيب ٣٬٢٠٠ شخص", "٣٬٢٠٠", 3200, None, "exact", ""),
    ("ar", "نزوح ١٫٥ مليون شخص", "١٫٥ مليون", 1500000, None, "exact", ""),
    ("ar", "قتل سبعة وعشرون جنديا", "سبعة وعشرون", 27, None, "exact", ""),
    ("ar", "قتل ثلاثمائة وخمسة وعشرون", "ثلاثمائة وخمسة وعشرون", 325, None, "exact", ""),
    ("ar", "قتل خمسة عشر طفلا", "خمسة عشر", 15, None, "exact", ""),
    ("ar", "نزوح ثلاثة آلاف شخص", "ثلاثة آلاف", 3000, None, "exact", ""),
    ("ar", "قتل أكثر من 3200 شخص", "أكثر من 3200", 3200, None, "more_than", ""),
    ("ar", "قتل نحو 150 شخصا", "نحو 150", 150, None, "about", ""),
    ("ar", "قتل حوالي 150 شخصا", "حوالي 150", 150, None, "about", ""),
    ("ar", "قتل قرابة 150 شخصا", "قرابة 150", 150, None, "about", ""),
    ("ar", "قتل ما لا يقل عن 80 شخصا", "ما لا يقل عن 80", 80, None, "more_than", ""),
    ("ar", "أصيب 80 على الأقل", "80 على الأقل", 80, None, "more_than", ""),
    ("ar", "أصيب عشرات المدنيين", "عشرات", 20, None, "about", V),
    ("ar", "نزح مئات المدنيين", "مئات", 200, None, "about", V),
    ("ar", "نزح عشرات الآلاف", "عشرات الآلاف", 20000, None, "about", V),
    ("ar", "قتل ألفين من المقاتلين", "ألفين", 2000, None, "exact", ""),
    ("ar", "وعشرون جنديا", "عشرون", 20, None, "exact", ""),
    ("ar", "أصيب بثلاثة جروح", "ثلاثة", 3, None, "exact", ""),
    ("ar", "نزوح 3 آلاف شخص", "3 آلاف", 3000, None, "exact", ""),
    ("ar", "نزوح بـ3 آلاف شخص", "3 آلاف", 3000, None, "exact", ""),
    ("ar", "ونزوح وبـ٣ آلاف شخص", "٣ آلاف", 3000, None, "exact", ""),
    ("ar", "نزوح مليون شخص", "مليون", 1000000, None, "exact", ""),
    ("ar", "بين 5 و7 قتلى", "بين 5 و7", 5, 7, "range", ""),
    ("ar", "من 5 إلى 7 آلاف مقاتل", "من 5 إلى 7 آلاف", 5000, 7000, "range", ""),
    ("ar", "ارتفع عشرة أضعاف", "عشرة أضعاف", 10, None, "exact", M),
    ("ar", "قتل أحد عشر جنديا", "أحد عشر", 11, None, "exact", ""),
    # Russian
    ("ru", "погибли более 3200 человек", "более 3200", 3200, None, "more_than", ""),
    ("ru", "погибли больше 3200 человек", "больше 3200", 3200, None, "more_than", ""),
    ("ru", "погибли свыше 3200 человек", "свыше 3200", 3200, None, "more_than", ""),
    ("ru", "до 2000 человек", "до 2000", 2000, 2000, "up_to", ""),
    ("ru", "около 150 человек", "около 150", 150, None, "about", ""),
    ("ru", "порядка 150 человек", "порядка 150", 150, None, "about", ""),
    ("ru", "задержаны трое", "трое", 3, None, "exact", ""),
    ("ru", "задержали троих", "троих", 3, None, "exact", ""),
    ("ru", "задержали пятерых", "пятерых", 5, None, "exact", ""),
    ("ru", "гибель двух человек", "двух", 2, None, "exact", ""),
    ("ru", "гибель двадцати пяти человек", "двадцати пяти", 25, None, "exact", ""),
    ("ru", "гибель ста человек", "ста", 100, None, "exact", ""),
    ("ru", "гибель трёх тысяч человек", "трёх тысяч", 3000, None, "exact", ""),
    ("ru", "двести пятьдесят три человека", "двести пятьдесят три", 253, None, "exact", ""),
    ("ru", "полтора миллиона беженцев", "полтора миллиона", 1500000, None, "exact", ""),
    ("ru", "около тысячи человек", "около тысячи", 1000, None, "about", ""),
    ("ru", "погибли тысячи людей", "тысячи", 2000, None, "about", V),
    ("ru", "ранены десятки людей", "десятки", 20, None, "about", V),
    ("ru", "погибли сотни людей", "сотни", 200, None, "about", V),
    ("ru", "десятки тысяч беженцев", "десятки тысяч", 20000, None, "about", V),
    ("ru", "несколько сотен раненых", "несколько сотен", 300, None, "about", V),
    ("ru", "около 3,5 тыс. человек", "около 3,5 тыс.", 3500, None, "about", ""),
    ("ru", "эвакуированы 3 тыс. человек", "3 тыс.", 3000, None, "exact", ""),
    ("ru", "гибель 3-х тысяч человек", "3-х тысяч", 3000, None, "exact", ""),
    ("ru", "выросло в десять раз", "в десять раз", 10, None, "exact", M),
    ("ru", "выросло в 2,5 раза", "в 2,5 раза", 2.5, None, "exact", M),
    ("ru", "сократилось вдвое", "вдвое", 2, None, "exact", M),
    ("ru", "около 5-7 тысяч боевиков", "около 5-7 тысяч", 5000, 7000, "range", ""),
    ("ru", "5-7 тысяч боевиков", "5-7 тысяч", 5000, 7000, "range", ""),
    ("ru", "от 5 до 7 тысяч боевиков", "от 5 до 7 тысяч", 5000, 7000, "range", ""),
    ("ru", "150 с лишним погибших", "150 с лишним", 150, None, "more_than", ""),
    ("ru", "Погибли 150 человек", "150", 150, None, "exact", ""),
]

# Text in which nothing is a counted quantity.
NONE = [
    ("en", "It happened in 2015."),
    ("en", "The 2015 Paris attacks."),
    ("en", "On July 23, 2016, police arrived."),
    ("en", "On July 23 police arrived."),
    ("en", "the 23rd victim, the first attacker"),
    ("en", "at 10:30 and at 5 pm"),
    ("en", "Flight 9268 crashed"),
    ("en", "UN Security Council Resolution 2254"),
    ("en", "No. 5 and #7"),
    ("en", "Su-24 jets, MH17, F-16s, COVID-19"),
    ("en", "the 23-year-old suspect, 10km away, the 1990s"),
    ("en", "No one was hurt, IS claimed it"),
    ("en", "a man and an attacker, the one who fled"),
    ("en", "from 2015 to 2017"),
    ("en", "published 2019-11-19, filed 15/03/2016"),
    ("fr", "en 2016"),
    ("fr", "le 23 juillet 2016"),
    ("fr", "un homme a été arrêté, le 1er mai"),
    ("fr", "le vol 9268"),
    ("ar", "عام 2015"),
    ("ar", "٢٣ يوليو ٢٠١٦"),
    ("ar", "لم يصب أحد يوم الأحد"),
    ("ar", "في الـ23 من الشهر"),
    ("ar", "لست أدري ولست متأكدا"),
    ("ru", "до 2015 года"),
    ("ru", "в 2016 году"),
    ("ru", "2016 года"),
    ("ru", "23 июля 2016"),
    ("ru", "23 июля"),
    ("ru", "второй, 5-й этаж"),
    ("ru", "Рейс 9268, Су-24"),
    ("ru", "около 10 утра"),
    ("ru", "в 2015-2016 годах"),
]

SENTENCES = [
    ("en", "On July 23, 2016, more than 80 people were killed and 230 wounded in Kabul."),
    ("en", "Several hundred protesters and a few thousand police; hundreds of thousands displaced."),
    ("fr", "Au moins 80 personnes ont été tuées le 14 juillet 2016 à Nice, et plus de 400 blessées."),
    ("ar", "قتل ٢١ شخصا وأصيب ٣٬٢٠٠ آخرون في ٢٣ يوليو ٢٠١٦."),
    ("ar", "ثلاثةُ آلافٍ قتيلٍ، وحوالي ألف وخمسمائة جريح"),
    ("ru", "Погибли 25 человек, ранены более 80. В 2015 году в Сирии погибли около 150 тысяч человек."),
]


def _row(q: Quantity) -> tuple:
    return (q.text, q.value, q.value_max, q.qualifier, q.vague, q.multiplier)


@pytest.mark.parametrize(("lang", "text", "span", "value", "value_max", "qualifier", "flags"), ONE)
def test_one_quantity(lang: str, text: str, span: str, value: float, value_max: float | None, qualifier: str,
                      flags: str) -> None:
    assert [_row(q) for q in find_quantities(text, lang)] == [
        (span, value, value_max, qualifier, flags == V, flags == M)
    ]


@pytest.mark.parametrize(("lang", "text"), NONE)
def test_not_a_quantity(lang: str, text: str) -> None:
    assert find_quantities(text, lang) == []


def test_sentence_with_several_quantities() -> None:
    found = find_quantities(SENTENCES[0][1], "en")
    assert [_row(q) for q in found] == [
        ("more than 80", 80, None, "more_than", False, False),
        ("230", 230, None, "exact", False, False),
    ]
    found = find_quantities("Погибли 25 человек, ранены более 80. В 2015 году погибли около 150 тысяч человек.", "ru")
    assert [(q.text, q.value) for q in found] == [("25", 25), ("более 80", 80), ("около 150 тысяч", 150000)]


@pytest.mark.parametrize(("lang", "text"), [(c[0], c[1]) for c in ONE + NONE] + SENTENCES)
def test_offsets_are_exact_ordered_and_disjoint(lang: str, text: str) -> None:
    found = find_quantities(text, lang)
    for q in found:
        assert text[q.start : q.end] == q.text
        assert q.text == q.text.strip()
    assert all(a.end <= b.start for a, b in zip(found, found[1:], strict=False))


def test_arabic_diacritics_and_proclitics_keep_offsets() -> None:
    text = "قُتِلَ ثلاثةُ آلافٍ وبعشرين"
    assert [(q.text, q.value) for q in find_quantities(text, "ar")] == [("ثلاثةُ آلافٍ", 3000), ("عشرين", 20)]


@pytest.mark.parametrize("lang", ["en", "fr", "ar", "ru"])
def test_data_files_explain_themselves_and_share_one_shape(lang: str) -> None:
    data = load_json(f"events/numbers_{lang}.json")
    assert next(iter(data)) == "_note"
    assert set(data) == set(load_json("events/numbers_en.json"))
    assert set(data["qualifiers_before"].values()) <= {"more_than", "less_than", "about", "up_to", "exact"}
