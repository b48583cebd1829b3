"""Time expressions found in four languages and resolved against the publication date; unknown stays None."""

from __future__ import annotations

import pytest

from threatwatch.events.when import TimeExpression, find_times

PUBLISHED = "2016-11-21"  # a Monday

# (lang, sentence, span, value, precision, kind), each sentence holding exactly one expression.
ONE = [
    # A weekday is the latest such day up to the publication day; "last" makes it strictly earlier.
    ("en", "Police said on Tuesday that gunmen fled.", "on Tuesday", "2016-11-15", "day", "relative"),
    ("en", "The blast came Sunday night.", "Sunday", "2016-11-20", "day", "relative"),
    ("en", "The ministry said on Monday.", "on Monday", "2016-11-21", "day", "relative"),
    ("en", "It happened last Monday.", "last Monday", "2016-11-14", "day", "relative"),
    ("fr", "L'attaque a eu lieu mardi soir.", "mardi", "2016-11-15", "day", "relative"),
    ("fr", "Il a été arrêté lundi dernier.", "lundi dernier", "2016-11-14", "day", "relative"),
    ("ru", "Взрыв произошёл во вторник утром.", "во вторник", "2016-11-15", "day", "relative"),
    ("ru", "Об этом сообщили в среду.", "в среду", "2016-11-16", "day", "relative"),
    ("ar", "وقع الانفجار يوم الثلاثاء في المدينة.", "يوم الثلاثاء", "2016-11-15", "day", "relative"),
    ("ar", "قال المتحدث يوم الاثنين إن", "يوم الاثنين", "2016-11-21", "day", "relative"),
    ("ar", "اعتقل الخميس الماضي.", "الخميس الماضي", "2016-11-17", "day", "relative"),
    # A month without a year is the latest such month not after the publication month.
    ("en", "The group struck in October.", "in October", "2016-10", "month", "relative"),
    ("en", "The group struck in December.", "in December", "2015-12", "month", "relative"),
    ("en", "Talks began in November.", "in November", "2016-11", "month", "relative"),
    ("en", "He was seen last October.", "last October", "2016-10", "month", "relative"),
    ("en", "He was seen last November.", "last November", "2015-11", "month", "relative"),
    ("en", "In October, 5 soldiers died.", "In October", "2016-10", "month", "relative"),
    ("en", "Fighting resumed in mid-October.", "in mid-October", "2016-10", "month", "relative"),
    ("en", "He was freed in October last year.", "in October last year", "2015-10", "month", "relative"),
    ("fr", "L'attentat a eu lieu en octobre.", "en octobre", "2016-10", "month", "relative"),
    ("fr", "Il a été tué en octobre dernier.", "en octobre dernier", "2016-10", "month", "relative"),
    ("fr", "Les combats ont repris au mois d'août.", "au mois d'août", "2016-08", "month", "relative"),
    ("ru", "Теракт произошёл в октябре.", "в октябре", "2016-10", "month", "relative"),
    ("ru", "Его задержали в начале декабря.", "в начале декабря", "2015-12", "month", "relative"),
    ("ru", "Его задержали в октябре прошлого года.", "в октябре прошлого года", "2015-10", "month", "relative"),
    ("ar", "وقع الهجوم في أكتوبر الماضي.", "في أكتوبر الماضي", "2016-10", "month", "relative"),
    ("ar", "وقع الهجوم في تشرين الأول.", "في تشرين الأول", "2016-10", "month", "relative"),
    ("ar", "وقع الهجوم في شهر أوت.", "في شهر أوت", "2016-08", "month", "relative"),
    ("ar", "اعتقل في أكتوبر من العام الماضي.", "في أكتوبر من العام الماضي", "2015-10", "month", "relative"),
    # A month and day without a year: day precision, the year picked the same way.
    ("en", "The attack on July 23 killed 80.", "on July 23", "2016-07-23", "day", "relative"),
    ("en", "It began on December 5.", "on December 5", "2015-12-05", "day", "relative"),
    ("en", "It began on the 23rd of July.", "23rd of July", "2016-07-23", "day", "relative"),
    ("fr", "L'attentat du 23 juillet a fait 80 morts.", "23 juillet", "2016-07-23", "day", "relative"),
    ("fr", "Il est mort le 1er mai.", "le 1er mai", "2016-05-01", "day", "relative"),
    ("ru", "Теракт 23 июля унёс жизни 80 человек.", "23 июля", "2016-07-23", "day", "relative"),
    ("ar", "هجوم ٢٣ يوليو أودى بحياة 80 شخصا.", "٢٣ يوليو", "2016-07-23", "day", "relative"),
    # A month with a year, or a year alone after a preposition or year word: absolute.
    ("en", "The group formed in November 2015.", "in November 2015", "2015-11", "month", "absolute"),
    ("fr", "Le groupe est né en novembre 2015.", "en novembre 2015", "2015-11", "month", "absolute"),
    ("ru", "Группа создана в ноябре 2015 года.", "в ноябре 2015 года", "2015-11", "month", "absolute"),
    ("ar", "تأسست الجماعة في نوفمبر 2015.", "في نوفمبر 2015", "2015-11", "month", "absolute"),
    ("ar", "في تشرين الثاني/نوفمبر 2015 أعلن", "في تشرين الثاني/نوفمبر 2015", "2015-11", "month", "absolute"),
    ("en", "The group formed in 2015.", "in 2015", "2015", "year", "absolute"),
    ("en", "Attacks rose in early 2016.", "in early 2016", "2016", "year", "absolute"),
    ("fr", "Le groupe est né en 2015.", "en 2015", "2015", "year", "absolute"),
    ("ru", "Группа создана в 2015 году.", "в 2015 году", "2015", "year", "absolute"),
    ("ar", "تأسست الجماعة عام 2015.", "عام 2015", "2015", "year", "absolute"),
    ("ar", "تأسست الجماعة في مطلع عام ٢٠١٥م.", "في مطلع عام ٢٠١٥م", "2015", "year", "absolute"),
    # "since" keeps the start as value.
    ("en", "The group has been active since 2015.", "since 2015", "2015", "year", "since"),
    ("fr", "Le groupe est actif depuis 2015.", "depuis 2015", "2015", "year", "since"),
    ("ru", "Группа действует с 2015 года.", "с 2015 года", "2015", "year", "since"),
    ("ar", "تنشط الجماعة منذ عام 2015.", "منذ عام 2015", "2015", "year", "since"),
    ("en", "He has been missing since Tuesday.", "since Tuesday", "2016-11-15", "day", "since"),
    ("en", "Held since July 23, 2016 in Raqqa.", "since July 23, 2016", "2016-07-23", "day", "since"),
    ("ru", "Он в розыске с начала 2015 года.", "с начала 2015 года", "2015", "year", "since"),
    # Days, months and years counted from the publication date.
    ("en", "Gunmen attacked yesterday.", "yesterday", "2016-11-20", "day", "relative"),
    ("en", "Gunmen attacked the day before yesterday.", "the day before yesterday", "2016-11-19", "day", "relative"),
    ("en", "Gunmen attacked today.", "today", "2016-11-21", "day", "relative"),
    ("fr", "Des hommes armés ont attaqué hier.", "hier", "2016-11-20", "day", "relative"),
    ("fr", "Il a été libéré aujourd’hui.", "aujourd’hui", "2016-11-21", "day", "relative"),
    ("fr", "Il a été libéré avant-hier.", "avant-hier", "2016-11-19", "day", "relative"),
    ("ru", "Боевики напали вчера.", "вчера", "2016-11-20", "day", "relative"),
    ("ru", "Боевики напали сегодня.", "сегодня", "2016-11-21", "day", "relative"),
    ("ar", "هاجم مسلحون أمس قرية.", "أمس", "2016-11-20", "day", "relative"),
    ("ar", "هاجم مسلحون امس قرية.", "امس", "2016-11-20", "day", "relative"),
    ("ar", "وأمس هاجم مسلحون قرية.", "أمس", "2016-11-20", "day", "relative"),
    ("ar", "هاجم مسلحون بالأمس قرية.", "الأمس", "2016-11-20", "day", "relative"),
    ("ar", "هاجم مسلحون اليوم قرية.", "اليوم", "2016-11-21", "day", "relative"),
    ("ar", "هاجم مسلحون أول أمس قرية.", "أول أمس", "2016-11-19", "day", "relative"),
    ("en", "Arrests began last week.", "last week", None, None, "relative"),
    ("en", "Arrests began last month.", "last month", "2016-10", "month", "relative"),
    ("en", "Arrests began earlier this month.", "earlier this month", "2016-11", "month", "relative"),
    ("fr", "Les arrestations ont commencé le mois dernier.", "le mois dernier", "2016-10", "month", "relative"),
    ("ru", "Аресты начались в прошлом месяце.", "в прошлом месяце", "2016-10", "month", "relative"),
    ("ar", "بدأت الاعتقالات الشهر الماضي.", "الشهر الماضي", "2016-10", "month", "relative"),
    ("en", "Attacks doubled last year.", "last year", "2015", "year", "relative"),
    ("en", "Attacks doubled this year.", "this year", "2016", "year", "relative"),
    ("fr", "Les attaques ont doublé l'an dernier.", "l'an dernier", "2015", "year", "relative"),
    ("fr", "Les attaques ont doublé l’année dernière.", "l’année dernière", "2015", "year", "relative"),
    ("ru", "Число терактов выросло в прошлом году.", "в прошлом году", "2015", "year", "relative"),
    ("ar", "تضاعفت الهجمات العام الماضي.", "العام الماضي", "2015", "year", "relative"),
    ("en", "He vanished two days ago.", "two days ago", "2016-11-19", "day", "relative"),
    ("en", "He vanished two weeks ago.", "two weeks ago", "2016-11-07", "day", "relative"),
    ("en", "He vanished 3 months ago.", "3 months ago", "2016-08", "month", "relative"),
    ("en", "He vanished a year ago.", "a year ago", "2015", "year", "relative"),
    ("fr", "Il a disparu il y a deux semaines.", "il y a deux semaines", "2016-11-07", "day", "relative"),
    ("fr", "Il a disparu il y a un an.", "il y a un an", "2015", "year", "relative"),
    ("ru", "Он пропал два года назад.", "два года назад", "2014", "year", "relative"),
    ("ru", "Он пропал неделю назад.", "неделю назад", "2016-11-14", "day", "relative"),
    ("ru", "Он пропал полгода назад.", "полгода назад", "2016-05", "month", "relative"),
    ("ar", "اختفى قبل يومين.", "قبل يومين", "2016-11-19", "day", "relative"),
    ("ar", "اختفى منذ ثلاثة أشهر.", "منذ ثلاثة أشهر", "2016-08", "month", "relative"),
    ("ar", "اختفى قبل 5 أيام.", "قبل 5 أيام", "2016-11-16", "day", "relative"),
    # Anchored to another event: found, never resolved.
    ("en", "He left two weeks before the attack.", "two weeks before", None, None, "anchored"),
    ("en", "He was arrested a day after the bombing.", "a day after", None, None, "anchored"),
    ("en", "He was arrested the next day.", "the next day", None, None, "anchored"),
    ("fr", "Il a été arrêté deux jours après l'attentat.", "deux jours après", None, None, "anchored"),
    ("fr", "Il a été arrêté le lendemain.", "le lendemain", None, None, "anchored"),
    ("ru", "Его задержали через два дня после теракта.", "через два дня после", None, None, "anchored"),
    ("ru", "Его задержали накануне.", "накануне", None, None, "anchored"),
    ("ar", "اعتقل بعد يومين من الهجوم.", "بعد يومين", None, None, "anchored"),
    ("ar", "غادر قبل أسبوعين من الهجوم.", "قبل أسبوعين من", None, None, "anchored"),
    ("ar", "اعتقل في اليوم التالي.", "في اليوم التالي", None, None, "anchored"),
    # Full dates, read by metadata.find_dates, with the words around them.
    ("en", "The attack of July 23, 2016 killed 80.", "July 23, 2016", "2016-07-23", "day", "absolute"),
    ("en", "It was on 23 July 2016.", "on 23 July 2016", "2016-07-23", "day", "absolute"),
    ("en", "Saturday, July 23, 2016 was calm.", "Saturday, July 23, 2016", "2016-07-23", "day", "absolute"),
    ("fr", "Le 15 novembre 2015, la police a arrêté", "Le 15 novembre 2015", "2015-11-15", "day", "absolute"),
    ("ru", "Теракт 23 июля 2016 года унёс жизни", "23 июля 2016 года", "2016-07-23", "day", "absolute"),
    ("ar", "هجوم ٢٣ يوليو ٢٠١٦ أودى", "٢٣ يوليو ٢٠١٦", "2016-07-23", "day", "absolute"),
    ("ar", "في 15 تشرين الثاني/نوفمبر 2015 أعلن", "في 15 تشرين الثاني/نوفمبر 2015", "2015-11-15", "day", "absolute"),
    ("en", "Filed 2016-07-24 by the court.", "2016-07-24", "2016-07-24", "day", "absolute"),
    # Names holding time words.
    ("en", "Since the September 11 attacks, laws changed.", "September 11 attacks", "2001-09-11", "day", "absolute"),
    ("fr", "Après les attentats du 11-Septembre, la loi a changé.", "attentats du 11-Septembre", "2001-09-11", "day",
     "absolute"),
]


