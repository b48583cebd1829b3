"""Sentence boundaries, quotations, and who said what: reported speech in en, fr, ar and ru."""

from __future__ import annotations

import pytest

from threatwatch.data import load_json
from threatwatch.events.attribution import Attribution, find_attributions
from threatwatch.events.sentences import quotations, split_sentences, words


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


def only(text: str, lang: str, names: tuple[tuple[int, int], ...] = ()) -> Attribution:
    found = find_attributions(text, lang, names)
    assert len(found) == 1, [(a.speaker, a.cue) for a in found]
    return found[0]


def span_of(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


# --- sentences ---------------------------------------------------------------------------------------

def test_newlines_end_sentences_and_spans_are_stripped() -> None:
    text = "Gunmen attack a concert hall\n\n  Five people died.  \nPolice said more would follow"
    assert sentences(text) == ["Gunmen attack a concert hall", "Five people died.",
                               "Police said more would follow"]


@pytest.mark.parametrize(("text", "expected"), [
    ("He left. Then he came back.", ["He left.", "Then he came back."]),
    ("Is it over? No! It goes on… Really.", ["Is it over?", "No!", "It goes on…", "Really."]),
    ("Five died in 2016. 3,200 left since.", ["Five died in 2016.", "3,200 left since."]),
    ('He said "stop." Then he left.', ['He said "stop."', "Then he left."]),
    ("«Мы придём.» Потом ушёл.", ["«Мы придём.»", "Потом ушёл."]),
    ("(The toll rose.) Police said so.", ["(The toll rose.)", "Police said so."]),
    ("The attack was at 5 a.m. local time.", ["The attack was at 5 a.m. local time."]),
    ('"Why?" he asked.', ['"Why?" he asked.']),
    ("وقع الانفجار. وقال المتحدث إن خمسة قتلوا؟ نعم.", ["وقع الانفجار.", "وقال المتحدث إن خمسة قتلوا؟", "نعم."]),
])
def test_end_punctuation_before_a_sentence_opening(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


@pytest.mark.parametrize("text", [
    "Mr. Smith met Gen. Ivanov in the U.S. on Jan. 5 at No. 10 Downing St. in London.",
    "Lt. Col. J. Smith and Dr. Brown spoke of Sept. plans, arms, etc. Nothing else was said.",
    "M. Dupont et Mme. Martin sont arrivés.",
    "В. Путин приехал в 2016 г. В Москве, ул. Тверская, им. Пушкина, т.е. там.",
])
def test_abbreviations_and_initials_do_not_end_a_sentence(text: str) -> None:
    assert sentences(text) == [text]  # "etc." too: a missed boundary costs less than a name cut in two


def test_sentences_cover_every_character_once() -> None:
    text = ("Islamist militants pledged allegiance, according to a recording.\n\n"
            "\"We will come,\" the fighter said. Mr. Putin said: «Нет». وقال المتحدث إن الهجوم فشل.\n"
            "  A final line without a full stop  ")
    spans = split_sentences(text)
    assert all(text[s:e] == text[s:e].strip() and s < e for s, e in spans)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))
    assert "".join(text[s:e] for s, e in spans).replace(" ", "") == "".join(text.split())


def test_words_keep_inner_apostrophes_hyphens_and_abbreviation_stops() -> None:
    text = "Lt. Gen. J. Smith of the U.S. told l'AFP: al-Baghdadi's ISIS-K, وقال."
    assert [text[s:e] for s, e in words(text, 0, len(text))] == [
        "Lt.", "Gen.", "J.", "Smith", "of", "the", "U.S.", "told", "l'AFP", ":", "al-Baghdadi's", "ISIS-K", ",",
        "وقال", "."]


def test_abbreviation_data_is_per_language_with_a_note() -> None:
    data = load_json("events/abbreviations.json")
    assert "_note" in data and {"common", "en", "fr", "ar", "ru"} <= set(data)


# --- quotations ----------------------------------------------------------------------------------------

