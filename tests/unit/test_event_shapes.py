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


def test_no_shape_while_findings_are_still_listed() -> None:
    assert shapes(budget_full=False).key(chunk()) is None  # listed findings quote values: every event is judged


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
def _old_and_new(schema: dict[str, Any], raw_events: list[str], tmp_path: Path, extra_doc: dict[str, Any] | None = None) -> None:
    doc: dict[str, Any] = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, **(extra_doc or {}),
                           "paths": {"/v1/things": {"post": {"responses": {"200": {"description": "OK", "content": {
                               "text/event-stream": {"schema": schema}}}}}}}}
    spec = load_spec("t.json", json.dumps(doc).encode())
    interaction = {"request": {"method": "POST", "uri": "https://api.example.com/v1/things", "body": None, "headers": {}},
                   "response": {"status": {"code": 200}, "headers": {"Content-Type": ["text/event-stream"]},
                                "body": {"string": "".join(f"data: {e}\n\n" for e in raw_events)}}}
    (tmp_path / "c.yaml").write_text(yaml.safe_dump({"interactions": [interaction], "version": 1}), encoding="utf-8")
    with limits.applied(limits.with_overrides(findings_per_source=1)):
        old = [f.to_dict() for f in iter_cassette_findings(tmp_path, [spec], root=tmp_path, reference=True)]
        new = [f.to_dict() for f in iter_cassette_findings(tmp_path, [spec], root=tmp_path, reference=False, jobs=1)]
    assert new == old
    assert any(f["code"] == "CT231" for f in new)  # the cap was reached: later events were shaped


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
