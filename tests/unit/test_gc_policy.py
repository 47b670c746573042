"""The collector's settings during a check are the run's own: restored after, whatever happens in between;
and work handed to a forked process."""

from __future__ import annotations

import gc
import os
import threading
import time
from pathlib import Path

import pytest

from aimlapi_contract.sources.gc_policy import (
    THRESHOLDS,
    collecting_rarely,
    frozen_for_fork,
    in_background,
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
