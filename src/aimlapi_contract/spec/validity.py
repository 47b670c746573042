"""openapi-spec-validator's errors as CT110 findings: the whole reason, an absolute pointer, a key of its own.

The validator reports some errors without a path (a duplicate parameter, an unresolved path
parameter) and checks each schema on its own, so those errors carry a path relative to the schema.
Here each one is pinned to where it is in the document, and its message names the value by where it
is, not by a repr of it that hides the reason at the end.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import Any

from ..findings import pointer_from_path
from ..sources import Spec

_DUPLICATE_PARAMETER = re.compile(r"^Duplicate parameter '(?P<name>.+)'$")
_OPERATION = re.compile(r"for '(?P<method>\w+)'(?: operation)? in '(?P<path>[^']+)'")
_REQUIRED_UNDEFINED = re.compile(r"^Required list has not defined properties: (?P<names>\[.*\])$")
_MAX_CANDIDATES = 1000


def explained(spec: Spec, error: Any, taken: dict[str, int]) -> tuple[str, str, str]:
    """(absolute pointer, whole reason, anchor) of one validator error; `taken` counts errors already placed per message."""
    path = list(error.absolute_path)
    pointer = pointer_from_path(path)
    if not _is_at(spec.data, path, error.instance):
        pointer = _place(spec, error, path, taken)
    reason = _reason(error, pointer)
    kind = error.validator if isinstance(error.validator, str) else type(error).__name__  # path-less errors: their class
    digest = hashlib.sha256(f"{kind}\x1f{reason}".encode()).hexdigest()[:8]
    return pointer, reason, f"{kind}:{digest}"


def _reason(error: Any, pointer: str) -> str:
    message = str(error.message)
    where = f"`{pointer}`" if pointer else "the value"
    if error.validator == "uniqueItems" and isinstance(error.instance, list):
        first, second = _repeat(error.instance)
        return f"{where} has non-unique elements: items {first} and {second} are equal"
    shown = repr(error.instance) if error.instance is not None else ""
    if shown and message.startswith(shown) and len(shown) > 40:
        return where + message[len(shown):]  # "{...huge...} is not valid under any of the given schemas"
    return message


def _repeat(items: list[Any]) -> tuple[int, int]:
    for j, item in enumerate(items):
        for i in range(j):
            if items[i] == item:
                return i, j
    return 0, 0


def _is_at(data: Any, path: list[Any], instance: Any) -> bool:
    node = data
    try:
        for part in path:
            node = node[part]
    except (KeyError, IndexError, TypeError):
        return False
    return bool(path) and node == instance


def _place(spec: Spec, error: Any, path: list[Any], taken: dict[str, int]) -> str:
    """Where in the document an error without an absolute path is: its n-th occurrence, in document order."""
    message = str(error.message)
    candidates = _candidates(spec, message, path, error.instance)
    key = f"{message}\x1f{path}"
    n = taken.get(key, 0)
    taken[key] = n + 1
    if n < len(candidates):
        return candidates[n]
    return candidates[-1] if candidates else ""


def _candidates(spec: Spec, message: str, rel: list[Any], instance: Any) -> list[str]:
    dup = _DUPLICATE_PARAMETER.match(message)
    if dup:
        return [pointer_from_path([*at, "parameters"]) for at, node in _walk(spec.data, [])
                if _has_duplicate(node.get("parameters"), dup.group("name"))]
    op = _OPERATION.search(message)
    if op and not rel:
        suffix = ["operationId"] if "Operation ID" in message else []
        return [pointer_from_path(["paths", op.group("path"), op.group("method"), *suffix])]
    required = _REQUIRED_UNDEFINED.match(message)
    if required:
        return [pointer_from_path([*at, "required"]) for at, node in _walk(spec.data, [])
                if isinstance(node.get("required"), list) and isinstance(node.get("properties"), dict)
                and str([r for r in node["required"] if r not in node["properties"]]) == required.group("names")]
    # A path relative to a schema: every schema where it leads to the same value.
    if rel:
        return [pointer_from_path([*at, *rel]) for at, node in _walk(spec.data, []) if _is_at(node, rel, instance)]
    return []


def _has_duplicate(params: Any, name: str) -> bool:
    names = [(p.get("name"), p.get("in")) for p in params or [] if isinstance(p, dict) and p.get("name") == name]
    return isinstance(params, list) and len(names) != len(set(names))


def _walk(node: Any, at: list[Any]) -> Iterator[tuple[list[Any], dict[str, Any]]]:
    """Every object of the document with its path, in document order (bounded)."""
    stack: list[tuple[list[Any], Any]] = [(at, node)]
    seen = 0
    while stack and seen < 200 * _MAX_CANDIDATES:
        path, current = stack.pop()
        seen += 1
        if isinstance(current, dict):
            yield path, current
            stack.extend((path + [k], v) for k, v in reversed(list(current.items())))
        elif isinstance(current, list):
            stack.extend((path + [i], v) for i, v in reversed(list(enumerate(current))))
