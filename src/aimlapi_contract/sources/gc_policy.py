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
import time
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


def run_forked(work: Callable[[], int]) -> int:
    """Fork a child that runs `work()` and exits with its status (1 if it raised), never returning; the child's pid.

    SIGINT and SIGTERM are held across the fork, so a signal cannot reach the child before it is inside its
    `try` (it would run this process' clean-up as its own). In the child SIGTERM raises SystemExit, so what
    `work` writes is cleaned up as on any error (atomic writes remove their temporary file)."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        pid = os.fork()
    except BaseException:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        raise
    if pid:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        return pid
    status = 1
    try:
        signal.signal(signal.SIGTERM, _exit_on_term)
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        status = work()
    finally:
        os._exit(status)  # never this process' exit handlers, nor what it inherited buffered


def _exit_on_term(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


BACKGROUND_WAIT = 600.0  # seconds a background process may run past the block; then it is ended and its work redone


@contextlib.contextmanager
def in_background(work: Callable[[], object]) -> Iterator[bool]:
    """`work()` in a forked process while the block runs, waited for when it ends; yields whether it started.

    Only what `work` leaves behind (files it writes) reaches this process. Not started (False) where this
    process cannot fork, or while another thread runs (forking could copy a held lock). The process leads a
    process group of its own: ending it (the block failed, or it ran BACKGROUND_WAIT past the block) ends
    any workers it started too, and a terminal's Ctrl-C reaches this process alone."""
    if not can_fork() or threading.active_count() != 1:
        yield False
        return

    def child() -> int:
        os.setpgid(0, 0)
        gc.freeze()  # the inherited heap is left alone by this process' collections (no copies made)
        work()
        return 0

    try:
        pid = run_forked(child)
    except OSError:  # no process to be had (a limit, a sandbox): the caller does the work itself
        yield False
        return
    with contextlib.suppress(OSError):
        os.setpgid(pid, pid)  # also here: whichever side runs first, the group exists before it is signalled
    try:
        yield True
    except BaseException:
        end_process(pid, group=True)
        raise
    if not _exited(pid, BACKGROUND_WAIT):
        end_process(pid, group=True)


def _exited(pid: int, seconds: float) -> bool:
    """Wait up to `seconds` for child `pid` to exit (True), reaping it."""
    deadline, pause = time.monotonic() + seconds, 0.001
    while True:
        try:
            if os.waitpid(pid, os.WNOHANG)[0]:
                return True
        except ChildProcessError:
            return True  # reaped already (SIGCHLD ignored: the system reaps children itself)
        if time.monotonic() >= deadline:
            return False
        time.sleep(pause)
        pause = min(pause * 2, 0.05)


def end_process(pid: int, *, group: bool = False) -> None:
    """End child `pid` (with `group`, the process group it leads): politely, then for good; reap it."""
    kill = os.killpg if group else os.kill
    for sig, grace in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(OSError):
            kill(pid, sig)
        if _exited(pid, grace):
            return
