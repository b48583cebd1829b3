"""Load a shipped spaCy model folder without importing spaCy's module for its language.

Why: `import spacy.lang.fr` compiles French's tokenizer-exception pattern, an alternation of 266
anchored words, each followed by one of a few huge Unicode letter classes: 1.45 million characters,
3.1 s of CPU in every worker that meets one French paragraph (BENCHMARKS.md). A model folder
already carries its tokenizer's patterns and exceptions, and the NER reads only NORM, PREFIX,
SUFFIX and SHAPE, which French's module does not change. So the model is built on a bare
`Language` of the same code; what that loses (French `like_num`, stop words, noun chunks) no
threatwatch stage reads from this pipeline. The exception pattern is compiled in factored form:
alternatives that end with the same letter class share it once, `(?:^a-sexualis|^binge-watch|…)`
followed by the class, instead of one copy per word. The same strings match
(tests/test_quick_load.py compares it with spaCy's own pattern); 15 alternatives instead of 266,
about 0.2 s to compile.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# one escape, one whole character class (a `]` first in it is literal), or one bracket or bar
_SYNTAX = re.compile(r"\\.|\[\^?\]?(?:\\.|[^\]\\])*\]|[()|]", re.DOTALL)


def _with_depth(pattern: str) -> Iterator[tuple[re.Match[str], int]]:
    """Each syntax token of `pattern` with the group depth around it (for a bracket, the depth
    outside it: 0 for a top-level `(`; below 0 for a `)` that closes nothing)."""
    depth = 0
    for found in _SYNTAX.finditer(pattern):
        token = found.group()
        if token == ")":
            depth -= 1
        yield found, depth
        if token == "(":
            depth += 1


def top_level_alternatives(pattern: str) -> list[str]:
    """`pattern` split at the `|` that are outside every group and character class."""
    parts, start = [], 0
    for found, depth in _with_depth(pattern):
        if found.group() == "|" and depth == 0:
            parts.append(pattern[start:found.start()])
            start = found.end()
    parts.append(pattern[start:])
    return parts


def factored(pattern: str) -> str:
    """spaCy's token-match pattern, `(?flags)(?:A1)|(?:A2)|…`, with the alternatives that end the
    same way (from their first long character class outside any group on) merged into one group.
    Returned unchanged when it does not have that shape or the result would not compile."""
    flags = re.match(r"\(\?[a-zA-Z]+\)", pattern)
    if flags and "x" in flags.group():
        return pattern  # verbose patterns may hold spaces and comments the cut below does not expect
    body = pattern[flags.end():] if flags else pattern
    heads_by_tail: dict[str, list[str]] = {}
    for alternative in top_level_alternatives(body):
        inner = alternative[3:-1]
        if not (alternative.startswith("(?:") and alternative.endswith(")")) or not _one_group(inner):
            return pattern
        cut = _first_long_class(inner)
        heads_by_tail.setdefault(inner[cut:], []).append(inner[:cut])
    merged = ("(?:(?:" + "|".join(heads) + ")" + tail + ")" for tail, heads in heads_by_tail.items())
    result = (flags.group() if flags else "") + "|".join(merged)
    try:
        re.compile(result)
    except re.error:
        return pattern
    return result


def _one_group(inner: str) -> bool:
    """`(?:` + inner + `)` is one group: inner's brackets balance and it has no top-level `|`."""
    tokens = [(found.group(), depth) for found, depth in _with_depth(inner)]
    opened = sum(token == "(" for token, _ in tokens)
    closed = sum(token == ")" for token, _ in tokens)
    return opened == closed and all(depth >= 0 and not (token == "|" and depth == 0) for token, depth in tokens)


def _first_long_class(inner: str) -> int:
    """Where the first character class of 50 or more characters outside any group starts; the
    end of `inner` when there is none."""
    for found, depth in _with_depth(inner):
        token = found.group()
        if depth == 0 and token.startswith("[") and len(token) >= 50:
            return found.start()
    return len(inner)


def load_model_folder(path: Path, allowed: set[str] | frozenset[str]) -> Any:
    """The spaCy pipeline saved in `path`, built without `spacy.lang.<code>`. Raises ValueError
    for a pipeline with a component outside `allowed` (one that may need its language's own
    settings) or made by another spaCy minor version; the caller then loads it the usual way."""
    import spacy
    import srsly
    from spacy import util
    from spacy.language import BaseDefaults, Language

    config = util.load_config(path / "config.cfg")
    code = config["nlp"]["lang"]
    extra = set(config["nlp"]["pipeline"]) - set(allowed)
    if extra:
        raise ValueError(f"{path}: components {sorted(extra)} need spaCy's own loading")
    meta = srsly.read_json(path / "meta.json")
    if not util.is_compatible_version(spacy.__version__, str(meta.get("spacy_version", ""))):
        raise ValueError(f"{path}: made for spaCy {meta.get('spacy_version')}, this is {spacy.__version__}")
    # the class is made here, not registered: spaCy's own class for `code` stays in charge elsewhere
    bare = type(f"Bare_{code}", (Language,), {"lang": code, "Defaults": type("Defaults", (BaseDefaults,), {})})
    nlp = bare.from_config(config)
    nlp.from_disk(path, exclude=["tokenizer"])
    tokenizer = srsly.read_msgpack(path / "tokenizer")
    if isinstance(tokenizer.get("token_match"), str):
        tokenizer["token_match"] = factored(tokenizer["token_match"])
    nlp.tokenizer.from_bytes(srsly.msgpack_dumps(tokenizer))
    return nlp
