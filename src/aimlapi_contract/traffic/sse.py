"""Server-sent events, parsed by the WHATWG HTML rules (section 9.2 "Server-sent events").

Lines end in CRLF, LF or CR; a line starting with ':' is a comment (keep-alive); `field: value` drops
one space after the colon; `data` lines accumulate with '\n'; a blank line dispatches the event; an
event with an empty data buffer is not dispatched; whatever is pending at end of stream is discarded
(kept here as `SSEStream.tail`, so a truncated stream can be reported rather than silently lost).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .. import limits

DONE = "[DONE]"  # OpenAI's end-of-stream sentinel, sent as `data: [DONE]`

_LINE_END = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True, slots=True)
class SSEEvent:
    """One dispatched event. `line` is the 1-based line of the body where the event's first field was."""

    data: str
    event: str = "message"
    id: str | None = None
    retry: int | None = None
    line: int = 1


@dataclass(slots=True)
class SSEStream:
    """Every dispatched event of a body, plus any field lines left pending when the body ended."""

    events: list[SSEEvent] = field(default_factory=list)
    comments: int = 0
    tail: str = ""  # the raw lines of an event that never got its terminating blank line
    tail_line: int | None = None
    unchecked: int = 0  # events past the events limit (limits.py): counted, not kept


def parse_sse(body: bytes | str) -> SSEStream:
    """Parse a whole `text/event-stream` body; never raises (bad UTF-8 is replaced, as the spec says)."""
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    if text.startswith("\ufeff"):
        text = text[1:]
    return _data_lines_only(text) or parse_lines(text)


_DATA = "data: "


def _data_lines_only(text: str) -> SSEStream | None:
    """The stream of a body made only of `data: ` lines each followed by one blank line (LF), else None.

    What APIs send; the same events `parse_lines` dispatches, without its per-line state machine."""
    if "\r" in text or not text.endswith("\n\n"):
        return None
    lines = text.split("\n")
    lines.pop()  # the split after the final line end
    data, blanks = lines[0::2], lines[1::2]
    if len(data) != len(blanks) or any(blanks) or not all(line.startswith(_DATA) for line in data):
        return None
    cap = limits.current().sse_events
    start = len(_DATA)
    events = [SSEEvent(line[start:], "message", None, None, 2 * i + 1) for i, line in enumerate(data[:cap])]
    return SSEStream(events, unchecked=max(0, len(data) - cap))


def parse_lines(text: str) -> SSEStream:
    """The WHATWG parsing of a decoded body, line by line (any line endings, comments, fields)."""
    lines = _LINE_END.split(text)
    if lines and lines[-1] == "":
        lines.pop()  # the split after the final line end, not a line of its own
    stream = SSEStream()
    cap = limits.current().sse_events
    data: list[str] = []
    event_type = ""
    last_id: str | None = None
    retry: int | None = None
    start: int | None = None
    pending: list[str] = []
    for number, line in enumerate(lines, start=1):
        if line == "":
            if data and len(stream.events) >= cap:
                stream.unchecked += 1
            elif data:
                stream.events.append(SSEEvent("\n".join(data), event_type or "message", last_id, retry, start or number))
            data, event_type, retry, start, pending = [], "", None, None, []
            continue
        if line.startswith(":"):
            stream.comments += 1
            continue
        if start is None:
            start = number
        pending.append(line)
        name, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if name == "data":
            data.append(value)
        elif name == "event":
            event_type = value
        elif name == "id" and "\0" not in value:
            last_id = value  # the last event ID persists across events, as in the spec
        elif name == "retry" and value.isascii() and value.isdigit():
            retry = int(value)
        # other field names are ignored, as the spec says
    if pending:
        stream.tail = "\n".join(pending)
        stream.tail_line = start
    return stream
