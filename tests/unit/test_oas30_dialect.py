"""The OAS 3.0 -> JSON Schema translation decides exactly as openapi-schema-validator's OAS30 validators do."""

from __future__ import annotations

from typing import Any

import jsonschema_rs
import pytest
from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator

from aimlapi_contract.validation.dialect import READ, WRITE, Untranslatable, format_checks, to_json_schema

OBJ_RO = {"type": "object", "properties": {"id": {"type": "string", "readOnly": True}, "n": {"type": "integer"}}, "required": ["id"]}
OBJ_WO = {"type": "object", "properties": {"secret": {"type": "string", "writeOnly": True}}, "required": ["secret"]}

CASES = [
    # nullable, with and without a type
    pytest.param({"type": "string", "nullable": True}, READ, None, True, id="nullable-with-type-accepts-null"),
    pytest.param({"type": "string"}, READ, None, False, id="not-nullable-rejects-null"),
    pytest.param({"type": "string", "nullable": "true"}, READ, None, False, id="nullable-must-be-the-boolean-true"),
    pytest.param({"nullable": True}, READ, None, True, id="nullable-without-type-no-constraint"),
    pytest.param({"nullable": True}, READ, 5, True, id="nullable-without-type-accepts-anything"),
    pytest.param({"type": "string", "nullable": True, "enum": ["a"]}, READ, None, False, id="nullable-enum-without-null-rejects-null"),
    pytest.param({"type": "string", "nullable": True, "enum": ["a", None]}, READ, None, True, id="nullable-enum-with-null"),
    pytest.param({"nullable": True, "enum": ["a"]}, READ, None, False, id="untyped-nullable-enum-rejects-null"),
    # combinators and nullable
    pytest.param({"nullable": True, "allOf": [{"type": "object"}]}, READ, None, False, id="allOf-nullable-outside-rejects-null"),
    pytest.param({"allOf": [{"type": "object", "nullable": True}]}, READ, None, True, id="allOf-nullable-branch"),
    pytest.param({"anyOf": [{"type": "string"}, {"type": "integer", "nullable": True}]}, READ, None, True, id="anyOf-one-nullable-branch"),
    pytest.param({"oneOf": [{"type": "string", "nullable": True}, {"type": "integer", "nullable": True}]}, READ, None, False, id="oneOf-two-nullable-branches"),
    pytest.param({"oneOf": [{"type": "string"}, {"type": "integer"}]}, READ, 3, True, id="oneOf-one-match"),
    pytest.param({"not": {"type": "string"}}, READ, "x", False, id="not"),
    # readOnly / writeOnly by direction
    pytest.param(OBJ_RO, WRITE, {"n": 1}, True, id="request-readOnly-required-skipped"),
    pytest.param(OBJ_RO, WRITE, {"id": "x"}, False, id="request-readOnly-sent"),
    pytest.param(OBJ_RO, READ, {"n": 1}, False, id="response-readOnly-still-required"),
    pytest.param(OBJ_RO, READ, {"id": "x"}, True, id="response-readOnly-present"),
    pytest.param(OBJ_WO, READ, {}, True, id="response-writeOnly-required-skipped"),
    pytest.param(OBJ_WO, READ, {"secret": "x"}, False, id="response-writeOnly-returned"),
    pytest.param(OBJ_WO, WRITE, {}, False, id="request-writeOnly-still-required"),
    # formats: checked only where openapi-core's checker knows them
    pytest.param({"type": "string", "format": "date-time"}, READ, "yesterday", False, id="format-date-time-bad"),
    pytest.param({"type": "string", "format": "date-time"}, READ, "2025-01-02T03:04:05Z", True, id="format-date-time-good"),
    pytest.param({"type": "string", "format": "uri"}, READ, "not a uri", True, id="format-uri-unchecked"),
    pytest.param({"type": "string", "format": "uuid"}, READ, "1234", False, id="format-uuid-bad"),
    pytest.param({"type": "string", "format": "binary"}, READ, "anything", True, id="format-binary"),
    pytest.param({"type": "string", "nullable": True, "format": "date-time"}, READ, None, True, id="format-skips-null"),
    pytest.param({"format": "email"}, READ, 5, True, id="format-ignores-non-strings"),
    # additionalProperties
    pytest.param({"type": "object", "properties": {"a": {}}}, READ, {"b": 1}, True, id="additionalProperties-default-allows"),
    pytest.param({"type": "object", "properties": {"a": {}}, "additionalProperties": False}, READ, {"b": 1}, False, id="additionalProperties-false"),
    pytest.param({"type": "object", "additionalProperties": {"type": "integer"}}, READ, {"b": "x"}, False, id="additionalProperties-schema"),
    # types and enum equality as jsonschema sees them
    pytest.param({"type": "integer"}, READ, 1.0, False, id="integer-rejects-float"),
    pytest.param({"type": "integer"}, READ, True, False, id="integer-rejects-bool"),
    pytest.param({"type": "number"}, READ, False, False, id="number-rejects-bool"),
    pytest.param({"enum": [1]}, READ, True, False, id="enum-1-rejects-true"),
    pytest.param({"enum": [True]}, READ, 1, False, id="enum-true-rejects-1"),
    pytest.param({"enum": [1]}, READ, 1.0, True, id="enum-1-accepts-1.0"),
    pytest.param({"type": "array", "items": {"type": "string"}}, READ, ["a", 1], False, id="items"),
    pytest.param({"type": "array", "items": {"type": "string"}}, READ, "ab", False, id="items-needs-array"),
    pytest.param({"minimum": 1, "exclusiveMinimum": True}, READ, 1, False, id="exclusiveMinimum-draft4"),
    pytest.param({"maximum": 1}, READ, True, True, id="maximum-ignores-bools"),
    pytest.param({"type": "string", "minLength": 2}, READ, "\U0001f600", False, id="minLength-counts-code-points"),
    pytest.param({"type": "object", "example": {"x": 1}, "description": "d", "const": 3}, READ, {}, True, id="annotations-and-const-ignored"),
]


