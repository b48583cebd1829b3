"""Load a shipped spaCy model folder without importing spaCy's module for its language.

Why: `import spacy.lang.fr` compiles French's tokenizer-exception pattern, an alternation of 266
anchored words, each followed by one of a few huge Unicode letter classes: 1.45 million characters,
3.1 s of CPU in every worker that meets one French paragraph (BENCHMARKS.md). A model folder
already carries its tokenizer's patterns and exceptions, so the language module adds nothing that
the NER reads (its features are NORM, PREFIX, SUFFIX and SHAPE). Here the model is built on a bare
`Language` of the same code, and the exception pattern is compiled in factored form: alternatives
that end with the same letter class share it once, `^(?:a-sexualis|binge-watch|…)[letters]+$`
instead of one copy per word. Same strings match (tests/test_quick_load.py compares it with
spaCy's own pattern); 15 alternatives instead of 266, 0.2 s to compile.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

_BIG_CLASS = re.compile(r"\[[^\]]{50,}")  # a letter class long enough to be worth sharing


# one escape, one whole character class (a `]` first in it is literal), or one bracket or bar
_SYNTAX = re.compile(r"\\.|\[\^?\]?(?:\\.|[^\]\\])*\]|[()|]", re.DOTALL)


def top_level_alternatives(pattern: str) -> list[str]:
    """`pattern` split at the `|` that are outside every group and character class."""
    parts, depth, start = [], 0, 0
    for found in _SYNTAX.finditer(pattern):
        token = found.group()
        if token == "(":
            depth += 1
        elif token == ")":
            depth -= 1
        elif token == "|" and depth == 0:
            parts.append(pattern[start:found.start()])
            start = found.end()
    parts.append(pattern[start:])
    return parts


def factored(pattern: str) -> str:
    """spaCy's token-match pattern, `(?flags)(?:A1)|(?:A2)|…`, with the alternatives that end the
    same way (from their first long character class on) merged into one group. Returned unchanged
    when it does not have that shape."""
    flags = re.match(r"\(\?[a-zA-Z]+\)", pattern)
    body = pattern[flags.end():] if flags else pattern
    alternatives = top_level_alternatives(body)
    if not all(a.startswith("(?:") and a.endswith(")") for a in alternatives):
        return pattern
    heads_by_tail: dict[str, list[str]] = {}
    for alternative in alternatives:
        inner = alternative[3:-1]
        if top_level_alternatives(inner) != [inner]:
            return pattern  # an alternative with its own top-level `|`: not safe to cut
        found = _BIG_CLASS.search(inner)
        cut = found.start() if found else len(inner)
        heads_by_tail.setdefault(inner[cut:], []).append(inner[:cut])
    merged = ("(?:(?:" + "|".join(heads) + ")" + tail + ")" for tail, heads in heads_by_tail.items())
    return (flags.group() if flags else "") + "|".join(merged)


def load_model_folder(path: Path) -> Any:
    """The spaCy pipeline saved in `path`, built without `spacy.lang.<code>`."""
    import srsly
    from spacy import util
    from spacy.language import BaseDefaults, Language

    config = util.load_config(path / "config.cfg")
    code = config["nlp"]["lang"]
    # the class is made here, not registered: spaCy's own class for `code` stays in charge elsewhere
    bare = type(f"Bare_{code}", (Language,), {"lang": code, "Defaults": type("Defaults", (BaseDefaults,), {})})
    nlp = bare.from_config(config)
    nlp.from_disk(path, exclude=["tokenizer"])
    tokenizer = srsly.read_msgpack(path / "tokenizer")
    if isinstance(tokenizer.get("token_match"), str):
        tokenizer["token_match"] = factored(tokenizer["token_match"])
    nlp.tokenizer.from_bytes(srsly.msgpack_dumps(tokenizer))
    return nlp
