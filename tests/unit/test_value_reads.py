"""validation/value_reads.py: which property values a schema's verdict can read, and that the rest never matter."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_schema_validator import OAS30ReadValidator

from aimlapi_contract.sources.specs import Spec, load_spec
from aimlapi_contract.validation.value_reads import ValueReads, value_reads


def spec_of(schema: Any, **components: Any) -> Spec:
    doc = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {},
           "components": {"schemas": {"S": schema, **components}}}
    return load_spec("t.json", json.dumps(doc).encode())


def reads(schema: Any, **components: Any) -> ValueReads:
    return value_reads(spec_of(schema, **components), "/components/schemas/S")


def obj(**props: Any) -> dict[str, Any]:
    return {"type": "object", "properties": props}


def test_type_only_properties_are_not_read() -> None:
    r = reads(obj(id={"type": "string", "description": "d", "example": "x"}, n={"type": "integer", "nullable": True},
                  nested=obj(content={"type": "string", "x-note": 1})))
    assert r == ValueReads(frozenset(), frozenset())


@pytest.mark.parametrize("keyword", [{"enum": ["a"]}, {"pattern": "^a"}, {"format": "date-time"}, {"minLength": 1},
                                     {"maxLength": 3}, {"const": "a"}, {"x-unknown-is-fine": 1, "enum": ["b"]}])
def test_a_keyword_reading_strings_makes_the_name_read(keyword: dict[str, Any]) -> None:
    assert "k" in (reads(obj(k={"type": "string", **keyword})).strings or ())


@pytest.mark.parametrize("keyword", [{"minimum": 1}, {"maximum": 1}, {"multipleOf": 2}, {"format": "int32"}, {"enum": [1]}])
def test_a_keyword_reading_integers_makes_the_name_read(keyword: dict[str, Any]) -> None:
    r = reads(obj(k={"type": "integer", **keyword}))
    assert "k" in (r.integers or ())


def test_a_name_is_read_if_any_schema_anywhere_reads_it() -> None:
    # `role` is free at the top but pinned inside an anyOf branch two levels down; one union decides.
    r = reads(obj(role={"type": "string"}, items={"type": "array", "items": {"anyOf": [obj(role={"enum": ["user"]}), obj()]}}))
    assert r.strings == frozenset({"role"})


def test_combinators_and_not_are_followed() -> None:
    r = reads({"allOf": [obj(a={"oneOf": [{"type": "string"}, {"type": "string", "maxLength": 2}]})], "not": obj(b={"pattern": "x"})})
    assert r.strings == frozenset({"a", "b"})


def test_a_schema_for_any_name_that_reads_values_makes_every_name_read() -> None:
    r = reads({"type": "object", "additionalProperties": {"type": "string", "pattern": "^x"}})
    assert r.strings is None and r.integers == frozenset()


@pytest.mark.parametrize("schema", [
    {"type": "array", "uniqueItems": True, "items": obj(a={"type": "string"})},  # whole items compared
    obj(a={"enum": [{"b": "c"}]}),  # an object compared with a value
    obj(a={"$ref": "other.json#/S"}),  # leaves the spec
    obj(a={"type": "string", "frobnicate": 1}),  # a keyword nobody knows
    obj(a={"$ref": "#/components/schemas/Missing"}),
    obj(a={"$ref": "#/components/schemas/T"}),  # resolved against another base by the validator, siblings applied
    {"oneOf": [obj(kind={"type": "string"})], "discriminator": {"propertyName": "kind", "mapping": {"c": "#/x-c"}}},
])
def test_what_compares_whole_values_or_is_unknown_makes_every_value_count(schema: Any) -> None:
    assert reads(schema) == ValueReads(None, None)


# Property: a value of a name the analysis calls unread changes no verdict of openapi-schema-validator
# (openapi-core's validator), whatever the schema and payload. Few names, so each recurs in many contexts.
NAMES = ["a", "b", "c"]
_LEAVES = st.sampled_from([
    {}, {"type": "string"}, {"type": "string", "enum": ["x", "y"]}, {"type": "string", "pattern": "^x"},
    {"type": "string", "minLength": 2}, {"type": "string", "format": "date-time"}, {"type": "string", "nullable": True},
    {"type": "integer"}, {"type": "integer", "minimum": 3}, {"type": "integer", "format": "int32"},
    {"type": "number", "multipleOf": 2}, {"type": "boolean"}, {"type": "integer", "enum": [1, 2]},
])


def _composite(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    props = st.dictionaries(st.sampled_from(NAMES), children, max_size=3)
    return st.one_of(
        st.builds(lambda p, r, extra: {"type": "object", "properties": p, **({"required": sorted(p)[:r]} if r else {}),
                                       **({"additionalProperties": extra} if extra is not None else {})},
                  props, st.integers(0, 2), st.one_of(st.none(), st.booleans(), children)),
        st.builds(lambda s: {"type": "array", "items": s}, children),
        st.builds(lambda k, xs: {k: xs}, st.sampled_from(["anyOf", "oneOf", "allOf"]), st.lists(children, min_size=1, max_size=3)),
        st.builds(lambda s: {"not": s}, children),
    )


SCHEMAS = st.recursive(_LEAVES, _composite, max_leaves=10)
_SCALARS = st.sampled_from(["x", "xy", "y", "", "2020-01-01T00:00:00Z", 0, 1, 3, 2**40, -5, 1.5, True, None])


def _objects(values: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional={name: values for name in [*NAMES, "z"]})


# The top is an object, as a stream event's schema is, naming most of the few names.
TOP = st.builds(lambda p, extra: {"type": "object", "properties": p, **({"additionalProperties": extra} if extra is not None else {})},
                _objects(SCHEMAS), st.one_of(st.none(), st.booleans(), SCHEMAS))
PAYLOADS = _objects(st.recursive(_SCALARS, lambda c: st.one_of(st.lists(c, max_size=3), _objects(c)), max_leaves=12))
_OTHER = {str: ["", "x", "zz", "2021-02-03T04:05:06Z", "y" * 9], int: [0, -1, 4, 2**40, 7]}


def _positions(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str, Any]]:
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        if isinstance(item, dict | list):
            yield from _positions(item, (*path, key))
        elif isinstance(key, str) and type(item) in (str, int):
            yield (*path, key), key, item


def _verdict(schema: Any, payload: Any) -> list[tuple[Any, ...]]:
    validator = OAS30ReadValidator(schema, format_checker=OAS30ReadValidator.FORMAT_CHECKER)
    return sorted((tuple(map(str, e.absolute_path)), e.validator, tuple(map(str, e.absolute_schema_path)))
                  for e in validator.iter_errors(payload))


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TOP, PAYLOADS)
def test_an_unread_value_changes_no_verdict(schema: Any, payload: Any) -> None:
    r = reads(schema)
    expected = _verdict(schema, payload)
    for path, name, value in _positions(payload):
        read = r.strings if type(value) is str else r.integers
        if read is None or name in read:
            continue
        for new in _OTHER[type(value)]:
            changed = json.loads(json.dumps(payload))
            node = changed
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = new
            assert _verdict(schema, changed) == expected, (path, new)
