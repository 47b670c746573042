"""OpenAPI 3.0 Schema Objects as plain JSON Schema (draft 4), with the semantics openapi-core applies to them.

openapi-core validates with openapi-schema-validator's OAS30ReadValidator (responses) and
OAS30WriteValidator (requests). Translating a schema keyword by keyword lets a compiled JSON Schema
validator reach the same accept/reject decision:

- `nullable: true` adds "null" to the `type` of the same schema; without `type` it does nothing,
  and an `enum` lacking null still rejects null (OAS 3.0.3, as openapi-schema-validator does);
- `readOnly` in a request and `writeOnly` in a response reject any value, and such properties
  are dropped from `required` in that direction;
- `format` is checked only for the formats openapi-core's format checker knows (so `uri` is not);
- keywords OAS30 validators ignore (`example`, `discriminator`-free annotations, `const`, ...) are dropped.

Anything whose meaning could differ (a `$ref`, `discriminator`, `pattern`, `uniqueItems`, numeric
formats, an unknown `type`) raises Untranslatable, and the caller validates that schema the slow way.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from . import learned

READ = "read"  # a response: writeOnly values are forbidden
WRITE = "write"  # a request: readOnly values are forbidden

_TYPES = {"string", "number", "integer", "boolean", "array", "object"}
_COPIED_NUMBERS = ("minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties")
_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
# Keywords openapi-schema-validator's OAS30 validators do not validate: dropping them keeps the verdict.
NOT_VALIDATED = {
    "description", "title", "example", "examples", "default", "deprecated", "externalDocs", "xml",
    "nullable", "readOnly", "writeOnly", "$schema", "id", "const", "contains", "propertyNames",
    "dependencies", "if", "then", "else", "prefixItems", "definitions", "$defs", "additionalItems",
}  # fmt: skip
# Format checks that pass for every JSON value: translated to nothing.
_ALWAYS_PASSING_FORMATS = {"binary", "password", "float", "double"}
# Format checks that look at integers, which compiled validators only apply to strings.
_NUMERIC_FORMATS = {"int32", "int64"}
FORMAT_PREFIX = "oas30-"


class Untranslatable(ValueError):
    """A schema construct whose OAS30 meaning the translation cannot reproduce exactly."""


@cache
def format_checks() -> dict[str, Callable[[str], bool]]:
    """Custom string formats for the compiled validator: openapi-core's own checks, renamed."""
    from openapi_schema_validator import OAS30ReadValidator

    checker = OAS30ReadValidator.FORMAT_CHECKER

    def check(name: str) -> Callable[[str], bool]:
        return lambda value: bool(checker.conforms(value, name))

    skipped = _ALWAYS_PASSING_FORMATS | _NUMERIC_FORMATS
    return {FORMAT_PREFIX + name: check(name) for name in checker.checkers if name not in skipped}


def to_json_schema(schema: Any, direction: str) -> Any:
    """The draft-4 JSON Schema that accepts exactly what the OAS30 validator of `direction` accepts."""
    if direction not in (READ, WRITE):
        raise ValueError(f"direction must be {READ!r} or {WRITE!r}, not {direction!r}")
    return _translate(schema, direction)


def uses_formats(schema: Any) -> bool:
    """True when a translated `schema` checks a format anywhere, so its validator needs `format_checks()`."""
    todo = [schema]
    while todo:
        node = todo.pop()
        if not isinstance(node, dict):
            continue
        if "format" in node:
            return True
        properties = node.get("properties")
        todo += properties.values() if isinstance(properties, dict) else ()
        todo += [node[k] for k in ("items", "additionalProperties", "not") if k in node]
        todo += [branch for k in _SUBSCHEMA_LISTS for branch in node.get(k, ())]
    return False


def _known_formats() -> frozenset[str]:
    """The formats openapi-core's checker checks (it depends on which optional packages are installed)."""
    return learned.known_formats(_checked_formats)