@pytest.mark.parametrize(("lang", "text", "span", "value", "precision", "kind"), ONE)
def test_one_expression(lang: str, text: str, span: str, value: str | None, precision: str | None, kind: str) -> None:
    (found,) = find_times(text, lang, PUBLISHED)
    assert (found.text, found.value, found.precision, found.kind) == (span, value, precision, kind)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "Room 3200 was searched."),
        ("en", "A 2015 report on 12 attacks."),
        ("en", "They arrived in 2024."),  # after the publication year + 1: not a year
        ("en", "They arrived in 1850."),
        ("en", "They arrive in October 2030."),
        ("en", "Rebels may strike again."),
        ("en", "The Sunday Times reported it."),
        ("en", "February 30 was named."),
        ("ru", "Вторник выдался тихим."),  # a Russian weekday needs в/во
        ("ru", "Колонна прошла в 2000 километрах."),  # a Russian year needs году/года
        ("ar", "قتل الاثنين في الاشتباك."),  # الاثنين is also "the two"
        ("ar", "في اليوم الأول من الهجوم."),
        ("fr", "La planète Mars brille."),
    ],
)
def test_no_time_is_invented(lang: str, text: str) -> None:
    assert find_times(text, lang, PUBLISHED) == []


@pytest.mark.parametrize(
    ("lang", "text", "span"),
    [
        ("en", "He said on Tuesday.", "on Tuesday"),
        ("en", "It happened in October.", "in October"),
        ("en", "It happened on July 23.", "on July 23"),
        ("en", "It happened yesterday.", "yesterday"),
        ("en", "It happened two days ago.", "two days ago"),
        ("fr", "C'est arrivé le mois dernier.", "le mois dernier"),
        ("ru", "Это случилось в прошлом году.", "в прошлом году"),
        ("ar", "وقع ذلك أمس.", "أمس"),
    ],
)
def test_without_a_publication_date_relative_times_are_found_but_not_resolved(lang: str, text: str, span: str) -> None:
    (found,) = find_times(text, lang, None)
    assert (found.text, found.value, found.precision, found.kind) == (span, None, None, "relative")


