"""The closed-world form of a schema: `additionalProperties: false` wherever `properties` are declared.

A payload the closed form accepts carries no field the schema leaves undocumented, so the field walk
(traffic/undocumented.py) can be skipped after one compiled call. That holds only where the walk and
JSON Schema agree on which schemas apply to a value: through `properties`, `items` and `allOf` (the
walk reports a field no candidate names; closed, every allOf branch must name it), never through
`anyOf`/`oneOf`, where the walk picks branches by its own rules. Those schemas are not proved here.
"""

from __future__ import annotations

from typing import Any

_CHOICES = ("anyOf", "oneOf")


def closed_schema(schema: Any) -> Any:
    """A copy of the translated (draft-4) `schema` closed to unknown properties; `not` is left as is."""
    if isinstance(schema, list):
        return [closed_schema(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: (v if k == "not" else _closed_children(k, v)) for k, v in schema.items()}
    props = schema.get("properties")
    if isinstance(props, dict) and props and "additionalProperties" not in schema:
        out["additionalProperties"] = False
    return out


def _closed_children(key: str, value: Any) -> Any:
    if key == "properties" and isinstance(value, dict):
        return {name: closed_schema(s) for name, s in value.items()}
    if key in ("items", "additionalProperties", "allOf", *_CHOICES):
        return closed_schema(value)
    return value  # enum values, required names...: data, not schemas


def fields_provable(root: Any, target: Any, dispatched: bool) -> bool:
    """Whether closed-world acceptance of `target` proves the field walk from `root` finds nothing.

    `dispatched`: `target` is the branch a oneOf at `root` was dispatched to on the payload's `type`;
    the walk then picks that same branch, provided no branch opens further allOf/anyOf/oneOf itself."""
    if dispatched:
        branches = root.get("oneOf") if isinstance(root, dict) else None
        if not isinstance(branches, list) or any(
            isinstance(b, dict) and any(k in b for k in ("allOf", *_CHOICES)) for b in branches
        ):
            return False
    return not _has_choice(target)


def _has_choice(schema: Any) -> bool:
    if isinstance(schema, list):
        return any(_has_choice(s) for s in schema)
    if not isinstance(schema, dict):
        return False
    if any(k in schema for k in _CHOICES) or "$ref" in schema:
        return True
    return any(
        _has_choice(v) if k in ("items", "additionalProperties", "allOf") else
        any(_has_choice(s) for s in v.values()) if k == "properties" and isinstance(v, dict) else False
        for k, v in schema.items()
    )
