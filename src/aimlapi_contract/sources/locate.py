"""Line numbers for JSON pointers in a JSON text, so findings in specs and examples point at the line to fix.

Only the containers along each pointer are scanned, each only up to the member asked for (the C
scanner skips the sibling values before it; the member's own value is entered, never parsed), and
what was scanned is remembered, so locating a hundred pointers in a 1.8 MB spec costs at most one parse.
"""

from __future__ import annotations

import bisect
import json
import json.scanner
import re
from dataclasses import dataclass, field

from ..findings import pointer_parts

_WS = re.compile(r"[ \t\n\r]*")
_COUNTED = 64  # positions found by counting line breaks; past these, every line's start is indexed once


@dataclass(slots=True)
class _Container:
    """The members of one object or array found so far, and where scanning resumes."""

    is_object: bool
    cursor: int  # where the next member, or the pending value, starts
    value_pending: bool = False  # the value at `cursor` must be skipped before the next member
    done: bool = False
    members: dict[str, tuple[int, int]] = field(default_factory=dict)  # part -> (member offset, value offset)
    end: int | None = None  # just past the closing bracket, once scanned to it


class JsonLocator:
    """Finds where a JSON pointer's member starts in `text` (1-based line); None when it is not there."""

    def __init__(self, text: str, known_json: bool = False) -> None:
        """`known_json`: the caller has parsed `text` already, so it need not be checked again."""
        self.text = text
        self._is_json: bool | None = True if known_json else None
        # The C scanner takes the decoder as its context (typeshed types the argument otherwise).
        self._scan = json.scanner.make_scanner(json.JSONDecoder())  # type: ignore[arg-type]
        self._containers: dict[int, _Container] = {}  # by the offset of their opening bracket
        self._newlines: list[int] | None = None
        self._counted = 0  # positions found by counting line breaks, before the index is built

    def offset(self, pointer: str, nearest: bool = False) -> int | None:
        """Offset of the member (its key, for object members) the pointer names.

        With `nearest`, a pointer that goes past what the text holds (a missing property) gives its
        deepest ancestor that is there, so the finding lands on the object to edit.
        """
        if not self._checked():
            return None
        try:
            pos = self._skip(0)
            here = pos
            for part in pointer_parts(pointer):
                member = self._member(pos, part)
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
        if not self._checked():
            return {}
        try:
            start = self._skip(0)
            stack = [("", start, start)]  # pointer, where its member starts, where its value starts
            while stack:
                pointer, here, pos = stack.pop()
                offsets[pointer] = here
                for name, (member, value) in self._all_members(pos).items():
                    stack.append((pointer + "/" + name.replace("~", "~0").replace("/", "~1"), member, value))
        except (ValueError, IndexError, StopIteration, RecursionError):
            return {}
        return {pointer: self._line_column(offset)[0] for pointer, offset in sorted(offsets.items(), key=lambda item: item[1])}

    def _checked(self) -> bool:
        """Is the text JSON? Scanning stops at the members asked for, so it cannot tell a truncated text."""
        if self._is_json is None:
            try:
                json.loads(self.text)
                self._is_json = True
            except (ValueError, RecursionError):
                self._is_json = False
        return self._is_json

    def _line_column(self, offset: int) -> tuple[int, int]:
        if self._newlines is None and self._counted < _COUNTED:
            # The first few by counting in C: indexing every line of a 1.8 MB spec takes ~10 ms, and a run
            # over real traffic asks for the lines of its twenty root causes.
            self._counted += 1
            return self.text.count("\n", 0, offset) + 1, offset - self.text.rfind("\n", 0, offset)
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer("\n", self.text)]
        index = bisect.bisect_left(self._newlines, offset)
        line_start = self._newlines[index - 1] + 1 if index else 0
        return index + 1, offset - line_start + 1

    def _skip(self, pos: int) -> int:
        return _WS.match(self.text, pos).end()  # type: ignore[union-attr]

    def _member(self, pos: int, part: str) -> tuple[int, int] | None:
        container = self._container(pos)
        while part not in container.members and not container.done:
            self._scan_next(container)
        return container.members.get(part)

    def _all_members(self, pos: int) -> dict[str, tuple[int, int]]:
        container = self._container(pos)
        while not container.done:
            self._scan_next(container)
        return container.members

    def _container(self, pos: int) -> _Container:
        if pos not in self._containers:
            opener = self.text[pos] if pos < len(self.text) else ""
            container = _Container(opener == "{", self._skip(pos + 1))
            container.done = opener not in ("{", "[")  # a scalar has no members
            self._containers[pos] = container
        return self._containers[pos]

    def _past_value(self, pos: int) -> int:
        """Where the value at `pos` ends. One already entered is scanned on to its bracket, not parsed again:
        parsing each entered value once per level above it cost a large spec's findings most of their time."""
        entered = self._containers.get(pos)
        if entered is None or not (entered.is_object or self.text[pos] == "["):
            return int(self._scan(self.text, pos)[1])  # never entered, or a scalar: the C scanner skips it
        while not entered.done:
            self._scan_next(entered)
        return entered.end if entered.end is not None else int(self._scan(self.text, pos)[1])

    def _scan_next(self, container: _Container) -> None:
        """Record the container's next member, skipping the previous member's value first."""
        text, cur = self.text, container.cursor
        if container.value_pending:
            cur = self._past_value(cur)
            cur = self._skip(cur)
            if text[cur] == ",":
                cur = self._skip(cur + 1)
            container.value_pending = False
        if text[cur] in "}]":
            container.done, container.end = True, cur + 1
            return
        start = cur
        if container.is_object:
            key, cur = self._scan(text, cur)
            cur = self._skip(cur)
            if text[cur] != ":":
                raise ValueError("expected ':'")
            cur = self._skip(cur + 1)
            name = str(key)
        else:
            name = str(len(container.members))
        container.members.setdefault(name, (start, cur))  # a duplicate key keeps its first place (json keeps the last value)
        container.cursor, container.value_pending = cur, True


def nearest_line(lines: dict[str, int], pointer: str) -> int | None:
    """The line of `pointer`, else of its deepest ancestor in `lines` (a missing property is reported at its parent)."""
    while pointer not in lines and pointer:
        pointer = pointer.rsplit("/", 1)[0]
    return lines.get(pointer)
