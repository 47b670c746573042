"""Spec-internal examples and defaults against their own schemas."""

from __future__ import annotations

import json
from typing import Any

from aimlapi_contract.page.spec_examples import iter_spec_example_findings
from aimlapi_contract.sources.specs import load_spec


def spec(schema: dict[str, Any], media_extra: dict[str, Any] | None = None) -> Any:
    media = {"schema": schema, **(media_extra or {})}
    data = {"openapi": "3.0.0", "info": {"title": "t", "version": "1"},
            "paths": {"/v1/x": {"post": {"requestBody": {"content": {"application/json": media}},
                                         "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": schema}}}}}}}}
    return load_spec("s.json", json.dumps(data).encode())


REQ = "/paths/~1v1~1x/post/requestBody/content/application~1json"
RESP = "/paths/~1v1~1x/post/responses/200/content/application~1json"


def test_valid_examples_and_defaults_are_clean() -> None:
    schema = {"type": "object", "properties": {
        "mode": {"type": "string", "enum": ["a", "b"], "default": "a", "example": "b"},
        "n": {"type": "integer", "nullable": True, "example": None},
        "default": {"type": "string"},  # a property named "default" is not a keyword
    }}
    assert list(iter_spec_example_findings(spec(schema, {"example": {"mode": "a"}}))) == []


def test_each_bad_value_is_reported_at_its_pointer() -> None:
    schema = {"type": "object", "properties": {
        "mode": {"type": "string", "enum": ["a", "b"], "example": "c"},
        "list": {"type": "array", "items": {"type": "integer", "default": "1"}},
    }}
    media = {"examples": {"bad": {"value": {"mode": 3}}}}
    found = {(f.pointer, f.code.value, f.severity.label) for f in iter_spec_example_findings(spec(schema, media))}
    assert found == {
        (f"{REQ}/schema/properties/mode/example", "CT330", "error"),
        (f"{REQ}/schema/properties/list/items/default", "CT330", "error"),
        (f"{REQ}/examples/bad/value/mode", "CT330", "error"),
        (f"{RESP}/schema/properties/mode/example", "CT330", "error"),
        (f"{RESP}/schema/properties/list/items/default", "CT330", "error"),
    }


def test_enum_violation_offers_the_values() -> None:
    schema = {"type": "string", "enum": ["a", "b"], "example": "c"}
    first = next(iter(iter_spec_example_findings(spec(schema))))
    assert first.fix == f'use one of ["a", "b"], or add "c" to the enum at {REQ}/schema/enum' and first.endpoint == "POST /v1/x"


def test_finding_is_on_the_line_of_the_rejected_value() -> None:
    schema = {"type": "object", "required": ["id"], "properties": {"mode": {"type": "string", "enum": ["a"]}},
              "example": {"mode": "b"}}
    data = {"openapi": "3.0.0", "info": {"title": "t", "version": "1"},
            "paths": {"/v1/x": {"post": {"responses": {"200": {"description": "OK",
                                                              "content": {"application/json": {"schema": schema}}}}}}}}
    text = json.dumps(data, indent=2)
    lines = text.splitlines()
    by_pointer = {f.pointer: f for f in iter_spec_example_findings(load_spec("s.json", text.encode()))}
    example = f"{RESP}/schema/example"
    assert lines[by_pointer[f"{example}/mode"].line - 1].strip() == '"mode": "b"'  # type: ignore[operator]
    assert lines[by_pointer[example].line - 1].strip() == '"example": {'  # type: ignore[operator]  # the missing `id`


def test_malformed_schema_is_a_warning_not_a_crash() -> None:
    schema = {"type": ["string", "null"], "example": "x"}  # a list `type` is JSON Schema, not OpenAPI 3.0
    found = list(iter_spec_example_findings(spec(schema)))
    assert [(f.code.value, f.severity.label, f.pointer) for f in found] == [
        ("CT306", "warning", f"{REQ}/schema/example"),
        ("CT306", "warning", f"{RESP}/schema/example"),
    ]
