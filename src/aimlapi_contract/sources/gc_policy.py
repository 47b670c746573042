"""How often the cyclic garbage collector runs during a check, and what forked workers ask it to scan.

A catalogue run builds millions of long-lived objects that hold no cycles (parsed specs, findings).
At CPython's default thresholds a collection starts every 700 new objects and, every so often, scans
the whole heap: a fifth of a 776-page run. Collecting less often only delays freeing cycles (tracebacks,
validators), so memory stays well under its bound. Before a fork, the parent's heap is frozen: the
workers' collections then skip the objects they inherit instead of scanning (and copying) them.
The pools of forked workers are made here too, so multiprocessing and concurrent.futures (~35 ms at
start) are imported only by a run that forks.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

THRESHOLDS = (50_000, 20, 100)  # new objects per young collection; young collections per middle; middle per full


@contextlib.contextmanager
def collecting_rarely() -> Iterator[None]:
    """THRESHOLDS while the block runs, the previous ones after (the pytest plugin runs checks inside pytest)."""
    previous = gc.get_threshold()
    gc.set_threshold(*THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


@contextlib.contextmanager
def frozen_for_fork() -> Iterator[None]:
    """The objects that exist now are left out of collections (the parent's and its forks') until the block ends."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def can_fork() -> bool:
    """Whether processes can be forked here: multiprocessing offers the "fork" start method wherever os.fork exists."""
    return hasattr(os, "fork")


@contextlib.contextmanager
def fork_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """A pool of `workers` forked processes, the heap frozen for them while it runs."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with frozen_for_fork(), ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
        yield pool


@contextlib.contextmanager
def in_background(work: Callable[[], object]) -> Iterator[bool]:
    """`work()` in a forked process while the block runs, waited for when it ends; yields whether it started.

    Only what `work` leaves behind (files it writes) reaches this process. Not started (False) where this
    process cannot fork, or while another thread runs (forking could copy a held lock)."""
    if not can_fork() or threading.active_count() != 1:
        yield False
        return
    pid = os.fork()
    if pid == 0:
        status = 1
        try:
            gc.freeze()  # the inherited heap is left alone by this process' collections (no copies made)
            work()
            status = 0
        finally:
            os._exit(status)  # never this process' exit handlers, nor what it inherited buffered
    try:
        yield True
    except BaseException:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
        raise
    finally:
        with contextlib.suppress(OSError):
            os.waitpid(pid, 0)
