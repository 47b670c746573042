"""traffic/event_shapes.py and the cap's tally: past the findings cap, a stream's events are judged once per shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from aimlapi_contract import limits
from aimlapi_contract.findings import Code, Finding, Severity
from aimlapi_contract.sources.specs import Spec, load_spec
from aimlapi_contract.traffic import payloads
from aimlapi_contract.traffic.event_shapes import EventShapes
from aimlapi_contract.traffic.guard import FindingBudget, bounded
from aimlapi_contract.traffic.replay import iter_cassette_findings

CHUNK = {
    "type": "object",
    "properties": {
        "id": {"type": "string"}, "object": {"type": "string", "enum": ["chat.completion.chunk"]},
        "n": {"type": "integer"}, "created": {"type": "integer"},
        "choices": {"type": "array", "items": {"type": "object", "properties": {
            "finish_reason": {"type": "string", "enum": ["stop"]}, "delta": {"type": "object", "properties": {"content": {"type": "string"}}},
        }}},
    },
}  # fmt: skip


def spec_of(schema: Any) -> Spec:
    doc = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}, "components": {"schemas": {"S": schema}}}
    return load_spec("t.json", json.dumps(doc).encode())


def chunk(**changes: Any) -> dict[str, Any]:
    value: dict[str, Any] = {"id": "c1", "object": "chat.completion.chunk", "n": 1, "created": 1_760_000_000,
                             "choices": [{"finish_reason": None, "delta": {"content": "hi"}}], "obfuscation": "Qx"}
    value.update(changes)
    return value


def shapes(budget_full: bool = True) -> EventShapes:
    return EventShapes(spec_of(CHUNK), "/components/schemas/S", FindingBudget(full=budget_full))


def test_shapes_are_the_same_whether_findings_are_listed_or_counted() -> None:
    assert shapes(budget_full=False).key(chunk()) == shapes().key(chunk()) is not None
    assert not shapes(budget_full=False).counting and shapes().counting


def _violation(pointer: str, keyword: str | None, code: Code = Code.SSE_EVENT_SCHEMA_MISMATCH) -> Finding:
    extra = {"keyword": keyword, "schema_pointer": "/components/schemas/S"} if keyword else {}
    return Finding(code, Severity.ERROR, "c.yaml", "m", anchor="interaction:0:event:0", pointer=pointer, extra=extra)


@pytest.mark.parametrize(("finding", "reusable"), [
    (_violation("/choices/0/finish_reason", "type", Code.NULL_NOT_ALLOWED), True),  # null is kept
    (_violation("/choices/0/delta/role", "required"), True),  # names the missing property, never its object
    (_violation("/object", "enum"), True),  # the schema reads it: the shape keeps it
    (_violation("/created", "type"), True),  # the semantic rules read it: kept
    (Finding(Code.UNDOCUMENTED_FIELD, Severity.WARNING, "c.yaml", "m", pointer="/obfuscation"), True),
    (_violation("/id", "type"), False),  # a blanked string, which the message quotes
    (_violation("/n", "type"), False),  # a blanked integer
    (_violation("/choices/0/delta", "type"), False),  # an object holding a blanked string
    (_violation("/choices", "minItems"), False),  # an array holding one
    (_violation("/id", None), False),  # a schema finding without its keyword: not judged, not shared
    (_violation("/nowhere/0", "type"), False),  # no such place in the payload
    (Finding(Code.DOC_SCHEMA_UNUSABLE, Severity.ERROR, "t.json", "m"), False),  # must pass once per schema
], ids=lambda v: v.pointer if isinstance(v, Finding) else str(v))  # fmt: skip
def test_findings_are_shared_across_a_shape_unless_they_may_quote_a_blanked_value(finding: Finding, reusable: bool) -> None:
    s = shapes(budget_full=False)
    assert s.key(chunk()) is not None
    assert s.reusable(chunk(), [finding]) is reusable
    assert s.reusable(chunk(), []) and not s.reusable(chunk(), [_violation("/choices/0/finish_reason", "type"), _violation("/id", "type")])


def test_a_member_named_like_an_escaped_pointer_is_found() -> None:
    s = shapes(budget_full=False)
    payload = {"a/b": "text", "m~n": None}
    assert s.key(payload) is not None
    assert not s.reusable(payload, [_violation("/a~1b", "type")]) and s.reusable(payload, [_violation("/m~0n", "type")])


def test_values_no_check_reads_do_not_change_the_shape() -> None:
    s = shapes()
    same = [chunk(id="c2", n=9, obfuscation="zz"), chunk(choices=[{"finish_reason": None, "delta": {"content": "other"}}])]
    assert all(s.key(c) == s.key(chunk()) for c in same)


def test_values_a_check_reads_and_types_keep_shapes_apart() -> None:
    s = shapes()
    different = [
        chunk(object="x"),  # the schema's enum
        chunk(choices=[{"finish_reason": "stop", "delta": {"content": "hi"}}]),
        chunk(created=5),  # the semantic rules read timestamps
        chunk(type="a"), chunk(type="b"),  # the field walk reads `type`
        chunk(n="1"), chunk(n=1.0), chunk(n=True), chunk(n=None),  # another JSON type (1 == 1.0 == True in Python)
        chunk(extra=1),  # another key set
        {"choices": [], **chunk()}, [chunk()], "text",
    ]
    keys = [s.key(c) for c in [chunk(), *different]]
    assert len(set(keys)) == len(keys)


def test_a_schema_reading_every_value_gives_no_shapes() -> None:
    s = EventShapes(spec_of({"type": "array", "uniqueItems": True}), "/components/schemas/S", FindingBudget(full=True))
    assert s.key(chunk()) is None and not s.useful


def _finding(code: Code, i: int) -> Finding:
    return Finding(code, Severity.ERROR, "c.yaml", f"m{i}", anchor=f"interaction:0:event:{i}", pointer="/x")


def test_the_tally_counts_what_the_cap_would_only_count() -> None:
    budget = FindingBudget()
    assert not budget.tally(Code.NULL_NOT_ALLOWED, Severity.ERROR)  # not full: the finding must be made

    def findings() -> Any:
        for i in range(3):
            yield _finding(Code.NULL_NOT_ALLOWED, i)
        assert budget.full
        assert not budget.tally(Code.UNDOCUMENTED_FIELD, Severity.WARNING)  # no first of its code yet
        yield _finding(Code.NULL_NOT_ALLOWED, 3)  # the first not listed: its place is quoted
        assert budget.tally(Code.NULL_NOT_ALLOWED, Severity.ERROR)
        assert budget.tally(Code.NULL_NOT_ALLOWED, Severity.ERROR)

    with limits.applied(limits.with_overrides(findings_per_source=3)):
        out = list(bounded("c.yaml", findings(), budget))
    assert [f.code for f in out] == [Code.NULL_NOT_ALLOWED] * 3 + [Code.FINDINGS_TRUNCATED]
    assert out[-1].message.startswith("3 more CT206 findings") and "first at interaction:0:event:3/x" in out[-1].message


# The old path (every event judged) and the new one on one stream, past a cap of one finding. Cases a review
# found, each once a miss: the values shapes blank must be values no verdict reads.
def _old_and_new(
    schema: dict[str, Any], raw_events: list[str], tmp_path: Path, extra_doc: dict[str, Any] | None = None, cap: int = 1
) -> list[dict[str, Any]]:
    doc: dict[str, Any] = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, **(extra_doc or {}),
                           "paths": {"/v1/things": {"post": {"responses": {"200": {"description": "OK", "content": {
                               "text/event-stream": {"schema": schema}}}}}}}}
    spec = load_spec("t.json", json.dumps(doc).encode())
    interaction = {"request": {"method": "POST", "uri": "https://api.example.com/v1/things", "body": None, "headers": {}},
                   "response": {"status": {"code": 200}, "headers": {"Content-Type": ["text/event-stream"]},
                                "body": {"string": "".join(f"data: {e}\n\n" for e in raw_events)}}}
    (tmp_path / "c.yaml").write_text(yaml.safe_dump({"interactions": [interaction], "version": 1}), encoding="utf-8")
    with limits.applied(limits.with_overrides(findings_per_source=cap)):
        old = [f.to_dict() for f in iter_cassette_findings(tmp_path, [spec], root=tmp_path, reference=True)]
        new = [f.to_dict() for f in iter_cassette_findings(tmp_path, [spec], root=tmp_path, reference=False, jobs=1)]
    assert new == old
    assert any(f["code"] == "CT231" for f in new) is (cap == 1)  # a cap of one is reached: later events were counted
    return new


def _events(values: list[Any], key: str = "v", **fixed: Any) -> list[str]:
    return [json.dumps({**fixed, key: v}) for v in values]


def test_a_discriminator_mapping_to_a_schema_elsewhere(tmp_path: Path) -> None:
    schema = {"type": "object", "oneOf": [{"type": "object", "properties": {"kind": {"type": "string"}}}],
              "discriminator": {"propertyName": "kind", "mapping": {"c": "#/x-c"}},
              "x-c": {"type": "object", "properties": {"v": {"type": "string", "enum": ["ok"]}}}}
    _old_and_new(schema, _events(["bad", "ok", "bad1", "bad2"], kind="c"), tmp_path)


def test_an_integer_too_large_for_a_double(tmp_path: Path) -> None:
    schema = {"type": "object", "properties": {"v": {"oneOf": [{"type": "integer"}, {"type": "number"}]}}}
    _old_and_new(schema, ['{"v": 1}', '{"v": 2}', '{"v": 1' + "0" * 400 + "}", '{"v": 3}', '{"v": 9007199254740993}'], tmp_path)


@pytest.mark.parametrize("extra_doc, prop", [
    ({"x-c": {"type": "string"}}, {"$ref": "#/x-c"}),  # the validator resolves against the schema, not the document
    ({"x-s": {"type": "string"}}, {"$ref": "#/x-s", "enum": ["ok"]}),  # a keyword beside $ref is applied
], ids=["ref-base", "ref-sibling"])
def test_refs(extra_doc: dict[str, Any], prop: dict[str, Any], tmp_path: Path) -> None:
    schema = {"type": "object", "properties": {"v": prop}, "x-c": {"type": "string", "enum": ["ok"]}, "x-s": {"type": "string"}}
    _old_and_new(schema, _events(["bad", "ok", "bad1", "bad2"]), tmp_path, extra_doc)


def test_an_added_payload_check_turns_shapes_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def says_no_to_bad(payload: Any, context: Any) -> Any:
        if isinstance(payload, dict) and payload.get("v") == "bad":
            yield Finding(Code.SEMANTIC_OBJECT_MISMATCH, Severity.ERROR, context.source, "bad", anchor=context.anchor)
    monkeypatch.setattr(payloads, "EXTRA_PAYLOAD_CHECKS", [*payloads.EXTRA_PAYLOAD_CHECKS, says_no_to_bad])
    schema = {"type": "object", "properties": {"v": {"type": "string"}, "n": {"type": "integer"}}}
    _old_and_new(schema, _events(["x", "bad", "y", "bad"], n="s"), tmp_path)


# Findings listed in full are shared across a shape only where they quote no value the shape blanks.
@pytest.mark.parametrize(("schema", "events"), [
    ({"type": "object", "properties": {"n": {"type": "integer"}}}, _events(["s1", "s2", 3, "s3"], key="n")),  # quoted
    ({"type": "object", "properties": {"v": {"type": "string"}}}, _events([None, None, "a", None], obfuscation=1)),
    ({"type": "object", "required": ["r"], "properties": {"v": {"type": "string"}}}, _events(["a", "b", "c"])),
    ({"type": "object", "properties": {"o": {"type": "string"}}}, _events([{"x": "a"}, {"x": "b"}, {"x": 1}], key="o")),
    ({"type": "object", "properties": {"o": {"type": "array", "minItems": 3}}}, _events([[{"x": "a"}], [{"x": "b"}], [1, 2]], key="o")),
], ids=["a-quoted-string", "null", "required", "a-quoted-object", "a-quoted-array"])  # fmt: skip
def test_listed_findings_of_events_of_one_shape(schema: dict[str, Any], events: list[str], tmp_path: Path) -> None:
    new = _old_and_new(schema, events, tmp_path, cap=1_000)
    assert any(f["code"] in ("CT206", "CT211") for f in new)
