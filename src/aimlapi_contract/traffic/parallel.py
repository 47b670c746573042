"""Work over many cassettes on the machine's cores, results in the input's order (so output never depends on it).

Small inputs run serially. A large one runs its first items serially too, which builds the engines'
validators and caches once, then forks up to `jobs - 1` workers that inherit them; this process works too.
The batches are handed out through a pipe holding one 4-byte token per batch, all written before the
fork: reads of a pipe are serialised, so a read of 4 bytes takes a whole token, and whoever is free takes
the next batch, with no queue or thread. Each worker writes its batches to an unnamed temporary file as
it goes and a last record when it is done, then exits; the results are merged in the batches' order, so
the merged result is exactly the serial one. A batch of a worker that did not finish (killed, say), or
that could not be started, is done here; whether a worker finished is read from its file, not its exit
status (a process started with SIGCHLD ignored has none to read). `AIMLAPI_CONTRACT_JOBS=1` forces the
serial path; without `fork` (Windows) it is serial, and so it is while another thread runs (a progress
bar's refresh): forking then could copy a held lock. `carry` (take, absorb) hands what workers learn back
to the parent: each worker's `take()` goes with its results to the parent's `absorb`, so caches kept on
disk are written by one process.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import IO, Any, TypeVar

from ..sources.gc_policy import can_fork, end_process, frozen_for_fork, run_forked

# One reading of $AIMLAPI_CONTRACT_JOBS for every pool (JOBS_ENV is named here for this module's readers).
from ..sources.workers import JOBS_ENV  # noqa: F401
from ..sources.workers import jobs as worker_count

T = TypeVar("T")
R = TypeVar("R")

MIN_PARALLEL = 200  # with no sizes given: below this many items, forking costs more than it saves
# With sizes (bytes per item): fork for at least this many items holding at least this many bytes in all.
# Measured (benchmarks/e2e.py, 2 cores): 48 recordings (0.3 MB) gain nothing, 120 (0.8 MB) gain.
MIN_PARALLEL_ITEMS = 16
MIN_PARALLEL_BYTES = 600_000
WARM_UP = 8  # items done in the parent first, so every worker inherits built validators
_MAX_BATCH = 32
# At most this many batches: their tokens are written before the fork, so they must fit the pipe's buffer
# whatever it is (4 KiB: Linux gives a user past its pipe-user-pages-soft one page), or the write would block.
_TOKENS = 1024

Carry = tuple[Callable[[], Any], Callable[[Any], None]]


def worth_forking(items: Sequence[T], weigh: Callable[[T], int] | None = None) -> bool:
    """Whether `items` are enough work to share between processes: by their count, or with `weigh` (an item's
    bytes), by count and bytes in all (weighed only until there are enough)."""
    if weigh is None:
        return len(items) >= MIN_PARALLEL
    if len(items) < MIN_PARALLEL_ITEMS:
        return False
    total = 0
    for item in items:
        total += weigh(item)
        if total >= MIN_PARALLEL_BYTES:
            return True
    return False


def map_in_order(
    func: Callable[[T], R],
    items: Sequence[T],
    jobs: int | None = None,
    carry: Carry | None = None,
    weigh: Callable[[T], int] | None = None,
) -> Iterator[R]:
    """`func` of each item, in order; over forked processes when there is enough work (see worth_forking)
    and there are cores."""
    jobs = worker_count() if jobs is None else jobs
    forkable = can_fork() and threading.active_count() == 1
    if jobs <= 1 or not forkable or not worth_forking(items, weigh):
        yield from map(func, items)
        return
    yield from map(func, items[:WARM_UP])
    rest = items[WARM_UP:]
    size_each = max(1, min(_MAX_BATCH, len(rest) // (jobs * 8)), -(-len(rest) // _TOKENS))
    batches = [rest[i : i + size_each] for i in range(0, len(rest), size_each)]
    take, absorb = carry if carry is not None else (lambda: None, lambda learned: None)
    take()  # what the parent learned stays the parent's: workers hand back only their own
    for results in _shared(func, batches, jobs, take, absorb):
        yield from results


def _shared(
    func: Callable[[T], R], batches: list[Sequence[T]], jobs: int, take: Callable[[], Any], absorb: Callable[[Any], None]
) -> list[list[R]]:
    """Each batch's results, the batches taken by this process and up to `jobs - 1` forked workers in turn."""
    done: dict[int, list[R]] = {}
    try:
        read_end, write_end = os.pipe()
    except OSError:
        read_end = write_end = -1  # no pipe to be had: every batch is done here, below
    workers: list[tuple[int, IO[bytes]]] = []  # (pid, its results file), until reaped
    with contextlib.ExitStack() as files:
        try:
            if read_end >= 0:
                _write_all(write_end, b"".join(i.to_bytes(4, "little") for i in range(len(batches))))
                os.close(write_end)
                write_end = -1
                with frozen_for_fork():
                    for _ in range(min(jobs - 1, len(batches) - 1)):
                        try:
                            output: IO[bytes] = files.enter_context(tempfile.TemporaryFile())  # unnamed: gone once closed
                            pid = run_forked(partial(_work, func, batches, read_end, output, take))
                        except OSError:
                            break  # no more processes (or no temporary file): fewer hands
                        workers.append((pid, output))
                    for i in _claims(read_end):
                        done[i] = [func(item) for item in batches[i]]
                    while workers:
                        pid, output = workers[0]
                        with contextlib.suppress(ChildProcessError):  # SIGCHLD ignored: reaped by the system
                            os.waitpid(pid, 0)
                        workers.pop(0)  # reaped: never signalled again (its pid may be another process' now)
                        output.seek(0)
                        theirs, learned, finished = _read_back(output)
                        if finished:  # its last record written: every batch it took is here
                            done.update(theirs)
                            absorb(learned)
        finally:
            for pid, _ in workers:  # interrupted: the workers are ended, never left behind
                end_process(pid)
            for fd in (read_end, write_end):
                if fd >= 0:
                    os.close(fd)
    # A batch whose worker did not finish (killed, out of memory) is done here: nothing is lost.
    return [done[i] if i in done else [func(item) for item in batch] for i, batch in enumerate(batches)]


def _work(func: Callable[[T], R], batches: list[Sequence[T]], read_end: int, out: IO[bytes], take: Callable[[], Any]) -> int:
    """A forked worker's life (gc_policy.run_forked: it exits with what this returns)."""
    for i in _claims(read_end):  # written batch by batch: pickling overlaps the work, not the wait
        pickle.dump((i, [func(item) for item in batches[i]]), out, protocol=pickle.HIGHEST_PROTOCOL)
    pickle.dump((-1, take()), out, protocol=pickle.HIGHEST_PROTOCOL)  # the last record: all written
    out.flush()
    return 0


def _read_back(out: IO[bytes]) -> tuple[dict[int, Any], Any, bool]:
    """A worker's batches by number, what it learned, and whether it finished (wrote its last record)."""
    theirs: dict[int, Any] = {}
    while True:
        try:
            i, value = pickle.load(out)
        except Exception:  # noqa: BLE001  (EOF, or a record the worker could not finish)
            return theirs, None, False
        if i < 0:
            return theirs, value, True
        theirs[i] = value


def _claims(read_end: int) -> Iterator[int]:
    """Batch numbers taken from the pipe until it is empty."""
    while token := os.read(read_end, 4):
        yield int.from_bytes(token, "little")


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
