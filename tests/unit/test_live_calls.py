"""live.py and scenarios.py against a stand-in API on 127.0.0.1: validation, retries, timeouts, budget."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
from live_standin import CHAT, RESPONSES, serve_api, slow
from pytest_httpserver import HTTPServer
from shared_paths import MIRROR
from werkzeug import Response

from aimlapi_contract.errors import UsageError
from aimlapi_contract.findings import Code, Severity
from aimlapi_contract.live.client import LiveClient, run_live, run_scenario
from aimlapi_contract.live.scenarios import CHAT as CHAT_PATH
from aimlapi_contract.live.scenarios import SCENARIOS, Scenario, chat, responses
from aimlapi_contract.live.settings import (
    CLI_FLAGS,
    PYTEST_FLAGS,
    Budget,
    BudgetError,
    BudgetExhausted,
    LiveError,
    LiveSettings,
)
from aimlapi_contract.redact import Secret
from aimlapi_contract.sources.specs import Spec, load_spec
from aimlapi_contract.traffic.intent import INTENT_HEADER

ROOT = Path(__file__).resolve().parents[2]
KEY = "sk-test-unit-5f1c2e9d7a"
SPEC_DIR = "docs/api-references/text-models-llm/OpenAI"


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    return ("127.0.0.1", 0)  # traffic stays on the loopback address


@pytest.fixture(scope="module")
def specs() -> list[Spec]:
    """The two published specs, from the mirror ($AIMLAPI_DOCS_BASE, else ../shared/aimlapi-docs)."""
    base = MIRROR  # ../shared/aimlapi-docs, else $AIMLAPI_DOCS_BASE resolved when the tests started
    if not (base / SPEC_DIR).is_dir():
        pytest.skip(f"no docs mirror at {base}: set AIMLAPI_DOCS_BASE to a copy of the published docs")
    return [load_spec(f"{SPEC_DIR}/{name}", (base / SPEC_DIR / name).read_bytes()) for name in ("gpt-4.1-nano.json", "gpt-4.1-nano-RESPONSES.json")]


def settings(server: HTTPServer, **kw: object) -> LiveSettings:
    base = dict(api_base=server.url_for("/").rstrip("/"), key=Secret(KEY), read_timeout=2.0, backoff_factor=0.0, retries=2)
    return LiveSettings(**(base | kw))  # type: ignore[arg-type]


# --- the scenario table -------------------------------------------------------------------------


def test_scenarios_cover_both_endpoints_streamed_and_not() -> None:
    kinds = {(s.path, s.streaming) for s in SCENARIOS if s.conforms}
    assert kinds == {(CHAT, False), (CHAT, True), (RESPONSES, False), (RESPONSES, True)}
    assert len({s.id for s in SCENARIOS}) == len(SCENARIOS), "scenario ids name cassettes: they must be unique"
    assert {s.path for s in SCENARIOS if not s.conforms} == {CHAT, RESPONSES}


def test_every_scenario_fits_the_default_budget() -> None:
    budget = Budget(max_requests=len(SCENARIOS), max_tokens=LiveSettings().max_tokens)
    for scenario in SCENARIOS:
        budget.check(scenario)  # raises BudgetError for a row without a cap or above it


def test_positive_scenarios_conform_and_negative_ones_do_not(specs: list[Spec]) -> None:
    from aimlapi_contract.validation.engine import SchemaEngine

    for scenario in SCENARIOS:
        spec = next(s for s in specs if s.find_operation(scenario.path, "post"))
        pointer = spec.find_operation(scenario.path, "post").request_media_types()["application/json"]  # type: ignore[union-attr]
        violations = SchemaEngine(spec).validate_request(pointer, scenario.body)
        assert (not violations) == scenario.conforms, (scenario.id, violations)


# --- the live path validates ----------------------------------------------------------------------


@pytest.mark.parametrize("scenario", [s for s in SCENARIOS if s.conforms], ids=lambda s: s.id)
def test_a_reply_as_documented_gives_no_error(httpserver: HTTPServer, specs: list[Spec], scenario: object) -> None:
    serve_api(httpserver)
    result = run_scenario(LiveClient(settings(httpserver)), scenario, specs, source="live")  # type: ignore[arg-type]
    assert result.exchange is not None and result.exchange.status == 200
    assert [f.code for f in result.findings if f.severity.label == "error"] == []


def test_a_violating_reply_is_a_finding_with_its_json_path(httpserver: HTTPServer, specs: list[Spec]) -> None:
    body = {"id": "c", "object": "chat.completion", "created": 1744791940, "model": "gpt-4.1-nano-2025-04-14", "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "length_exceeded"}]}
    httpserver.expect_request(CHAT).respond_with_json(body)
    result = run_scenario(LiveClient(settings(httpserver)), chat("plain"), specs, source="cassettes/x.yaml")
    [finding] = result.findings
    assert (finding.code, finding.pointer, finding.anchor) == (Code.RESPONSE_SCHEMA_MISMATCH, "/choices/0/finish_reason", "interaction:0:response")
    assert "choices[0].finish_reason: 'length_exceeded' is not one of" in finding.message


def test_an_html_error_page_is_reported_not_parsed(httpserver: HTTPServer, specs: list[Spec]) -> None:
    httpserver.expect_request(RESPONSES).respond_with_data("<html><body>Bad gateway</body></html>", content_type="text/html")
    result = run_scenario(LiveClient(settings(httpserver)), responses("string-input"), specs, source="live")
    assert [f.code for f in result.findings] == [Code.UNDOCUMENTED_CONTENT_TYPE]
    assert "text/html" in result.findings[0].message


def test_a_server_error_is_not_retried_and_fails_the_scenario(httpserver: HTTPServer, specs: list[Spec]) -> None:
    httpserver.expect_request(CHAT).respond_with_json({"error": {"message": "boom"}}, status=500)
    result = run_scenario(LiveClient(settings(httpserver)), chat("plain"), specs, source="live")
    assert result.attempts == 1 and len(httpserver.log) == 1
    assert {f.code for f in result.findings} == {Code.UNDOCUMENTED_STATUS, Code.LIVE_UNEXPECTED_STATUS}


def test_a_negative_scenario_must_be_refused(httpserver: HTTPServer, specs: list[Spec]) -> None:
    serve_api(httpserver)
    accepted = chat("unknown-model", model="openai/gpt-4.1-nano-2025-04-14", expect=range(400, 500))
    result = run_scenario(LiveClient(settings(httpserver)), accepted, specs, source="live")
    [finding] = [f for f in result.findings if f.code is Code.LIVE_UNEXPECTED_STATUS]
    assert finding.message == "scenario chat-unknown-model: expected status 4xx, got 200"


@pytest.mark.parametrize("scenario", [s for s in SCENARIOS if not s.conforms], ids=lambda s: s.id)
def test_a_refused_negative_scenario_reports_only_the_undocumented_status(httpserver: HTTPServer, specs: list[Spec], scenario: Scenario) -> None:
    serve_api(httpserver)  # refuses an unknown model with a 400
    result = run_scenario(LiveClient(settings(httpserver)), scenario, specs, source="live")
    # Its request breaks the `model` enum on purpose: no CT204; the 4xx is what it expects: no CT402.
    # The reply is still judged: the specs document no 4xx, which is real drift (CT202).
    assert result.exchange is not None and result.exchange.status == 400
    assert [(f.code, f.anchor) for f in result.findings] == [(Code.UNDOCUMENTED_STATUS, "interaction:0:response")]
    assert result.findings[0].extra["cause"]["kind"] == "status:400"
    # The exchange carries the marker its cassette will (so live and replay agree); the API never saw it.
    assert result.exchange.request_headers[INTENT_HEADER] == [scenario.intent_marker()]
    [(sent, _)] = httpserver.log
    assert INTENT_HEADER not in {name.lower() for name in sent.headers.keys()}


def test_a_request_the_spec_rejects_is_never_sent(httpserver: HTTPServer, specs: list[Spec]) -> None:
    serve_api(httpserver)
    result = run_scenario(LiveClient(settings(httpserver)), chat("n", n=0), specs, source="live")
    assert result.exchange is None and httpserver.log == []
    assert [(f.code, f.pointer) for f in result.findings] == [(Code.LIVE_REQUEST_INVALID, "/n")]


# --- retries, timeouts, network failures ---------------------------------------------------------


def test_a_429_is_retried_after_the_delay_the_server_asks(httpserver: HTTPServer, specs: list[Spec]) -> None:
    # Retry-After: 3600 is honoured but cut to retry_after_max (1 s): a wait, never a hang.
    httpserver.expect_ordered_request(CHAT).respond_with_json({"error": {"message": "slow down"}}, status=429, headers={"Retry-After": "3600"})
    serve_api(httpserver)
    client = LiveClient(settings(httpserver, retry_after_max=1))
    started = time.monotonic()
    result = run_scenario(client, chat("plain"), specs, source="live")
    elapsed = time.monotonic() - started
    assert result.exchange is not None and result.exchange.status == 200
    assert (result.attempts, client.budget.used, len(httpserver.log)) == (2, 2, 2)
    assert 0.9 <= elapsed < 5, elapsed
    assert result.findings == []


def test_retries_stop_and_the_last_reply_is_validated(httpserver: HTTPServer, specs: list[Spec]) -> None:
    httpserver.expect_request(CHAT).respond_with_data("<html>503</html>", status=503, content_type="text/html")
    client = LiveClient(settings(httpserver, retries=2))
    result = run_scenario(client, chat("plain"), specs, source="live")
    assert (result.attempts, len(httpserver.log), client.budget.used) == (3, 3, 3)
    assert {f.code for f in result.findings} == {Code.UNDOCUMENTED_STATUS, Code.LIVE_UNEXPECTED_STATUS}


def test_a_slow_reply_fails_with_one_line_and_is_not_resent(httpserver: HTTPServer, specs: list[Spec]) -> None:
    httpserver.expect_request(CHAT).respond_with_handler(slow(0.4, Response("{}", content_type="application/json")))
    client = LiveClient(settings(httpserver, read_timeout=0.1))
    started = time.monotonic()
    with pytest.raises(LiveError) as caught:
        run_scenario(client, chat("plain"), specs, source="live")
    assert time.monotonic() - started < 0.35
    assert caught.value.message.endswith("no reply within 0.1 s (read timeout); not retried, a POST may have been billed")
    assert "\n" not in caught.value.message and KEY not in caught.value.message
    deadline = time.monotonic() + 5  # the stand-in answers one request at a time: wait for the slow one
    while not httpserver.log and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # long enough for a resent request to be answered too
    assert len(httpserver.log) == 1  # sent once: a POST that timed out may have been billed


def test_a_refused_connection_fails_with_one_line() -> None:
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = LiveClient(LiveSettings(api_base=f"http://127.0.0.1:{port}", key=Secret(KEY), connect_timeout=0.5, retries=1))
    with pytest.raises(LiveError) as caught:
        client.send(chat("plain"))
    assert caught.value.message.startswith(f"POST http://127.0.0.1:{port}/v1/chat/completions: cannot connect")
    assert "\n" not in caught.value.message and caught.value.__suppress_context__


def test_a_run_reports_each_scenario_and_a_failed_call_does_not_stop_the_others(httpserver: HTTPServer, specs: list[Spec]) -> None:
    serve_api(httpserver)
    lines: list[str] = []
    client = LiveClient(settings(httpserver))
    code = run_live(client, [chat("big", max_completion_tokens=500), chat("plain")], specs, baseline=[], fail_on=Severity.ERROR, echo=lines.append)
    assert code == 1
    assert lines == [
        "FAIL chat-big: scenario chat-big may ask for 500 output tokens; the budget allows 64 per call",
        "ok   chat-plain (200, 1 attempt(s))",
        "1 of 2 scenarios as documented; 1 request(s) sent",
    ]


# --- the budget -----------------------------------------------------------------------------------


def test_the_budget_stops_sending_once_spent(httpserver: HTTPServer, specs: list[Spec]) -> None:
    serve_api(httpserver)
    client = LiveClient(settings(httpserver, max_requests=2))
    for _ in range(2):
        run_scenario(client, chat("plain"), specs, source="live")
    with pytest.raises(BudgetExhausted, match=r"live budget spent: 2 of 2 requests sent"):
        run_scenario(client, chat("plain"), specs, source="live")
    assert len(httpserver.log) == 2


@pytest.mark.parametrize(
    "scenario, message",
    [
        pytest.param(chat("big", max_completion_tokens=500), "may ask for 500 output tokens; the budget allows 64 per call", id="over-cap"),
        pytest.param(chat("n", n=8, max_completion_tokens=16), "may ask for 128 output tokens", id="cap-times-n"),
        pytest.param(responses("nocap", max_output_tokens=None), "sets no max_output_tokens", id="no-cap"),
    ],
)
def test_the_budget_refuses_an_expensive_call(httpserver: HTTPServer, specs: list[Spec], scenario: object, message: str) -> None:
    serve_api(httpserver)
    with pytest.raises(BudgetError, match=message):
        LiveClient(settings(httpserver)).send(scenario)  # type: ignore[arg-type]
    assert httpserver.log == []


def test_settings_come_from_the_environment_and_options_win() -> None:
    env = {"AIMLAPI_KEY": KEY, "AIMLAPI_BASE_URL": "http://127.0.0.1:1", "AIMLAPI_LIVE_MAX_REQUESTS": "5"}
    got = LiveSettings.from_env(env, max_requests=None, max_tokens=32)
    assert (got.api_base, got.max_requests, got.max_tokens, got.key.reveal()) == ("http://127.0.0.1:1", 5, 32, KEY)
    assert KEY not in repr(got)
    assert LiveSettings.from_env({}).api_base == "https://api.aimlapi.com"
    assert CHAT_PATH == CHAT


@pytest.mark.parametrize(
    "flags, overrides, message",
    [
        pytest.param(CLI_FLAGS, {"max_requests": -5}, "--max-requests is `-5`; it must be above 0", id="cli-negative-requests"),
        pytest.param(CLI_FLAGS, {"max_tokens": 0}, "--max-tokens is `0`; it must be above 0", id="cli-zero-tokens"),
        pytest.param(CLI_FLAGS, {"read_timeout": -1.0}, "--timeout is `-1`; it must be above 0", id="cli-negative-timeout"),
        pytest.param(PYTEST_FLAGS, {"read_timeout": float("nan")}, "--live-timeout is `nan`; it must be above 0", id="pytest-nan-timeout"),
        pytest.param(PYTEST_FLAGS, {"max_requests": -1}, "--live-max-requests is `-1`; it must be above 0", id="pytest-negative-requests"),
    ],
)
def test_option_values_are_checked_like_environment_values(flags: dict[str, str], overrides: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError) as caught:
        LiveSettings.from_env({}, flags=flags, **overrides)
    assert caught.value.message == message
    env = {"AIMLAPI_LIVE_TIMEOUT": "-1"}
    with pytest.raises(UsageError, match=r"^\$AIMLAPI_LIVE_TIMEOUT is `-1`; it must be above 0$"):
        LiveSettings.from_env(env)


@pytest.mark.parametrize(
    "flags, tip",
    [
        pytest.param(CLI_FLAGS, "allow more with --max-requests N or $AIMLAPI_LIVE_MAX_REQUESTS", id="cli"),
        pytest.param(PYTEST_FLAGS, "allow more with --live-max-requests N or $AIMLAPI_LIVE_MAX_REQUESTS", id="pytest"),
        pytest.param({}, "allow more with $AIMLAPI_LIVE_MAX_REQUESTS", id="library"),
    ],
)
def test_the_budget_tip_names_the_option_of_the_entry_point_in_use(flags: dict[str, str], tip: str) -> None:
    budget = Budget.for_settings(LiveSettings.from_env({}, flags=flags, max_requests=1))
    budget.spend(1)
    with pytest.raises(BudgetExhausted) as caught:
        budget.check(chat("plain"))
    assert caught.value.tip == tip
