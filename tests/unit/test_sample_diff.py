"""Across-languages differences: a warning only where a reader who copies one sample would notice."""

from __future__ import annotations

import json
from typing import Any

import pytest

from aimlapi_contract.page.sample_checks import SampleSite, SentPayload
from aimlapi_contract.page.sample_diff import RequestSchema, iter_payload_differences
from aimlapi_contract.sources.specs import load_spec

_SCHEMA = {"type": "object", "required": ["model", "messages"], "properties": {
    "model": {"type": "string"}, "temperature": {"type": "number"}, "stream": {"type": "boolean"},
    "mode": {"type": "string", "enum": ["a", "b"]},
    "messages": {"type": "array", "items": {"type": "object", "required": ["role", "content"],
                                            "properties": {"role": {"type": "string", "enum": ["user", "system"]},
                                                           "content": {"type": "string"}}}}}}
_REF = {"model": "m", "messages": [{"role": "user", "content": "Hello"}]}


def schema() -> RequestSchema:
    doc = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/v1/x": {"post": {
        "requestBody": {"content": {"application/json": {"schema": _SCHEMA}}}, "responses": {"200": {"description": "OK"}}}}}}
    pointer = "/paths/~1v1~1x/post/requestBody/content/application~1json/schema"
    return RequestSchema(load_spec("s.json", json.dumps(doc).encode()), pointer)


def differences(other: dict[str, Any]) -> set[tuple[str, str]]:
    sent = [SentPayload(SampleSite("p.md", 10, "Python sample"), "sample:python", _REF, {}),
            SentPayload(SampleSite("s.json", None, "x-codeSamples cURL sample", "x@cURL"), "x@cURL", other, {})]
    return {(f.severity.label, f.pointer) for f in iter_payload_differences("POST /v1/x", sent, schema())}


@pytest.mark.parametrize(
    ("other", "expected"),
    [
        # what a copier would notice: a warning each
        pytest.param({**_REF, "model": "other"}, {("warning", "/model")}, id="model"),
        pytest.param({"model": "m"}, {("warning", "/messages")}, id="required-field-missing"),
        pytest.param({**_REF, "messages": "Hello"}, {("warning", "/messages")}, id="type"),
        pytest.param({"model": "m", "messages": [{"role": "system", "content": "Hello"}]}, {("warning", "/messages/0/role")}, id="enum"),
        pytest.param({**_REF, "stream": True}, {("info", "")}, id="optional-field-added"),
        # free text, optional fields, another number: one info finding, never a warning
        pytest.param({"model": "m", "messages": [{"role": "user", "content": "Hi there"}]}, {("info", "")}, id="prompt"),
        pytest.param({**_REF, "temperature": 0.2, "mode": "a"}, {("info", "")}, id="optional-fields"),
        pytest.param({"messages": _REF["messages"], "model": "m"}, set(), id="key-order"),
    ],
)
def test_what_counts_as_a_difference(other: dict[str, Any], expected: set[tuple[str, str]]) -> None:
    assert differences(other) == expected
