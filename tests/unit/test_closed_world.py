"""The closed-world proof: accepted closed means no undocumented field, and it is only claimed where that is sound."""

from __future__ import annotations

import json
from typing import Any

import pytest

from aimlapi_contract.sources.specs import Spec, load_spec
from aimlapi_contract.traffic.undocumented import FieldWalker
from aimlapi_contract.validation.closed_world import closed_schema, fields_provable
from aimlapi_contract.validation.engine import SchemaEngine

OBJECT = {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "object", "properties": {"c": {"type": "integer"}}}}}
CHOICE = {"anyOf": [{"type": "object", "properties": {"x": {"type": "string"}}}, {"type": "object", "properties": {"y": {"type": "string"}}}]}
BOTH = {"allOf": [OBJECT, {"type": "object", "properties": {"a": {"type": "string"}, "d": {"type": "boolean"}}}]}


def _spec(**schemas: Any) -> Spec:
    doc = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}, "components": {"schemas": schemas}}
    return load_spec("closed.json", json.dumps(doc).encode())


def test_closing_adds_false_only_where_properties_are_declared_and_open_is_not_said() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "array", "items": {"properties": {"b": {}}}}, "free": {"type": "object"}},
              "not": {"properties": {"z": {}}}}
    closed = closed_schema(schema)
    assert closed["additionalProperties"] is False
    assert closed["properties"]["a"]["items"]["additionalProperties"] is False
    assert "additionalProperties" not in closed["properties"]["free"]  # no properties: free-form, as the walk says
    assert closed["not"] == {"properties": {"z": {}}}  # closing inside `not` would accept more
    assert closed_schema({"properties": {"a": {}}, "additionalProperties": True})["additionalProperties"] is True


def test_choices_and_refs_are_never_proved() -> None:
    assert fields_provable(OBJECT, OBJECT, False)
    assert fields_provable(BOTH, BOTH, False)
    assert not fields_provable(CHOICE, CHOICE, False)
    assert not fields_provable({"properties": {"a": {"anyOf": [{}, {}]}}}, {"properties": {"a": {"anyOf": [{}, {}]}}}, False)
    assert not fields_provable({"$ref": "#/x"}, {"$ref": "#/x"}, False)


@pytest.mark.parametrize(
    ("name", "payload", "proved"),
    [
        ("Object", {"a": "x", "b": {"c": 1}}, True),
        ("Object", {"a": "x", "b": {"c": 1, "extra": 2}}, False),
        ("Object", {"a": "x", "new": 1}, False),
        ("Both", {"a": "x"}, True),
        ("Both", {"a": "x", "d": True}, False),  # each allOf branch lacks the other's field: not proved, walked
        ("Choice", {"x": "1"}, False),  # the walk picks anyOf branches by its own rules: never proved
    ],
)
def test_a_proof_means_the_walk_finds_nothing(name: str, payload: dict[str, Any], proved: bool) -> None:
    spec = _spec(Object=OBJECT, Both=BOTH, Choice=CHOICE)
    pointer = f"/components/schemas/{name}"
    engine = SchemaEngine(spec)
    assert engine.validate_response(pointer, payload) == []
    assert engine.documents_every_field(pointer, payload) is proved
    undocumented = list(FieldWalker(spec).iter_undocumented(pointer, payload))
    if proved:
        assert undocumented == []
    assert list(FieldWalker(spec, reference=True).iter_undocumented(pointer, payload)) == undocumented


def test_the_reference_engine_proves_nothing() -> None:
    spec = _spec(Object=OBJECT)
    assert not SchemaEngine(spec, reference=True).documents_every_field("/components/schemas/Object", {"a": "x"})