def _openapi_schema_validator(schema: Any, direction: str) -> Any:
    cls = OAS30WriteValidator if direction == WRITE else OAS30ReadValidator
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


@pytest.mark.parametrize(("schema", "direction", "instance", "valid"), CASES)
def test_translation_decides_as_openapi_schema_validator(schema: Any, direction: str, instance: Any, valid: bool) -> None:
    compiled = jsonschema_rs.Draft4Validator(to_json_schema(schema, direction), formats=format_checks(), validate_formats=True)
    assert _openapi_schema_validator(schema, direction).is_valid(instance) is valid  # the semantics pinned here
    assert compiled.is_valid(instance) is valid


@pytest.mark.parametrize(
    "schema",
    [
        pytest.param({"$ref": "#/components/schemas/X"}, id="ref"),
        pytest.param({"oneOf": [{}], "discriminator": {"propertyName": "type"}}, id="discriminator"),
        pytest.param({"type": "string", "pattern": "^a"}, id="pattern"),
        pytest.param({"type": "integer", "format": "int32"}, id="numeric-format"),
        pytest.param({"type": ["string", "null"]}, id="type-list"),
        pytest.param({"type": "null"}, id="type-null"),
        pytest.param({"type": "array", "uniqueItems": True}, id="uniqueItems"),
        pytest.param({"multipleOf": 0.1}, id="multipleOf"),
        pytest.param({"patternProperties": {"^x": {}}, "additionalProperties": False}, id="patternProperties"),
        pytest.param({"type": "array", "items": [{"type": "string"}]}, id="tuple-items"),
        pytest.param({"properties": {"a": 5}}, id="non-schema"),
    ],
)
def test_what_could_mean_something_else_is_not_translated(schema: Any) -> None:
    with pytest.raises(Untranslatable):
        to_json_schema(schema, READ)


def test_direction_is_checked() -> None:
    with pytest.raises(ValueError, match="direction"):
        to_json_schema({}, "sideways")


@pytest.mark.parametrize(
    ("schema", "uses"),
    [
        ({"type": "string", "format": "byte"}, True),
        ({"properties": {"a": {"allOf": [{"items": {"format": "date-time"}}]}}}, True),
        ({"additionalProperties": {"not": {"format": "byte"}}}, True),
        ({"anyOf": [{"type": "string"}, {"oneOf": [{"format": "regex"}]}]}, True),
        ({"properties": {"format": {"type": "string"}}}, False),  # a property named `format` checks nothing
        ({"type": "object", "required": ["format"], "items": {"type": "integer"}}, False),
        # `uri` is checked only with rfc3987 (or another optional package) installed; else translated away.
        ({"type": "string", "format": "uri"}, "uri" in OAS30ReadValidator.FORMAT_CHECKER.checkers),
    ],
)
def test_uses_formats_finds_checked_formats_only(schema: Any, uses: bool) -> None:
    from aimlapi_contract.validation.dialect import uses_formats

    assert uses_formats(to_json_schema(schema, "read")) is uses
