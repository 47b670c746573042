"""Findings of a deterministic check over fixed bytes, kept on disk so a cold run need not recompute them.

The key names everything the result depends on: the input's sha256, the suite version, the version
of the library doing the work and the source of the module holding the rules. A cache that cannot be
read or written is never an error: the findings are then computed as usual.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from importlib import metadata
from pathlib import Path

from .. import __version__
from ..files import atomic_write
from ..findings import Finding

FORMAT = 1  # bump when the stored layout changes


def cache_key(input_sha256: str, *, rules: Path, library: str | tuple[str, ...]) -> str:
    """A key for findings of `input_sha256` computed by the module at `rules` with `library` (one or more) installed."""
    return cache_keys([input_sha256], rules=rules, library=library)[0]


def cache_keys(inputs: Sequence[str], *, rules: Path, library: str | tuple[str, ...]) -> list[str]:
    """cache_key of each input; the versions and the rules' hash are read once for all (a catalogue has 800 specs)."""
    versions = [f"{name}={_version(name)}" for name in ((library,) if isinstance(library, str) else library)]
    try:
        # The rules module and the modules beside it that it uses (e.g. validity.py); or every module under a folder.
        files = sorted(rules.parent.glob("*.py")) if rules.is_file() else sorted(rules.rglob("*.py"))
        rules_sha = hashlib.sha256(b"\x1e".join(f.read_bytes() for f in files)).hexdigest()
    except OSError:
        rules_sha = "unreadable"
    # The interpreter too: messages quoting `ast` and `json` errors change between Python versions sharing a cache.
    python = sys.version
    return [hashlib.sha256("\x1f".join([str(FORMAT), sha, __version__, python, *versions, rules_sha]).encode()).hexdigest()
            for sha in inputs]


def _version(library: str) -> str:
    try:
        return metadata.version(library)
    except metadata.PackageNotFoundError:
        return "absent"


def cached_findings(
    cache: Path, key: str, compute: Callable[[], Iterable[Finding]], keep: Callable[[list[Finding]], bool] | None = None
) -> list[Finding]:
    """The findings stored under `key` in `cache`, else `compute()`'s, stored atomically for next time.

    Stored only if `keep` (when given) accepts them and each comes back from JSON as it went in (a tuple
    or a non-string key in `extra` would not): a cached run reports exactly what a fresh one does."""
    path = cache / "findings" / f"{key}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [Finding.from_dict(item) for item in data["findings"]]
    except (OSError, ValueError, KeyError, TypeError):
        pass  # absent or unreadable: recompute
    findings = list(compute())
    rows = [f.to_dict() for f in findings]
    if (keep is not None and not keep(findings)) or not _round_trips(rows):
        return findings
    try:
        atomic_write(path, json.dumps({"findings": rows}).encode(), durable=False)  # recomputed if torn
    except OSError:
        pass  # a read-only cache only costs time
    return findings


def _round_trips(rows: list[dict[str, object]]) -> bool:
    try:
        return bool(json.loads(json.dumps(rows)) == rows)
    except (TypeError, ValueError):  # not JSON at all
        return False


def is_cached(cache: Path, key: str) -> bool:
    """Whether findings are stored under `key` (a cheap test: a corrupt entry is recomputed by cached_findings)."""
    return (cache / "findings" / f"{key}.json").is_file()
