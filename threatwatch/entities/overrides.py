"""Users' corrections to entity linking, kept as a log and applied on top of the linker.

`merge A B` folds B into A; `split A SURFACE` moves the mentions of A written SURFACE to an
entity of their own; `rename A NAME` changes A's display name. The linker is deterministic, so
applying the log to its answer gives the corrected entity again after any re-ingest or re-link.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from threatwatch.entities.names import name_key

Action = Literal["merge", "split", "rename"]
ACTIONS: tuple[Action, ...] = ("merge", "split", "rename")


@dataclass(frozen=True, slots=True)
class Override:
    action: Action
    target: str  # the entity acted on (merge: the one that remains)
    argument: str  # merge: the entity folded in; split: the surface form; rename: the new name


_NOT_WORD = re.compile(r"\W+")


def split_id(entity_id: str, surface: str) -> str:
    slug = _NOT_WORD.sub("-", name_key(surface)).strip("-")
    return f"{entity_id}~{slug}"


def resolve(linked_id: str, surface: str, overrides: Iterable[Override]) -> str:
    """The entity a mention belongs to once the corrections, in the order made, are applied."""
    entity_id = linked_id
    key = name_key(surface)
    for override in overrides:
        if override.action == "merge" and entity_id == override.argument:
            entity_id = override.target
        elif override.action == "split" and entity_id == override.target and key == name_key(override.argument):
            entity_id = split_id(override.target, override.argument)
    return entity_id
