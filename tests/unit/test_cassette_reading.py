"""Cassettes load safely into Exchanges, with lines; bad files fail with one clear error, hostile ones run nothing."""

from __future__ import annotations

import builtins
import gzip
from pathlib import Path

import pytest
import yaml
from vcr import serialize
from vcr.serializers import yamlserializer

from aimlapi_contract.traffic.cassettes import BrokenInteraction, CassetteError, read_cassette

DATA = Path(__file__).parents[1] / "data" / "cassettes"
ROOT = Path(__file__).parents[2]
MARKER = "AIMLAPI_CONTRACT_PWNED"


def test_reads_an_interaction_into_an_exchange_with_lines() -> None:
    cassette = read_cassette(DATA / "chat-valid.yaml")
    (rec,) = cassette.interactions
    ex = rec.exchange
    assert (ex.method, ex.path, ex.status, ex.response_content_type()) == ("POST", "/v1/chat/completions", 200, "application/json")
    assert ex.request_headers == {"content-type": ["application/json"]}
    assert ex.response_body.startswith(b'{"id": "chatcmpl-1"')
    assert (rec.index, rec.line, rec.request_body_line, rec.response_body_line) == (0, 2, 5, 13)


def test_hostile_cassette_is_refused_and_runs_nothing() -> None:
    with pytest.raises(CassetteError, match="python/object/apply:builtins.exec") as err:
        read_cassette(DATA / "hostile.yaml")
    assert err.value.line == 6
    assert not hasattr(builtins, MARKER)


def test_pinned_vcrpy_refuses_the_hostile_cassette_too() -> None:
    """pytest-recording replays through vcrpy: its loader (>= 8.2.1, GHSA-rpj2-4hq8-938g) must be safe as well."""
    with pytest.raises(ValueError, match="problem loading the cassette"):
        serialize.deserialize((DATA / "hostile.yaml").read_text(), yamlserializer)
    assert not hasattr(builtins, MARKER)


def test_the_hostile_fixture_really_is_hostile() -> None:
    """Without this, the two tests above could pass on a harmless file."""
    try:
        yaml.unsafe_load((DATA / "hostile.yaml").read_text())
        assert getattr(builtins, MARKER, False) is True
    finally:
        if hasattr(builtins, MARKER):
            delattr(builtins, MARKER)


@pytest.mark.parametrize(
    ("name", "message", "line"),
    [
        ("corrupt.yaml", "not a safe YAML document: expected ',' or '}'", 3),
        ("not-a-cassette.yaml", "no top-level `interactions` list", 1),
    ],
)
def test_bad_files_give_one_error_with_a_line(name: str, message: str, line: int) -> None:
    with pytest.raises(CassetteError, match=message) as err:
        read_cassette(DATA / name)
    assert err.value.line == line


def test_interaction_without_status_is_broken_on_its_own(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("interactions:\n- request: {method: POST, uri: 'http://x/v1/responses'}\n  response: {status: {message: OK}}\n")
    cassette = read_cassette(path)
    assert cassette.interactions == []
    assert cassette.broken == [BrokenInteraction(0, "the response status code is None, not an integer", 2)]


def test_a_broken_interaction_does_not_hide_the_others() -> None:
    cassette = read_cassette(DATA / "interaction-status-not-a-number.yaml")
    assert [r.index for r in cassette.interactions] == [0]
    assert cassette.broken == [BrokenInteraction(1, "the response status code is 'two hundred', not an integer", 13)]


def test_gzip_body_recorded_without_decoding_is_decompressed(tmp_path: Path) -> None:
    body = gzip.compress(b'{"ok": true}')
    data = {
        "interactions": [
            {
                "request": {"method": "POST", "uri": "http://x/v1/responses", "body": None, "headers": {}},
                "response": {"status": {"code": 200}, "headers": {"Content-Encoding": ["gzip"]}, "body": {"string": body}},
            }
        ]
    }
    path = tmp_path / "gz.yaml"
    path.write_text(yaml.safe_dump(data))
    ex = read_cassette(path).interactions[0].exchange
    assert ex.response_body == b'{"ok": true}'
    assert ex.request_body == b""


def test_page_derived_cassettes_are_standard_vcrpy() -> None:
    """vcrpy itself reads the committed cassettes, so live recordings and these share one format."""
    for path in sorted((ROOT / "cassettes" / "published-examples").rglob("*.yaml")):  # committed, never a local recording
        requests, responses = serialize.deserialize(path.read_text(), yamlserializer)[:2]
        assert len(requests) == len(read_cassette(path).interactions) >= 1, path
