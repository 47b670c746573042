"""The collector's settings during a check are the run's own: restored after, whatever happens in between."""

from __future__ import annotations

import gc

import pytest

from aimlapi_contract.sources.gc_policy import THRESHOLDS, collecting_rarely, frozen_for_fork


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
