"""The plugin owns safety: a project that installs the package, with no conftest of ours (or a vcr_config that tries
to undo ours), records no form of the key anywhere, against a stand-in that echoes it in every form."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from leaks import key_forms, leaks_in, leaks_under
from live_standin import CHAT, MODEL, serve_api, split_key_stream
from pytest_httpserver import HTTPServer
from shared_paths import MIRROR

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]
KEY = "sk-consumer-5f1e9a0c7b3d4e26a8"

CONSUMER_TEST = f'''
import logging, os
import pytest, requests

MODEL = "{MODEL}"

def send(path, stream=False):
    key, base = os.environ["AIMLAPI_KEY"], os.environ["STANDIN"]
    body = {{"model": MODEL, "messages": [{{"role": "user", "content": "my key is " + key}}], "stream": stream}}
    headers = {{"Authorization": "Bearer " + key, "X-Api-Key": key, "Accept-Encoding": "identity"}}
    return requests.post(base + path, params={{"api_key": key}}, headers=headers, json=body, timeout=10)

@pytest.mark.vcr
@pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
def test_chat(stream):
    reply = send("{CHAT}", stream)
    print("reply:", reply.text, dict(reply.headers))  # captured output reaches reports
    logging.getLogger("consumer").warning("reply headers %s", dict(reply.headers))
    assert reply.status_code == 200

@pytest.mark.vcr
def test_a_failure_quoting_the_reply():
    reply = send("{CHAT}")
    assert reply.status_code == 500, reply.text + str(dict(reply.headers))

@pytest.mark.vcr
def test_split_key():
    assert send("/split", stream=True).status_code == 200
'''

# A project's own settings that try to remove every safety the plugin adds.
HOSTILE_CONFTEST = '''
import pytest

@pytest.fixture(scope="module")
def vcr_config():
    return {"filter_headers": [], "before_record_request": lambda r: r, "before_record_response": lambda r: r,
            "decode_compressed_response": False, "persister": None}
'''


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    return ("127.0.0.1", 0)


@pytest.fixture
def standin(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    """The echoing stand-in, its URL in $STANDIN, the key in $AIMLAPI_KEY."""
    httpserver.expect_request("/split", method="POST").respond_with_handler(split_key_stream)
    monkeypatch.setenv("STANDIN", serve_api(httpserver))
    monkeypatch.setenv("AIMLAPI_KEY", KEY)
    return httpserver


@pytest.mark.parametrize("conftest", [None, HOSTILE_CONFTEST], ids=["no-conftest", "hostile-vcr-config"])
def test_a_consumer_project_records_no_form_of_the_key(pytester: pytest.Pytester, standin: HTTPServer, conftest: str | None) -> None:
    # Given a project of its own: one test file, pytest-recording's defaults, maybe a vcr_config undoing ours
    pytester.makepyfile(test_consumer=CONSUMER_TEST)
    if conftest:
        pytester.makeconftest(conftest)
    # When it records, as loudly as pytest prints (vcrpy's debug logs included), with a JUnit file
    result = pytester.runpytest_subprocess(
        "--record-mode=once", "-rA", "-vv", "--tb=long", "-l", "-o", "log_cli=true", "--log-cli-level=DEBUG",
        "--junitxml=reports/junit.xml", "-p", "no:randomly",
    )
    output = result.stdout.str() + result.stderr.str()
    # Then the requests went out with the key and the replies echoed it in every form
    assert len(standin.log) == 4, output[-3000:]
    echoed = standin.log[0][1].get_data(as_text=True) + str(standin.log[0][1].headers)
    assert all(f in echoed for f in ("sk-", "\\u", key_forms(KEY)["base64-bearer"][:12])), echoed
    result.assert_outcomes(passed=3, failed=1)
    cassettes = pytester.path / "cassettes" / "test_consumer"
    written = sorted(p.name for p in cassettes.iterdir())
    # And the split key's cassette is not written, with one line saying why
    assert written == ["test_a_failure_quoting_the_reply.yaml", "test_chat[json].yaml", "test_chat[sse].yaml"]
    refusals = [line for line in result.outlines if "test_split_key.yaml: not written" in line]
    assert len(refusals) == 1 and "across SSE events" in refusals[0], output[-2000:]
    # And no form of the key is in any file the run wrote (cassettes, JUnit, pytest's cache) or in its output
    assert "<redacted>" in (cassettes / "test_chat[sse].yaml").read_text()
    assert "x-echo-bearer-base64" in (cassettes / "test_chat[json].yaml").read_text()  # the header is kept, its value is not
    assert (pytester.path / "reports" / "junit.xml").is_file()
    assert leaks_under(KEY, pytester.path, output) == []


def test_the_scanner_finds_every_form_it_lists() -> None:
    # The leak test can fail: each listed form, embedded in other text, is found
    for name, form in key_forms(KEY).items():
        assert leaks_in(KEY, [("t", f"x {form} y")]), name


@pytest.mark.skipif(not MIRROR.is_dir(), reason=f"{MIRROR} (the published docs mirror) is absent")
def test_the_live_items_in_a_project_without_our_conftest_record_no_form_of_the_key(
    pytester: pytest.Pytester, standin: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a contract project with our live items but none of this repository's conftest.py
    for rel in ("tests/contract/test_live.py", "specs/manifest.json", "specs/baseline.json", "specs/lock.json"):
        (pytester.path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / rel, pytester.path / rel)
    pytester.makeini("[pytest]\naddopts = --import-mode=importlib\n")
    monkeypatch.setenv("AIMLAPI_DOCS_BASE", str(MIRROR))
    monkeypatch.setenv("AIMLAPI_CONTRACT_CACHE", str(pytester.path / ".cache"))
    monkeypatch.setenv("AIMLAPI_LIVE_BACKOFF", "0")
    # When it records every scenario live, logging everything
    result = pytester.runpytest_subprocess(
        "--live", "--api-base", str(standin.url_for("/")).rstrip("/"), "--record-mode=once", "-rA", "-vv", "--tb=long", "-l",
        "-o", "log_cli=true", "--log-cli-level=DEBUG", "--junitxml=reports/junit.xml", "tests/contract/test_live.py",
    )
    output = result.stdout.str() + result.stderr.str()
    # Then every scenario was sent and recorded where pytest-recording puts cassettes, and nothing leaks
    from aimlapi_contract.live.scenarios import SCENARIOS

    assert len(standin.log) == len(SCENARIOS), output[-3000:]
    recorded = list((pytester.path / "tests" / "contract" / "cassettes" / "test_live").glob("*.yaml"))
    assert len(recorded) == len(SCENARIOS)
    assert leaks_under(KEY, pytester.path, output) == []


def test_help_says_live_always_sends_and_what_each_record_mode_writes(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    text = " ".join(" ".join(result.outlines).split())
    assert "send every selected live scenario to the API on every run, whatever cassettes exist" in text
    assert "none (default) nothing, once/new_episodes the cassettes that do not exist yet, all/rewrite replace them whole" in text
