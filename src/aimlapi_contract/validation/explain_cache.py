"""Explanations kept per failure shape: real traffic repeats the same few failures by the thousand.

The shape of a failure is what the compiled validator reports for it: each error's instance path,
schema path and message. Messages quote the failing value (`null is not of type "string"`, the
missing property's name), so two payloads of one shape fail at the same places with the same values,
and openapi-schema-validator would explain both alike; only the values around them differ.
"""

from __future__ import annotations

from typing import Any

from . import learned

# (payload path, its JSON pointer, message, keyword, schema pointer) per violation, as the explaining validator gave them.
Explanation = list[tuple[tuple[Any, ...], str, str, str, str]]
_MAX_ENTRIES = 4096  # distinct failure shapes kept per engine; the oldest goes first
_MAX_SHAPE_CHARS = 20_000  # a shape quoting a huge value is explained afresh, not kept


def failure_shape(compiled: Any, instance: Any) -> tuple[tuple[Any, ...], ...]:
    """What the compiled validator reports for `instance`: (path, schema path, message, value type) per error."""
    return tuple(
        (tuple(e.instance_path), tuple(e.schema_path), e.message, type(e.instance).__name__)
        for e in compiled.iter_errors(instance)
    )


def value_at(instance: Any, path: tuple[Any, ...]) -> Any:
    """The value at `path` (keys and indexes) in `instance`; the instance itself for the empty path."""
    for part in path:
        instance = instance[part]
    return instance


class ExplanationCache:
    """Bounded map from (schema pointer, direction, failure shape) to its explanation, for one spec.

    Backed by the explanations earlier runs kept on disk (learned.py), when a store is open."""

    def __init__(self, spec_sha256: str) -> None:
        self._spec = spec_sha256
        self._entries: dict[tuple[Any, ...], Explanation] = {}

    def get(self, key: tuple[Any, ...]) -> Explanation | None:
        found = self._entries.get(key)
        return found if found is not None else learned.explanation(self._spec, key)

    def put(self, key: tuple[Any, ...], explanation: Explanation) -> None:
        if sum(len(error[2]) for error in key[2]) > _MAX_SHAPE_CHARS:
            return
        if len(self._entries) >= _MAX_ENTRIES:
            del self._entries[next(iter(self._entries))]
        self._entries[key] = explanation
        learned.remember(self._spec, key, explanation)
