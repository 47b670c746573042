"""The spec diff on small specs written for it, and on the real published history in ../shared."""

from __future__ import annotations

import copy
import json
import time
from typing import Any

import pytest
from shared_paths import shared_root

from aimlapi_contract.findings import Code, Severity
from aimlapi_contract.spec.diff import NO_CHANGE, change_findings, diff_specs, render_diff_text

SHARED = shared_root()
HISTORY = SHARED / "aimlapi-docs-history"
SPECS = "docs/api-references/text-models-llm/OpenAI"
needs_history = pytest.mark.skipif(not HISTORY.is_dir(), reason=f"{HISTORY} (published spec history) is absent")


def published(version: str, name: str) -> dict[str, Any]:
    root = SHARED / "aimlapi-docs" if version == "today" else HISTORY / version
    data: dict[str, Any] = json.loads((root / SPECS / name).read_text(encoding="utf-8"))
    return data


def spec(request_schema: dict[str, Any], response_schema: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    op = {
        "requestBody": {"required": True, "content": {"application/json": {"schema": request_schema}}},
        "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": response_schema or {"type": "object"}}}}},
        **extra,
    }
    return {"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {"/v1/x": {"post": op}}}


def summary(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[bool, str, str]]:
    return [(c.breaking, c.endpoint, c.keyword) for c in diff_specs(old, new).changes]


# --- operations, parameters, responses -------------------------------------------------------------

def test_removed_operation_breaks_and_added_one_does_not() -> None:
    old = spec({"type": "object"})
    new = copy.deepcopy(old)
    new["paths"]["/v1/y"] = new["paths"].pop("/v1/x")
    assert summary(old, new) == [(True, "POST /v1/x", "operation-removed"), (False, "POST /v1/y", "operation-added")]


def test_removed_response_status_breaks() -> None:
    old = spec({"type": "object"})
    old["paths"]["/v1/x"]["post"]["responses"]["400"] = {"description": "bad"}
    assert summary(old, spec({"type": "object"})) == [(True, "POST /v1/x", "response-removed")]


def test_new_required_parameter_breaks_and_optional_does_not() -> None:
    old = spec({"type": "object"})
    new = spec({"type": "object"}, parameters=[
        {"in": "query", "name": "a", "required": True, "schema": {"type": "string"}},
        {"in": "header", "name": "b", "schema": {"type": "string"}},
    ])
    assert sorted(summary(old, new)) == [(False, "POST /v1/x", "parameter-added"), (True, "POST /v1/x", "parameter-added")]


def test_request_field_newly_required_is_breaking_and_located() -> None:
    props = {"model": {"type": "string"}, "n": {"type": "integer"}}
    old = spec({"type": "object", "properties": props, "required": ["model"]})
    new = spec({"type": "object", "properties": props, "required": ["model", "n"]})
    [change] = diff_specs(old, new).changes
    assert (change.breaking, change.keyword) == (True, "required-added")
    assert change.pointer == "/paths/~1v1~1x/post/requestBody/content/application~1json/schema"
    assert "`n` is now required" in change.message


def test_pure_reordering_is_no_semantic_change() -> None:
    old = spec({"type": "object", "properties": {"a": {"type": "string", "enum": ["x", "y"]}, "b": {"type": "integer"}}})
    new = _reordered(old)
    assert json.dumps(new) != json.dumps(old)
    diff = diff_specs(old, new)
    assert diff.changes == []
    assert render_diff_text(diff).splitlines()[-1] == NO_CHANGE


def test_findings_carry_code_severity_and_kind() -> None:
    old = spec({"type": "object", "properties": {"n": {"type": "integer"}}})
    new = spec({"type": "object", "properties": {"n": {"type": "integer", "minimum": 16}, "p": {"type": "string"}}})
    findings = change_findings(diff_specs(old, new), "x.json", "a" * 64, "b" * 64)
    assert [(f.code, f.severity, f.anchor) for f in findings] == [
        (Code.SPEC_CHANGE_BREAKING, Severity.WARNING, "minimum"),
        (Code.SPEC_CHANGE_COMPATIBLE, Severity.INFO, "property-added"),
    ]
    assert all(f.endpoint == "POST /v1/x" and f.source == "x.json" for f in findings)


def _reordered(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _reordered(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [_reordered(v) for v in value]
    return value


# --- the real published history ----------------------------------------------------------------------

@needs_history
def test_chat_2026_01_to_04_gained_optional_response_meta() -> None:
    diff = diff_specs(published("2026-01-16-7c5e4d70", "gpt-4.1-nano.json"), published("2026-04-22-5134a9d2", "gpt-4.1-nano.json"))
    assert [(c.breaking, c.endpoint, c.where) for c in diff.changes] == [
        (False, "POST /chat/completions", "response 200 (application/json) `meta`"),
        (False, "POST /v1/chat/completions", "response 200 (application/json) `meta`"),
    ]
    assert all("added (optional, object)" in c.message for c in diff.changes)


@needs_history
def test_chat_2026_04_to_today_gained_optional_request_provider() -> None:
    diff = diff_specs(published("2026-04-22-5134a9d2", "gpt-4.1-nano.json"), published("today", "gpt-4.1-nano.json"))
    # Only the /v1 path gained it; /chat/completions did not.
    assert [(c.breaking, c.endpoint, c.where, c.keyword) for c in diff.changes] == [
        (False, "POST /v1/chat/completions", "request body `provider`", "property-added"),
    ]


@needs_history
def test_chat_2025_11_to_2026_01_const_to_enum_is_no_change_but_nullable_enum_now_rejects_null() -> None:
    old, new = published("2025-11-27-2a766332", "gpt-4.1-nano.json"), published("2026-01-16-7c5e4d70", "gpt-4.1-nano.json")
    assert '"const"' in json.dumps(old) and '"const"' not in json.dumps(new)  # the history is what the test says
    diff = diff_specs(old, new)
    assert diff.breaking == []
    # What really changed: a security scheme was defined, documentation-level edits (examples, code samples,
    # `additionalProperties: false` dropped from response schemas), and the stream's `service_tier` went from
    # anyOf [enum, {type: null}] to `nullable: true` + an enum without null, which OpenAPI 3.0.3 reads as
    # rejecting null: narrower, in a response, so compatible for clients.
    assert sorted((c.endpoint, c.keyword) for c in diff.changes) == [
        ("", "scheme-added"), ("POST /chat/completions", "docs"), ("POST /chat/completions", "nullable"),
        ("POST /v1/chat/completions", "docs"), ("POST /v1/chat/completions", "nullable"),
    ]
    assert all(c.pointer.endswith("/text~1event-stream/schema/properties/service_tier") for c in diff.changes if c.keyword == "nullable")


@needs_history
def test_responses_2026_01_to_04_breaking_changes() -> None:
    diff = diff_specs(
        published("2026-01-16-7c5e4d70", "gpt-4.1-nano-RESPONSES.json"),
        published("2026-04-22-5134a9d2", "gpt-4.1-nano-RESPONSES.json"),
    )
    base = "/paths/~1v1~1responses/post/requestBody/content/application~1json/schema/properties"
    assert [(c.pointer, c.keyword) for c in diff.breaking] == [
        (f"{base}/input/anyOf/1", "form-wrapped-in-array"),
        (f"{base}/max_output_tokens", "minimum"),
    ]
    assert "`minimum: 16` added" in diff.breaking[1].message
    added = sorted(c.where for c in diff.compatible if c.keyword == "property-added" and c.where.startswith("request"))
    assert added == ["request body `parallel_tool_calls`", "request body `temperature`", "request body `top_p`"]
    assert sum(c.where.endswith("meta`") for c in diff.compatible) == 7  # the JSON reply and six stream events


@needs_history
def test_responses_spec_diffs_in_seconds_and_reordering_is_no_change() -> None:
    old = published("2026-01-16-7c5e4d70", "gpt-4.1-nano-RESPONSES.json")
    new = published("2026-04-22-5134a9d2", "gpt-4.1-nano-RESPONSES.json")
    started = time.perf_counter()
    diff_specs(old, new)
    elapsed = time.perf_counter() - started
    assert elapsed < 5, f"diffing the 1.8 MB responses spec took {elapsed:.1f}s"
    assert diff_specs(new, _reordered(new)).changes == []


def test_a_tagged_form_is_named_by_its_tag() -> None:
    from aimlapi_contract.spec.schema_diff import _form_label

    assert _form_label({"properties": {"type": {"type": "string", "enum": ["response.completed"]}}}, 9) == "form 10: response.completed"
    assert _form_label({"properties": {"type": {"type": "string", "enum": ["a", "b"]}}}, 0) == "form 1"
    assert _form_label({"type": "string"}, 1) == "form 2"


# Verdicts on small specs written for each case upstream's history showed wrong.
def _spec(request_schema: dict[str, object], schemes: dict[str, object] | None = None, **top: object) -> dict[str, object]:
    doc: dict[str, object] = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/v1/x": {"post": {
        "requestBody": {"content": {"application/json": {"schema": request_schema}}},
        "responses": {"200": {"description": "OK"}}, **top}}}}
    if schemes is not None:
        doc["components"] = {"securitySchemes": schemes}
    return doc


