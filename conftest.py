"""Suite settings for this repository: where cassettes live. Redaction and record modes are the plugin's own."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).parent


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    """Cassettes live under cassettes/<test module>/, beside nothing else."""
    return str(ROOT / "cassettes" / request.module.__name__.rsplit(".", 1)[-1])
