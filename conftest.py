"""Suite settings for this repository: cassettes replay offline unless a run asks to record."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).parent


@pytest.fixture(scope="session")
def vcr_config(contract_vcr_config: dict[str, object]) -> dict[str, object]:
    """pytest-recording settings: never send real credentials to disk (the plugin's redaction and record modes)."""
    # The record mode is set here from --record-mode, so `rewrite` never deletes a cassette before the run.
    return {**contract_vcr_config, "filter_headers": ["authorization", "cookie", "set-cookie", "x-api-key"]}


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    """Cassettes live under cassettes/<test module>/, beside nothing else."""
    return str(ROOT / "cassettes" / request.module.__name__.rsplit(".", 1)[-1])
