"""Across-languages comparison of what the samples of one endpoint send: only what a copier would notice.

A reader copies one sample. What matters to them is the model, the endpoint, the method, the
required fields, the types and the shape of the payload; a different prompt or an optional field
one language adds (`temperature`, `max_tokens`) changes nothing they rely on. Those differences are
one info finding per sample, not a warning each.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..findings import Code, Finding, Severity
from ..sources import Spec, nearest_line
from .sample_checks import SentPayload
from .sample_request import FILE_PLACEHOLDER, UNREAD_PLACEHOLDER

_ABSENT = object()
_UNKNOWN = (FILE_PLACEHOLDER, UNREAD_PLACEHOLDER)
_MAX_SCHEMAS = 64  # candidate schemas followed per payload position (oneOf fans out)


@dataclass(frozen=True, slots=True)
class RequestSchema:
    """The request schema of an endpoint, asked what a payload position means: required? an enumerated value?"""

    spec: Spec | None
    pointer: str

    def at(self, pointer: str) -> list[dict[str, Any]]:
        """Every schema that may apply at a payload pointer (all `oneOf`/`anyOf` branches, `allOf` members)."""
        if self.spec is None or not self.pointer:
            return []
        current = self._expand([self._node(self.pointer)])
        for raw in [p for p in pointer.split("/")[1:]]:
            part = raw.replace("~1", "/").replace("~0", "~")
            nxt: list[Any] = []
            for schema in current:
                props = schema.get("properties")
                if isinstance(props, dict) and part in props:
                    nxt.append(props[part])
                elif part.isdigit() and isinstance(schema.get("items"), dict):
                    nxt.append(schema["items"])
                elif isinstance(schema.get("additionalProperties"), dict):
                    nxt.append(schema["additionalProperties"])
            current = self._expand(nxt)
        return current

    def required(self, pointer: str) -> bool:
        """Whether the member at `pointer` is required by some schema of its parent object."""
        parent, _, name = pointer.rpartition("/")
        name = name.replace("~1", "/").replace("~0", "~")
        return any(name in (s.get("required") or []) for s in self.at(parent))

    def enumerated(self, pointer: str) -> bool:
        """Whether the value at `pointer` is one of a fixed set (enum/const): a different value is another request."""
        return any("enum" in s or "const" in s for s in self.at(pointer))

    def _node(self, pointer: str) -> Any:
        assert self.spec is not None
        try:
            return self.spec.resolve(pointer)
        except (KeyError, IndexError, ValueError, TypeError):
            return None

    def _expand(self, schemas: list[Any]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        todo = list(schemas)
        seen = 0
        while todo and len(out) < _MAX_SCHEMAS and seen < 4 * _MAX_SCHEMAS:
            schema = todo.pop(0)
            seen += 1
            if not isinstance(schema, dict):
                continue
            ref = schema.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/"):
                todo.append(self._node(ref[1:]))
                continue
            out.append(schema)
            for kw in ("allOf", "anyOf", "oneOf"):
                if isinstance(schema.get(kw), list):
                    todo.extend(schema[kw])
        return out


def iter_payload_differences(endpoint: str, sent: list[SentPayload], schema: RequestSchema) -> Iterator[Finding]:
    """Where a sample of `endpoint` sends a different request from the first one (page samples come first)."""
    if len(sent) < 2:
        return
    ref = sent[0]
    for other in sent[1:]:
        minor: list[str] = []
        for pointer, expected, found in _differences(ref.payload, other.payload, ""):
            why = _significance(pointer, expected, found, schema)
            if not why:
                minor.append(pointer or "/")
                continue
            n = nearest_line(other.lines, pointer)
            ref_where = ref.site.where(nearest_line(ref.lines, pointer))
            yield Finding(Code.DOC_SAMPLES_DIFFER, Severity.WARNING, other.site.source,
                          f"{other.site.label} sends {_show(found)} at `{pointer or '/'}`, but the {ref.site.label} "
                          f"({ref.site.source.rsplit('/', 1)[-1]} {ref_where}) sends {_show(expected)} ({why})",
                          line=other.site.line(n), pointer=pointer, endpoint=endpoint, anchor=other.anchor,
                          fix="send the same request in every language")
        if minor:
            shown = ", ".join(f"`{p}`" for p in minor[:8]) + (f" and {len(minor) - 8} more" if len(minor) > 8 else "")
            yield Finding(Code.DOC_SAMPLES_DIFFER, Severity.INFO, other.site.source,
                          f"{other.site.label} differs from the {ref.site.label} only in free text or optional fields: {shown}",
                          line=other.site.line(None), endpoint=endpoint, anchor=f"{other.anchor}:minor" if other.anchor else "minor")


def _significance(pointer: str, expected: Any, found: Any, schema: RequestSchema) -> str:
    """Why a difference matters to someone who copies one sample, or "" when it does not."""
    name = pointer.rsplit("/", 1)[-1]
    if name == "model":
        return "a different model"
    if expected is _ABSENT or found is _ABSENT:
        return "a required field" if schema.required(pointer) else ""
    if _json_type(expected) != _json_type(found):
        return f"{_json_type(expected)} vs {_json_type(found)}"
    if isinstance(expected, bool) or schema.enumerated(pointer):
        return "a different setting"
    return ""  # free text, or another value of the same type in an open field


def _differences(a: Any, b: Any, at: str) -> Iterator[tuple[str, Any, Any]]:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in list(a) + [k for k in b if k not in a]:
            child = at + "/" + str(key).replace("~", "~0").replace("/", "~1")
            yield from _differences(a.get(key, _ABSENT), b.get(key, _ABSENT), child)
    elif isinstance(a, list) and isinstance(b, list):
        for i in range(max(len(a), len(b))):
            yield from _differences(a[i] if i < len(a) else _ABSENT, b[i] if i < len(b) else _ABSENT, f"{at}/{i}")
    elif a in _UNKNOWN or b in _UNKNOWN:
        return  # a value the reader could not know (a variable, a file): nothing to compare
    elif _json_type(a) != _json_type(b) or a != b:
        yield at, a, b


def _json_type(value: Any) -> str:
    if value is _ABSENT:
        return "nothing"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    names = {str: "string", list: "array", dict: "object", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _show(value: Any) -> str:
    return "nothing" if value is _ABSENT else repr(value)