def test_descriptions_samples_and_an_invalid_in_header_on_a_bearer_scheme_are_not_breaking() -> None:
    body = {"type": "object", "properties": {"a": {"type": "string", "description": "old"}}}
    old = _spec(body, {"key": {"type": "http", "scheme": "bearer", "in": "header", "name": "Authorization", "description": "d"}},
                **{"x-codeSamples": [{"lang": "cURL", "source": "curl old"}]})
    new = _spec({**body, "properties": {"a": {"type": "string", "description": "new"}}},
                {"key": {"type": "http", "scheme": "Bearer", "bearerFormat": "<KEY>", "description": "Bearer key"}},
                **{"x-codeSamples": [{"lang": "cURL", "source": "curl new"}]})
    diff = diff_specs(old, new)
    assert diff.breaking == []
    assert {c.keyword for c in diff.changes} == {"docs"}


def test_an_apikey_scheme_moving_from_header_to_query_is_breaking() -> None:
    old = _spec({"type": "object"}, {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}})
    new = _spec({"type": "object"}, {"key": {"type": "apiKey", "in": "query", "name": "X-Key"}})
    assert [c.keyword for c in diff_specs(old, new).breaking] == ["scheme-changed"]


def test_a_request_schema_opened_up_is_wider_not_a_breaking_removal() -> None:
    old = _spec({"type": "object", "additionalProperties": False,
                 "properties": {"a": {"type": "string"}, "b": {"type": "integer", "maximum": 3}}})
    new = _spec({"type": "object", "properties": {"a": {"type": "string"}}})
    diff = diff_specs(old, new)
    assert diff.breaking == []
    assert sorted(c.keyword for c in diff.compatible) == ["additionalProperties", "property-removed"]


