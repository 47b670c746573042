"""Keys a sample's payload sets twice: JSON, JSON5 and Python literals keep only the last, so the first is lost.

Parsers build a dict and silently drop all but the last value of a repeated key; this module reads
the same text keeping every pair, so the sample readers can say which key was repeated and whether
the values differ.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class DuplicateKey:
    """A key set more than once in one object of a payload: `values` in order; the last one wins."""

    pointer: str  # of the repeated member, e.g. "/model"
    values: tuple[Any, ...]
    line: int | None = None  # line of the repeat within the sample, where known

    @property
    def same(self) -> bool:
        return all(v == self.values[0] for v in self.values[1:])


class _Pairs(dict[str, Any]):
    """A dict that remembers the values of keys it was given more than once."""

    repeats: dict[str, list[Any]]


def _pairs_hook(pairs: list[tuple[str, Any]]) -> _Pairs:
    out = _Pairs()
    out.repeats = {}
    for key, value in pairs:
        if key in out:
            out.repeats.setdefault(key, [out[key]]).append(value)
        out[key] = value
    return out


def loads_keeping_duplicates(loads: Callable[..., Any], text: str) -> tuple[Any, list[DuplicateKey]]:
    """`loads(text)` (json.loads or json5.loads) as plain values, and every repeated key with its values."""
    value = loads(text, object_pairs_hook=_pairs_hook)
    found: list[DuplicateKey] = []
    return _plain(value, "", found), found


def _plain(value: Any, at: str, found: list[DuplicateKey]) -> Any:
    if isinstance(value, dict):
        for key, values in getattr(value, "repeats", {}).items():
            found.append(DuplicateKey(_child(at, key), tuple(_plain(v, _child(at, key), []) for v in values)))
        return {k: _plain(v, _child(at, k), found) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v, f"{at}/{i}", found) for i, v in enumerate(value)]
    return value


def python_duplicates(node: ast.expr, at: str = "") -> list[DuplicateKey]:
    """Repeated constant keys in the dict displays of a Python literal, with the line of each repeat."""
    found: list[DuplicateKey] = []
    if isinstance(node, ast.Dict):
        seen: dict[Any, list[ast.expr]] = {}
        lines: dict[Any, int] = {}
        for key, value in zip(node.keys, node.values):
            if isinstance(key, ast.Constant) and isinstance(key.value, (str, int)):
                if key.value in seen:
                    lines[key.value] = key.lineno
                seen.setdefault(key.value, []).append(value)
            found.extend(python_duplicates(value, _child(at, key.value) if isinstance(key, ast.Constant) else at))
        for name, line in lines.items():
            found.append(DuplicateKey(_child(at, name), tuple(_literal(v) for v in seen[name]), line))
    elif isinstance(node, (ast.List, ast.Tuple)):
        for i, value in enumerate(node.elts):
            found.extend(python_duplicates(value, f"{at}/{i}"))
    return found


def _literal(node: ast.expr) -> Any:
    try:
        return ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError, RecursionError):
        return ast.unparse(node)


def _child(at: str, key: Any) -> str:
    return at + "/" + str(key).replace("~", "~0").replace("/", "~1")
