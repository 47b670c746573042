"""Where the tests find the published documents, the same way on any machine.

In order: `../shared/aimlapi-docs` beside the repository (this machine's CI); a local directory in
$AIMLAPI_DOCS_BASE (a git worktree elsewhere); an http(s) $AIMLAPI_DOCS_BASE (a runner: the docs
served on loopback like the raw host; upstream itself when nothing is set), whose tracked pages and every spec they
link are fetched once, through the suite's own fetcher, into `.cache/test-docs/<hash of the base>/`
laid out like the mirror. What only ../shared has (the published history, real traffic samples)
is then absent, and the tests that need it skip saying so.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WHY_ABSENT = "neither ../shared nor AIMLAPI_DOCS_BASE holds them"  # how the documents were looked for, for skip reasons


def _materialized(base: str) -> Path:
    """The tracked pages and their specs from an http(s) docs base, in a local directory laid out like upstream."""
    from aimlapi_contract.check import CheckOptions, load_docsets
    from aimlapi_contract.sources import DocsBase

    shared = ROOT / ".cache" / "test-docs" / hashlib.sha256(base.encode()).hexdigest()[:16] / "shared"
    target = shared / "aimlapi-docs"
    pages = [p["path"] for p in json.loads((ROOT / "specs" / "manifest.json").read_text(encoding="utf-8"))["pages"]]
    if all((target / p).is_file() for p in pages):
        return shared
    problems = []
    for docset in load_docsets(CheckOptions(DocsBase(base), pages, cache=shared.parent / "fetch-cache")):
        problems += [f.message for f in docset.findings]
        for fetched in docset.fetched:
            path = target / fetched.rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(fetched.data)
    if not all((target / p).is_file() for p in pages):
        raise RuntimeError(problems[0] if problems else "no document came back")
    return shared


def shared_root() -> Path:
    """../shared beside the repository (CI); else the parent of a local $AIMLAPI_DOCS_BASE; else the documents fetched from
    an http(s) $AIMLAPI_DOCS_BASE. The first that holds `aimlapi-docs`; ../shared (absent) when none does."""
    from aimlapi_contract.sources.base import DEFAULT_DOCS_BASE

    beside = ROOT.parent / "shared"
    # No mirror and no setting (a GitHub runner): the published upstream, as the suite itself reads it.
    base = os.environ.get("AIMLAPI_DOCS_BASE", "") or DEFAULT_DOCS_BASE
    if (beside / "aimlapi-docs").is_dir():
        return beside
    if "://" not in base:
        return Path(base).resolve().parent
    global WHY_ABSENT
    WHY_ABSENT = f"fetched from {base} (AIMLAPI_DOCS_BASE, else upstream)"
    try:
        return _materialized(base)
    except Exception as exc:  # a test run says what is missing; it does not stop at import
        WHY_ABSENT = f"could not be fetched from {base}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
        return beside


def mirror_dir() -> Path:
    """../shared/aimlapi-docs, or a local $AIMLAPI_DOCS_BASE as given, or the documents fetched from an http(s) one."""
    base = os.environ.get("AIMLAPI_DOCS_BASE", "")
    # Resolved now, at import: a relative $AIMLAPI_DOCS_BASE means the directory pytest started in,
    # and pytester and some tests change directory later.
    if base and "://" not in base and not (ROOT.parent / "shared" / "aimlapi-docs").is_dir():
        return Path(base).resolve()
    return SHARED / "aimlapi-docs"


SHARED = shared_root()
MIRROR = mirror_dir()
needs_mirror = pytest.mark.skipif(not MIRROR.is_dir(), reason=f"{MIRROR} (the published docs mirror) is absent: {WHY_ABSENT}")