def test_quotations_pair_marks_of_each_kind() -> None:
    text = '«Мы придём „скоро“», — заявил боевик. "Yes," he said. “No,” she said.'
    pairs = [text[s:e] for s, e in quotations(text)]
    assert pairs == ["«Мы придём „скоро“»", "„скоро“", '"Yes,"', "“No,”"]


def test_a_quotation_reopened_in_a_new_paragraph_pairs_with_its_last_opening() -> None:
    text = '"The threat is new.\n\n"More than 3,200 have left," Ilya Rogachev told RIA Novosti.'
    assert [text[s:e] for s, e in quotations(text)] == ['"More than 3,200 have left,"']


def test_a_closing_mark_without_an_opening_one_closes_a_quotation_from_an_earlier_paragraph() -> None:
    text = ('"The global terrorist threat has taken a new dimension.\n\n'
            'According to the data of law enforcement agencies, more than 3,200 Russian citizens have left for '
            'the conflict zone," Ilya Rogachev told RIA Novosti in an interview.')
    paragraph = text.index("According")
    assert quotations(text[paragraph:]) == [(0, text.index(',"') + 2 - paragraph)]
    found = only(text[paragraph:], "en")  # "According to" is inside the quotation: Rogachev's words
    assert (found.speaker, found.cue) == ("Ilya Rogachev", "told")
    assert text[paragraph:][found.quote_start:found.quote_end].endswith("the conflict zone")


# --- English ---------------------------------------------------------------------------------------------

EN = [
    ("Ilya Rogachev said the threat was growing.", "Ilya Rogachev", "said"),
    ("Ilya Rogachev said on Tuesday that the threat was growing.", "Ilya Rogachev", "said"),
    ('"More than 3,200 citizens have left," said Ilya Rogachev, head of the Foreign Ministry\'s department.',
     "Ilya Rogachev", "said"),
    ("Ilya Rogachev told RIA Novosti in an interview.", "Ilya Rogachev", "told"),
    ("More than 3,200 Russians have left, according to Ilya Rogachev.", "Ilya Rogachev", "according to"),
    ("According to the official, many return with combat experience.", "the official", "According to"),
    ("Ilya Rogachev, a Foreign Ministry official, said the threat was growing.", "Ilya Rogachev", "said"),
    ("A Foreign Ministry official said the threat was growing.", "A Foreign Ministry official", "said"),
    ("RIA Novosti quoted Ilya Rogachev as saying that 3,200 people had left.", "Ilya Rogachev", "quoted"),
    ("Putin was quoted as saying that the threat was real.", "Putin", "quoted"),
    ("Putin says the threat is real.", "Putin", "says"),
    ("ISIS-K claimed responsibility for the attack.", "ISIS-K", "claimed"),
    ("The Interior Ministry announced the arrest of five suspects.", "The Interior Ministry", "announced"),
    ("Five suspects were arrested, the Interior Ministry said.", "the Interior Ministry", "said"),
    ("Shoigu warned that the militants could return.", "Shoigu", "warned"),
    ("The prosecutor stated that five were charged.", "The prosecutor", "stated"),
    ("The diplomat added that Moscow was concerned.", "The diplomat", "added"),
    ("In a video posted online, the group said in a statement that it carried out the attack.", "the group", "said"),
    ("He warned that more attacks would follow.", "He", "warned"),
    ("They have also said that the border is closed.", "They", "said"),
    ("Russian President Vladimir Putin said the attack was planned abroad.", "Vladimir Putin", "said"),
    ("Health Minister Mikhail Murashko said Thursday that 80 people were still in hospital.",
     "Mikhail Murashko", "said"),
    ("Foreign Ministry spokeswoman Maria Zakharova said the embassy was safe.", "Maria Zakharova", "said"),
    ("Over 3,200 Russian nationals have left, the Russian Foreign Ministry’s director of the Department for "
     "New Challenges and Threats said.",
     "the Russian Foreign Ministry’s director of the Department for New Challenges and Threats", "said"),
    ("ISIS-K released footage, but U.S. intelligence agencies said they had information.",
     "U.S. intelligence agencies", "said"),
    ("Russia’s Federal Security Service (FSB) announced that it had arrested 11 people.",
     "Russia’s Federal Security Service", "announced"),
    ("A spokesman for the Interior Ministry said five were killed.", "A spokesman for the Interior Ministry", "said"),
    ("Islamic State of Iraq and the Levant said it carried out the attack.",
     "Islamic State of Iraq and the Levant", "said"),
    ("The number, the ministry said, was rising.", "the ministry", "said"),
]