def test_a_property_removed_from_a_closed_request_schema_is_breaking() -> None:
    old = _spec({"type": "object", "additionalProperties": False, "properties": {"a": {"type": "string"}, "b": {"type": "string"}}})
    new = _spec({"type": "object", "additionalProperties": False, "properties": {"a": {"type": "string"}}})
    [change] = diff_specs(old, new).breaking
    assert change.keyword == "property-removed" and "now rejected" in change.message


def test_anyof_enum_or_null_to_nullable_enum_without_null_is_breaking_on_a_request() -> None:
    old = _spec({"type": "object", "properties": {"tier": {"anyOf": [{"type": "string", "enum": ["auto", "flex"]}, {"type": "null"}]}}})
    new = _spec({"type": "object", "properties": {"tier": {"type": "string", "nullable": True, "enum": ["auto", "flex"]}}})
    [change] = diff_specs(old, new).breaking
    assert (change.keyword, change.pointer) == ("nullable", "/paths/~1v1~1x/post/requestBody/content/application~1json/schema/properties/tier")
    assert "null is no longer allowed" in change.message
    # with null in the enum, the two spellings mean the same
    fixed = _spec({"type": "object", "properties": {"tier": {"type": "string", "nullable": True, "enum": ["auto", "flex", None]}}})
    assert diff_specs(old, fixed).changes == []
