"""Work over many cassettes on the machine's cores, results in the input's order (so output never depends on it).

Small inputs run serially. A large one runs its first items serially too, which builds the engines'
validators and caches once, then forks a process pool that inherits them and takes the rest in
batches; `pool.map` hands the batches back in order, so the merged result is exactly the serial one.
`AIMLAPI_CONTRACT_JOBS=1` forces the serial path; without `fork` (Windows, macOS' default) it is serial,
and so it is while another thread runs (a progress bar's refresh): forking then could copy a held lock.
`carry` (take, absorb) hands what workers learn back to the parent: each batch's `take()` goes with its
results to the parent's `absorb`, so caches kept on disk are written by one process.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from ..sources.gc_policy import can_fork, fork_pool

T = TypeVar("T")
R = TypeVar("R")

JOBS_ENV = "AIMLAPI_CONTRACT_JOBS"
MIN_PARALLEL = 200  # below this many cassettes, starting processes costs more than it saves
WARM_UP = 8  # items done in the parent first, so every worker inherits built validators
_MAX_BATCH = 32

# The function the forked workers apply: set in the parent just before the fork, inherited, never pickled.
_WORK: Callable[[Any], Any] | None = None
_TAKE: Callable[[], Any] | None = None


def worker_count() -> int:
    """Processes to use: $AIMLAPI_CONTRACT_JOBS, else the cores this process may run on."""
    raw = os.environ.get(JOBS_ENV, "").strip()
    if raw.isdigit() and int(raw) > 0:
        return int(raw)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


Carry = tuple[Callable[[], Any], Callable[[Any], None]]


def map_in_order(func: Callable[[T], R], items: Sequence[T], jobs: int | None = None, carry: Carry | None = None) -> Iterator[R]:
    """`func` of each item, in order; over forked processes when there are many items and cores."""
    jobs = worker_count() if jobs is None else jobs
    forkable = can_fork() and threading.active_count() == 1
    if jobs <= 1 or len(items) < MIN_PARALLEL or not forkable:
        yield from map(func, items)
        return
    yield from map(func, items[:WARM_UP])
    rest = items[WARM_UP:]
    size = max(1, min(_MAX_BATCH, len(rest) // (jobs * 8)))
    batches = [rest[i : i + size] for i in range(0, len(rest), size)]
    global _WORK, _TAKE
    take, absorb = carry if carry is not None else (lambda: None, lambda learned: None)
    take()  # what the parent learned stays the parent's: workers hand back only their own
    _WORK, _TAKE = func, take
    try:
        with fork_pool(jobs) as pool:
            for results, learned in pool.map(_run_batch, batches):
                absorb(learned)
                yield from results
    finally:
        _WORK = _TAKE = None


def _run_batch(batch: Sequence[Any]) -> tuple[list[Any], Any]:
    assert _WORK is not None and _TAKE is not None, "map_in_order sets the work before forking"
    return [_WORK(item) for item in batch], _TAKE()
