"""Prose from findings split into text and code: `backtick spans`, JSON pointers, and an embedded JSON fix.

Messages and fixes write code in backticks and name schema locations as JSON pointers; the Markdown and
HTML reports show both as code, and a fix that carries a whole payload ("... with this JSON: {...}")
as a block of its own that can be copied.
"""

from __future__ import annotations

import json
import re

_SPANS = re.compile(r"`([^`\n]+)`|(?<![\w`/])(/(?:[\w~.\-{}$@:]+/)+[\w~.\-{}$@:]+|/[\w~.\-{}$@:]*~1[\w~.\-{}$@:]*)")
_JSON_TAIL = re.compile(r"^(.*?:)\s*([\[{].*)$", re.S)


def spans(text: str) -> list[tuple[bool, str]]:
    """(is_code, text) pieces of one line of prose, in order."""
    out: list[tuple[bool, str]] = []
    pos = 0
    for m in _SPANS.finditer(text):
        if m.start() > pos:
            out.append((False, text[pos:m.start()]))
        out.append((True, m.group(1) if m.group(1) is not None else m.group(2)))
        pos = m.end()
    if pos < len(text):
        out.append((False, text[pos:]))
    return out


def split_payload(fix: str) -> tuple[str, str]:
    """(prose, pretty JSON) when the fix ends with a JSON value after a colon, else (fix, '')."""
    m = _JSON_TAIL.match(fix)
    if not m:
        return fix, ""
    try:
        value = json.loads(m.group(2))
    except (ValueError, RecursionError):
        return fix, ""
    return m.group(1), json.dumps(value, indent=2, ensure_ascii=False)
