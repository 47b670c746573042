"""Spec lint over a catalogue: openapi-spec-validator is pure Python (~0.7 s a spec), so specs go to processes."""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

from ..findings import Finding
from ..sources import Spec
from .lint import iter_spec_findings

JOBS_ENV = "AIMLAPI_CONTRACT_JOBS"
_MIN_PER_PROCESS = 4  # below this, starting processes costs more than it saves


def jobs() -> int:
    """Worker processes: $AIMLAPI_CONTRACT_JOBS, else the CPUs this process may use."""
    try:
        wanted = int(os.environ.get(JOBS_ENV, "0"))
    except ValueError:
        wanted = 0
    return wanted if wanted > 0 else len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _lint(spec: Spec) -> list[Finding]:
    return list(iter_spec_findings(spec))


def lint_in_processes(specs: Sequence[Spec]) -> dict[str, list[Finding]]:
    """Source -> lint findings of each spec, computed in parallel; {} when too few to be worth it (callers lint inline)."""
    workers = min(jobs(), len(specs) // _MIN_PER_PROCESS)
    if workers < 2:
        return {}
    try:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            # Largest first, so one big spec does not finish alone at the end.
            ordered = sorted(specs, key=lambda s: -len(s.text))
            return {spec.source: found for spec, found in zip(ordered, pool.map(_lint, ordered, chunksize=1))}
    except (OSError, RuntimeError):  # no processes allowed here (a sandbox, a broken pool): lint inline
        return {}