def test_absolute_times_need_no_publication_date() -> None:
    found = find_times("Since 2015, and on 23 July 2016.", "en", None)
    assert [(t.text, t.value, t.kind) for t in found] == [("Since 2015", "2015", "since"),
                                                          ("on 23 July 2016", "2016-07-23", "absolute")]


@pytest.mark.parametrize(
    ("published", "text", "values"),
    [
        ("2016-11", "on Tuesday", [None]),  # a weekday needs the publication day
        ("2016-11", "yesterday", [None]),
        ("2016-11", "in October", ["2016-10"]),
        ("2016-11", "on July 23", ["2016-07-23"]),
        ("2016", "in October", [None]),
        ("2016", "last year", ["2015"]),
        ("2016", "in October last year", ["2015-10"]),
        ("2016-02-01", "on February 29", ["2016-02-29"]),
        ("2017-03-01", "on February 29", [None]),  # no such day in 2017
        ("Mon Nov 21, 2016 17:48:36", "on Tuesday", ["2016-11-15"]),
        ("2016-11-21T10:00:00Z", "yesterday", ["2016-11-20"]),
    ],
)
def test_partial_publication_dates_resolve_only_what_they_can(
    published: str, text: str, values: list[str | None]
) -> None:
    assert [t.value for t in find_times(text, "en", published)] == values