@pytest.mark.parametrize(("text", "speaker", "cue"), EN)
def test_english_speakers(text: str, speaker: str, cue: str) -> None:
    found = only(text, "en")
    assert (found.speaker, found.cue) == (speaker, cue)


def test_zamir_kabulov_after_a_quotation_and_an_apposition() -> None:
    text = ("« The Afghan branch of 'ISIS' is definitely specialized against Central Asia, » Zamir Kabulov, head of "
            "the Russian Foreign Ministry's Asia and Middle East Department, said back in April.")
    found = only(text, "en")
    assert found.speaker == "Zamir Kabulov"
    assert text[found.quote_start:found.quote_end] == ("The Afghan branch of 'ISIS' is definitely specialized "
                                                       "against Central Asia")


@pytest.mark.parametrize("text", [
    "Militants attacked a checkpoint overnight.",
    "The said document was never published.",
    "He was told to leave the city.",
    "It is said that five were killed.",
    "The man who said he was a fighter left.",
    "Putin’s claim was rejected by Kiev.",
    "ISIS Video Threatens To Stage Attacks Inside Russia",
    "The voice recording posted on YouTube Sunday said militants had sworn fealty.",
])
def test_no_attribution(text: str) -> None:
    assert find_attributions(text, "en") == []


# --- French ------------------------------------------------------------------------------------------------

FR = [
    ("Cinq suspects ont été arrêtés, a déclaré le procureur de Paris.", "le procureur de Paris", "a déclaré"),
    ("Le ministre de l'Intérieur a déclaré que cinq suspects avaient été arrêtés.",
     "Le ministre de l'Intérieur", "a déclaré"),
    ("Selon le parquet, cinq suspects ont été arrêtés.", "le parquet", "Selon"),
    ("D'après l'AFP, cinq suspects ont été arrêtés.", "l'AFP", "D'après"),
    ("La police a indiqué que l'assaillant était mort.", "La police", "a indiqué"),
    ("Le groupe a affirmé avoir mené l'attaque.", "Le groupe", "a affirmé"),
    ("Le Kremlin a annoncé de nouvelles mesures.", "Le Kremlin", "a annoncé"),
    ("Emmanuel Macron a dit que la France était visée.", "Emmanuel Macron", "a dit"),
    ("Le procureur a également indiqué que l'enquête continue.", "Le procureur", "a également indiqué"),
    ("« C'est une guerre », a-t-il déclaré.", "il", "a-t-il déclaré"),
    ("« C'est une guerre », précise-t-elle.", "elle", "précise-t-elle"),
    ("« Nous allons frapper », a déclaré Abou Mohammed al-Adnani.", "Abou Mohammed al-Adnani", "a déclaré"),
    ("La vidéo, selon les experts, est authentique.", "les experts", "selon"),
]


@pytest.mark.parametrize(("text", "speaker", "cue"), FR)
def test_french_speakers(text: str, speaker: str, cue: str) -> None:
    found = only(text, "fr")
    assert (found.speaker, found.cue) == (speaker, cue)


# --- Arabic --------------------------------------------------------------------------------------------------

