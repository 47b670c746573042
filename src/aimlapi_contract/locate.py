"""Line numbers for JSON pointers in a JSON text, so findings in specs and examples point at the line to fix.

Only the containers along each pointer are scanned (the C scanner skips the values in between), and
what was scanned is remembered, so locating a hundred pointers in a 1.8 MB spec costs about one parse.
"""

from __future__ import annotations

import bisect
import json
import json.scanner
import re

_WS = re.compile(r"[ \t\n\r]*")


class JsonLocator:
    """Finds where a JSON pointer's member starts in `text` (1-based line); None when it is not there."""

    def __init__(self, text: str) -> None:
        self.text = text
        # The C scanner takes the decoder as its context (typeshed types the argument otherwise).
        self._scan = json.scanner.make_scanner(json.JSONDecoder())  # type: ignore[arg-type]
        self._members: dict[int, dict[str, tuple[int, int]]] = {}  # container offset -> part -> (line offset, value offset)
        self._newlines: list[int] | None = None

    def offset(self, pointer: str, nearest: bool = False) -> int | None:
        """Offset of the member (its key, for object members) the pointer names.

        With `nearest`, a pointer that goes past what the text holds (a missing property) gives its
        deepest ancestor that is there, so the finding lands on the object to edit.
        """
        try:
            pos = self._skip(0)
            here = pos
            for raw in pointer.split("/")[1:] if pointer else []:
                part = raw.replace("~1", "/").replace("~0", "~")
                member = self._members_of(pos).get(part)
                if member is None:
                    return here if nearest else None
                here, pos = member
            return here
        except (ValueError, IndexError, StopIteration, RecursionError):
            return None  # not JSON, or not the JSON the pointer came from

    def line(self, pointer: str, nearest: bool = False) -> int | None:
        """1-based line of the pointer's member (see `offset` for `nearest`)."""
        position = self.position(pointer, nearest)
        return position[0] if position else None

    def position(self, pointer: str, nearest: bool = False) -> tuple[int, int] | None:
        """1-based (line, column) of the pointer's member (see `offset` for `nearest`)."""
        offset = self.offset(pointer, nearest)
        return None if offset is None else self._line_column(offset)

    def lines(self) -> dict[str, int]:
        """Every pointer in the text -> its 1-based line ({} when the text is not JSON); for small payloads."""
        offsets: dict[str, int] = {}
        try:
            start = self._skip(0)
            stack = [("", start, start)]  # pointer, where its member starts, where its value starts
            while stack:
                pointer, here, pos = stack.pop()
                offsets[pointer] = here
                for name, (member, value) in self._members_of(pos).items():
                    stack.append((pointer + "/" + name.replace("~", "~0").replace("/", "~1"), member, value))
            if start >= len(self.text):
                return {}
        except (ValueError, IndexError, StopIteration, RecursionError):
            return {}
        return {pointer: self._line_column(offset)[0] for pointer, offset in sorted(offsets.items(), key=lambda item: item[1])}

    def _line_column(self, offset: int) -> tuple[int, int]:
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer("\n", self.text)]
        index = bisect.bisect_left(self._newlines, offset)
        line_start = self._newlines[index - 1] + 1 if index else 0
        return index + 1, offset - line_start + 1

    def _skip(self, pos: int) -> int:
        return _WS.match(self.text, pos).end()  # type: ignore[union-attr]

    def _members_of(self, pos: int) -> dict[str, tuple[int, int]]:
        if pos in self._members:
            return self._members[pos]
        text, members = self.text, {}
        opener = text[pos]
        if opener not in "{[":
            self._members[pos] = {}
            return {}
        closer = "}" if opener == "{" else "]"
        cur = self._skip(pos + 1)
        index = 0
        while text[cur] != closer:
            start = cur
            if opener == "{":
                key, cur = self._scan(text, cur)
                cur = self._skip(cur)
                if text[cur] != ":":
                    raise ValueError("expected ':'")
                cur = self._skip(cur + 1)
                name = str(key)
            else:
                name = str(index)
                index += 1
            members[name] = (start, cur)
            _, cur = self._scan(text, cur)
            cur = self._skip(cur)
            if text[cur] == ",":
                cur = self._skip(cur + 1)
        self._members[pos] = members
        return members


def nearest_line(lines: dict[str, int], pointer: str) -> int | None:
    """The line of `pointer`, else of its deepest ancestor in `lines` (a missing property is reported at its parent)."""
    while pointer not in lines and pointer:
        pointer = pointer.rsplit("/", 1)[0]
    return lines.get(pointer)
