"""How many worker processes a catalogue run may use (the spec lint and the docs lint both fan out)."""

from __future__ import annotations

import os

JOBS_ENV = "AIMLAPI_CONTRACT_JOBS"


def jobs() -> int:
    """Worker processes: $AIMLAPI_CONTRACT_JOBS (1 turns them off), else the CPUs this process may use."""
    try:
        wanted = int(os.environ.get(JOBS_ENV, "0"))
    except ValueError:
        wanted = 0
    if wanted > 0:
        return wanted
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
