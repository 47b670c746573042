"""Schema comparison by meaning: each change classified for the client that sends or receives the value."""

from __future__ import annotations

from typing import Any

import pytest

from aimlapi_contract.spec.canonical import canonical
from aimlapi_contract.spec.schema_diff import Change, SchemaDiff


def changes(old: Any, new: Any, *, request: bool) -> tuple[list[Change], list[tuple[str, str]]]:
    found: list[Change] = []
    diff = SchemaDiff("POST /x", found.append)
    diff.compare(old, new, ["s"], "body", request=request)
    return found, diff.doc_changes


INT = {"type": "integer"}
OBJ_A: dict[str, Any] = {"type": "object", "properties": {"a": {"type": "string"}}}


@pytest.mark.parametrize(
    ("old", "new", "request_side", "breaking", "keyword"),
    [
        # Constraints: narrowing breaks senders, widening breaks receivers.
        pytest.param(INT, {**INT, "minimum": 16}, True, True, "minimum", id="request-minimum-added"),
        pytest.param({**INT, "minimum": 16}, INT, True, False, "minimum", id="request-minimum-removed"),
        pytest.param({**INT, "maximum": 10}, {**INT, "maximum": 5}, True, True, "maximum", id="request-maximum-lowered"),
        pytest.param({"type": "string", "maxLength": 5}, {"type": "string", "maxLength": 9}, True, False, "maxLength", id="request-maxlength-raised"),
        pytest.param({"type": "string"}, {"type": "string", "pattern": "^a"}, True, True, "pattern", id="request-pattern-added"),
        pytest.param(INT, {**INT, "minimum": 16}, False, False, "minimum", id="response-minimum-added"),
        # Enums.
        pytest.param({"enum": ["a", "b"]}, {"enum": ["a"]}, True, True, "enum-narrowed", id="request-enum-narrowed"),
        pytest.param({"enum": ["a"]}, {"enum": ["a", "b"]}, True, False, "enum-widened", id="request-enum-widened"),
        pytest.param({"enum": ["a"]}, {"enum": ["a", "b"]}, False, True, "enum-widened", id="response-enum-widened"),
        # Types.
        pytest.param({"type": "string"}, INT, True, True, "type", id="type-changed"),
        pytest.param(INT, {"type": "number"}, True, False, "type", id="request-integer-to-number"),
        pytest.param({"type": "string"}, {"type": "string", "nullable": True}, False, True, "nullable", id="response-now-nullable"),
        pytest.param({"type": "string", "nullable": True}, {"type": "string"}, True, True, "nullable", id="request-null-refused"),
        # Properties.
        pytest.param(OBJ_A, {"type": "object", "properties": {"a": {"type": "string"}, "b": INT}}, True, False, "property-added", id="request-optional-added"),
        pytest.param(OBJ_A, {**OBJ_A, "properties": {**OBJ_A["properties"], "b": INT}, "required": ["b"]}, True, True, "property-added", id="request-required-added"),
        pytest.param(OBJ_A, {**OBJ_A, "required": ["a"]}, True, True, "required-added", id="request-newly-required"),
        pytest.param({**OBJ_A, "required": ["a"]}, OBJ_A, False, True, "required-removed", id="response-no-longer-required"),
        pytest.param(OBJ_A, {"type": "object", "properties": {}}, False, True, "property-removed", id="response-field-removed"),
        pytest.param(OBJ_A, {**OBJ_A, "additionalProperties": False}, True, True, "additionalProperties", id="request-closed"),
        pytest.param({"allOf": [OBJ_A]}, {"allOf": [OBJ_A, {"required": ["a"]}]}, True, True, "allOf-added", id="request-allof-member-added"),
        pytest.param({"allOf": [OBJ_A, {"required": ["a"]}]}, {"allOf": [OBJ_A]}, False, True, "allOf-removed", id="response-allof-member-removed"),
        pytest.param({"type": "string", "not": {"enum": ["x"]}}, {"type": "string", "not": {"enum": ["y"]}}, False, True, "not", id="not-changed"),
        # Alternatives.
        pytest.param({"anyOf": [{"type": "string"}, INT]}, {"anyOf": [{"type": "string"}]}, True, True, "form-removed", id="request-form-removed"),
        pytest.param({"anyOf": [{"type": "string"}]}, {"anyOf": [{"type": "string"}, INT]}, True, False, "form-added", id="request-form-added"),
    ],
)
def test_classification(old: Any, new: Any, request_side: bool, breaking: bool, keyword: str) -> None:
    found, _ = changes(old, new, request=request_side)
    assert [(c.keyword, c.breaking) for c in found] == [(keyword, breaking)]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        pytest.param({"type": "string", "const": "x"}, {"type": "string", "enum": ["x"]}, id="const-vs-enum"),
        pytest.param({"type": ["string", "null"]}, {"type": "string", "nullable": True}, id="type-array-vs-nullable"),
        pytest.param({"anyOf": [{"type": "string"}, {"type": "null"}]}, {"type": "string", "nullable": True}, id="anyof-null-vs-nullable"),
        pytest.param({"anyOf": [{"anyOf": [OBJ_A, {"type": "null"}]}, {"type": "null"}]}, {**OBJ_A, "nullable": True}, id="nested-anyof"),
        pytest.param({"oneOf": [{"type": "string"}, INT]}, {"anyOf": [INT, {"type": "string"}]}, id="oneof-vs-anyof-reordered"),
        pytest.param({"enum": ["a", "b"]}, {"enum": ["b", "a"]}, id="enum-order"),
        pytest.param({"type": "object", "required": ["a", "b"], "properties": {"a": INT, "b": INT}},
                     {"properties": {"b": INT, "a": INT}, "required": ["b", "a"], "type": "object"}, id="key-order"),
        pytest.param({"$schema": "http://json-schema.org/draft-07/schema#", **OBJ_A}, OBJ_A, id="schema-keyword"),
    ],
)
def test_representation_only_is_no_change(old: Any, new: Any) -> None:
    for side in (True, False):
        assert changes(old, new, request=side) == ([], [])


