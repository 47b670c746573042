"""Does every `example`, `examples` and `default` in a spec satisfy the schema it is written in?

Schemas are found structurally from the operations and `components/schemas` (property names such as
a property called "default" are never mistaken for keywords). Request-side values are validated in
the write direction, response-side ones in the read direction, all through SchemaEngine.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..findings import Code, Finding, Severity, pointer_from_path
from ..sources import Spec
from ..validation import SchemaEngine, enum_fix, unusable_schema, validate

_SUBSCHEMA = ("items", "additionalProperties", "not")
_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf")


def iter_spec_example_findings(spec: Spec, engine: SchemaEngine | None = None) -> Iterator[Finding]:
    """Every example or default value in `spec` that its own schema rejects, at the value's pointer."""
    engine = engine or SchemaEngine(spec)
    for schema_path, value_path, value, direction in _iter_values(spec):
        schema_pointer = pointer_from_path(schema_path)
        value_pointer = pointer_from_path(value_path)
        violations, problem = validate(engine, "request" if direction == "write" else "response", schema_pointer, value)
        if problem:
            yield unusable_schema(problem, f"`{value_path[-1]}` at {value_pointer}", source=spec.source,
                                  schema_pointer=schema_pointer, spec_source=spec.source,
                                  pointer=value_pointer, endpoint=_endpoint_of(value_path), **spec.location(value_pointer))
            continue
        for v in violations:
            yield Finding(
                Code.SPEC_EXAMPLE_SCHEMA_MISMATCH,
                Severity.ERROR,
                spec.source,
                f"`{value_path[-1] if value_path[-2] != 'examples' else 'examples'}` value is rejected by "
                f"its own schema: {_short(v.message)}",
                pointer=value_pointer + v.pointer,
                endpoint=_endpoint_of(value_path),
                **spec.location(value_pointer + v.pointer),
                fix=enum_fix(spec, v),
                extra={"schema_pointer": v.schema_pointer},
            )


def _iter_values(spec: Spec) -> Iterator[tuple[list[Any], list[Any], Any, str]]:
    """(schema path, value path, value, direction) for every example/default in the spec."""
    for op in spec.operations():
        base: list[Any] = ["paths", op.path, op.method]
        for i, param in enumerate(op.data.get("parameters") or []):
            if isinstance(param, dict) and isinstance(param.get("schema"), dict):
                yield from _schema_values(param["schema"], base + ["parameters", i, "schema"], "write")
        content = ((op.data.get("requestBody") or {}).get("content")) or {}
        yield from _media_values(content, base + ["requestBody", "content"], "write")
        for status, response in (op.data.get("responses") or {}).items():
            if isinstance(response, dict):
                yield from _media_values(response.get("content") or {}, base + ["responses", status, "content"], "read")
    for name, schema in ((spec.data.get("components") or {}).get("schemas") or {}).items():
        if isinstance(schema, dict):
            yield from _schema_values(schema, ["components", "schemas", name], "read")


def _media_values(content: Any, path: list[Any], direction: str) -> Iterator[tuple[list[Any], list[Any], Any, str]]:
    if not isinstance(content, dict):
        return
    for media_type, media in content.items():
        if not (isinstance(media, dict) and isinstance(media.get("schema"), dict)):
            continue
        schema_path = path + [media_type, "schema"]
        if "example" in media:
            yield schema_path, path + [media_type, "example"], media["example"], direction
        for name, example in (media.get("examples") or {}).items():
            if isinstance(example, dict) and "value" in example:
                yield schema_path, path + [media_type, "examples", name, "value"], example["value"], direction
        yield from _schema_values(media["schema"], schema_path, direction)


def _schema_values(schema: dict[str, Any], path: list[Any], direction: str) -> Iterator[tuple[list[Any], list[Any], Any, str]]:
    stack = [(schema, path)]
    while stack:
        node, at = stack.pop()
        for keyword in ("example", "default"):
            if keyword in node:
                yield at, at + [keyword], node[keyword], direction
        for name, sub in (node.get("properties") or {}).items() if isinstance(node.get("properties"), dict) else ():
            if isinstance(sub, dict):
                stack.append((sub, at + ["properties", name]))
        for keyword in _SUBSCHEMA:
            if isinstance(node.get(keyword), dict):
                stack.append((node[keyword], at + [keyword]))
        for keyword in _SUBSCHEMA_LISTS:
            for i, sub in enumerate(node.get(keyword) or []) if isinstance(node.get(keyword), list) else ():
                if isinstance(sub, dict):
                    stack.append((sub, at + [keyword, i]))


def _endpoint_of(path: list[Any]) -> str:
    return f"{str(path[2]).upper()} {path[1]}" if len(path) >= 3 and path[0] == "paths" else ""


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
