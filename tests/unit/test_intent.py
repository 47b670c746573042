"""The negative-intent marker: only its exact form, on a request whose reply is the refusal it expects, is honoured."""

from __future__ import annotations

import pytest

from aimlapi_contract.live.scenarios import SCENARIOS, scenario_by_id
from aimlapi_contract.traffic.exchange import Exchange
from aimlapi_contract.traffic.intent import INTENT_HEADER, deliberately_invalid, negative_marker, with_marker

MARKER = "negative; scenario=chat-unknown-model; expect=4xx"


def test_the_marker_names_the_scenario_and_the_refusal_it_expects() -> None:
    assert scenario_by_id("chat-unknown-model").intent_marker() == MARKER
    assert negative_marker("x-y", "404") == "negative; scenario=x-y; expect=404"
    # Conforming scenarios carry none, so they can never opt out of request validation.
    assert {s.id for s in SCENARIOS if s.intent_marker()} == {s.id for s in SCENARIOS if not s.conforms}


@pytest.mark.parametrize(
    ("values", "status", "expected"),
    [
        ([MARKER], 400, "chat-unknown-model"),
        ([MARKER], 422, "chat-unknown-model"),
        (["negative; scenario=chat-unknown-model; expect=404"], 404, "chat-unknown-model"),
        ([MARKER], 200, None),  # the API accepted it: the request is judged like any other
        ([MARKER], 500, None),
        (["negative; scenario=chat-unknown-model; expect=404"], 400, None),
        (["negative; scenario=chat-unknown-model; expect=2xx"], 200, None),  # no 2xx opt-out
        (["negative"], 400, None),
        (["Negative; scenario=chat-unknown-model; expect=4xx"], 400, None),
        ([MARKER + "; more"], 400, None),
        ([" " + MARKER], 400, None),
        ([MARKER, MARKER], 400, None),
        ([], 400, None),
    ],
)
def test_only_the_exact_marker_with_its_expected_refusal_counts(values: list[str], status: int, expected: str | None) -> None:
    assert deliberately_invalid({INTENT_HEADER: values}, status) == expected


def test_with_marker_adds_the_header_and_keeps_the_rest() -> None:
    ex = Exchange("POST", "http://h/v1/chat/completions", {"content-type": ["application/json"]}, b"{}", 400)
    marked = with_marker(ex, MARKER)
    assert marked.request_headers == {"content-type": ["application/json"], INTENT_HEADER: [MARKER]}
    assert ex.request_headers == {"content-type": ["application/json"]}