def test_several_expressions_come_in_order_without_overlap() -> None:
    text = "On Tuesday, two weeks after the attack in October 2015, police said the group was active since 2014."
    found = find_times(text, "en", PUBLISHED)
    assert [(t.text, t.value, t.kind) for t in found] == [
        ("On Tuesday", "2016-11-15", "relative"),
        ("two weeks after", None, "anchored"),
        ("in October 2015", "2015-10", "absolute"),
        ("since 2014", "2014", "since"),
    ]
    assert all(a.end <= b.start for a, b in zip(found, found[1:], strict=False))


def test_arabic_indic_digits_keep_offsets() -> None:
    text = "قالت الشرطة إن الهجوم وقع في ٢٣ يوليو وإن الجماعة تنشط منذ عام ٢٠١٥."
    found = find_times(text, "ar", PUBLISHED)
    assert [(t.text, t.value) for t in found] == [("في ٢٣ يوليو", "2016-07-23"), ("منذ عام ٢٠١٥", "2015")]


def test_other_languages_get_full_dates_only() -> None:
    found = find_times("Am 23.07.2016 und gestern.", "de", PUBLISHED)
    assert [(t.text, t.value, t.kind) for t in found] == [("23.07.2016", "2016-07-23", "absolute")]


@pytest.mark.parametrize(
    ("lang", "text", "values"),
    [
        ("en", "04/01/2000: gunmen attacked a plane.", ["2000"]),  # April 1 or 4 January: only the year is sure
        ("en", "04/12/2010: gunmen attacked. On 04/14/2010, the bodies were found.", ["2010-04-12", "2010-04-14"]),
        ("en", "On 04/12/2010, then on 21/12/2010.", ["2010-12-04", "2010-12-21"]),  # 21 cannot be a month
        ("en", "On 12/21/2016 and 21/12/2016.", ["2016", "2016"]),  # the text holds both orders: nothing decides
        ("en", "On 13/13/2016 and 12/21/2016.", ["2016-12-21"]),  # no month 13 either way: it has no say
        ("en", "On 13/13/2016, scores of 1/2/3, 10/2016 and 3/4/1999x.", []),  # no month 13; no year; a word
        ("fr", "Le 04/12/2010 à Paris.", ["2010-12-04"]),  # French writes the day first
        ("ar", "في ٠٤/١٢/٢٠١٠ في بغداد.", ["2010-12-04"]),
    ],
)
def test_slash_dates_take_their_order_from_the_text(lang: str, text: str, values: list[str]) -> None:
    assert [t.value for t in find_times(text, lang, None)] == values


def test_slash_dates_in_arabic_indic_digits_keep_offsets() -> None:
    found = find_times("قالت الشرطة إن الهجوم وقع في ٠٤/١٤/٢٠١٠ في بغداد.", "ar", None)
    assert [(t.text, t.value) for t in found] == [("في ٠٤/١٤/٢٠١٠", "2010-04-14")]


def test_precision_matches_the_value() -> None:
    expected = {None: None, 4: "year", 7: "month", 10: "day"}
    for lang, text, *_ in ONE:
        for t in find_times(text, lang, PUBLISHED):
            assert t.precision == expected[len(t.value) if t.value else None]


@pytest.mark.parametrize("published", [PUBLISHED, "2016-11", None])
def test_offsets_are_exact(published: str | None) -> None:
    for lang, text, *_ in ONE:
        for t in find_times(text, lang, published):
            assert isinstance(t, TimeExpression)
            assert text[t.start : t.end] == t.text and t.text == t.text.strip()
