"""The marker a negative scenario's recorded request carries, so its deliberate spec violations are no findings.

A negative scenario (live/scenarios.py, `conforms=False`) breaks the request schema on purpose, e.g. an
unknown `model`. Its cassette says so in one request header, written at record time only (never
sent to the API): `x-aimlapi-contract-intent: negative; scenario=<id>; expect=4xx`. Traffic checks
then skip the request body's schema for that exchange, and only while the reply is the refusal the
marker expects; the reply is still validated in full (an undocumented 4xx stays CT202). Any other
value, or a reply outside the expected status, leaves the request checked as usual.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping

from .exchange import Exchange

INTENT_HEADER = "x-aimlapi-contract-intent"
# The only accepted form: a status class (4xx) or one 4xx status, nothing else (no 2xx opt-outs).
_NEGATIVE = re.compile(r"negative; scenario=([a-z0-9][a-z0-9-]*); expect=(4xx|4\d\d)")


def negative_marker(scenario_id: str, expected_status: str) -> str:
    """The header value for a negative scenario, e.g. `negative; scenario=chat-unknown-model; expect=4xx`."""
    return f"negative; scenario={scenario_id}; expect={expected_status}"


def deliberately_invalid(headers: Mapping[str, list[str]], status: int) -> str | None:
    """The scenario id when the request is marked negative and `status` is the refusal it expects; else None."""
    values = headers.get(INTENT_HEADER) or []
    if len(values) != 1:
        return None
    match = _NEGATIVE.fullmatch(values[0])
    if match is None:
        return None
    expect = match.group(2)
    refused = 400 <= status < 500 if expect == "4xx" else str(status) == expect
    return match.group(1) if refused else None


def with_marker(exchange: Exchange, marker: str) -> Exchange:
    """The exchange as its cassette records it: the request carries the intent marker."""
    headers = {**exchange.request_headers, INTENT_HEADER: [marker]}
    return dataclasses.replace(exchange, request_headers=headers)
