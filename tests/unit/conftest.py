"""Fixtures for the package's own tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from aimlapi_contract.sources import DOCS_BASE_ENV


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared beside the repository (docs mirror, history, real traffic); from a git worktree elsewhere,
    the parent of a local $AIMLAPI_DOCS_BASE. Skips, saying where it looked, when neither exists."""
    beside = Path(__file__).parents[2].parent / "shared"
    base = os.environ.get(DOCS_BASE_ENV, "")
    candidates = [beside] + ([Path(base).resolve().parent] if base and "://" not in base else [])
    for path in candidates:
        if (path / "aimlapi-docs").is_dir():
            return path
    pytest.skip(f"the shared published-docs directory is absent (looked in {', '.join(map(str, candidates))})")
