"""recording.py: cassettes are written whole or not at all, and `rewrite` never deletes one up front."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from vcr.persisters.filesystem import CassetteNotFoundError
from vcr.request import Request
from vcr.serializers import yamlserializer

from aimlapi_contract.recording import AtomicPersister, DiscardingPersister, effective_record_mode, vcr_settings
from aimlapi_contract.redact import Redactor


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
        pytest.param("once", True, "once", "once", id="once"),
        pytest.param("new_episodes", True, "new_episodes", "new_episodes", id="new-episodes"),
        pytest.param("all", True, "all", "all", id="all"),
        pytest.param("rewrite", True, "rewrite", "all", id="rewrite-never-reaches-pytest-recording"),
    ],
)
def test_record_modes(cli: str | None, live: bool, mode: str, vcr_mode: str) -> None:
    assert effective_record_mode(cli, live) == mode
    settings = vcr_settings(mode, Redactor([]))
    assert settings["record_mode"] == vcr_mode
    assert settings.get("drop_unused_requests", False) == (mode == "rewrite")
    assert "host" not in settings["match_on"] and "body" in settings["match_on"]
