"""Findings of a deterministic check over fixed bytes, kept on disk so a cold run need not recompute them.

The key names everything the result depends on: the input's sha256, the suite version, the version
of the library doing the work and the source of the module holding the rules. A cache that cannot be
read or written is never an error: the findings are then computed as usual.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path

from ..files import atomic_write
from ..findings import Finding
from ..sources.cache_keys import cache_key, cache_keys

__all__ = ["cache_key", "cache_keys", "cached_findings", "is_cached"]


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
