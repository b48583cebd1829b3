"""Shared fixtures. The reference articles and eval data live in ../shared beside the repo
(as CI lays them out); THREATWATCH_SHARED overrides the location."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from threatwatch.store import Store

# Tables cached on disk (threatwatch/cache.py) go to a folder of this test run, not the user's.
if "THREATWATCH_CACHE_DIR" not in os.environ:
    _CACHE = tempfile.mkdtemp(prefix="threatwatch-test-cache-")
    os.environ["THREATWATCH_CACHE_DIR"] = _CACHE
    atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("THREATWATCH_SHARED", REPO.parent / "shared"))
SEEDS = SHARED / "seeds"
EXAMPLES = REPO / "examples"


def seed_files() -> list[Path]:
    return sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "test.db") as opened:
        yield opened


@pytest.fixture
def seeds_dir() -> Path:
    if not seed_files():
        pytest.skip(f"reference seeds not found at {SEEDS}; set THREATWATCH_SHARED")
    return SEEDS
