"""A `oneOf`/`anyOf` failure explained by the branch the payload meant, down to the field that is wrong.

jsonschema stops at the alternatives: "object matches none of the documented oneOf branches". Real
payloads say which branch they mean: a discriminator (`role`, `type`, or any property whose
enum/const singles out one branch). Without one, the closest branch (fewest violations) is taken.
The payload is then validated against that branch alone, and its violations replace the oneOf one,
each saying which branch it was judged by.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from ..findings import dotted
from ..sources import Spec
from .engine import Violation

_PREFERRED = ("role", "type", "object", "kind")
_MAX_DEPTH = 8  # nested alternatives followed (a message's content parts are alternatives too)

Validate = Callable[[str, Any], list[Violation]]


def refine_branches(spec: Spec, validate: Validate, violations: list[Violation], depth: int = 0) -> list[Violation]:
    """`violations` with each oneOf/anyOf failure replaced by the violations of the branch the payload meant."""
    out: list[Violation] = []
    for v in violations:
        refined = _refine(spec, validate, v, depth) if v.keyword in ("oneOf", "anyOf") and depth < _MAX_DEPTH else None
        out.extend(refined if refined is not None else [v])
    return out


def _refine(spec: Spec, validate: Validate, v: Violation, depth: int) -> list[Violation] | None:
    branches = _node(spec, v.schema_pointer)
    if not isinstance(branches, list) or not branches:
        return None
    resolved = [(i, *_deref(spec, f"{v.schema_pointer}/{i}", b)) for i, b in enumerate(branches)]
    chosen, how = _discriminated(resolved, v.instance)
    if chosen is None and _unknown_kind(resolved, v.instance):
        return None  # a kind no branch documents (a new event type): that is the finding, not a field of a guess
    results: dict[int, list[Violation]] = {}
    if chosen is None:
        fitting = [i for i, _, b in resolved if _type_fits(b, v.instance)]
        if len(fitting) == 1 and len(resolved) > 1 and isinstance(resolved[fitting[0]][2].get("type"), str):
            chosen, how = fitting[0], _with_article(resolved[fitting[0]][2]["type"])  # the only branch of its type
        candidates = fitting or [i for i, _, _ in resolved]
    if chosen is None:
        for i in candidates:
            results[i] = validate(resolved[i][1], v.instance)
        if any(not r for r in results.values()):
            return None  # valid against a branch: the failure is ambiguity (oneOf), not a wrong field
        chosen = min(candidates, key=lambda i: (len(results[i]), i))
        how = "closest to"
    pointer, schema = resolved[chosen][1], resolved[chosen][2]
    found = results.get(chosen)
    if found is None:
        found = validate(pointer, v.instance)
    if not found:
        return None
    where = dotted(v.pointer, "the payload")
    if how == "closest to":
        via = f"{where} matches no branch; closest is branch {chosen}{_title(schema)}"
    else:
        via = f"{where} is {how} (branch {chosen})"
    via = f"{v.via}; {via}" if v.via else via  # nested alternatives: the whole path of choices
    rebased = [dataclasses.replace(f, pointer=v.pointer + f.pointer, branch=v.branch, via=via, via_pointer=v.pointer)
               for f in found]
    return refine_branches(spec, validate, rebased, depth + 1)


def _discriminated(resolved: list[tuple[int, str, Any]], instance: Any) -> tuple[int | None, str]:
    """The branch the payload names by a property whose enum/const belongs to that branch alone."""
    if not isinstance(instance, dict):
        return None, ""
    names = [n for n in _PREFERRED if n in instance] + sorted(n for n in instance if n not in _PREFERRED)
    for name in names:
        value = instance[name]
        if not isinstance(value, (str, int, bool)):
            continue
        matches = [i for i, _, b in resolved if value in _pinned(b, name)]
        if len(matches) == 1:
            return matches[0], _describe(name, value)
    return None, ""


def _unknown_kind(resolved: list[tuple[int, str, Any]], instance: Any) -> bool:
    """The payload carries a property every branch pins (its tag), with a value none of them allows."""
    if not isinstance(instance, dict):
        return False
    for name in _PREFERRED:
        pins = [_pinned(b, name) for _, _, b in resolved]
        if name in instance and all(pins) and not any(instance[name] in p for p in pins):
            return True
    return False


def _pinned(schema: Any, name: str) -> list[Any]:
    """The values a branch allows for property `name` when it lists them (enum/const), else []."""
    for part in _parts(schema):
        prop = (part.get("properties") or {}).get(name) if isinstance(part.get("properties"), dict) else None
        if isinstance(prop, dict):
            if "const" in prop:
                return [prop["const"]]
            if isinstance(prop.get("enum"), list):
                return list(prop["enum"])
    return []


def _parts(schema: Any) -> list[dict[str, Any]]:
    if not isinstance(schema, dict):
        return []
    return [schema, *[p for p in schema.get("allOf") or [] if isinstance(p, dict)]]


def _describe(name: str, value: Any) -> str:
    if name == "role":
        return f"{_with_article(str(value))} message"
    return f"of {name} {value!r}"


def _article(word: str) -> str:
    low = word.lower()
    return "an" if low[:1] in ("a", "e", "i", "o") or (low.startswith("u") and not low.startswith("us")) else "a"


def _with_article(word: str) -> str:
    return f"{_article(word)} {word}"


def _type_fits(schema: Any, instance: Any) -> bool:
    wanted = schema.get("type") if isinstance(schema, dict) else None
    if not isinstance(wanted, str):
        return True
    actual = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}.get(type(instance))
    if isinstance(instance, int) and not isinstance(instance, bool):
        return wanted in ("number", "integer")  # not float(instance): past ~1e308 that raises
    if isinstance(instance, float):
        return wanted == "number" or (wanted == "integer" and instance.is_integer())
    return actual == wanted


def _title(schema: Any) -> str:
    title = schema.get("title") if isinstance(schema, dict) else None
    return f" ({title})" if isinstance(title, str) and title else ""


def _deref(spec: Spec, pointer: str, schema: Any) -> tuple[str, Any]:
    """(pointer, schema) with a local `$ref` followed, so the branch is validated where it is written."""
    seen = 0
    while isinstance(schema, dict) and isinstance(schema.get("$ref"), str) and schema["$ref"].startswith("#/") and seen < 10:
        pointer, seen = schema["$ref"][1:], seen + 1
        schema = _node(spec, pointer)
    return pointer, schema


def _node(spec: Spec, pointer: str) -> Any:
    try:
        return spec.resolve(pointer)
    except (KeyError, IndexError, ValueError, TypeError):
        return None
