"""A streamed Response example (`data: {...}` lines): each event against the documented text/event-stream schema.

Pages of streaming endpoints show what the stream looks like, one `data:` line per event. Read as one
JSON document it is "not JSON" and checked against `application/json`, which it never claimed to be.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from .. import limits
from ..findings import Code, Finding, Severity
from ..sources import Spec
from ..validation import SchemaEngine, validate

STREAM_MEDIA = "text/event-stream"
_FIELDS = ("data:", "event:", "id:", "retry:", ":")


def stream_events(text: str) -> list[tuple[int, Any]] | None:
    """(1-based line, payload) of each JSON `data:` event, `[DONE]` skipped; None unless the block is an SSE stream."""
    lines = [line.strip() for line in text.splitlines()]
    if not any(line.startswith("data:") for line in lines) or not all(not line or line.startswith(_FIELDS) for line in lines):
        return None
    events: list[tuple[int, Any]] = []
    for n, line in enumerate(lines, 1):
        if not line.startswith("data:"):
            continue
        data = line[len("data:"):].strip()
        if data == "[DONE]":
            continue
        try:
            events.append((n, limits.loads_json(data)))
        except ValueError:  # not JSON, or nested past the depth limit
            events.append((n, _NOT_JSON))
    return events


_NOT_JSON = object()


def iter_stream_example_findings(events: list[tuple[int, Any]], *, spec: Spec, media: dict[str, str], engine: SchemaEngine,
                                 source: str, line_of: Callable[[int], int], endpoint: str, anchor: str) -> Iterator[Finding]:
    """CT310 for an event that is not JSON, CT312 for one its stream schema rejects; one CT312 when no stream is documented."""
    schema = media.get(STREAM_MEDIA)
    if not schema:
        yield Finding(Code.DOC_EXAMPLE_SCHEMA_MISMATCH, Severity.ERROR, source,
                      f"the Response example is a stream (`data:` events), but the 200 response documents only "
                      f"{', '.join(media) or 'no content'}", line=line_of(1), endpoint=endpoint, anchor=anchor,
                      fix=f"document `{STREAM_MEDIA}` for the 200 response, or show the non-streamed reply")
        return
    for i, (n, payload) in enumerate(events):
        if payload is _NOT_JSON:
            yield Finding(Code.DOC_EXAMPLE_NOT_JSON, Severity.ERROR, source, f"event {i} of the streamed Response example is not JSON",
                          line=line_of(n), endpoint=endpoint, anchor=f"{anchor}:event:{i}")
            continue
        violations, problem = validate(engine, "response", schema, payload)
        if problem:
            return  # a malformed stream schema: the JSON example check reports it as CT306 once
        for v in violations:
            yield Finding(Code.DOC_EXAMPLE_SCHEMA_MISMATCH, Severity.ERROR, source,
                          f"event {i} of the streamed Response example does not match the {STREAM_MEDIA} schema: {v.message}",
                          line=line_of(n), pointer=v.pointer, endpoint=endpoint, anchor=f"{anchor}:event:{i}",
                          extra={"schema_pointer": v.schema_pointer, "spec": spec.source})
