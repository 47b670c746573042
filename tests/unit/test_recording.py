"""recording.py: cassettes are written whole or not at all, and `rewrite` never deletes one up front."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from vcr.persisters.filesystem import CassetteNotFoundError
from vcr.request import Request
from vcr.serializers import yamlserializer

from aimlapi_contract.live.recording import (
    AtomicPersister,
    DiscardingPersister,
    effective_record_mode,
    stamp_intent,
    vcr_settings,
)
from aimlapi_contract.live.scenarios import scenario_by_id
from aimlapi_contract.redact import Redactor
from aimlapi_contract.traffic.intent import INTENT_HEADER


def cassette_dict() -> dict[str, list[object]]:
    request = Request("POST", "http://127.0.0.1/v1/chat/completions", b"{}", {})
    response = {"status": {"code": 200, "message": "OK"}, "headers": {}, "body": {"string": b"{}"}}
    return {"requests": [request], "responses": [response]}


def test_a_saved_cassette_loads_back(tmp_path: Path) -> None:
    path = tmp_path / "c" / "t.yaml"
    AtomicPersister.save_cassette(path, cassette_dict(), yamlserializer)
    requests, responses = AtomicPersister.load_cassette(path, yamlserializer)
    assert [r.uri for r in requests] == ["http://127.0.0.1/v1/chat/completions"] and responses[0]["status"]["code"] == 200


def test_an_interrupted_save_leaves_the_old_cassette_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("old, complete cassette\n")

    def interrupted(src: str, dst: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        AtomicPersister.save_cassette(path, cassette_dict(), yamlserializer)
    assert path.read_text() == "old, complete cassette\n"
    assert [p.name for p in tmp_path.iterdir()] == ["t.yaml"]  # the partial file is gone too


def test_nothing_recorded_never_empties_a_cassette(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("old\n")
    AtomicPersister.save_cassette(path, {"requests": [], "responses": []}, yamlserializer)
    assert path.read_text() == "old\n"


def test_an_empty_or_missing_file_is_no_cassette(tmp_path: Path) -> None:
    (tmp_path / "empty.yaml").write_text("  \n")
    for name in ("empty.yaml", "missing.yaml"):
        with pytest.raises(CassetteNotFoundError):
            AtomicPersister.load_cassette(tmp_path / name, yamlserializer)


def test_live_only_mode_reads_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    AtomicPersister.save_cassette(path, cassette_dict(), yamlserializer)
    with pytest.raises(CassetteNotFoundError):
        DiscardingPersister.load_cassette(path, yamlserializer)
    DiscardingPersister.save_cassette(tmp_path / "other.yaml", cassette_dict(), yamlserializer)
    assert not (tmp_path / "other.yaml").exists()


@pytest.mark.parametrize(
    "cli, live, mode, vcr_mode",
    [
        pytest.param(None, False, "none", "none", id="offline-default-replays"),
        pytest.param(None, True, "live-only", "all", id="live-default-sends-records-nothing"),
        pytest.param("none", True, "live-only", "all", id="live-none-records-nothing"),
        pytest.param("once", True, "once", "all", id="live-once-sends-everything"),
        pytest.param("new_episodes", True, "new_episodes", "all", id="live-new-episodes-sends-everything"),
        pytest.param("all", True, "all", "all", id="all"),
        pytest.param("rewrite", True, "rewrite", "all", id="rewrite-never-reaches-pytest-recording"),
        pytest.param("once", False, "once", "once", id="offline-once-replays"),
        pytest.param("rewrite", False, "rewrite", "all", id="offline-rewrite"),
    ],
)
def test_record_modes(cli: str | None, live: bool, mode: str, vcr_mode: str) -> None:
    assert effective_record_mode(cli, live) == mode
    settings = vcr_settings(mode, Redactor([]), live=live)
    assert settings["record_mode"] == vcr_mode
    assert settings.get("drop_unused_requests", False) == (mode == "rewrite" and not live)
    assert "host" not in settings["match_on"] and "body" in settings["match_on"]


@pytest.mark.parametrize(("mode", "policy"), [("live-only", "never"), ("once", "missing"), ("new_episodes", "missing"), ("all", "replace"), ("rewrite", "replace")])
def test_under_live_the_mode_decides_only_what_is_written(tmp_path: Path, mode: str, policy: str) -> None:
    from aimlapi_contract.live.recording import SafePersister, write_policy

    assert write_policy(mode) == policy
    existing, missing = tmp_path / "existing.yaml", tmp_path / "missing.yaml"
    AtomicPersister.save_cassette(existing, cassette_dict(), yamlserializer)
    old = existing.read_bytes()
    persister = SafePersister(Redactor([]), [], live=True, policy=policy)
    with pytest.raises(CassetteNotFoundError):  # live reads nothing: every request is sent
        persister.load_cassette(existing, yamlserializer)
    changed = cassette_dict()
    changed["responses"][0]["status"]["code"] = 201
    for path in (existing, missing):
        persister.save_cassette(path, changed, yamlserializer)
    assert (existing.read_bytes() != old) == (policy == "replace")
    assert missing.is_file() == (policy != "never")


@pytest.mark.parametrize(("scenario_id", "marked"), [("chat-unknown-model", True), ("responses-unknown-model", True), ("chat-plain", False)])
def test_a_negative_scenarios_recorded_request_carries_its_intent(scenario_id: str, marked: bool) -> None:
    scenario = scenario_by_id(scenario_id)
    request = Request("POST", f"http://127.0.0.1:8791{scenario.path}", json.dumps(scenario.body).encode(), {"Content-Type": "application/json"})
    stamped = stamp_intent(request)
    assert stamped.headers.get(INTENT_HEADER) == (scenario.intent_marker() if marked else None)


def test_only_the_negative_scenarios_exact_request_is_marked() -> None:
    scenario = scenario_by_id("chat-unknown-model")
    other_path = Request("POST", "http://h/v1/responses", json.dumps(scenario.body).encode(), {})
    other_body = Request("POST", f"http://h{scenario.path}", json.dumps({**scenario.body, "n": 2}).encode(), {})
    not_json = Request("POST", f"http://h{scenario.path}", b"model=openai/no-such-model", {})
    assert [INTENT_HEADER in stamp_intent(r).headers for r in (other_path, other_body, not_json)] == [False, False, False]


def test_the_recording_hooks_redact_and_mark() -> None:
    hooks = vcr_settings("all", Redactor(["sk-test-abcdef"]))["before_record_request"]
    assert [getattr(h, "__name__", "") for h in hooks] == ["before_record_request", "stamp_intent"]
