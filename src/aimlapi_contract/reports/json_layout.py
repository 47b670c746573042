"""JSON laid out as `json.dumps(indent=2)` would, except one long list: an item per line, each C-encoded.

The stdlib indents in pure Python: 2 s for the 41,000 findings of 1,200 recordings, 0.27 s for SARIF's 5,000
results. Encoding each item of the long list on its own line is the C encoder's work, greps as one hit, and any
JSON reader reads the same document. The text is joined once from its pieces: a report of 75 MB is not
copied once per level of nesting.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

_ONE_LINE = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode


def dumps_with_rows(value: Any, rows_at: Sequence[str | int]) -> str:
    """`json.dumps(value, indent=2, ensure_ascii=False) + "\\n"`, but the list at path `rows_at` (keys and
    indices from `value`) holds one item per line; it may be an iterator of the items, which are then made one
    at a time. Where the path is not in `value`, exactly json.dumps's text."""
    out: list[str] = []
    _write(value, tuple(rows_at), 0, out)
    out.append("\n")
    return "".join(out)


def _write(value: Any, rows_at: tuple[str | int, ...], level: int, out: list[str]) -> None:
    pad, end = "\n" + "  " * (level + 1), "\n" + "  " * level
    if not rows_at:
        if isinstance(value, list | tuple | Iterator):
            first = len(out)
            for item in value:
                out += (",", pad, _ONE_LINE(item))
            if len(out) == first:
                out.append("[]")
            else:
                out[first] = "["  # the first item's comma
                out.append(end + "]")
            return
        out.append(_indented(value, level))
        return
    step, rest = rows_at[0], rows_at[1:]
    members: Iterator[tuple[str, bool, Any]]
    if isinstance(value, dict) and value and all(isinstance(k, str) for k in value):  # other keys: json.dumps's coercion
        brackets, members = "{}", ((_ONE_LINE(k) + ": ", k == step, m) for k, m in value.items())
    elif isinstance(value, list | tuple) and value and isinstance(step, int) and not isinstance(step, bool):
        brackets, members = "[]", (("", i == step, m) for i, m in enumerate(value))
    else:
        out.append(_indented(value, level))
        return
    out.append(brackets[0])
    for i, (label, on_path, member) in enumerate(members):
        out += ("," if i else "", pad, label)
        if on_path:
            _write(member, rest, level + 1, out)
        else:
            out.append(_indented(member, level + 1))
    out.append(end + brackets[1])


def _indented(value: Any, level: int) -> str:
    """`value` as json.dumps(indent=2) writes it `level` levels deep (a JSON string never holds a raw line break)."""
    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + "  " * level)
