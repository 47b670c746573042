"""Live mode: the scenario table, its settings and budget, and recording. The client and the pytest items
load `requests`, so entry points import them by module (`live.client`, `live.items`) only when live runs.
"""

from __future__ import annotations

from .recording import vcr_settings
from .scenarios import SCENARIOS, scenario_by_id
from .settings import (
    API_BASE_ENV,
    CLI_FLAGS,
    DEFAULT_API_BASE,
    MAX_REQUESTS_ENV,
    MAX_TOKENS_ENV,
    TIMEOUT_ENV,
    LiveSettings,
)

__all__ = [
    "API_BASE_ENV",
    "CLI_FLAGS",
    "DEFAULT_API_BASE",
    "LiveSettings",
    "MAX_REQUESTS_ENV",
    "MAX_TOKENS_ENV",
    "scenario_by_id",
    "SCENARIOS",
    "TIMEOUT_ENV",
    "vcr_settings",
]
