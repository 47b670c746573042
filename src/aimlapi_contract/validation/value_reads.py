"""Which property values a schema's verdict can read: the rest it judges by JSON type alone.

A string or integer under property `name` is judged by the schemas that can apply to it: every
`properties[name]` reachable from the root, every `additionalProperties`/`patternProperties` schema,
and what they combine (`allOf`/`anyOf`/`oneOf`/`not`). If none of those has a keyword that looks at a
string's (or an integer's) value (`enum`, `const`, `pattern`, `format`, lengths, bounds) or a keyword
this module does not know, the verdict on any payload stays the same when such a value is replaced by
another of its type. Anything that compares whole values (`uniqueItems`, an `enum` of objects or
arrays) or sends the validator to a schema found by name (`$ref`, whose base and siblings validators
treat differently; a `discriminator` and its mapping) makes every value count.

traffic/event_shapes.py uses this to judge a long stream's events once per shape.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..sources import Spec
from . import learned
from .dialect import NOT_VALIDATED

# Keywords that only say what a value's JSON type, an object's keys or an array's length may be,
# or say nothing a validator checks: a string or integer is judged the same whatever its value.
_TYPE_ONLY = {
    "type", "nullable", "description", "title", "example", "examples", "default", "deprecated",
    "externalDocs", "xml", "readOnly", "writeOnly", "properties", "required", "items",
    "additionalProperties", "patternProperties", "allOf", "anyOf", "oneOf", "not",
    "minItems", "maxItems", "minProperties", "maxProperties",
}  # fmt: skip
_COMBINED = ("allOf", "anyOf", "oneOf")
_STRING_READS = {"enum", "const", "pattern", "format", "minLength", "maxLength"}
_INTEGER_READS = {"enum", "const", "format", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}
# Every keyword a schema object may carry here; another one (not `x-`) may apply subschemas we do not follow.
_KNOWN = _TYPE_ONLY | _STRING_READS | _INTEGER_READS | NOT_VALIDATED | {"uniqueItems"}


@dataclass(frozen=True, slots=True)
class ValueReads:
    """Property names whose string / integer values a verdict may read (None: every name's)."""

    strings: frozenset[str] | None
    integers: frozenset[str] | None


_EVERY = ValueReads(None, None)
_CACHE: dict[tuple[str, str], ValueReads] = {}


def value_reads(spec: Spec, schema_pointer: str) -> ValueReads:
    """What the schema at `schema_pointer` of `spec` reads of property values (cached per spec content, and kept
    between runs, one file per spec: the analysis of the responses stream's schema, a oneOf of 50 events, costs
    20 ms)."""
    key = (spec.sha256, schema_pointer)
    found = _CACHE.get(key)
    if found is None:
        kept = learned.derived_entry(spec.sha256, "value-reads", schema_pointer, lambda: _as_json(_computed(spec, schema_pointer)), _is_json)
        found = ValueReads(*(None if names is None else frozenset(names) for names in (kept["strings"], kept["integers"])))
        if len(_CACHE) < 1_000:
            _CACHE[key] = found
    return found


def _computed(spec: Spec, schema_pointer: str) -> ValueReads:
    try:
        return _analyse(spec.resolve(schema_pointer))
    except (KeyError, IndexError, ValueError, TypeError):
        return _EVERY


def _as_json(reads: ValueReads) -> dict[str, list[str] | None]:
    return {"strings": _sorted(reads.strings), "integers": _sorted(reads.integers)}


def _sorted(names: frozenset[str] | None) -> list[str] | None:
    return None if names is None else sorted(names)


def _is_json(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"strings", "integers"} and all(
        names is None or (isinstance(names, list) and all(isinstance(n, str) for n in names)) for names in value.values()
    )


class _Opaque(Exception):
    """A construct under which every value may count."""


def _analyse(root: Any) -> ValueReads:
    named: dict[str, list[Any]] = {}  # property name -> the schemas that can apply to its value
    anywhere: list[Any] = []  # additionalProperties / patternProperties schemas: any name
    try:
        for node in _nodes(root):
            props = node.get("properties")
            if isinstance(props, dict):
                for name, schema in props.items():
                    named.setdefault(name, []).append(schema)
            extra = node.get("additionalProperties")
            if isinstance(extra, dict):
                anywhere.append(extra)
            patterns = node.get("patternProperties")
            if isinstance(patterns, dict):
                anywhere.extend(patterns.values())
        strings = _reading(named, anywhere, _STRING_READS)
        integers = _reading(named, anywhere, _INTEGER_READS)
    except _Opaque:
        return _EVERY
    return ValueReads(strings, integers)


def _reading(named: dict[str, list[Any]], anywhere: list[Any], reads: set[str]) -> frozenset[str] | None:
    """The names whose value some applicable schema reads with `reads` (None: every name, via `anywhere`)."""
    if not all(_type_only(s, reads) for s in anywhere):
        return None
    return frozenset(name for name, schemas in named.items() if not all(_type_only(s, reads) for s in schemas))


def _type_only(schema: Any, reads: set[str]) -> bool:
    """True when `schema` (and what it combines) judges a scalar by its JSON type alone."""
    stack, seen = [schema], set()
    while stack:
        node = stack.pop()
        if isinstance(node, bool) or id(node) in seen:
            continue
        if not isinstance(node, dict):
            raise _Opaque  # a schema that is not an object: the validator's own error decides
        seen.add(id(node))
        for key in node:
            if key in reads or (key not in _KNOWN and not key.startswith("x-")):  # another type's keyword: no-op here
                return False
        stack.extend(part for k in _COMBINED for part in (node.get(k) or []))
        if "not" in node:
            stack.append(node["not"])
    return True


def _nodes(root: Any) -> Iterator[dict[str, Any]]:
    """Every schema object reachable from `root`, once each."""
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if not isinstance(node, dict) or id(node) in seen:
            continue
        seen.add(id(node))
        if "$ref" in node or "discriminator" in node:
            raise _Opaque  # the validator goes to a schema found by name (a ref's base and siblings, a mapping)
        if node.get("uniqueItems") or any(isinstance(v, dict | list) for k in ("enum", "const") for v in _values(node, k)):
            raise _Opaque  # compares whole values: two objects differing in one string differ
        if any(key not in _KNOWN and not key.startswith("x-") for key in node):
            raise _Opaque
        yield node
        for key in ("items", "additionalProperties", "not"):
            if isinstance(node.get(key), dict):
                stack.append(node[key])
        if isinstance(node.get("items"), list):  # not OAS 3.0, but a validator would apply each
            stack.extend(node["items"])
        for key in ("properties", "patternProperties"):
            if isinstance(node.get(key), dict):
                stack.extend(node[key].values())
        for key in _COMBINED:
            if isinstance(node.get(key), list):
                stack.extend(node[key])


def _values(node: dict[str, Any], key: str) -> list[Any]:
    if key not in node:
        return []
    value = node[key]
    return list(value) if key == "enum" and isinstance(value, list) else [value]
