"""SchemaEngine on small inline specs: dispatch, the compiled fast path, the explaining fallback."""

from __future__ import annotations

import json
from typing import Any

import pytest

from aimlapi_contract.sources.specs import load_spec
from aimlapi_contract.validation.engine import SchemaEngine, Violation


def _event(kind: str, extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"type": {"type": "string", "enum": [kind]}, **extra},
        "required": ["type", *extra],
    }


SPEC = {
    "openapi": "3.0.0",
    "info": {"title": "t", "version": "1"},
    "paths": {},
    "components": {
        "schemas": {
            "Event": {
                "description": "one stream event",
                "oneOf": [_event("delta", {"delta": {"type": "string"}}), _event("done", {"n": {"type": "integer"}})],
            },
            "TypedEvent": {"type": "object", "oneOf": [_event("delta", {}), _event("done", {})]},
            "Patterned": {"type": "object", "properties": {"id": {"type": "string", "pattern": "^id_"}}},
            "Thing": {
                "type": "object",
                "properties": {"id": {"type": "string", "readOnly": True}, "name": {"type": "string", "nullable": True}},
                "required": ["id", "name"],
            },
        }
    },
}
EVENT = "/components/schemas/Event"


@pytest.fixture
def engine() -> SchemaEngine:
    return SchemaEngine(load_spec("fixture.json", json.dumps(SPEC).encode()))


def test_valid_payload_has_no_violations(engine: SchemaEngine) -> None:
    assert engine.validate_response(EVENT, {"type": "delta", "delta": "Hel"}) == []
    assert engine.is_valid(EVENT, {"type": "done", "n": 3})


def test_dispatched_event_is_explained_against_its_own_type(engine: SchemaEngine) -> None:
    (violation,) = engine.validate_response(EVENT, {"type": "done", "n": "3"})
    assert violation == Violation(
        pointer="/n",
        message="'3' is not of type 'integer'",
        keyword="type",
        schema_pointer=EVENT + "/oneOf/1/properties/n/type",
        instance="3",
        branch="done",
    )


@pytest.mark.parametrize(
    "event",
    [
        pytest.param({"type": "wobble"}, id="unknown-type"),
        pytest.param({"type": ["delta"]}, id="type-not-a-string"),
        pytest.param({"delta": "x"}, id="no-type"),
        pytest.param([1], id="not-an-object"),
    ],
)
def test_undispatchable_event_fails_the_whole_oneOf(engine: SchemaEngine, event: Any) -> None:
    (violation,) = engine.validate_response(EVENT, event)
    assert (violation.pointer, violation.keyword, violation.branch) == ("", "oneOf", "")


def test_oneOf_beside_validating_keywords_is_not_dispatched(engine: SchemaEngine) -> None:
    assert engine._branches("/components/schemas/TypedEvent") is None
    assert engine._branches(EVENT) == {"delta": EVENT + "/oneOf/0", "done": EVENT + "/oneOf/1"}


def test_untranslatable_schema_is_still_validated(engine: SchemaEngine) -> None:
    pointer = "/components/schemas/Patterned"
    assert engine._compiled_validator(pointer, "read") is None
    assert engine.validate_response(pointer, {"id": "id_1"}) == []
    assert [v.pointer for v in engine.validate_response(pointer, {"id": "x"})] == ["/id"]


def test_payload_jsonschema_rs_cannot_read_falls_back(engine: SchemaEngine) -> None:
    # Python-only values (non-string keys) are undecided for the compiled validator, never a crash.
    assert engine.validate_response(EVENT, {"type": "delta", "delta": "x", 1: 2}) == []
    assert [v.pointer for v in engine.validate_response(EVENT, {"type": "delta", "delta": 5, 1: 2})] == ["/delta"]


def test_direction_applies_readOnly(engine: SchemaEngine) -> None:
    pointer = "/components/schemas/Thing"
    assert engine.validate_request(pointer, {"name": None}) == []
    assert [v.keyword for v in engine.validate_request(pointer, {"id": "x", "name": "n"})] == ["readOnly"]
    assert [v.keyword for v in engine.validate_response(pointer, {"name": "n"})] == ["required"]


def test_compiled_validators_are_shared_by_engines_on_the_same_spec_bytes(engine: SchemaEngine) -> None:
    # A failing event: its branch's validator is compiled to explain it (a passing one may need none).
    assert engine.validate_response(EVENT, {"type": "delta", "delta": 1})
    again = SchemaEngine(load_spec("elsewhere.json", json.dumps(SPEC).encode()))
    assert again._compiled is engine._compiled
    assert (EVENT + "/oneOf/0", "read") in again._compiled
