"""JavaScript source as the sample readers need it: comments blanked (lines kept), a bracketed value found, a literal read."""

from __future__ import annotations

import json
import re
from typing import Any

import json5

from .examples import matching_close


# A bare key (`{ model: "x" }`). Quoting one inside a string value always leaves a bare word outside quotes
# (`"a, b: c"` -> `"a, "b": c"`), which json.loads rejects, so a result it accepts is the literal's own.
_BARE_KEY = re.compile(r"([{,]\s*)([A-Za-z_$][\w$]*)(\s*:)")


def js_literal(block: str, **kw: Any) -> Any:
    """A JS object literal's value: as JSON when it is JSON, or JSON once its bare keys are quoted (fast), else as
    JSON5 (the json5 parser is pure Python, ~7 ms a block: a fifth of a catalogue page's lint)."""
    try:
        return json.loads(block, **kw)
    except ValueError:
        pass
    quoted = _BARE_KEY.sub(r'\1"\2"\3', block)
    if quoted != block:
        try:
            return json.loads(quoted, **kw)
        except ValueError:
            pass
    return json5.loads(block, **kw)


def strip_js_comments(code: str) -> str:
    """`//` and `/* */` comments replaced by spaces (newlines kept, so lines still match the page)."""
    out, i, quote = [], 0, ""
    while i < len(code):
        ch = code[i]
        if quote:
            out.append(ch)
            if ch == "\\" and i + 1 < len(code):
                out.append(code[i + 1])
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "'\"`":
            quote = ch
            out.append(ch)
        elif code.startswith("//", i):
            end = code.find("\n", i)
            end = len(code) if end < 0 else end
            out.append(" " * (end - i))
            i = end - 1
        elif code.startswith("/*", i):
            end = code.find("*/", i + 2)
            end = len(code) if end < 0 else end + 2
            out.append("".join(c if c == "\n" else " " for c in code[i:end]))
            i = end - 1
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def balanced_after(code: str, pattern: str, pos: int) -> tuple[int, str] | None:
    """(start, text) of the bracketed value following `pattern`, brackets inside strings ignored."""
    match = re.compile(pattern).search(code, pos)
    if not match:
        return None
    start = match.end()
    end = matching_close(code, start, quotes="'\"`")  # JavaScript template literals too
    return None if end is None else (start, code[start : end + 1])
