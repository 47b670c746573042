"""`pytest --live` end to end: the suite's own conftest.py and tests/contract/test_live.py, run by pytester
against the stand-in API on 127.0.0.1. Records, replays offline, stops on budget, and never leaks the key."""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from pathlib import Path

import pytest
from live_standin import CHAT, serve_api
from pytest_httpserver import HTTPServer
from shared_paths import MIRROR

from aimlapi_contract.baseline import read_baseline, write_baseline
from aimlapi_contract.cli import main
from aimlapi_contract.live.recording import live_cassette_source
from aimlapi_contract.live.scenarios import SCENARIOS
from aimlapi_contract.traffic.intent import INTENT_HEADER

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]
KEY = "sk-test-8d0c6f2b4e9a4b71a5e3"
NEGATIVE = {s.id for s in SCENARIOS if not s.conforms}


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    return ("127.0.0.1", 0)


@pytest.fixture
def suite(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A copy of the suite's settings and live items in a fresh directory, reading the docs mirror."""
    docs = MIRROR  # ../shared/aimlapi-docs, else $AIMLAPI_DOCS_BASE resolved when the tests started
    if not docs.is_dir():
        pytest.skip(f"no docs mirror at {docs}: set AIMLAPI_DOCS_BASE to a copy of the published docs")
    for rel in ("conftest.py", "tests/contract/test_live.py", "specs/manifest.json", "specs/baseline.json", "specs/lock.json"):
        (pytester.path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / rel, pytester.path / rel)
    # The tests expect the undocumented 4xx of the negative scenarios to be new drift (CT202), even
    # once the repository's baseline accepts it after a real recording (README, live mode).
    baseline = pytester.path / "specs" / "baseline.json"
    write_baseline([e for e in read_baseline(baseline) if not (e.code == "CT220" and e.anchor.startswith("status:"))], baseline)
    # importlib mode: the outer session may already hold a module named test_live (the real one).
    pytester.makeini("[pytest]\naddopts = --import-mode=importlib\n")
    monkeypatch.setenv("AIMLAPI_DOCS_BASE", str(docs))
    monkeypatch.setenv("AIMLAPI_CONTRACT_CACHE", str(pytester.path / ".cache"))
    monkeypatch.delenv("AIMLAPI_KEY", raising=False)
    monkeypatch.delenv("AIMLAPI_BASE_URL", raising=False)
    monkeypatch.setenv("AIMLAPI_LIVE_BACKOFF", "0")  # retries here need no waiting between attempts
    return pytester


def outcomes(result: pytest.RunResult) -> dict[str, str]:
    """test id -> PASSED/FAILED/SKIPPED, from -rA's short summary (ids are the scenario ids)."""
    found = {}
    for line in result.outlines:
        match = re.match(r"(PASSED|FAILED|SKIPPED|ERROR) .*?test_scenario\[([\w-]+)\]", line)
        if match:
            found[match.group(2)] = match.group(1)
    return found


def negative_codes(result: pytest.RunResult) -> dict[str, list[str]]:
    """negative scenario id -> the finding codes its failure lists, from `<id> (<how>): N new finding(s):`."""
    codes: dict[str, list[str]] = {}
    current = None
    for line in result.outlines:
        head = re.match(r"([\w-]+) \((?:live|replayed from its cassette)\): \d+ new finding", line)
        if head:
            current = head.group(1) if head.group(1) in NEGATIVE else None
            codes.setdefault(current, []) if current else None
            continue
        found = re.match(r"\S+\.yaml: (CT\d+) ", line)
        if current and found:
            codes[current].append(found.group(1))
        elif not line.startswith(" "):
            current = None
    return codes


def written_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_live_records_both_endpoints_replays_offline_and_never_leaks_the_key(
    suite: pytest.Pytester, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a stand-in that answers like the API and echoes the Authorization header back
    url = serve_api(httpserver)
    monkeypatch.setenv("AIMLAPI_KEY", KEY)
    # When the live run records everything, as loudly as pytest can print
    live = suite.runpytest(
        "--live", "--api-base", url, "--record-mode=all", "-vv", "--tb=long", "-l", "-rA",
        "-o", "log_cli=true", "--log-cli-level=DEBUG", "--junitxml=reports/junit.xml", "tests/contract/test_live.py",
    )
    # Then every scenario ran, for both endpoints, streamed and not, and each has its cassette
    got = outcomes(live)
    assert set(got) == {s.id for s in SCENARIOS}, live.stdout.str()[-3000:]
    assert {k for k, v in got.items() if v == "FAILED"} == NEGATIVE  # the spec documents no 4xx
    assert len(httpserver.log) == len(SCENARIOS)
    assert {req.headers["Authorization"] for req, _ in httpserver.log} == {f"Bearer {KEY}"}  # sent, and echoed back
    cassettes = suite.path / "cassettes" / "test_live"
    written = sorted(p.relative_to(suite.path).as_posix() for p in cassettes.iterdir())
    assert written == sorted(live_cassette_source(s.id) for s in SCENARIOS)  # where `aimlapi-contract live` keys its findings
    live_text = live.stdout.str() + live.stderr.str()
    # The negative scenarios fail on the undocumented 4xx alone (real drift), not on their deliberately bad request
    assert negative_codes(live) == {s: ["CT202"] for s in NEGATIVE}
    assert "CT202 error: status 400 is not documented" in live_text
    for scenario in SCENARIOS:  # the intent marker reaches the cassette of a negative scenario only, and never the API
        recorded = (suite.path / live_cassette_source(scenario.id)).read_text()
        assert (INTENT_HEADER in recorded) == (not scenario.conforms)
    assert all(INTENT_HEADER not in {h.lower() for h in req.headers.keys()} for req, _ in httpserver.log)
    # And the key is nowhere: not in any file the run wrote, not in anything it printed
    assert "<redacted>" in (cassettes / "test_scenario[chat-plain].yaml").read_text()  # the echo was there, and scrubbed
    assert "x-request-id" in (cassettes / "test_scenario[chat-plain].yaml").read_text()  # debugging headers are kept
    assert (suite.path / "reports" / "junit.xml").is_file() and (suite.path / ".pytest_cache").is_dir()  # scanned too
    leaks = [p for p in written_files(suite.path) if KEY.encode() in p.read_bytes()]
    assert leaks == [] and KEY not in live_text

    # When the same suite runs offline: no --live, no key
    monkeypatch.delenv("AIMLAPI_KEY")
    before = len(httpserver.log)
    offline = suite.runpytest("-rA", "tests/contract/test_live.py")
    # Then the cassettes answer, with the same result per scenario, and nothing goes out
    assert outcomes(offline) == got
    assert negative_codes(offline) == {s: ["CT202"] for s in NEGATIVE}
    assert len(httpserver.log) == before
    assert "replayed from its cassette" in offline.stdout.str()

    # When the offline check reads the same cassettes, knowing nothing of the scenario table
    monkeypatch.chdir(suite.path)
    assert main(["check", "--cassettes", "cassettes/test_live", "--format", "json", "--output", "reports/check.json"]) == 1
    report = json.loads((suite.path / "reports" / "check.json").read_text())
    # Then the negative cassettes show the undocumented 4xx, one root cause per endpoint, and no CT204
    by_cassette: dict[str, set[str]] = {}
    for f in report["findings"]:
        if not f["baselined"] and f["severity"] == "error":
            by_cassette.setdefault(f["source"], set()).add(f["code"])
    causes = {(f["endpoint"], f["anchor"]) for f in report["findings"] if f["code"] == "CT220" and f["severity"] == "error"}
    assert causes == {("POST /v1/chat/completions", "status:400"), ("POST /v1/responses", "status:400")}
    negative = {live_cassette_source(s) for s in NEGATIVE}
    assert {src: codes for src, codes in by_cassette.items() if src.startswith("cassettes/")} == {src: {"CT202"} for src in negative}
    # And accepting that drift as README says makes the replay green
    assert main(["baseline", "--only", "CT220", "--reason", "test: the specs document no 4xx"]) == 0
    assert set(outcomes(suite.runpytest("-rA", "tests/contract/test_live.py")).values()) == {"PASSED"}


def test_live_without_a_key_fails_at_once_with_one_line(suite: pytest.Pytester) -> None:
    started = time.monotonic()
    result = suite.runpytest("--live", "tests/contract/test_live.py")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert result.stderr.lines[0] == (
        "ERROR: --live needs the API key in $AIMLAPI_KEY: set it (the key never reaches cassettes or output), "
        "or drop --live to replay the recorded cassettes"
    )
    assert "passed" not in result.stdout.str() and "skipped" not in result.stdout.str()
    assert time.monotonic() - started < 10


@pytest.mark.parametrize(
    "option, error",
    [
        pytest.param(["--live-timeout", "-1"], "ERROR: --live-timeout is `-1`; it must be above 0", id="negative-timeout"),
        pytest.param(["--live-max-requests", "-5"], "ERROR: --live-max-requests is `-5`; it must be above 0", id="negative-requests"),
    ],
)
def test_a_live_option_out_of_range_is_one_line(suite: pytest.Pytester, option: list[str], error: str) -> None:
    result = suite.runpytest(*option, "tests/contract/test_live.py")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert result.stderr.lines[0] == error
    assert "Traceback" not in result.stderr.str() + result.stdout.str()


def test_without_live_and_without_cassettes_items_skip_saying_how_to_record(suite: pytest.Pytester) -> None:
    result = suite.runpytest("-rs", "tests/contract/test_live.py")
    result.assert_outcomes(skipped=len(SCENARIOS))
    result.stdout.fnmatch_lines([f"SKIPPED [[]{len(SCENARIOS)}[]] *no recording in cassettes/test_live/; record: AIMLAPI_KEY=... pytest --live --record-mode=once tests/contract/test_live.py"])


def test_an_unreadable_cassette_fails_its_item_with_one_line(suite: pytest.Pytester) -> None:
    cassette = suite.path / live_cassette_source("chat-plain")
    cassette.parent.mkdir(parents=True)
    cassette.write_text("interactions: [ {request: \n")  # cut off mid-write by someone else's tool
    result = suite.runpytest("-k", "chat-plain", "tests/contract/test_live.py")
    result.assert_outcomes(errors=1, deselected=len(SCENARIOS) - 1)
    assert (
        f"{live_cassette_source('chat-plain')} is not a readable vcrpy cassette; "
        "re-record it: AIMLAPI_KEY=... pytest --live --record-mode=rewrite tests/contract/test_live.py"
    ) in result.outlines


def test_a_cassette_for_another_request_is_never_replayed(suite: pytest.Pytester, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a recording whose request no longer matches the scenario (as after editing its row)
    monkeypatch.setenv("AIMLAPI_KEY", KEY)
    args = ["-k", "chat-plain", "tests/contract/test_live.py"]
    suite.runpytest("--live", "--api-base", serve_api(httpserver), "--record-mode=once", *args).assert_outcomes(passed=1, deselected=len(SCENARIOS) - 1)
    cassette = suite.path / live_cassette_source("chat-plain")
    cassette.write_text(cassette.read_text().replace("Say hi in one word.", "Say hello in one word."))
    # When it is replayed offline, Then the item fails with one line saying what to do, and nothing is sent
    monkeypatch.delenv("AIMLAPI_KEY")
    sent = len(httpserver.log)
    result = suite.runpytest(*args)
    result.assert_outcomes(failed=1, deselected=len(SCENARIOS) - 1)
    assert (
        f"{live_cassette_source('chat-plain')} holds no recording of this request (the scenario changed?); "
        "re-record it: AIMLAPI_KEY=... pytest --live --record-mode=rewrite -k 'chat-plain'"
    ) in result.outlines
    assert len(httpserver.log) == sent


def test_the_budget_stops_the_run_with_a_clear_message(suite: pytest.Pytester, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> None:
    serve_api(httpserver)
    monkeypatch.setenv("AIMLAPI_KEY", KEY)
    result = suite.runpytest("--live", "--api-base", httpserver.url_for("/"), "--live-max-requests", "3", "tests/contract/test_live.py")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(["*live budget spent: 3 of 3 requests sent; the run stops here*--live-max-requests*"])
    assert len(httpserver.log) == 3
    assert not (suite.path / "cassettes").exists()  # --live without --record-mode writes nothing


def test_a_violating_reply_fails_with_a_readable_finding(suite: pytest.Pytester, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> None:
    body = {"id": "c", "object": "chat.completion", "created": 1, "model": "m", "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "length_exceeded"}]}
    httpserver.expect_request(CHAT).respond_with_json(body)
    monkeypatch.setenv("AIMLAPI_KEY", KEY)
    result = suite.runpytest("--live", "--api-base", httpserver.url_for("/"), "-k", "chat-plain", "tests/contract/test_live.py")
    result.assert_outcomes(failed=1, deselected=len(SCENARIOS) - 1)
    lines = result.outlines
    start = lines.index("chat-plain (live): 1 new finding(s):")
    assert lines[start + 1].startswith(
        "cassettes/test_live/test_scenario[chat-plain].yaml: CT205 error: response: choices[0].finish_reason: 'length_exceeded' is not one of ['stop', "
    )
    assert lines[start + 2 : start + 4] == ["    endpoint: POST /v1/chat/completions", "    at: /choices/0/finish_reason"]


def test_a_failed_rewrite_keeps_the_cassette_it_would_replace(suite: pytest.Pytester, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a recorded cassette
    url = serve_api(httpserver)
    monkeypatch.setenv("AIMLAPI_KEY", KEY)
    suite.runpytest("--live", "--api-base", url, "--record-mode=rewrite", "-k", "chat-plain", "tests/contract/test_live.py").assert_outcomes(passed=1, deselected=len(SCENARIOS) - 1)
    cassette = suite.path / "cassettes" / "test_live" / "test_scenario[chat-plain].yaml"
    recorded = cassette.read_bytes()
    # When a rewrite run cannot reach the API at all
    gone = f"http://127.0.0.1:{_free_port()}"
    result = suite.runpytest("--live", "--api-base", gone, "--record-mode=rewrite", "-k", "chat-plain", "tests/contract/test_live.py")
    # Then the test fails with one line, and the cassette is exactly as it was (pytest-recording would have deleted it)
    result.assert_outcomes(failed=1, deselected=len(SCENARIOS) - 1)
    result.stdout.fnmatch_lines([f"*POST {gone}/v1/chat/completions: cannot connect*"])
    assert cassette.read_bytes() == recorded
    assert [p.name for p in cassette.parent.iterdir()] == [cassette.name]  # no temporary file left behind


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_after_a_retry_the_replay_and_the_offline_check_agree_with_the_live_run(
    suite: pytest.Pytester, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aimlapi_contract.check import CheckOptions, load_docsets
    from aimlapi_contract.sources.base import DocsBase
    from aimlapi_contract.traffic.replay import iter_cassette_findings

    # Given an API that first says 429, then answers with a reply the spec rejects
    violating = {"id": "c", "object": "chat.completion", "created": 1, "model": "m", "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                 "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "length_exceeded"}]}
    httpserver.expect_ordered_request(CHAT).respond_with_json({"error": {"message": "slow down"}}, status=429, headers={"Retry-After": "0"})
    httpserver.expect_ordered_request(CHAT).respond_with_json(violating)
    monkeypatch.setenv("AIMLAPI_KEY", KEY)
    args = ["-k", "chat-plain", "tests/contract/test_live.py"]
    # When it is recorded live, then replayed offline
    live = suite.runpytest("--live", "--api-base", httpserver.url_for("/"), "--record-mode=all", *args)
    monkeypatch.delenv("AIMLAPI_KEY")
    offline = suite.runpytest(*args)
    # Then the cassette holds the reply the scenario got (not the retried 429), and the replay fails exactly as live
    assert len(httpserver.log) == 2
    assert (suite.path / live_cassette_source("chat-plain")).read_text().count("- request:") == 1
    live.assert_outcomes(failed=1, deselected=len(SCENARIOS) - 1)
    offline.assert_outcomes(failed=1, deselected=len(SCENARIOS) - 1)
    finding_line = next(line for line in live.outlines if ": CT205 error: " in line)
    assert finding_line in offline.outlines
    # And the offline cassette check (the same validation code) reports it under the same key
    monkeypatch.chdir(suite.path)
    options = CheckOptions(docs_base=DocsBase.from_setting(os.environ["AIMLAPI_DOCS_BASE"]), pages=["docs/api-references/text-models-llm/openai/gpt-4.1-nano.md"])
    specs = [spec for ds in load_docsets(options) for spec in ds.specs.values()]
    checked = list(iter_cassette_findings(suite.path / "cassettes", specs))
    [ct205] = [f for f in checked if f.code.value == "CT205"]
    assert (ct205.source, ct205.anchor, ct205.pointer) == (live_cassette_source("chat-plain"), "interaction:0:response", "/choices/0/finish_reason")
    assert finding_line == f"{ct205.source}: CT205 error: {ct205.message}"
    # And a baseline entry made from the offline finding accepts the next live one, retried or not: same key
    from aimlapi_contract.baseline import BaselineEntry

    baseline = suite.path / "specs" / "baseline.json"
    write_baseline([*read_baseline(baseline), BaselineEntry.from_finding(ct205, "test: accepted drift")], baseline)
    httpserver.expect_ordered_request(CHAT).respond_with_json(violating)
    monkeypatch.setenv("AIMLAPI_KEY", KEY)
    suite.runpytest("--live", "--api-base", httpserver.url_for("/"), "--record-mode=all", *args).assert_outcomes(passed=1, deselected=len(SCENARIOS) - 1)


def scheduled_live_command() -> list[str]:
    """The pytest arguments of the workflow's live step, as the scheduled job runs them."""
    import shlex

    import yaml

    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "contract.yml").read_text(encoding="utf-8"))
    [step] = [s for s in workflow["jobs"]["live"]["steps"] if "pytest" in s.get("run", "")]
    args = shlex.split(step["run"].replace('"$REPORT_DIR', '"reports'))
    assert args[:3] == ["python", "-m", "pytest"]
    return args[3:]


def test_the_scheduled_live_command_sends_every_scenario_on_every_run(
    suite: pytest.Pytester, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the stand-in, the key, and the workflow's own live command (only the live items: the rest needs no server)
    url = serve_api(httpserver)
    monkeypatch.setenv("AIMLAPI_KEY", KEY)
    monkeypatch.setenv("AIMLAPI_BASE_URL", url)
    args = [a for a in scheduled_live_command() if a != "tests/contract"] + ["tests/contract/test_live.py", "-rA"]
    cassettes = suite.path / "cassettes" / "test_live"
    committed = suite.path / "committed"
    sent, printed = [], []
    # When it runs twice, the second time over the cassettes the first one wrote (kept as "committed")
    for _ in range(2):
        before = len(httpserver.log)
        result = suite.runpytest(*args, "-o", "log_cli=true", "--log-cli-level=DEBUG")
        sent.append(len(httpserver.log) - before)
        printed.append(result.stdout.str() + result.stderr.str())
        assert set(outcomes(result)) == {s.id for s in SCENARIOS}, result.stdout.str()[-2000:]
        if not committed.exists():
            shutil.copytree(cassettes, committed)
    # Then every scenario went to the server both times, and each has its cassette
    assert sent == [len(SCENARIOS), len(SCENARIOS)]
    assert len(list(cassettes.glob("*.yaml"))) == len(SCENARIOS)
    # And the job's summary step compares the new recordings with the committed ones: same stand-in, nothing changed
    import subprocess
    import sys

    summary = suite.path / "summary.md"
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}", "GITHUB_STEP_SUMMARY": str(summary)}
    proc = subprocess.run(["bash", str(ROOT / ".github" / "live-changes.sh"), str(committed)], cwd=suite.path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{len(SCENARIOS)} scenario(s) recorded, 0 changed" in summary.read_text()
    # And the stand-in echoed the key in every form, yet no form is in any file (cassettes, cache, reports, JUnit) or output
    from leaks import leaks_under

    assert "\\u" in httpserver.log[0][1].get_data(as_text=True)
    assert (suite.path / "reports" / "junit-live.xml").is_file()
    assert leaks_under(KEY, suite.path, *printed, proc.stdout, proc.stderr) == []


@pytest.mark.parametrize(
    "mode, rewritten",
    [
        pytest.param("none", False, id="none-writes-nothing"),
        pytest.param("once", False, id="once-keeps-what-exists"),
        pytest.param("new_episodes", False, id="new-episodes-keeps-what-exists"),
        pytest.param("all", True, id="all-replaces"),
        pytest.param("rewrite", True, id="rewrite-replaces"),
    ],
)
def test_under_live_the_record_mode_only_decides_what_is_written(
    suite: pytest.Pytester, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, mode: str, rewritten: bool
) -> None:
    # Given one recorded scenario (its cassette marked, to see whether it is replaced) and one never recorded
    url = serve_api(httpserver)
    monkeypatch.setenv("AIMLAPI_KEY", KEY)
    first = suite.runpytest("--live", "--api-base", url, "--record-mode=once", "tests/contract/test_live.py", "-k", "chat-plain")
    assert len(httpserver.log) == 1, first.stdout.str()[-2000:]
    recorded = suite.path / live_cassette_source("chat-plain")
    recorded.write_text(recorded.read_text() + "# marker\n")
    # When both are sent with --record-mode=<mode>
    suite.runpytest("--live", "--api-base", url, f"--record-mode={mode}", "tests/contract/test_live.py", "-k", "chat-plain or chat-system")
    # Then both went out, whatever exists, and only the mode decides what was written
    assert len(httpserver.log) == 3
    assert ("# marker" not in recorded.read_text()) == rewritten
    assert (suite.path / live_cassette_source("chat-system")).is_file() == (mode != "none")
