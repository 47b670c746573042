"""A `text/event-stream` response as a whole: every event validated, and the stream's own rules.

Chat streams: every chunk carries the same `id`, and the stream ends with `data: [DONE]`.
/v1/responses streams: `sequence_number` increases, an `event:` name matches the payload's `type`,
and the last event is `response.completed`, `response.failed` or `response.incomplete`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import Any, Protocol

from .. import limits
from ..findings import Code, Finding, Severity
from .event_shapes import EventShapes
from .guard import Tallies
from .sse import DONE, parse_sse

RESPONSES_TERMINAL = ("response.completed", "response.failed", "response.incomplete")


class FindingMaker(Protocol):
    """Builds a finding located in the exchange being checked (traffic._Where)."""

    def finding(self, code: Code, severity: Severity, message: str, *, part: str, line: int | None, **kw: Any) -> Finding: ...


def stream_flavour(path: str) -> str:
    """Which stream rules apply to an operation path: 'chat', 'responses', or '' (schema checks only)."""
    if path.rstrip("/").endswith("chat/completions"):
        return "chat"
    if path.rstrip("/").endswith("/responses"):
        return "responses"
    return ""


def iter_stream_findings(
    body: bytes,
    where: FindingMaker,
    path: str,
    line: int | None,
    validate: Callable[[Any, str, str, int | None, int], Iterable[Finding]],
    *,
    event_lines: bool = False,
    shapes: EventShapes | None = None,
) -> Iterator[Finding]:
    """Findings for each event (via `validate(payload, part, label, line, size)`, `size` the data's length) and
    for the stream as a whole.

    `line` is the body's line in the file; with `event_lines` (body line k is file line `line` + k),
    an event's findings get the event's own line, else the body's (the message names the body line).
    With `shapes` (traffic/event_shapes.py), an event of a known shape gets the earlier event's findings,
    relabelled, where they quote no value the shape leaves out; once findings are only counted, always
    (counted where that is all that is read of them)."""
    flavour = stream_flavour(path)
    stream = parse_sse(body)

    def at(body_line: int | None) -> int | None:
        return line + body_line if event_lines and line is not None and body_line is not None else line
    repeats: dict[str, _Verdicts] = {}
    by_shape: dict[tuple[bool, Hashable], _Verdicts] = {}
    quoting: set[Hashable] = set()  # shapes whose findings quote a blanked value: each event is judged
    done_at: int | None = None
    first_id: Any = None
    last_seq: tuple[int, int] | None = None  # (event index, sequence_number)
    last_type = ""
    cap = limits.current().json_depth
    for i, event in enumerate(stream.events):
        part = f"event:{i}"
        label = f"event {i} (body line {event.line})"
        if event.data.strip() == DONE:
            done_at = i
            continue
        if done_at is not None:
            yield where.finding(Code.SSE_INCONSISTENT, Severity.ERROR, f"{label} comes after `data: {DONE}`", part=part, line=at(event.line))
        seen = repeats.get(event.data)
        if seen is not None:  # the same data as an earlier event: the same verdicts, relabelled (validate is pure)
            payload = seen.payload
            yield from seen.relabelled_all(part, label, at(event.line))
        else:
            try:
                payload = limits.loads_json(event.data, cap)
            except ValueError as exc:
                yield where.finding(
                    Code.SSE_MALFORMED_EVENT, Severity.ERROR, f"{label}: data is not JSON ({exc})",
                    part=part, line=at(event.line), detail=_excerpt(event.data),
                )
                continue
            shape = shapes.key(payload) if shapes is not None else None
            # Findings made in full and findings only counted are kept apart: the cap may fill mid-stream.
            counting = shapes is not None and shapes.counting
            known = by_shape.get((counting, shape)) if shape is not None else None
            if known is not None and shapes is not None:
                if not counting:
                    yield from known.relabelled_all(part, label, at(event.line))
                elif not shapes.all_counted(known.tallies):
                    line_now = at(event.line)
                    yield from (known.relabelled(f, part, label, line_now) for f in known.findings if not shapes.counted(f))
            else:
                found = list(validate(payload, part, label, at(event.line), len(event.data)))
                small = len(event.data) <= _REPEAT_DATA_MAX
                tallies = shapes.tallies(found) if counting and shape is not None and shapes is not None else None
                verdicts = _Verdicts(payload, part, label, at(event.line), found, tallies)
                if small and len(repeats) < _REPEATS_KEPT:
                    repeats[event.data] = verdicts
                if small and shape is not None and shapes is not None and len(by_shape) < _SHAPES_KEPT:
                    if counting or (shape not in quoting and shapes.reusable(payload, found)):
                        by_shape[(counting, shape)] = verdicts
                    elif len(quoting) < _SHAPES_KEPT:
                        quoting.add(shape)
                yield from found
        if not isinstance(payload, dict):
            continue
        kind = payload.get("type")
        if isinstance(kind, str):
            last_type = kind
            if event.event != "message" and event.event != kind:
                yield where.finding(
                    Code.SSE_INCONSISTENT, Severity.ERROR, f"{label}: `event: {event.event}` but the payload's type is {kind!r}",
                    part=part, line=at(event.line), pointer="/type",
                )
        if flavour == "chat" and "id" in payload:
            if first_id is None:
                first_id = payload["id"]
            elif payload["id"] != first_id:
                yield where.finding(
                    Code.SSE_INCONSISTENT, Severity.ERROR, f"{label}: chunk id {payload['id']!r} differs from the stream's first id {first_id!r}",
                    part=part, line=at(event.line), pointer="/id",
                )
        seq = payload.get("sequence_number")
        if flavour == "responses" and isinstance(seq, int) and not isinstance(seq, bool):
            if last_seq is not None and seq <= last_seq[1]:
                yield where.finding(
                    Code.SSE_INCONSISTENT, Severity.ERROR,
                    f"{label}: sequence_number {seq} does not increase (event {last_seq[0]} had {last_seq[1]})",
                    part=part, line=at(event.line), pointer="/sequence_number",
                )
            last_seq = (i, seq)
    if stream.unchecked:
        cap = limits.current().sse_events
        yield where.finding(
            Code.INPUT_OVER_LIMIT, Severity.ERROR,
            f"the stream has {cap + stream.unchecked:,} events; only the first {cap:,} were checked "
            f"(raise it with `{limits.FLAGS['sse_events'][0]}`)", part="stream", line=line,
        )
    yield from _termination(stream, flavour, done_at, last_type, where, line, at(stream.tail_line))


# A stream repeating one event 200,000 times costs one validation, not 200,000; real streams repeat a few.
_REPEATS_KEPT = 256
_REPEAT_DATA_MAX = 16 * 1024
_SHAPES_KEPT = 1024  # a shape key holds the kept values only: small


class _Verdicts:
    """The parsed payload and the findings of the first event with some data, to re-use for its repeats."""

    __slots__ = ("payload", "part", "label", "line", "findings", "tallies", "_templates")

    def __init__(self, payload: Any, part: str, label: str, line: int | None, findings: list[Finding],
                 tallies: Tallies | None = None) -> None:
        self.payload, self.part, self.label, self.line, self.findings = payload, part, label, line, findings
        self.tallies = tallies  # the findings as counts (traffic/event_shapes.py), for an event of the same shape
        self._templates: list[tuple[Finding, str | None, str | None, bool]] | None = None

    def relabelled(self, finding: Finding, part: str, label: str, line: int | None) -> Finding:
        """`finding` (made for the first event) as made for a later one: its part, label and line."""
        anchor = finding.anchor[: -len(self.part)] + part if finding.anchor.endswith(self.part) else finding.anchor
        message = label + finding.message[len(self.label):] if finding.message.startswith(self.label) else finding.message
        # Built directly: dataclasses.replace costs ~10x more, and a long stream repeats this a million times.
        f = finding
        return Finding(f.code, f.severity, f.source, message, line if f.line == self.line else f.line, f.column, f.pointer,
                       f.endpoint, f.fix, f.detail, anchor, f.extra)

    def relabelled_all(self, part: str, label: str, line: int | None) -> list[Finding]:
        """Every finding, as `relabelled` makes each: what each keeps of its anchor and message is worked out once."""
        templates = self._templates
        if templates is None:
            templates = self._templates = [
                (f, f.anchor[: -len(self.part)] if f.anchor.endswith(self.part) else None,
                 f.message[len(self.label):] if f.message.startswith(self.label) else None, f.line == self.line)
                for f in self.findings
            ]
        return [
            Finding(f.code, f.severity, f.source, f.message if tail is None else label + tail, line if moves else f.line,
                    f.column, f.pointer, f.endpoint, f.fix, f.detail, f.anchor if head is None else head + part, f.extra)
            for f, head, tail, moves in templates
        ]


def _termination(
    stream: Any, flavour: str, done_at: int | None, last_type: str, where: FindingMaker, line: int | None, tail_line: int | None
) -> Iterator[Finding]:
    if stream.tail:
        yield where.finding(
            Code.SSE_UNTERMINATED, Severity.ERROR,
            f"the body ends mid-event (body line {stream.tail_line}: no blank line after it), so the event is discarded",
            part="stream", line=tail_line, detail=_excerpt(stream.tail),
        )
    if not stream.events:
        yield where.finding(Code.SSE_UNTERMINATED, Severity.ERROR, "the stream has no events at all", part="stream", line=line)
    elif flavour == "chat" and done_at is None:
        yield where.finding(
            Code.SSE_UNTERMINATED, Severity.ERROR, f"chat stream ends without `data: {DONE}` ({len(stream.events)} events)",
            part="stream", line=line,
        )
    elif flavour == "responses" and last_type not in RESPONSES_TERMINAL:
        yield where.finding(
            Code.SSE_UNTERMINATED, Severity.ERROR,
            f"responses stream ends with {last_type or 'no typed event'!r}, not one of {', '.join(RESPONSES_TERMINAL)}",
            part="stream", line=line,
        )


def _excerpt(text: str, limit: int = 200) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + "…"
