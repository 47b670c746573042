"""Fixtures for the package's own tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aimlapi_contract.check import CheckOptions, run_checks
from aimlapi_contract.reports.model import Report
from aimlapi_contract.sources.base import DEFAULT_PAGE, DOCS_BASE_ENV, DocsBase


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared beside the repository (docs mirror, history, real traffic); else the parent of a local
    $AIMLAPI_DOCS_BASE, or the documents fetched from an http(s) one (shared_paths.py). Skips, saying where it
    looked, when none holds the published docs."""
    from shared_paths import SHARED, WHY_ABSENT

    if (SHARED / "aimlapi-docs").is_dir():
        return SHARED
    pytest.skip(f"the published docs are absent: no {SHARED / 'aimlapi-docs'} ({WHY_ABSENT}); set {DOCS_BASE_ENV} to a mirror directory or URL")


@pytest.fixture(scope="session")
def catalogue_sample(shared_dir: Path) -> Path:
    """The mirror's `aimlapi-docs` with its sample of catalogue pages (../shared has 58 beside gpt-4.1-nano). Skips
    where only the tracked pages were fetched (a runner serving the docs on loopback, without ../shared)."""
    from shared_paths import WHY_ABSENT

    docs = shared_dir / "aimlapi-docs"
    tracked = json.loads((Path(__file__).resolve().parents[2] / "specs" / "manifest.json").read_text(encoding="utf-8"))["pages"]
    if sum(1 for _ in docs.rglob("*.md")) <= len(tracked):
        pytest.skip(f"the mirror's sample of catalogue pages is absent: {docs} holds only the tracked pages ({WHY_ABSENT})")
    return docs


@pytest.fixture(scope="session")
def mirror_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache for runs over the unchanged mirror: the spec lint's findings are computed once per session."""
    return tmp_path_factory.mktemp("mirror-cache")


@pytest.fixture(scope="session")
def mirror_report(shared_dir: Path, mirror_cache: Path) -> Report:
    """Every check over the published mirror with the repository's committed cassettes, baseline and lock, run once per
    session: for tests that only read the report. Tests that write a baseline, lock or cache run their own."""
    root = Path(__file__).parents[2]
    options = CheckOptions(DocsBase(str(shared_dir / "aimlapi-docs")), [DEFAULT_PAGE],
                           cache=mirror_cache, cassettes=root / "cassettes" / "published-examples",  # committed ones, not local recordings
                           baseline_path=root / "specs" / "baseline.json", lock_path=root / "specs" / "lock.json")
    return run_checks(options)
