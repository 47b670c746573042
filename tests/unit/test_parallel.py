"""map_in_order: the serial result, in order, whether or not it forks."""

from __future__ import annotations

import os

import pytest

from aimlapi_contract.traffic import parallel


def _square_and_pid(n: int) -> tuple[int, int]:
    return n * n, os.getpid()


def test_small_inputs_stay_in_this_process() -> None:
    results = list(parallel.map_in_order(_square_and_pid, list(range(10)), jobs=2))
    assert [r for r, _ in results] == [n * n for n in range(10)]
    assert {pid for _, pid in results} == {os.getpid()}


def test_large_inputs_fork_and_keep_the_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 20)
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 1)  # threads other tests left behind
    items = list(range(200))
    results = list(parallel.map_in_order(_square_and_pid, items, jobs=2))
    assert [r for r, _ in results] == [n * n for n in items]
    pids = [pid for _, pid in results]
    assert set(pids[: parallel.WARM_UP]) == {os.getpid()}  # the warm-up runs here, building caches to inherit
    assert set(pids[parallel.WARM_UP :]) - {os.getpid()}  # the rest in worker processes


def test_the_environment_can_force_the_serial_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(parallel.JOBS_ENV, "1")
    assert parallel.worker_count() == 1
    monkeypatch.setenv(parallel.JOBS_ENV, "3")
    assert parallel.worker_count() == 3


def test_another_running_thread_keeps_it_serial(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 20)
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 2)  # e.g. rich's progress refresh thread
    results = list(parallel.map_in_order(_square_and_pid, list(range(50)), jobs=2))
    assert {pid for _, pid in results} == {os.getpid()}


_LEARNED: list[int] = []


def _learn(n: int) -> int:
    _LEARNED.append(n)  # what a cache would learn from this item, in whichever process ran it
    return n


def test_what_the_workers_learn_reaches_the_parent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 20)
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 1)
    _LEARNED.clear()
    absorbed: list[int] = []

    def take() -> list[int]:
        out = list(_LEARNED)
        _LEARNED.clear()
        return out

    items = list(range(120))
    assert list(parallel.map_in_order(_learn, items, jobs=2, carry=(take, absorbed.extend))) == items
    # The parent keeps what it learned in the warm-up itself; each worker hands back only its own items, once.
    assert sorted(absorbed) == items[parallel.WARM_UP :]