AR = [
    ("وقال المتحدث باسم وزارة الداخلية إن خمسة مشتبه بهم اعتقلوا.", "المتحدث باسم وزارة الداخلية", "قال"),
    ("وقال الناطق باسم الداخلية إن الوضع تحت السيطرة.", "الناطق باسم الداخلية", "قال"),
    ("قال دميتري بيسكوف، المتحدث الرسمي باسم الرئيس الروسي، إن التهديدات لن تؤثر.", "دميتري بيسكوف", "قال"),
    ("وأعلنت وزارة الداخلية مقتل خمسة مسلحين.", "وزارة الداخلية", "أعلنت"),
    ("قالت الشرطة الروسية في بيان إن المهاجم قتل.", "الشرطة الروسية", "قالت"),
    ("وصرح وزير الخارجية للصحفيين بأن روسيا مستعدة.", "وزير الخارجية", "صرح"),
    ("وأكدت الشرطة أن المهاجم قتل.", "الشرطة", "أكدت"),
    ("فأضاف المصدر أن الهجوم وقع فجرا.", "المصدر", "أضاف"),
    ("وذكرت وكالة رويترز أن خمسة قتلوا.", "وكالة رويترز", "ذكرت"),
    ("وبحسب مصادر أمنية، قتل خمسة.", "مصادر أمنية", "بحسب"),
    ("حسب المرصد، قتل خمسة.", "المرصد", "حسب"),
    ("وفقا لـوزارة الداخلية، قتل خمسة.", "وزارة الداخلية", "وفقا لـ"),
    ("ووفقاً لما ذكره المرصد، قتل 12 شخصا.", "المرصد", "وفقاً لما ذكره"),
    ("ونقلت وكالة رويترز عن مصدر أمني قوله إن خمسة قتلوا.", "مصدر أمني", "نقلت"),
]


@pytest.mark.parametrize(("text", "speaker", "cue"), AR)
def test_arabic_speakers(text: str, speaker: str, cue: str) -> None:
    found = only(text, "ar")
    assert (found.speaker, found.cue) == (speaker, cue)


def test_arabic_verb_without_a_subject_is_its_own_speaker() -> None:
    found = only("وأضاف أن الهجوم وقع فجرا.", "ar")
    assert found.cue == "أضاف" and (found.speaker_start, found.speaker_end) == (found.cue_start, found.cue_end)


def test_arabic_only_is_not_according_to() -> None:
    assert find_attributions("فحسب المصادر، الوضع هادئ.", "ar") == []


# --- Russian ---------------------------------------------------------------------------------------------------

RU = [
    ("Путин заявил, что угроза реальна.", "Путин", "заявил"),
    ("Об этом заявил Владимир Путин.", "Владимир Путин", "заявил"),
    ("Угроза реальна, сказал Лавров.", "Лавров", "сказал"),
    ("Мария Захарова заявила журналистам, что угроза реальна.", "Мария Захарова", "заявила"),
    ("Об этом сообщила официальный представитель МИД Мария Захарова.", "Мария Захарова", "сообщила"),
    ("Глава ФСБ отметил, что теракт готовили за рубежом.", "Глава ФСБ", "отметил"),
    ("Он подчеркнул, что угроза реальна.", "Он", "подчеркнул"),
    ("Очевидцы рассказали о взрыве.", "Очевидцы", "рассказали"),
    ("В МВД заявили, что задержаны пять человек.", "МВД", "заявили"),
    ("Представители ФСБ сообщили о задержании.", "Представители ФСБ", "сообщили"),
    ("По словам Марии Захаровой, угроза реальна.", "Марии Захаровой", "По словам"),
    ("По данным МВД, задержаны пять человек.", "МВД", "По данным"),
    ("Как сообщает ТАСС, задержаны пять человек.", "ТАСС", "Как сообщает"),
    ("Как заявили в МВД, задержаны пять человек.", "МВД", "Как заявили"),
    ("Задержаны пять человек, передает РИА Новости.", "РИА Новости", "передает"),
]


@pytest.mark.parametrize(("text", "speaker", "cue"), RU)
def test_russian_speakers(text: str, speaker: str, cue: str) -> None:
    found = only(text, "ru")
    assert (found.speaker, found.cue) == (speaker, cue)