@cache
def _checked_formats() -> frozenset[str]:
    from openapi_schema_validator import OAS30ReadValidator

    return frozenset(OAS30ReadValidator.FORMAT_CHECKER.checkers)


def _translate(schema: Any, direction: str) -> Any:
    if schema is True:
        return {}
    if schema is False:
        return {"not": {}}
    if not isinstance(schema, dict):
        raise Untranslatable(f"a schema must be an object, not {type(schema).__name__}")
    if schema.get("readOnly" if direction == WRITE else "writeOnly"):
        return {"not": {}}
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in NOT_VALIDATED:
            continue
        if key == "type":
            out["type"] = _type(value, schema)
        elif key == "enum":
            out["enum"] = _enum(value)
        elif key == "format":
            _format(value, out)
        elif key == "properties":
            if not isinstance(value, dict):
                raise Untranslatable("`properties` is not an object")
            out["properties"] = {k: _translate(v, direction) for k, v in value.items()}
        elif key == "required":
            required = _required(value, schema, direction)
            if required:
                out["required"] = required
        elif key in ("items", "additionalProperties", "not"):
            if key == "additionalProperties" and "patternProperties" in schema:
                raise Untranslatable("`patternProperties` changes what `additionalProperties` applies to")
            if key == "items" and not isinstance(value, (dict, bool)):
                raise Untranslatable("`items` must be a schema in OpenAPI 3.0")
            out[key] = value if isinstance(value, bool) and key == "additionalProperties" else _translate(value, direction)
        elif key in _SUBSCHEMA_LISTS:
            if not isinstance(value, list) or not value:
                raise Untranslatable(f"`{key}` must be a non-empty list")
            out[key] = [_translate(v, direction) for v in value]
        elif key in ("minimum", "maximum"):
            out[key] = _number(key, value)
            exclusive = "exclusiveMinimum" if key == "minimum" else "exclusiveMaximum"
            if exclusive in schema:
                if not isinstance(schema[exclusive], bool):
                    raise Untranslatable(f"`{exclusive}` must be a boolean in OpenAPI 3.0")
                out[exclusive] = schema[exclusive]
        elif key in ("exclusiveMinimum", "exclusiveMaximum", "patternProperties"):
            continue  # handled beside minimum/maximum and additionalProperties; alone, not validated
        elif key in _COPIED_NUMBERS:
            out[key] = _number(key, value)
        else:
            raise Untranslatable(f"keyword `{key}` is not translated")
    return out


def _type(value: Any, schema: dict[str, Any]) -> Any:
    if not isinstance(value, str) or value not in _TYPES:
        raise Untranslatable(f"`type` {value!r} is not an OpenAPI 3.0 type")
    return [value, "null"] if schema.get("nullable") is True else value


def _enum(value: Any) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise Untranslatable("`enum` must be a non-empty list")
    if not all(v is None or isinstance(v, (str, int, float)) for v in value):
        raise Untranslatable("`enum` with arrays or objects is not translated")
    return value


def _format(value: Any, out: dict[str, Any]) -> None:
    if not isinstance(value, str) or value not in _known_formats() or value in _ALWAYS_PASSING_FORMATS:
        return  # openapi-core's format checker does not check it
    if value in _NUMERIC_FORMATS:
        raise Untranslatable(f"format `{value}` checks numbers")
    out["format"] = FORMAT_PREFIX + value


def _required(value: Any, schema: dict[str, Any], direction: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Untranslatable("`required` must be a list of names")
    props = schema.get("properties")
    props = props if isinstance(props, dict) else {}
    flag = "readOnly" if direction == WRITE else "writeOnly"
    # openapi-schema-validator skips a required property whose schema is readOnly (requests) / writeOnly (responses).
    return [n for n in value if not (isinstance(props.get(n), dict) and props[n] and props[n].get(flag, False))]


def _number(key: str, value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Untranslatable(f"`{key}` must be a number")
    return value
