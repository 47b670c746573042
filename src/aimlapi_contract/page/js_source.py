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
    JSON5 (the json5 parser is pure Python, ~7 ms a block: a fifth of a catalogue page's lint).

    ValueError when it is none of these, or nested deeper than the parsers recurse."""
    try:
        return _js_literal(block, **kw)
    except RecursionError:
        raise ValueError("the literal is nested too deeply to read") from None


def _js_literal(block: str, **kw: Any) -> Any:
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
    converted = _as_json(block)
    if converted is not None:
        try:
            return json.loads(converted, **kw)
        except ValueError:
            pass
    return json5.loads(block, **kw)


# The JSON5 that samples use beyond bare keys: 'single-quoted' strings and trailing commas. Each token is
# one JSON5 gives the same value for in JSON form; anything else (escapes in single quotes, JSON5 numbers,
# other white space, comments) is left to json5, and so is any text the conversion does not make JSON.
_TOKEN = re.compile(
    r"""(?P<ws>[ \t\n\r]+)|(?P<dq>"(?:[^"\\]|\\.)*")|(?P<sq>'[^'"\\\x00-\x1f\u2028\u2029]*')"""
    r"""|(?P<num>-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?(?![A-Za-z0-9_$.]))"""
    r"""|(?P<word>[A-Za-z_$][A-Za-z0-9_$]*)|(?P<punct>[{}\[\]:,])"""
)
_LITERALS = ("true", "false", "null")


def _as_json(block: str) -> str | None:
    """The block as JSON text (quoted keys and strings, no trailing commas), or None when a token is not one of those."""
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(block):
        match = _TOKEN.match(block, pos)
        if match is None:
            return None
        tokens.append((match.lastgroup or "", match.group()))
        pos = match.end()
    significant = [i for i, (kind, _) in enumerate(tokens) if kind != "ws"]
    out = [text for _, text in tokens]
    for n, i in enumerate(significant):
        kind, text = tokens[i]
        following = tokens[significant[n + 1]][1] if n + 1 < len(significant) else ""
        if kind == "sq":
            out[i] = '"' + text[1:-1] + '"'
        elif kind == "word":
            if following == ":":
                out[i] = '"' + text + '"'  # a key, reserved words too, as JSON5 reads them
            elif text not in _LITERALS:
                return None  # Infinity, NaN, undefined, a variable: json5 says what it is
        elif text == "," and following in ("}", "]") and n and tokens[significant[n - 1]][1] not in ("{", "[", ",", ":"):
            out[i] = ""  # a trailing comma after a value
    return "".join(out)


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