# --- quotations and scope ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "lang", "speaker", "quote"), [
    ('"We will come to Russia," the fighter said.', "en", "the fighter", "We will come to Russia"),
    ("«Мы придём», — заявил боевик.", "ru", "боевик", "Мы придём"),
    ("«Мы придём», — сказал он.", "ru", "он", "Мы придём"),
    ("« Nous viendrons en Russie », a déclaré le chef du groupe.", "fr", "le chef du groupe",
     "Nous viendrons en Russie"),
    ('The minister said: "We will not negotiate."', "en", "The minister", "We will not negotiate."),
    ("قالت الشرطة “لقد قبضنا على المهاجم”.", "ar", "الشرطة", "لقد قبضنا على المهاجم"),
])
def test_the_quotation_goes_with_its_speaker(text: str, lang: str, speaker: str, quote: str) -> None:
    found = only(text, lang)
    assert found.speaker == speaker
    assert found.quote_start is not None and text[found.quote_start:found.quote_end] == quote
    assert (found.scope_start, found.scope_end) == (0, len(text))


def test_a_quotation_over_several_sentences_widens_the_scope() -> None:
    text = 'Moscow is worried. "We will come. We will win," the fighter said. Nobody answered.'
    found = only(text, "en")
    assert text[found.quote_start:found.quote_end] == "We will come. We will win"
    assert text[found.scope_start:found.scope_end] == '"We will come. We will win," the fighter said.'


def test_without_a_quotation_the_scope_is_the_sentence() -> None:
    text = "Five died. Police said the attacker fled. Nobody else was hurt."
    found = only(text, "en")
    assert text[found.scope_start:found.scope_end] == "Police said the attacker fled."
    assert found.quote_start is None and found.quote_end is None


def test_a_cue_inside_a_quotation_is_the_quoted_speaker_s_words() -> None:
    text = '"They said we would lose," Putin added.'
    found = only(text, "en")
    assert (found.speaker, found.cue) == ("Putin", "added")


def test_attributions_come_in_order_with_consistent_offsets() -> None:
    text = ("Rogachev told RIA Novosti that 3,200 had left. He added that Moscow was concerned. "
            "According to Reuters, the video came from Telegram.")
    found = find_attributions(text, "en")
    assert [(a.speaker, a.cue) for a in found] == [("Rogachev", "told"), ("He", "added"), ("Reuters", "According to")]
    for a in found:
        assert a.speaker == text[a.speaker_start:a.speaker_end] and a.cue == text[a.cue_start:a.cue_end]
        assert a.scope_start <= min(a.speaker_start, a.cue_start) and max(a.speaker_end, a.cue_end) <= a.scope_end


# --- names from the NER ------------------------------------------------------------------------------------------

def test_a_name_holding_the_speaker_s_main_word_replaces_it() -> None:
    text = "Russian news agency Interfax said five were detained."
    assert only(text, "en").speaker == "Russian news agency Interfax"
    assert only(text, "en", (span_of(text, "Interfax"),)).speaker == "Interfax"


def test_a_name_extends_a_speaker_cut_short() -> None:
    text = "ad-Dawla al-Islamiya said it carried out the attack."
    assert only(text, "en").speaker == "al-Islamiya"
    assert only(text, "en", (span_of(text, "ad-Dawla al-Islamiya"),)).speaker == "ad-Dawla al-Islamiya"


def test_a_name_in_apposition_after_an_arabic_title_is_the_speaker() -> None:
    text = "وقال الرئيس الروسي فلاديمير بوتين إن روسيا لن تتراجع."
    assert only(text, "ar").speaker == "الرئيس الروسي"
    assert only(text, "ar", (span_of(text, "فلاديمير بوتين"),)).speaker == "فلاديمير بوتين"


def test_a_name_elsewhere_in_the_sentence_leaves_the_speaker_alone() -> None:
    text = "Ilya Rogachev told RIA Novosti in an interview."
    assert only(text, "en", (span_of(text, "RIA Novosti"),)).speaker == "Ilya Rogachev"


# --- data ------------------------------------------------------------------------------------------------------------

def test_reporting_data_has_the_same_keys_in_every_language() -> None:
    keys = [set(load_json(f"events/reporting_{lang}.json")) for lang in ("en", "fr", "ar", "ru")]
    assert all(k == keys[0] for k in keys) and "_note" in keys[0]


def test_an_unknown_language_is_read_as_english() -> None:
    assert only("Police said five were killed.", "und").speaker == "Police"
