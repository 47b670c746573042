"""A payload's schema findings made once per shape in a run, and relabelled for each later payload of it.

Real traffic repeats itself: a thousand recordings of one endpoint send a few request shapes and stream
a few kinds of chunk, differing in text, ids and timestamps. The schema's verdict and the undocumented-
field walk depend on a payload's shape alone (traffic/event_shapes.py: the values neither reads are
blanked), so the findings made for the first payload of a shape at one spec location are handed to the
later ones with their own source, anchor, line and label, in any cassette. Where one of them may quote
a blanked value (`PayloadShapes.reusable`), every payload of that shape is judged afresh. The semantic
rules are not kept here: they read the request and the clock, and run on each payload.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ..findings import Code, Finding
from ..sources import Spec
from .event_shapes import PayloadShapes

# Per process and replay (`forget` ends one): bounded, so memory stays flat on any corpus. A shape is about as
# large as its payload, so payloads past a size are judged each time, and what is kept is bounded in all by
# the bytes of the payloads whose shapes are kept and by the findings kept for them.
_SHAPES: dict[tuple[str, str], PayloadShapes | None] = {}
_MAX_LOCATIONS = 4096
_MAX_VERDICTS = 20_000
_MAX_PAYLOAD = 16 * 1024  # bytes of JSON text: a larger payload is judged without a shape
_MAX_KEPT = 16 * 1024 * 1024  # bytes of JSON text whose shapes are kept, in all
_MAX_FINDINGS = 256  # a payload with more findings than this is judged each time
_MAX_KEPT_FINDINGS = 50_000  # findings kept in all (~25 MB)


class _Memo:
    def __init__(self) -> None:
        self.verdicts: dict[tuple[Any, ...], _Made] = {}
        self.kept = 0  # bytes of the payloads whose shapes are keys of `verdicts`
        self.findings = 0  # findings held by `verdicts`


_MEMO = _Memo()


def forget() -> None:
    """Drop what was learned (a replay ends): a long-lived process (the pytest plugin) keeps none of it."""
    global _MEMO
    _MEMO = _Memo()
    _SHAPES.clear()


def once_per_shape(
    spec: Spec,
    endpoint: str,
    schema_pointer: str,
    payload: Any,
    part: str,
    *,
    counted_only: bool,
    source: str,
    anchor: str,
    line: int | None,
    label: str,
    size: int,
    make: Callable[[], Iterable[Finding]],
) -> Iterator[Finding]:
    """`make()`'s findings for `payload` (the `part` at `anchor` of `source`; `size` bytes of JSON), or those
    of an earlier payload of its shape at the same spec location, relabelled. `counted_only`: findings are
    made without messages (past the cap), a verdict of its own."""
    if size > _MAX_PAYLOAD:
        yield from make()
        return
    shapes = _shapes_for(spec, schema_pointer)
    shape = shapes.key(payload) if shapes is not None else None
    if shapes is None or shape is None:
        yield from make()
        return
    kind = "request" if part == "request" else "event" if part.startswith("event") else "response"  # picks the code
    key = (spec.sha256, spec.source, endpoint, schema_pointer, kind, counted_only, shape)
    memo = _MEMO
    known = memo.verdicts.get(key)
    if known is not None:
        yield from known.relabelled(source, anchor, line, label)
        return
    found = list(make())
    # A malformed schema (CT306) is reported once per schema by the caller: its finding must pass each time.
    unusable = any(f.code is Code.DOC_SCHEMA_UNUSABLE for f in found)
    room = (len(memo.verdicts) < _MAX_VERDICTS and memo.kept + size <= _MAX_KEPT and len(found) <= _MAX_FINDINGS
            and memo.findings + len(found) <= _MAX_KEPT_FINDINGS)
    if room and not unusable and (counted_only or shapes.reusable(payload, found)):
        memo.verdicts[key] = _Made(found, anchor, line, label)
        memo.kept += size
        memo.findings += len(found)
    yield from found


@dataclass(frozen=True, slots=True)
class _Made:
    """The findings made for the first payload of a shape, and the anchor, line and label they were made with."""

    findings: list[Finding]
    anchor: str
    line: int | None
    label: str

    def relabelled(self, source: str, anchor: str, line: int | None, label: str) -> Iterator[Finding]:
        n = len(self.label)
        for f in self.findings:
            message = label + f.message[n:] if f.message.startswith(self.label) else f.message
            # Built directly: dataclasses.replace costs ~10x more.
            yield Finding(f.code, f.severity, source, message, line if f.line == self.line else f.line, f.column,
                          f.pointer, f.endpoint, f.fix, f.detail, anchor if f.anchor == self.anchor else f.anchor, f.extra)


def _shapes_for(spec: Spec, schema_pointer: str) -> PayloadShapes | None:
    key = (spec.sha256, schema_pointer)
    if key not in _SHAPES:
        _SHAPES[key] = PayloadShapes(spec, schema_pointer) if len(_SHAPES) < _MAX_LOCATIONS else None
    return _SHAPES[key]
