"""Spec lint over a catalogue: pure Python (~15 ms a spec on average, 0.3 s for the largest), so specs go to processes.

Workers are forked and read the specs they lint from the parent's memory; only findings travel back.
"""

from __future__ import annotations

from functools import partial
from collections.abc import Sequence

from ..findings import Finding, guarded, lazily
from ..sources import Spec
from ..sources.gc_policy import can_fork, fork_pool
from ..sources.workers import jobs
from .lint import iter_spec_findings

_MIN_PER_PROCESS = 4  # below this, starting processes costs more than it saves
_shared: Sequence[Spec] = ()  # the specs to lint, set before the fork


def _lint(index: int) -> list[Finding]:
    spec = _shared[index]
    return list(guarded(spec.source, "the spec lint", lazily(partial(iter_spec_findings, spec))))  # one bad spec is its own CT910


def lint_in_processes(specs: Sequence[Spec]) -> dict[str, list[Finding]]:
    """Source -> lint findings of each spec, computed in parallel; {} when too few to be worth it (callers lint inline)."""
    global _shared
    workers = min(jobs(), len(specs) // _MIN_PER_PROCESS)
    if workers < 2 or not can_fork():
        return {}
    # Largest first, so one big spec does not finish alone at the end.
    _shared = sorted(specs, key=lambda s: -len(s.raw))
    try:
        with fork_pool(workers) as pool:
            return {spec.source: found for spec, found in zip(_shared, pool.map(_lint, range(len(_shared))))}
    except (OSError, RuntimeError):  # no processes allowed here (a sandbox, a broken pool): lint inline
        return {}
    finally:
        _shared = ()
