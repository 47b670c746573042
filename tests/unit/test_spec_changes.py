"""What changed since the lock (check and fetch), and `aimlapi-contract diff OLD NEW` on files and URLs."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from shared_paths import shared_root
from werkzeug import Request, Response

from aimlapi_contract.cli import main
from aimlapi_contract.sources.base import DEFAULT_PAGE, DocsBase
from aimlapi_contract.sources.fetch import Fetcher

HISTORY = shared_root() / "aimlapi-docs-history"
JAN, APR = HISTORY / "2026-01-16-7c5e4d70", HISTORY / "2026-04-22-5134a9d2"
RESPONSES = "docs/api-references/text-models-llm/OpenAI/gpt-4.1-nano-RESPONSES.json"
needs_history = pytest.mark.skipif(not HISTORY.is_dir(), reason=f"{HISTORY} (published spec history) is absent")

SMALL_OLD = {"openapi": "3.0.0", "paths": {"/v1/x": {"post": {"requestBody": {"content": {"application/json": {
    "schema": {"type": "object", "properties": {"n": {"type": "integer"}}}}}}, "responses": {"200": {"description": "OK"}}}}}}


def _small_new(minimum: int | None) -> dict[str, Any]:
    new: dict[str, Any] = json.loads(json.dumps(SMALL_OLD))
    schema = new["paths"]["/v1/x"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    if minimum is not None:
        schema["properties"]["n"]["minimum"] = minimum
    schema["properties"]["p"] = {"type": "string"}
    return new


def _check(tmp_path: Path, base: str, cache: Path) -> dict[str, Any]:
    out = tmp_path / "report.json"
    code = main(["check", "--docs-base", base, "--page", DEFAULT_PAGE, "--cache-dir", str(cache),
                 "--lock", str(tmp_path / "lock.json"), "--baseline", str(tmp_path / "baseline.json"),
                 "--format", "json", "--output", str(out)])
    assert code in (0, 1)
    data: dict[str, Any] = json.loads(out.read_text())
    return data


def _fetch(tmp_path: Path, base: str, cache: Path) -> int:
    return main(["fetch", "--docs-base", base, "--page", DEFAULT_PAGE, "--cache-dir", str(cache),
                 "--lock", str(tmp_path / "lock.json")])


@pytest.fixture
def published(httpserver: HTTPServer) -> tuple[dict[str, Path], str]:
    """An upstream stand-in serving one version of the published docs; set `state["root"]` to switch versions."""
    state = {"root": JAN}

    def serve(request: Request) -> Response:
        path = state["root"] / request.path.lstrip("/")
        if not path.is_file():
            return Response("not found", status=404)
        return Response(path.read_bytes(), content_type="application/octet-stream")

    httpserver.expect_request(re.compile("/.*")).respond_with_handler(serve)
    return state, httpserver.url_for("/")


def test_every_download_is_kept_by_content(httpserver: HTTPServer, tmp_path: Path) -> None:
    body = b'{"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {}}'
    httpserver.expect_request("/a/s.json").respond_with_data(body)
    fetcher = Fetcher(DocsBase(httpserver.url_for("/")), tmp_path / "cache")
    fetched = fetcher.get("a/s.json")
    assert fetcher.object_path(fetched.sha256).read_bytes() == body


@needs_history
def test_check_reports_what_changed_since_the_locked_spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str],
                                                          published: tuple[dict[str, Path], str]) -> None:
    monkeypatch.chdir(tmp_path)
    state, base = published
    cache = tmp_path / "cache"
    # Given a lock written when upstream published the 2026-01-16 docs (the download is kept by content)
    assert _fetch(tmp_path, base, cache) == 0
    # When upstream now publishes the 2026-04-22 docs
    state["root"] = APR
    report = _check(tmp_path, base, cache)
    # Then the check says what changed in the responses spec, breaking first
    found = {(f["code"], f["anchor"]) for f in report["findings"] if f["source"] == RESPONSES}
    assert {("CT103", ""), ("CT501", "minimum"), ("CT501", "form-wrapped-in-array"), ("CT502", "property-added")} <= found
    minimum = next(f for f in report["findings"] if f["anchor"] == "minimum")
    assert minimum["severity"] == "warning" and minimum["endpoint"] == "POST /v1/responses"
    assert minimum["pointer"].endswith("/properties/max_output_tokens")
    # On the line of the new spec that holds it, so `file:line` in the text report opens it
    new_lines = (APR / RESPONSES).read_text(encoding="utf-8").splitlines()
    assert new_lines[minimum["line"] - 1].strip().startswith('"max_output_tokens"')
    # And `fetch` prints the same change before anything is accepted
    capsys.readouterr()
    _fetch(tmp_path, base, cache)
    assert "CT501 warning" in capsys.readouterr().out


@needs_history
def test_locked_version_missing_from_cache_is_said_not_guessed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               published: tuple[dict[str, Path], str]) -> None:
    monkeypatch.chdir(tmp_path)
    state, base = published
    assert _fetch(tmp_path, base, tmp_path / "c1") == 0
    state["root"] = APR
    report = _check(tmp_path, base, tmp_path / "c2")  # another machine: its cache never saw the locked bytes
    codes = {f["code"] for f in report["findings"] if f["source"] == RESPONSES}
    assert "CT503" in codes and "CT501" not in codes


def test_diff_command_exit_codes_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, breaking, compatible = tmp_path / "old.json", tmp_path / "b.json", tmp_path / "c.json"
    old.write_text(json.dumps(SMALL_OLD))
    breaking.write_text(json.dumps(_small_new(16)))
    compatible.write_text(json.dumps(_small_new(None)))
    assert main(["diff", str(old), str(breaking)]) == 1
    text = capsys.readouterr().out
    assert "BREAKING for clients (1)" in text and "`minimum: 16` added" in text
    assert main(["diff", str(old), str(compatible), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["summary"] == {"breaking": 0, "compatible": 1}
    assert data["changes"][0]["where"] == "request body `p`"


def test_diff_command_reads_urls(httpserver: HTTPServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    httpserver.expect_request("/old.json").respond_with_json(SMALL_OLD)
    httpserver.expect_request("/new.json").respond_with_json(SMALL_OLD)
    assert main(["diff", httpserver.url_for("/old.json"), httpserver.url_for("/new.json")]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "no semantic change"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(None, "cannot read", id="missing-file"),
        pytest.param("{not json", "not valid JSON", id="not-json"),
        pytest.param("[1, 2]", "top level is a JSON list", id="not-an-object"),
    ],
)
def test_diff_command_bad_input_is_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  content: str | None, message: str) -> None:
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(SMALL_OLD))
    if content is not None:
        bad.write_text(content)
    assert main(["diff", str(good), str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {bad}: ") and message in err


def test_checking_for_changes_does_not_import_requests() -> None:
    # `requests` takes ~40 ms to import and only downloads need it (fetch.py imports it lazily too).
    code = "import sys, aimlapi_contract.spec.changes; print('requests' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
