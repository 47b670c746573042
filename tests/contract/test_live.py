"""Live items: each scenario sent to the API with `pytest --live`, or replayed from its cassette without it.

Record with `AIMLAPI_KEY=... pytest --live --record-mode=once|new_episodes|all|rewrite tests/contract/test_live.py`;
cassettes go to cassettes/test_live/, one per scenario. Scenarios: src/aimlapi_contract/scenarios.py.
"""

from __future__ import annotations

import pytest

from aimlapi_contract.live.items import LiveRun
from aimlapi_contract.live.scenarios import SCENARIOS, Scenario

pytestmark = [pytest.mark.live, pytest.mark.vcr]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_scenario(live_run: LiveRun, scenario: Scenario) -> None:
    """The API answers the scenario with the status it expects and as the spec documents it."""
    live_run.check(scenario)