def test_documentation_edits_are_collected_not_reported() -> None:
    found, docs = changes({**INT, "description": "old"}, {**INT, "description": "new", "example": 3}, request=True)
    assert found == []
    assert sorted(k for _, k in docs) == ["description", "example"]


def test_single_forms_wrapped_into_an_array_is_one_breaking_change() -> None:
    message = {"type": "object", "properties": {"type": {"enum": ["message"]}, "content": {"type": "string"}}}
    call = {"type": "object", "properties": {"type": {"enum": ["function_call"]}, "name": {"type": "string"}}}
    old = {"anyOf": [{"type": "string"}, message, call]}
    new = {"anyOf": [{"type": "string"}, {"type": "array", "items": {"anyOf": [message, call]}}]}
    found, _ = changes(old, new, request=True)
    assert [(c.keyword, c.breaking, c.pointer) for c in found] == [("form-wrapped-in-array", True, "/s/anyOf/1")]
    assert "2 single-object form(s)" in found[0].message


def test_pointer_names_the_changed_schema_and_where_names_the_field() -> None:
    old = {"type": "object", "properties": {"cfg": {"type": "object", "properties": {"n": INT}}}}
    new = {"type": "object", "properties": {"cfg": {"type": "object", "properties": {"n": {**INT, "minimum": 1}}}}}
    [change] = changes(old, new, request=True)[0]
    assert change.pointer == "/s/properties/cfg/properties/n"
    assert change.where == "body `cfg.n`"
    assert "minimum: 1" in change.message and "0" in change.message  # names a value now rejected


def test_local_refs_are_compared_by_what_they_point_at() -> None:
    item = {"type": "object", "properties": {"t": {"type": "string"}}}
    old = {"type": "object", "properties": {"a": item, "b": {"$ref": "#/properties/a"}}}
    new = {"type": "object", "properties": {"a": item, "b": item}}
    assert changes(old, new, request=False) == ([], [])


def test_canonical_leaves_the_published_schema_untouched() -> None:
    schema = {"anyOf": [{"type": "string", "const": "x"}, {"type": "null"}]}
    before = repr(schema)
    assert canonical(schema) == {"type": "string", "enum": ["x"], "nullable": True}
    assert repr(schema) == before


def test_recursive_refs_terminate_and_report_once() -> None:
    node_old = {"type": "object", "properties": {"v": {"type": "integer"}, "a": {"$ref": "#"}, "b": {"$ref": "#"}}}
    node_new = {"type": "object", "properties": {"v": {"type": "string"}, "a": {"$ref": "#"}, "b": {"$ref": "#"}}}
    found, _ = changes(node_old, node_new, request=True)
    assert [(c.keyword, c.pointer) for c in found][:1] == [("type", "/s/properties/v")]
    assert len(found) == 1  # the recursive uses are the same pair: reported once


def test_a_change_behind_an_unchanged_ref_is_found() -> None:
    old = {"type": "object", "properties": {"x": {"$ref": "#/definitions/n"}}, "definitions": {"n": INT}}
    new = {"type": "object", "properties": {"x": {"$ref": "#/definitions/n"}}, "definitions": {"n": {**INT, "minimum": 1}}}
    found, _ = changes(old, new, request=True)
    assert [(c.keyword, c.breaking, c.pointer) for c in found] == [("minimum", True, "/s/properties/x")]
