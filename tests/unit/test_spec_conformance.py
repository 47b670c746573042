"""spec/conformance.py against the library it stands in for: the same errors and findings, on every published
spec and on small documents with each kind of error and each case where the two engines may disagree."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from shared_paths import SHARED

from aimlapi_contract.sources.specs import load_spec
from aimlapi_contract.spec import conformance
from aimlapi_contract.spec.lint import iter_spec_findings

PUBLISHED = [p for d in ("aimlapi-docs", "aimlapi-docs-history") for p in sorted((SHARED / d).rglob("*.json"))]


def _findings(data: dict[str, Any], monkeypatch: pytest.MonkeyPatch, reference: bool) -> list[Any]:
    monkeypatch.setenv(conformance.REFERENCE_ENV, "1" if reference else "0")
    return list(iter_spec_findings(load_spec("fixture.json", json.dumps(data, indent=1).encode())))


def _errors(data: dict[str, Any], reference: bool) -> list[tuple[Any, ...]]:
    """What spec/validity.py and lint.py read of each error, the oneOf context included."""

    def seen(e: Any) -> tuple[Any, ...]:
        return (type(e).__name__, e.message, list(e.absolute_path), e.validator, e.instance,
                [seen(c) for c in e.context or []])

    errors: list[tuple[Any, ...]] = []
    try:
        errors += (seen(e) for e in conformance.iter_openapi_errors(copy.deepcopy(data), reference=reference))
    except (Exception, RecursionError) as exc:  # noqa: BLE001 - the library's own exceptions must be the same too
        errors.append(("raised", type(exc).__name__, str(exc)[:200]))
    return errors


def _same(data: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    assert _errors(data, reference=False) == _errors(data, reference=True)
    fast = _findings(data, monkeypatch, reference=False)
    assert fast == _findings(data, monkeypatch, reference=True)
    return fast


def _doc(schema: Any = None, *, params: Any = None, path: str = "/v1/x", **top: Any) -> dict[str, Any]:
    response = {"description": "OK", "content": {"application/json": {"schema": schema or {"type": "object"}}}}
    operation: dict[str, Any] = {"operationId": "op", "responses": {"200": response}}
    if params is not None:
        operation["parameters"] = params
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {path: {"post": operation}}, **top}


@pytest.mark.skipif(not PUBLISHED, reason="../shared holds no published specs")
@pytest.mark.parametrize("path", PUBLISHED, ids=lambda p: str(p.relative_to(SHARED)))
def test_every_published_spec_has_the_findings_of_the_library(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = path.read_bytes()
    monkeypatch.setenv(conformance.REFERENCE_ENV, "1")
    library = list(iter_spec_findings(load_spec(path.name, raw)))
    monkeypatch.setenv(conformance.REFERENCE_ENV, "0")
    assert list(iter_spec_findings(load_spec(path.name, raw))) == library


ERRORS = {
    "clean": _doc(),
    "bad default": _doc({"type": "object", "properties": {"n": {"type": "integer", "default": "ten"}}}),
    "null default, not nullable": _doc({"type": "object", "properties": {"n": {"type": "integer", "default": None}}}),
    "enum not unique": _doc({"type": "string", "enum": ["a", "b", "a"]}),
    "required not unique": _doc({"type": "object", "required": ["a", "a"], "properties": {"a": {}}}),
    "required not in properties": _doc({"allOf": [{"type": "object", "properties": {"a": {}}}],
                                        "required": ["a", "zz", "yy"], "properties": {"b": {}}}),
    "$schema in a response schema": _doc({"$schema": "http://json-schema.org/draft-07/schema#", "type": "object"}),
    "duplicate parameter": _doc(params=[{"name": "p", "in": "query", "schema": {"type": "string"}},
                                        {"name": "p", "in": "query", "schema": {"type": "string"}}]),
    "unresolved path parameter": _doc(path="/v1/{id}"),
    "path parameter not in the url": _doc(params=[{"name": "id", "in": "path", "required": True}]),
    "duplicate tag": _doc(tags=[{"name": "a"}, {"name": "a"}]),
    "missing description": {**_doc(), "paths": {"/v1/x": {"get": {"responses": {"200": {}}}}}},
    "schema that is no object": _doc(params=[{"name": "p", "in": "query", "schema": 5}]),
    "shared component schema": _doc({"$ref": "#/components/schemas/A"}, components={"schemas": {
        "A": {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/B"}}, "default": 3},
        "B": {"type": "string", "enum": ["x", "x"]}}}),
    "dangling $ref": _doc({"$ref": "#/components/schemas/Missing"}),
    "$ref cycle": _doc({"$ref": "#/components/schemas/A"}, components={"schemas": {"A": {"$ref": "#/components/schemas/A"}}}),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_each_kind_of_error_is_the_library_s(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    findings = _same(ERRORS[name], monkeypatch)
    assert bool(findings) == (name != "clean")


@pytest.mark.parametrize("name", [n for n in ERRORS if n not in ("dangling $ref", "$ref cycle")])
def test_the_fast_path_is_taken_for_ordinary_documents(name: str) -> None:
    conformance._fast_errors(copy.deepcopy(ERRORS[name]))  # raises when it would hand over to the library


def _big_int_doc() -> dict[str, Any]:
    return _doc({"type": "integer", "maximum": 2**70, "minLength": 1.0})


DISTRUSTED = {
    "whole-number float": _doc({"type": "string", "minLength": 1.0}),
    "big integer": _big_int_doc(),
    "pattern Python rejects": _doc({"type": "string", "pattern": "(?<!"}),
    "newline in a key": {**_doc(), "paths": {"/v1/x": {"post": {"responses": {"200\n": {"description": "OK"}}}}}},
    "non-ASCII key": {**_doc(), "paths": {"/v1/x": {"post": {"responses": {"2٠٠": {"description": "OK"}}}}}},
    "newline in openapi": {**_doc(), "openapi": "3.0.3\n"},
}
HANDED_OVER = {
    "$id": _doc({"$id": "https://x.test/s", "type": "object"}),
    "remote $ref": _doc({"$ref": "https://x.test/s.json"}),
    "root $ref": {**_doc(), "$ref": "#/info"},
    "deep nesting": _doc(json.loads('{"items": ' * 70 + "{}" + "}" * 70)),
}


@pytest.mark.parametrize("name", list(DISTRUSTED) + list(HANDED_OVER))
def test_where_the_engines_may_disagree_the_findings_are_still_the_library_s(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _same({**DISTRUSTED, **HANDED_OVER}[name], monkeypatch)


@pytest.mark.parametrize("name", list(HANDED_OVER))
def test_what_the_walk_cannot_mirror_goes_to_the_library(name: str) -> None:
    with pytest.raises(conformance.Distrust):
        conformance._fast_errors(copy.deepcopy(HANDED_OVER[name]))


class _Spy:
    """jsonschema-rs as it is, noting every value it is asked about."""

    def __init__(self, real: Any, asked: list[Any]) -> None:
        self.real, self.asked = real, asked

    def is_valid(self, instance: Any) -> bool:
        self.asked.append(instance)
        return bool(self.real.is_valid(instance))


def _holds(node: Any, risky: Any) -> bool:
    if isinstance(node, dict):
        return any(risky(k) or _holds(v, risky) for k, v in node.items())
    if isinstance(node, list):
        return any(_holds(v, risky) for v in node)
    return bool(risky(node))


RISKY = {  # what in each document jsonschema-rs must not be asked about
    "whole-number float": lambda v: isinstance(v, float),
    "big integer": lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 2**53,
    "pattern Python rejects": lambda v: v == "(?<!",
    "newline in a key": lambda v: v == "200\n",
    "non-ASCII key": lambda v: v == "2٠٠",
    "newline in openapi": lambda v: v == "3.0.3\n",
}


@pytest.mark.parametrize("name", list(RISKY))
def test_risky_parts_are_judged_by_jsonschema_alone(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[Any] = []
    for rs in ("_rs_document", "_rs_definition", "_rs_draft4"):
        real = getattr(conformance, rs)
        monkeypatch.setattr(conformance, rs, lambda *a, real=real: _Spy(real(*a), asked))
    conformance._meta_validator.cache_clear()
    try:
        _same(DISTRUSTED[name], monkeypatch)
    finally:
        conformance._meta_validator.cache_clear()
    assert asked  # the rest of the document still went to jsonschema-rs
    assert not [a for a in asked if _holds(a, RISKY[name])]


def test_another_library_version_is_left_to_the_library(monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib import metadata

    monkeypatch.setattr(metadata, "version", lambda name: "0.9.0")
    conformance._mirrors_installed_library.cache_clear()
    try:
        with pytest.raises(conformance.Distrust):
            conformance._fast_errors(copy.deepcopy(ERRORS["clean"]))
    finally:
        monkeypatch.undo()
        conformance._mirrors_installed_library.cache_clear()
    assert conformance._mirrors_installed_library()
