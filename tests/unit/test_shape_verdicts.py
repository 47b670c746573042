"""traffic/shape_verdicts.py: a payload shape's schema findings are made once per run and relabelled for the
payloads of that shape in other cassettes. Each case compares the old path (every payload judged) with the new one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from aimlapi_contract import limits
from aimlapi_contract.sources.specs import load_spec
from aimlapi_contract.traffic import payloads, shape_verdicts
from aimlapi_contract.traffic.replay import iter_cassette_findings

PATH = "/v1/chat/completions"  # the chat semantic rules apply: they read `created` and the request's `model`


def _spec(schema: dict[str, Any], request: dict[str, Any] | None = None) -> Any:
    operation: dict[str, Any] = {"responses": {"200": {"description": "OK", "content": {
        "application/json": {"schema": schema}, "text/event-stream": {"schema": schema}}}}}
    if request is not None:
        operation["requestBody"] = {"content": {"application/json": {"schema": request}}}
    doc = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {PATH: {"post": operation}}}
    return load_spec("t.json", json.dumps(doc).encode())


def _interaction(reply: dict[str, Any], *, stream: bool = False, request: dict[str, Any] | None = None) -> dict[str, Any]:
    body = f"data: {json.dumps(reply)}\n\ndata: [DONE]\n\n" if stream else json.dumps(reply)
    ctype = "text/event-stream" if stream else "application/json"
    return {"request": {"method": "POST", "uri": f"https://api.example.com{PATH}", "body": json.dumps(request) if request else None,
                        "headers": {"Content-Type": ["application/json"]}},
            "response": {"status": {"code": 200}, "headers": {"Content-Type": [ctype]}, "body": {"string": body}}}


def _old_and_new(
    spec: Any, cassettes: list[list[dict[str, Any]]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cap: int = 1_000
) -> tuple[list[dict[str, Any]], int, int]:
    """Findings on both paths (asserted equal), how many payloads the schema judged, and how many there were."""
    for i, interactions in enumerate(cassettes):
        (tmp_path / f"c{i:02}.yaml").write_text(yaml.safe_dump({"interactions": interactions, "version": 1}), encoding="utf-8")
    monkeypatch.setattr(shape_verdicts, "_MEMO", shape_verdicts._Memo())  # nothing learned by earlier tests
    made, asked = [0], [0]
    original_made, original_schema = payloads._made_schema_findings, payloads._schema_findings

    def counted_made(*args: Any) -> Any:
        made[0] += 1
        return original_made(*args)

    def counted_schema(*args: Any) -> Any:
        asked[0] += 1
        return original_schema(*args)

    with limits.applied(limits.with_overrides(findings_per_source=cap)):
        old = [f.to_dict() for f in iter_cassette_findings(tmp_path, [spec], root=tmp_path, reference=True)]
        monkeypatch.setattr(payloads, "_made_schema_findings", counted_made)
        monkeypatch.setattr(payloads, "_schema_findings", counted_schema)
        new = [f.to_dict() for f in iter_cassette_findings(tmp_path, [spec], root=tmp_path, reference=False, jobs=1)]
    assert new == old
    return new, made[0], asked[0]


CHAT = {
    "type": "object",
    "properties": {
        "id": {"type": "string"}, "object": {"type": "string"}, "created": {"type": "integer"}, "n": {"type": "integer"},
        "model": {"type": "string"}, "finish_reason": {"type": "string", "enum": ["stop"]},
    },
    "required": ["id"],
}  # fmt: skip


def _reply(i: int, **changes: Any) -> dict[str, Any]:
    reply: dict[str, Any] = {"id": f"chatcmpl-{i}", "object": "chat.completion", "created": 1_760_000_000 + i, "n": i,
                             "model": "gpt-4.1-nano", "finish_reason": None, "extra": f"x{i}"}
    reply.update(changes)
    return {k: v for k, v in reply.items() if v is not ...}


def test_a_shape_seen_in_one_cassette_is_judged_once_for_every_other(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A null the enum forbids (CT206) and an undocumented field (CT207) in each of 20 cassettes, ids and text apart.
    cassettes = [[_interaction(_reply(i))] for i in range(20)]
    new, made, asked = _old_and_new(_spec(CHAT), cassettes, tmp_path, monkeypatch)
    assert {f["code"] for f in new} >= {"CT206", "CT207"}
    assert {f["source"] for f in new if f["code"] == "CT206"} == {f"c{i:02}.yaml" for i in range(20)}
    assert (made, asked) == (1, 20)


def test_a_failing_value_a_shape_blanks_is_judged_in_each_cassette(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # `n` is judged by type alone, so "s1" and "s2" share a shape, but the finding quotes the value.
    cassettes = [[_interaction(_reply(i, n=f"s{i}"))] for i in range(4)]
    new, made, _ = _old_and_new(_spec(CHAT), cassettes, tmp_path, monkeypatch)
    assert sum("'s2'" in f["message"] for f in new) == 1
    assert made == 4


def test_the_semantic_rules_still_read_each_payload(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # `created` is blanked for the schema, but the rule on timestamps reads it: one reply is from the future.
    cassettes = [[_interaction(_reply(i, created=4_000_000_000 if i == 2 else 1_760_000_000 + i))] for i in range(4)]
    cassettes.append([_interaction(_reply(9, model="gpt-4o"), request={"model": "gpt-4.1-nano", "messages": []})])
    new, made, _ = _old_and_new(_spec(CHAT, request={"type": "object"}), cassettes, tmp_path, monkeypatch)
    assert [f["source"] for f in new if f["code"] == "CT345"] == ["c02.yaml"]
    assert [f["source"] for f in new if f["code"] == "CT344"] == ["c04.yaml"]  # the model the request asked for
    assert made == 2  # one reply shape (`model` is read by the rules, not by the schema), one request


@pytest.mark.parametrize("cap", [2, 1_000])
def test_events_requests_and_replies_of_one_shape_in_many_cassettes(cap: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    request = {"model": "openai/gpt-4.1-nano-2025-04-14", "messages": [{"role": "user", "content": "hi"}], "stream": "yes"}
    cassettes = [
        [_interaction(_reply(i), stream=True, request=request), _interaction(_reply(i + 100, extra=None), request=request)]
        for i in range(6)
    ]
    request_schema = {"type": "object", "properties": {"stream": {"type": "boolean"}, "messages": {"type": "array"}}}
    new, made, asked = _old_and_new(_spec(CHAT, request=request_schema), cassettes, tmp_path, monkeypatch, cap=cap)
    assert any(f["code"] == "CT204" and "yes" in f["message"] for f in new)  # the request's `stream` is a string: quoted, so judged in each cassette
    assert made < asked


@pytest.mark.parametrize("bound", ["_MAX_PAYLOAD", "_MAX_KEPT", "_MAX_FINDINGS", "_MAX_KEPT_FINDINGS"])
def test_memory_stays_bounded_large_payloads_and_many_findings_are_judged_each_time(
    bound: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shape_verdicts, bound, 1)  # every payload is larger, or has more findings, than this
    cassettes = [[_interaction(_reply(i))] for i in range(5)]
    _, made, asked = _old_and_new(_spec(CHAT), cassettes, tmp_path, monkeypatch)
    assert made == asked == 5


def test_nothing_learned_of_shapes_is_held_after_a_replay(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, made, asked = _old_and_new(_spec(CHAT), [[_interaction(_reply(i))] for i in range(5)], tmp_path, monkeypatch)
    assert made < asked  # shapes were shared during the replay...
    assert not shape_verdicts._MEMO.verdicts and not shape_verdicts._SHAPES  # ...and let go at its end
