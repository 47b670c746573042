"""The collector's settings during a check are the run's own: restored after, whatever happens in between;
and work handed to a forked process."""

from __future__ import annotations

import gc
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from aimlapi_contract.sources.gc_policy import (
    THRESHOLDS,
    collecting_rarely,
    frozen_for_fork,
    in_background,
    run_forked,
)


def test_thresholds_are_raised_for_the_block_and_restored_after_an_error() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), collecting_rarely():
        assert gc.get_threshold() == THRESHOLDS
        raise RuntimeError("a check that fails")
    assert gc.get_threshold() == before


def test_what_exists_before_a_fork_is_frozen_for_the_block_only() -> None:
    before = gc.get_freeze_count()
    with frozen_for_fork():
        assert gc.get_freeze_count() > before
    assert gc.get_freeze_count() == 0


def test_background_work_runs_in_another_process_and_is_waited_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threading, "active_count", lambda: 1)  # threads other tests left behind
    out = tmp_path / "pid"
    with in_background(lambda: (time.sleep(0.05), out.write_text(str(os.getpid())))) as started:
        assert started
    assert out.read_text() != str(os.getpid())  # done, and done elsewhere, by the time the block has ended


def test_background_work_that_fails_or_dies_costs_only_its_results(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    for work in (lambda: 1 / 0, lambda: os._exit(9)):
        with in_background(work) as started:
            assert started
    assert gc.get_freeze_count() == 0  # the freeze is the worker's own


def test_no_background_work_while_another_thread_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threading, "active_count", lambda: 2)  # a progress bar's refresh thread
    ran: list[int] = []
    with in_background(lambda: ran.append(1)) as started:
        assert not started
    assert not ran


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state in ("Z", "X")  # ended (a zombie until its new parent, init, reaps it)


def test_a_failed_block_ends_the_background_process_and_what_it_started(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    pids = tmp_path / "pids"

    def work() -> None:
        helper = os.fork()  # a worker of its own, as a lint's process pool has
        if helper == 0:
            time.sleep(60)
            os._exit(0)
        pids.write_text(f"{os.getpid()} {helper}")
        time.sleep(60)

    with pytest.raises(KeyboardInterrupt), in_background(work) as started:
        assert started
        deadline = time.monotonic() + 10
        while not pids.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        raise KeyboardInterrupt
    leader, helper = map(int, pids.read_text().split())
    deadline = time.monotonic() + 10
    while not (_gone(leader) and _gone(helper)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _gone(leader) and _gone(helper)


def test_background_work_that_overruns_is_ended(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    monkeypatch.setattr("aimlapi_contract.sources.gc_policy.BACKGROUND_WAIT", 0.2)
    start = time.monotonic()
    with in_background(lambda: time.sleep(60)) as started:
        assert started
    assert time.monotonic() - start < 10  # ended, not waited for: the caller then does the work itself


def test_a_forked_child_cleans_up_when_terminated(tmp_path: Path) -> None:
    marker, ready = tmp_path / "cleaned", tmp_path / "ready"

    def work() -> int:
        try:
            ready.write_text("")
            time.sleep(60)
            return 0
        finally:
            marker.write_text("")  # as atomic_write removes its temporary file

    pid = run_forked(work)
    deadline = time.monotonic() + 10
    while not ready.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(pid, signal.SIGTERM)
    _, status = os.waitpid(pid, 0)
    assert marker.exists() and os.waitstatus_to_exitcode(status) != 0  # cleaned up, and not called a success
