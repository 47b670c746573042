"""`aimlapi-contract live`: the scenarios sent to the stand-in API, findings keyed by their cassettes, no key shown."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from live_standin import serve_api
from pytest_httpserver import HTTPServer
from shared_paths import MIRROR

from aimlapi_contract.cli import main

ROOT = Path(__file__).resolve().parents[2]
KEY = "sk-test-cli-77e0c1d2b3"


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    return ("127.0.0.1", 0)


@pytest.fixture
def docs_base(monkeypatch: pytest.MonkeyPatch) -> str:
    docs = MIRROR  # ../shared/aimlapi-docs, else $AIMLAPI_DOCS_BASE resolved when the tests started
    if not docs.is_dir():
        pytest.skip(f"no docs mirror at {docs}: set AIMLAPI_DOCS_BASE to a copy of the published docs")
    monkeypatch.chdir(ROOT)  # specs/manifest.json and specs/baseline.json
    monkeypatch.setenv("AIMLAPI_LIVE_BACKOFF", "0")
    return str(docs)


def test_live_reports_each_scenario_and_fails_on_new_findings(
    httpserver: HTTPServer, docs_base: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = serve_api(httpserver)
    monkeypatch.setenv("AIMLAPI_KEY", KEY)
    # No baseline: the undocumented 4xx stays new even after the repository's baseline accepts it (README, live mode).
    no_baseline = ["--baseline", str(tmp_path / "baseline.json")]
    code = main(["live", "--docs-base", docs_base, "--api-base", url, "--scenario", "chat-stream-usage", "--scenario", "responses-unknown-model", *no_baseline])
    out = capsys.readouterr()
    assert code == 1
    lines = out.out.splitlines()
    assert lines[0] == "ok   chat-stream-usage (200, 1 attempt(s))"
    assert lines[1] == "FAIL responses-unknown-model (400, 1 attempt(s))"
    assert "    cassettes/test_live/test_scenario[responses-unknown-model].yaml: CT202 error: status 400 is not documented; documented: 200" in lines
    assert lines[-1] == "1 of 2 scenarios as documented; 2 request(s) sent"
    assert KEY not in out.out + out.err


def test_live_without_a_key_or_with_an_unknown_scenario_is_a_usage_error(
    docs_base: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("AIMLAPI_KEY", raising=False)
    assert main(["live", "--docs-base", docs_base]) == 2
    assert capsys.readouterr().err.splitlines()[0] == "error: `live` needs the API key in $AIMLAPI_KEY"
    monkeypatch.setenv("AIMLAPI_KEY", KEY)
    assert main(["live", "--docs-base", docs_base, "--scenario", "chat-nope"]) == 2
    assert capsys.readouterr().err.startswith("error: no scenario `chat-nope`; known: chat-plain, ")


@pytest.mark.parametrize(
    "option, error",
    [
        pytest.param(["--max-requests", "-5"], "error: --max-requests is `-5`; it must be above 0", id="negative-requests"),
        pytest.param(["--max-tokens", "0"], "error: --max-tokens is `0`; it must be above 0", id="zero-tokens"),
        pytest.param(["--timeout", "-1"], "error: --timeout is `-1`; it must be above 0", id="negative-timeout"),
    ],
)
def test_an_option_out_of_range_is_one_line_and_nothing_is_sent(
    httpserver: HTTPServer, docs_base: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], option: list[str], error: str
) -> None:
    url = serve_api(httpserver)
    monkeypatch.setenv("AIMLAPI_KEY", KEY)
    assert main(["live", "--docs-base", docs_base, "--api-base", url, "--scenario", "chat-plain", *option]) == 2
    out = capsys.readouterr()
    assert out.err.splitlines() == [error] and out.out == ""
    assert httpserver.log == []


def test_a_spent_budget_stops_the_run_with_the_cli_option_in_its_tip(
    httpserver: HTTPServer, docs_base: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = serve_api(httpserver)
    monkeypatch.setenv("AIMLAPI_KEY", KEY)
    code = main(["live", "--docs-base", docs_base, "--api-base", url, "--scenario", "chat-plain", "--scenario", "chat-stream-usage", "--max-requests", "1"])
    out = capsys.readouterr()
    assert code == 2
    assert out.out.splitlines() == ["ok   chat-plain (200, 1 attempt(s))"]
    assert out.err.splitlines() == [
        "error: live budget spent: 1 of 1 requests sent; the run stops here",
        "tip: allow more with --max-requests N or $AIMLAPI_LIVE_MAX_REQUESTS",
    ]
    assert len(httpserver.log) == 1


def test_the_cli_imports_requests_only_when_it_sends() -> None:
    # `requests` takes ~40 ms to import: `check` and `diff FILE FILE` never need it, `live` imports it itself.
    code = "import sys, aimlapi_contract.cli; print('requests' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
