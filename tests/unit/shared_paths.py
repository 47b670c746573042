"""Where the tests find ../shared (the published docs mirror and its history), for module-level skip markers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def mirror_dir() -> Path:
    """../shared/aimlapi-docs beside the repository (CI), else a local $AIMLAPI_DOCS_BASE (a git worktree elsewhere)."""
    beside = Path(__file__).parents[2].parent / "shared" / "aimlapi-docs"
    base = os.environ.get("AIMLAPI_DOCS_BASE", "")
    # Resolved now, at import: a relative $AIMLAPI_DOCS_BASE means the directory pytest started in,
    # and pytester and some tests change directory later.
    return Path(base).resolve() if not beside.is_dir() and base and "://" not in base else beside


def shared_root() -> Path:
    """../shared beside the repository (CI); from a git worktree elsewhere, the parent of a local $AIMLAPI_DOCS_BASE."""
    beside = Path(__file__).parents[2].parent / "shared"
    base = os.environ.get("AIMLAPI_DOCS_BASE", "")
    if not beside.is_dir() and base and "://" not in base:
        return Path(base).resolve().parent
    return beside


MIRROR = mirror_dir()
needs_mirror = pytest.mark.skipif(not MIRROR.is_dir(), reason=f"{MIRROR} (the published docs mirror) is absent")
