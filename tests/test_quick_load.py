"""The French model built without spacy.lang.fr (entities/quick_load.py) reads text as spaCy's own
loading does, and its factored exception pattern matches the same words as spaCy's."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from threatwatch.entities import backends
from threatwatch.entities.quick_load import factored, top_level_alternatives

FRENCH = [
    "M. Jean-Pierre Roth, président de la BNS, a rencontré aujourd'hui le premier-ministre à Neuchâtel.",
    "Les États-Unis et l'État islamique : un porte-parole a parlé d'un black-out à New-York.",
    "Le sous-préfet de Saint-Étienne-du-Rouvray s'est rendu à Paris avec l'ex-président.",
    "Un attentat-suicide a fait 12 morts ; la police a arrêté deux anti-terroristes présumés.",
]


def test_top_level_alternatives_skip_groups_classes_and_escapes():
    assert top_level_alternatives(r"a|(b|c)|[|]|\||[]|]x") == ["a", "(b|c)", "[|]", r"\|", "[]|]x"]


def test_factored_shares_a_long_class_and_keeps_odd_patterns():
    letters = "[" + "".join(chr(c) for c in range(0x400, 0x450)) + "a-z]"
    pattern = f"(?iu)(?:^ab-{letters}+$)|(?:^cd-{letters}+$)|(?:^x[-]{letters}*$)"
    merged = factored(pattern)
    assert merged.count(letters) == 2
    for word in ("ab-cde", "CD-xyz", "x-", "xy-a", "ab-", "ab-cd-ef", "cd-жук"):
        assert bool(re.match(merged, word)) == bool(re.match(pattern, word)), word
    assert factored("a|b") == "a|b"  # not spaCy's (?:…)|(?:…) shape: left as it is
    assert factored("(?:a)b|(?:c)") == "(?:a)b|(?:c)"  # `(?:a)b` is not one group
    # a long class inside a group, or after an escaped bracket, is not cut at
    odd = f"(?iu)(?:^(?:ab{letters})x$)|(?:^\\[{letters[1:]}+$)|(?:^cd{letters}x$)"
    merged = factored(odd)
    for word in ("abж x", "abжx", "[жжж", "cdaX", "cd", "[", "x"):
        assert bool(re.match(merged, word)) == bool(re.match(odd, word)), word
    assert factored("(?x)(?:a b)|(?:c)") == "(?x)(?:a b)|(?:c)"


@pytest.fixture(scope="module")
def french_exceptions():
    from spacy.lang.fr import tokenizer_exceptions

    return tokenizer_exceptions


def _words(module) -> set[str]:
    """Words each of spaCy's French exception patterns was written for, with near misses."""
    plain = re.compile(r"^[a-zéèàç]+$")
    heads = [re.split(r"\[[^\]]{50,}", p)[0] for p in module._regular_exp]
    # a group is written out as its first alternative, and an optional one also left out
    heads += [re.sub(r"\(\?:[^()]*\)\?", "", h) for h in heads if "(" in h]
    heads = [re.sub(r"\(\?:([^()|]*)[^()]*\)\??", r"\1", h) for h in heads]
    stems = [re.sub(r"\[[^\]]*\]", "-", head).strip("^") for head in heads if "(" not in head]
    stems += [p + "-" for p in module._hyphen_prefix if plain.match(p)]
    stems += [f"saut-{c}-" for c in module._hyphen_combination if plain.match(c)]
    words = set()
    for stem in stems:
        for ending in ("", "a", "ment", "l'air", "-x", "2", " "):
            word = stem + ending
            words |= {word, word.upper(), word.title(), word.replace("-", "\u2010")}
    return words


def test_factored_pattern_matches_what_spacy_pattern_matches(french_exceptions):
    spacy_match = french_exceptions.TOKEN_MATCH
    ours = re.compile(factored(spacy_match.__self__.pattern)).match
    words = _words(french_exceptions)
    matched = {w for w in words if spacy_match(w)}
    assert len(words) > 2000 and 500 < len(matched) < len(words)  # both kinds are tried
    assert [w for w in words if bool(ours(w)) != (w in matched)] == []


def test_quick_french_reads_as_spacy_load_does():
    import spacy
    from spacy.attrs import NORM, PREFIX, SHAPE, SUFFIX

    path = backends.french_model_path()
    if not (path / "meta.json").is_file():
        pytest.skip("the French model is not built in this checkout")
    stock = backends.use_numpy_matmul(spacy.load(path))
    quick = backends.french().nlp
    assert type(quick).__name__ != type(stock).__name__  # the quick loader, not its fallback, was used
    for name in ("prefix_search", "suffix_search", "infix_finditer", "url_match", "rules", "faster_heuristics"):
        assert getattr(quick.tokenizer, name) == getattr(stock.tokenizer, name), name
    for text in FRENCH:
        a, b = stock(text), quick(text)
        assert [t.text for t in a] == [t.text for t in b]
        assert (a.to_array([NORM, PREFIX, SUFFIX, SHAPE]) == b.to_array([NORM, PREFIX, SUFFIX, SHAPE])).all()
        assert [(e.start_char, e.end_char, e.label_) for e in a.ents] == \
               [(e.start_char, e.end_char, e.label_) for e in b.ents]


def test_quick_french_does_not_import_spacy_lang_fr():
    if not (backends.french_model_path() / "meta.json").is_file():
        pytest.skip("the French model is not built in this checkout")
    code = ("import sys; from threatwatch.entities import backends; r = backends.french(); "
            "r.find(['Le président Emmanuel Macron à Paris.']); print('spacy.lang.fr' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_story_stop_words_read_without_spacy_lang_packages():
    """The story stage's stop words come from spaCy's files without running `spacy.lang.fr`."""
    code = ("import sys, importlib; from threatwatch.stories.signals import stop_words; from threatwatch.normalize "
            "import index_tokens; ours = stop_words('fr'); loaded = 'spacy.lang.fr' in sys.modules; "
            "m = importlib.import_module('spacy.lang.fr.stop_words'); "
            "print(loaded, ours == frozenset(f for _, _, f in index_tokens(' '.join(m.STOP_WORDS), 'fr')), len(ours), "
            "stop_words('../fr'), stop_words('zz'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded, same, count, odd, unknown = out.stdout.split()
    assert (loaded, same, odd, unknown) == ("False", "True", "frozenset()", "frozenset()") and int(count) > 300


def test_a_model_the_quick_loader_cannot_build_loads_the_usual_way(monkeypatch):
    from threatwatch.entities import quick_load

    path = backends.french_model_path()
    if not (path / "meta.json").is_file():
        pytest.skip("the French model is not built in this checkout")
    with pytest.raises(ValueError, match="need spaCy's own loading"):
        quick_load.load_model_folder(path, allowed={"tok2vec"})  # its `ner` is not allowed

    def broken(*_args, **_kwargs):
        raise OSError("damaged tokenizer file")

    monkeypatch.setattr(quick_load, "load_model_folder", broken)
    recognizer = backends.french()
    assert type(recognizer.nlp).__name__ == "French"
    assert recognizer.find(["Le président Emmanuel Macron est arrivé à Paris."])[0]
