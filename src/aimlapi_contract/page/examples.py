"""Read a "Response" example as a user would copy it: JSON, or a diagnosis of why not, with the fix.

The usual breakages get a name instead of a parser error: text before or after the value, a Python
dict repr (single quotes, None/True/False), JSON5-only syntax, a truncated value.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

import json5

from .. import limits

_NO_VALUE = object()


@dataclass(slots=True)
class ExampleReading:
    """What an example's text is: `value` is the payload when one could be recovered (else _NO_VALUE)."""

    value: Any = _NO_VALUE
    is_json: bool = False  # the text as written is JSON
    problems: list[str] = field(default_factory=list)  # diagnoses, e.g. "a Python dict repr (`None`)"
    prefix: str = ""  # stray text before the value
    suffix: str = ""  # stray text after the value
    json5_only: bool = False  # JSON5 parses it, JSON does not
    truncated: bool = False
    error: str = ""  # the JSON parser's complaint, when nothing better could be said
    converted: bool = False  # `value` came from a repair (repr or JSON5 read), not from JSON

    @property
    def has_value(self) -> bool:
        return self.value is not _NO_VALUE

    def diagnosis(self) -> str:
        """What is wrong, as a stable tag for the finding's key: a new problem in the same block is a new finding."""
        tags = []
        for side, text in (("before", self.prefix), ("after", self.suffix)):
            if text:  # the stray text itself: replacing it with other stray text is a new problem
                digest = hashlib.sha256(" ".join(text.split()).encode()).hexdigest()[:8]
                tags.append(f"stray-{side}:{digest}")
        if self.truncated:
            tags.append("truncated")
        elif self.converted:
            tags.append("json5" if self.json5_only else "python-repr")
        elif not self.has_value:
            tags.append("not-json")
        return "+".join(tags)

    def fixed_json(self) -> str:
        """The recovered value as JSON text (two-space indent, as the page's other examples)."""
        return json.dumps(self.value, indent=2, ensure_ascii=False)


def read_example(text: str) -> ExampleReading:
    """Parse an example; diagnose what stops it being JSON and recover the value when that is mechanical."""
    reading = ExampleReading()
    try:
        reading.value = limits.loads_json(text)
        reading.is_json = True
        return reading
    except limits.LimitError as exc:  # nested past the depth limit: said as such, no repair attempted
        reading.error = exc.message
        reading.problems.append(exc.message)
        return reading
    except json.JSONDecodeError as exc:
        reading.error = f"{exc.msg} (line {exc.lineno}, column {exc.colno})"
    start = _first_opening(text)
    if start is None:
        reading.problems.append("no JSON object or array in the block")
        return reading
    end = matching_close(text, start)
    reading.prefix = text[:start].strip()
    if end is None:
        reading.truncated = True
        reading.problems.append(f"truncated: the {'object' if text[start] == '{' else 'array'} opened at "
                                f"line {text.count(chr(10), 0, start) + 1} never closes")
        return reading
    reading.suffix = text[end + 1 :].strip()
    core = text[start : end + 1]
    if reading.prefix:
        reading.problems.append(f"stray text before the value: `{_short(reading.prefix)}`")
    if reading.suffix:
        reading.problems.append(f"stray text after the value: `{_short(reading.suffix)}`")
    try:
        reading.value = limits.loads_json(core)
        return reading
    except limits.LimitError as exc:  # the value inside the stray text is nested past the limit
        reading.error = exc.message
        reading.problems.append(exc.message)
        return reading
    except json.JSONDecodeError as exc:
        reading.error = f"{exc.msg} (line {exc.lineno}, column {exc.colno})"
    repr_value = _python_repr(core)
    if repr_value is not _NO_VALUE:
        reading.value = repr_value
        reading.converted = True
        reading.problems.append(f"a Python dict repr, not JSON ({_repr_signs(core)})")
        return reading
    try:
        reading.value = json5.loads(core)
        reading.converted = True
        reading.json5_only = True
        reading.problems.append("JSON5-only syntax (comments, trailing commas, single quotes or bare keys)")
    except (ValueError, RecursionError):  # json5 recurses in Python: a deep value is as unreadable
        reading.problems.append(f"not JSON: {reading.error}")
    return reading


def _python_repr(core: str) -> Any:
    """The value of a Python literal that JSON can carry, else _NO_VALUE."""
    if not re.search(r"'|\bNone\b|\bTrue\b|\bFalse\b", core):
        return _NO_VALUE
    try:
        value = ast.literal_eval(core)
        json.dumps(value)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return _NO_VALUE
    return value


def _repr_signs(core: str) -> str:
    signs = []
    if "'" in core:
        signs.append("single-quoted strings")
    signs += [f"`{word}`" for word in ("None", "True", "False") if re.search(rf"\b{word}\b", core)]
    return ", ".join(signs)


def _first_opening(text: str) -> int | None:
    positions = [p for p in (text.find("{"), text.find("[")) if p >= 0]
    return min(positions) if positions else None


def matching_close(text: str, start: int, quotes: str = "\"'") -> int | None:
    """Index of the bracket closing the one at `start`, skipping brackets inside strings quoted by `quotes`."""
    depth = 0
    quote = ""
    i = start
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in quotes:
            quote = ch
        elif ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
