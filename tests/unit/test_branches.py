"""A oneOf/anyOf failure is explained by the branch the payload meant: its discriminator, else the closest branch."""

from __future__ import annotations

import json
from typing import Any

from aimlapi_contract.sources.specs import Spec, load_spec
from aimlapi_contract.validation import SchemaEngine, validate, violation_cause

_MESSAGES = "/paths/~1v1~1chat~1completions/post/requestBody/content/application~1json/schema"


def _message(role: str, content: dict[str, Any], required: tuple[str, ...] = ("role", "content")) -> dict[str, Any]:
    return {"type": "object", "properties": {"role": {"type": "string", "enum": [role]}, "content": content,
                                             "name": {"type": "string"}}, "required": list(required)}


def chat_spec() -> Spec:
    text = {"type": "string"}
    parts = {"type": "array", "items": {"oneOf": [
        {"type": "object", "properties": {"type": {"type": "string", "enum": ["text"]}, "text": {"type": "string"}},
         "required": ["type", "text"]},
        {"type": "object", "properties": {"type": {"type": "string", "enum": ["image_url"]}, "image_url": {"type": "string"}},
         "required": ["type", "image_url"]},
    ]}}
    branches = [_message("system", text), _message("developer", text), _message("user", {"anyOf": [text, parts]}),
                _message("tool", text), _message("assistant", text), _message("function", text, ("role", "name", "content"))]
    schema = {"type": "object", "properties": {"messages": {"type": "array", "items": {"oneOf": branches}},
                                               "choice": {"oneOf": [{"type": "object", "properties": {"a": {"type": "integer"}},
                                                                     "required": ["a"], "additionalProperties": False},
                                                                    {"type": "object", "properties": {"b": {"type": "string"}},
                                                                     "required": ["b", "c"]}]}}}
    doc = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
           "paths": {"/v1/chat/completions": {"post": {"requestBody": {"content": {"application/json": {"schema": schema}}},
                                                       "responses": {"200": {"description": "OK"}}}}}}
    return load_spec("chat.json", json.dumps(doc).encode())


def check(payload: Any) -> list[Any]:
    violations, problem = validate(SchemaEngine(chat_spec()), "request", _MESSAGES, payload)
    assert not problem
    return violations


def test_the_role_names_the_branch_and_the_cause_is_the_field() -> None:
    found = check({"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": None}]})
    assert {(f.pointer, f.keyword) for f in found} == {("/messages/1/content", "type")}  # OAS30 says null twice
    v = found[0]
    assert v.via == "messages[1] is an assistant message (branch 4)"
    assert (v.pointer, v.via_pointer) == ("/messages/1/content", "/messages/1")
    assert v.schema_pointer.endswith("/messages/items/oneOf/4/properties/content/type")
    cause = violation_cause(chat_spec(), "POST /v1/chat/completions", v.keyword, v.schema_pointer, v.instance)
    assert cause.fix == f"add `nullable: true` to the schema at {_MESSAGES}/properties/messages/items/oneOf/4/properties/content"


def test_nested_alternatives_are_followed_to_the_part_that_is_wrong() -> None:
    [v] = check({"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": 3}]}]})
    assert v.pointer == "/messages/0/content/0/image_url" and v.keyword == "type"
    assert v.via.startswith("messages[0] is a user message (branch 2); ")
    assert v.via == ("messages[0] is a user message (branch 2); messages[0].content is an array (branch 1); "
                     "messages[0].content[0] is of type 'image_url' (branch 1)")


def test_without_a_discriminator_the_closest_branch_is_taken() -> None:
    [v] = check({"choice": {"b": "x"}})  # branch 1 lacks only `c`; branch 0 lacks `a` and forbids `b`
    assert (v.pointer, v.keyword) == ("/choice", "required") and "'c'" in v.message
    assert v.via == "choice matches no branch; closest is branch 1"


def test_every_missing_field_of_the_branch_is_its_own_violation() -> None:
    found = check({"messages": [{"role": "tool"}]})
    assert [(v.pointer, v.keyword, v.message) for v in found] == [("/messages/0", "required", "'content' is a required property")]


def test_an_unknown_role_keeps_the_oneof_failure_when_every_branch_is_as_far() -> None:
    found = check({"messages": [{"role": "critic", "content": "x"}]})
    assert len(found) == 1 and found[0].pointer.startswith("/messages/0")


def test_traffic_finding_names_the_branch_the_field_and_the_fix() -> None:
    from aimlapi_contract.traffic.exchange import Exchange
    from aimlapi_contract.traffic.payloads import iter_exchange_findings

    body = {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": None}]}
    ex = Exchange("POST", "http://x/v1/chat/completions", {}, json.dumps(body).encode(), 200, {}, b"")
    [f] = [f for f in iter_exchange_findings(ex, [chat_spec()], source="c.yaml") if f.code.value == "CT206"]
    assert f.pointer == "/messages/1/content"
    assert f.message.startswith("request: messages[1] is an assistant message (branch 4): content: null is not allowed")
    assert f.fix.endswith("/properties/messages/items/oneOf/4/properties/content")


def test_two_missing_required_properties_at_one_object_are_two_keys() -> None:
    from aimlapi_contract.traffic.exchange import Exchange
    from aimlapi_contract.traffic.payloads import iter_exchange_findings

    body = {"messages": [{"role": "function"}]}  # the function message needs `name` and `content`
    ex = Exchange("POST", "http://x/v1/chat/completions", {}, json.dumps(body).encode(), 200, {}, b"")
    found = [f for f in iter_exchange_findings(ex, [chat_spec()], source="c.yaml") if f.code.value == "CT204"]
    assert sorted(f.pointer for f in found) == ["/messages/0/content", "/messages/0/name"]
    assert len({f.fingerprint for f in found}) == 2


def test_an_integer_past_a_double_is_judged_not_a_crash() -> None:
    # json.loads keeps a 400-digit integer exact; float() of it raises, which once made this a CT306 (a malformed schema).
    schema = {"type": "object", "properties": {"n": {"oneOf": [{"type": "integer"}, {"type": "number"}]}}}
    doc = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {},
           "components": {"schemas": {"S": schema}}}
    engine = SchemaEngine(load_spec("t.json", json.dumps(doc).encode()))
    violations, problem = validate(engine, "response", "/components/schemas/S", {"n": 10**400})
    assert not problem
    assert [v.keyword for v in violations] == ["oneOf"]  # valid under both branches: oneOf fails, as openapi-core says
