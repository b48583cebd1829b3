"""Domain knowledge shipped as data files; `load_json` reads one of them by its path here."""

from __future__ import annotations

import json
from importlib import resources
from importlib.abc import Traversable
from typing import Any


def data_file(*parts: str) -> Traversable:
    return resources.files(__name__).joinpath(*parts)


def load_json(*parts: str) -> Any:
    return json.loads(data_file(*parts).read_text("utf-8"))
