"""Live mode's settings and budget: where to send, how carefully, what one run may spend.

No HTTP here, so the CLI and the reports can read the key and the flags without importing `requests`.
Values from options and from the environment are checked the same way: one line naming the one given.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import ContractError, UsageError
from ..redact import Secret, api_key
from .scenarios import TOKEN_FIELDS, Scenario

DEFAULT_API_BASE = "https://api.aimlapi.com"
API_BASE_ENV = "AIMLAPI_BASE_URL"
MAX_REQUESTS_ENV = "AIMLAPI_LIVE_MAX_REQUESTS"
MAX_TOKENS_ENV = "AIMLAPI_LIVE_MAX_TOKENS"
TIMEOUT_ENV = "AIMLAPI_LIVE_TIMEOUT"
BACKOFF_ENV = "AIMLAPI_LIVE_BACKOFF"
# The option that sets each setting, per entry point: errors and tips name the one the user can type.
CLI_FLAGS = {"api_base": "--api-base", "max_requests": "--max-requests", "max_tokens": "--max-tokens", "read_timeout": "--timeout"}
PYTEST_FLAGS = {"api_base": "--api-base", "max_requests": "--live-max-requests", "max_tokens": "--live-max-tokens", "read_timeout": "--live-timeout"}
_NUMBERS: dict[str, tuple[str, type[int] | type[float]]] = {
    "max_requests": (MAX_REQUESTS_ENV, int),
    "max_tokens": (MAX_TOKENS_ENV, int),
    "read_timeout": (TIMEOUT_ENV, float),
    "backoff_factor": (BACKOFF_ENV, float),
}


class LiveError(ContractError):
    """A live call could not be made or completed; the message is one line and never holds the key."""


class BudgetError(LiveError):
    """The budget refuses this call (it asks for too many tokens, or sets no cap)."""


class BudgetExhausted(BudgetError):
    """The run has sent as many requests as its budget allows: stop."""


@dataclass(slots=True)
class LiveSettings:
    """Where to send and how carefully. Tests shorten the timeouts and the backoff."""

    api_base: str = DEFAULT_API_BASE
    key: Secret = field(default_factory=lambda: Secret(""))
    connect_timeout: float = 5.0
    read_timeout: float = 60.0
    retries: int = 2
    backoff_factor: float = 1.0
    retry_after_max: int = 30  # a longer Retry-After is cut to this, so no reply means a hang
    max_requests: int = 40  # every HTTP attempt counts, retries included
    max_tokens: int = 64  # output tokens one call may ask for (cap times n)
    flags: Mapping[str, str] = field(default_factory=dict)  # setting -> its option in the entry point in use

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, flags: Mapping[str, str] | None = None, **overrides: Any
    ) -> LiveSettings:
        """Settings from AIMLAPI_* variables; `overrides` (option values, None = not given) win. `flags` names
        the option of each setting, for messages. UsageError (one line) for a value out of range."""
        env = os.environ if environ is None else environ
        flags = dict(flags or {})
        settings = cls(api_base=env.get(API_BASE_ENV) or DEFAULT_API_BASE, key=api_key(env), flags=flags)
        for name, (var, kind) in _NUMBERS.items():
            if env.get(var):
                setattr(settings, name, _number(env[var], f"${var}", kind, allow_zero=name == "backoff_factor"))
        for name, value in overrides.items():
            if value is None:
                continue
            if name in _NUMBERS:
                value = _number(value, flags.get(name, name), _NUMBERS[name][1], allow_zero=name == "backoff_factor")
            setattr(settings, name, value)
        if not settings.api_base.startswith(("http://", "https://")):
            raise UsageError(f"API base `{settings.api_base}` is not an http(s) URL", tip="e.g. --api-base http://127.0.0.1:8080")
        return settings


def _number(value: str | float, label: str, kind: type[int] | type[float], *, allow_zero: bool = False) -> Any:
    """`value` as a finite number above 0 (or 0, for the backoff: no waiting); UsageError naming `label` otherwise."""
    shown = format(value, "g") if isinstance(value, float) else str(value)
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise UsageError(f"{label} is `{shown}`, not a number") from None
    if not math.isfinite(number) or number < 0 or (number == 0 and not allow_zero):
        raise UsageError(f"{label} is `{shown}`; it must be above 0")
    return number


class Budget:
    """What one run may spend: requests sent (retries included) and output tokens asked per call."""

    def __init__(self, max_requests: int, max_tokens: int, *, flags: Mapping[str, str] | None = None) -> None:
        self.max_requests = max_requests
        self.max_tokens = max_tokens
        self.flags = dict(flags or {})  # the options that raise each limit, for the tips
        self.used = 0

    @classmethod
    def for_settings(cls, settings: LiveSettings) -> Budget:
        """The budget the settings allow, its tips naming the settings' options."""
        return cls(settings.max_requests, settings.max_tokens, flags=settings.flags)

    def _raise_with(self, name: str, var: str) -> str:
        flag = self.flags.get(name)
        return f"{flag} N or ${var}" if flag else f"${var}"

    def check(self, scenario: Scenario) -> None:
        """Raise BudgetError when `scenario` may not be sent now."""
        if self.used >= self.max_requests:
            raise BudgetExhausted(
                f"live budget spent: {self.used} of {self.max_requests} requests sent; the run stops here",
                tip=f"allow more with {self._raise_with('max_requests', MAX_REQUESTS_ENV)}",
            )
        tokens = scenario.requested_tokens()
        if tokens is None:
            caps = " or ".join(TOKEN_FIELDS.get(scenario.path, ("a token cap",)))
            raise BudgetError(f"scenario {scenario.id} sets no {caps}; every live request must cap its tokens")
        if tokens > self.max_tokens:
            raise BudgetError(
                f"scenario {scenario.id} may ask for {tokens} output tokens; the budget allows {self.max_tokens} per call",
                tip=f"lower the scenario's cap, or allow more with {self._raise_with('max_tokens', MAX_TOKENS_ENV)}",
            )

    def spend(self, attempts: int) -> None:
        self.used += attempts
