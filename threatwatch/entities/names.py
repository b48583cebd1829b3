"""Name keys: how two spellings of one name are recognised as the same.

`name_key` folds case, accents, Arabic orthographic variants and punctuation: exact look-ups
in the registry and the places index use it. `skeleton` goes further, for names the registry
does not know: it transliterates Arabic and Cyrillic into Latin and keeps the consonants only,
so "Bortnikov", "Бортников" and "بورتنيكوف" share the key "brtnkf".
"""

from __future__ import annotations

import re
import unicodedata

from threatwatch.normalize import fold

_PUNCT = re.compile(r"[^\w\s]|_")
_SPACE = re.compile(r"\s+")
_ARABIC_PROCLITIC = re.compile(r"^(?:و|ف)?(?:ب|ل|ك)?(?=ال)|^(?:و|ف)(?=\w{3,})")

_CYRILLIC = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ",
    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s", "t",
     "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya", "i", "yi", "ye", "g"], strict=True))
_ARABIC = {
    "ا": "a", "ب": "b", "ت": "t", "ث": "th", "ج": "j", "ح": "h", "خ": "kh", "د": "d", "ذ": "dh", "ر": "r",
    "ز": "z", "س": "s", "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "ع": "", "غ": "gh", "ف": "f",
    "ق": "k", "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h", "و": "w", "ي": "y", "ء": "", "پ": "p",
    "چ": "ch", "ڤ": "v", "گ": "g", "ی": "y", "ک": "k",
}
# Consonant classes: sounds that scripts and transliteration schemes render differently.
_SKELETON_CLASSES = str.maketrans({"v": "f", "w": "f", "p": "b", "q": "k", "c": "k", "g": "k", "j": "y", "z": "s",
                                   "x": "ks"})


def has_case(surface: str) -> bool:
    """Written at least partly in a script with capitals (Latin, Cyrillic), unlike Arabic."""
    return any(ch.isupper() or ch.islower() for ch in surface)


def uncapitalised(surface: str) -> bool:
    """Written in a script with capitals, without one ("turkey", "газа"; not "Turkey", not Arabic)."""
    cased = [ch for ch in surface if ch.isupper() or ch.islower()]
    return bool(cased) and not any(ch.isupper() for ch in cased)


def starts_a_sentence(text: str, pos: int) -> bool:
    """Whether the word at `pos` opens a sentence (after end punctuation, a colon or a line break,
    past any opening quotes or brackets), where a capital says nothing about a name. Reads back a
    bounded stretch: called for many words of long texts."""
    before = text[max(0, pos - 40) : pos].rstrip(" \t\"'«“‘„(")
    return not before or before[-1] in ".!?…:\n"


def name_key(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form used for exact look-ups."""
    text = fold(text)
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return _SPACE.sub(" ", _PUNCT.sub(" ", text)).strip()


def strip_arabic_clitics(word: str) -> str:
    """وبالموصل → الموصل: conjunctions and prepositions written onto the next word."""
    return _ARABIC_PROCLITIC.sub("", word)


def to_latin(text: str) -> str:
    """A rough, lossy Latin rendering, good enough for keys. Inside an Arabic word, و and ي are
    usually long vowels (بوتين, Putin) and a final ه a ta marbuta: they are dropped like vowels."""
    out = []
    for word in fold(text).split():
        for index, ch in enumerate(word):
            if ch in "وي" and index > 0 or ch == "ه" and index == len(word) - 1 and index > 0:
                continue
            out.append(_CYRILLIC.get(ch) or _ARABIC.get(ch) or (ch if ch.isascii() else ""))
        out.append(" ")
    return "".join(out).strip()


def skeleton(text: str) -> str:
    """Consonant skeleton of a name in any of Latin, Cyrillic or Arabic script."""
    words = [strip_arabic_clitics(w) for w in name_key(text).split()]
    words = [w[2:] if w.startswith("ال") and len(w) > 3 else w for w in words]  # the Arabic article
    latin = to_latin(" ".join(words)).replace("kh", "h").replace("sh", "s").replace("th", "t")
    latin = re.sub(r"[aeiouy\s'-]+", "", latin).translate(_SKELETON_CLASSES)
    return re.sub(r"(.)\1+", r"\1", latin)
