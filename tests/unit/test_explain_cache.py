"""Explanations reused per failure shape: the same violations the explaining validator gives, on the payload's own values."""

from __future__ import annotations

import json
from typing import Any

import pytest

from aimlapi_contract.sources.specs import Spec, load_spec
from aimlapi_contract.validation.engine import SchemaEngine

CHUNK = {
    "type": "object",
    "required": ["id", "choices"],
    "properties": {
        "id": {"type": "string"},
        "choices": {"type": "array", "items": {"type": "object", "required": ["index"], "properties": {
            "index": {"type": "integer"}, "finish_reason": {"type": "string", "enum": ["stop", "length"]}}}},
    },
}  # fmt: skip
POINTER = "/components/schemas/Chunk"


def _spec() -> Spec:
    doc = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}, "components": {"schemas": {"Chunk": CHUNK}}}
    return load_spec("cache.json", json.dumps(doc).encode())


def _counting(engine: SchemaEngine, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    calls: list[Any] = []
    real = engine._explain

    def explain(*args: Any) -> Any:
        calls.append(args[1])
        return real(*args)

    monkeypatch.setattr(engine, "_explain", explain)
    return calls


def test_a_repeated_failure_is_explained_once_with_each_payloads_own_values(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = _spec()
    engine, reference = SchemaEngine(spec), SchemaEngine(spec, reference=True)
    calls = _counting(engine, monkeypatch)
    payloads = [{"id": f"chatcmpl-{i}", "choices": [{"index": 0, "finish_reason": None, "delta": {"n": i}}]} for i in range(5)]
    for payload in payloads:
        got = engine.validate_response(POINTER, payload)
        assert got == reference.validate_response(POINTER, payload)
        assert [v.pointer for v in got] and all(v.instance is None for v in got)
    assert len(calls) == 1


def test_required_violations_reuse_carries_this_payloads_object(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = _spec()
    engine, reference = SchemaEngine(spec), SchemaEngine(spec, reference=True)
    calls = _counting(engine, monkeypatch)
    for i in range(3):
        payload = {"id": str(i), "choices": [{"finish_reason": "stop", "seq": i}]}
        (violation,) = engine.validate_response(POINTER, payload)
        assert violation == reference.validate_response(POINTER, payload)[0]
        assert violation.instance is payload["choices"][0]
    assert len(calls) == 1


def test_other_values_or_places_are_explained_afresh(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = _spec()
    engine, reference = SchemaEngine(spec), SchemaEngine(spec, reference=True)
    calls = _counting(engine, monkeypatch)
    payloads = [
        {"id": "a", "choices": [{"index": 0, "finish_reason": "eos"}]},
        {"id": "a", "choices": [{"index": 0, "finish_reason": "halt"}]},  # another value: another message
        {"id": 7, "choices": [{"index": 0, "finish_reason": "eos"}]},  # another place as well
        {"id": "b", "choices": [{"index": 0}, {"index": 1, "finish_reason": "eos"}]},  # same failure, other index
    ]
    for payload in payloads:
        assert engine.validate_response(POINTER, payload) == reference.validate_response(POINTER, payload)
    assert len(calls) == 4
