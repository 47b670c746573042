"""One HTTP exchange against the tracked specs: path, status, content type, every payload, every SSE event.

Verdicts come only from `engine.SchemaEngine` (openapi-core's OAS 3.0 validators, one engine per spec,
validators built once per schema), so a stream of thousands of events re-uses the same validators.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .. import limits
from ..findings import Code, Finding, Severity, dotted
from ..sources import Operation, Spec
from ..validation import Cause, SchemaEngine, iter_semantic_findings, unusable_schema, validate, violation_cause
from ..validation.engine import Violation
from .event_shapes import EventShapes
from .exchange import Exchange
from .guard import FindingBudget
from .intent import deliberately_invalid
from .routing import other_model_finding, route, without_model_drift
from .shape_verdicts import once_per_shape
from .root_causes import status_cause, undocumented_cause
from .streams import iter_stream_findings
from .undocumented import FieldWalker

_ENGINES: dict[tuple[str, bool], tuple[SchemaEngine, FieldWalker]] = {}


def engine_for(spec: Spec, reference: bool = False) -> tuple[SchemaEngine, FieldWalker]:
    """The one SchemaEngine (and field walker) per spec content, shared by every exchange of a run.

    `reference`: the pair without caches or closed-world proofs (the old path, to compare against)."""
    key = (spec.sha256, reference)
    if key not in _ENGINES:
        if reference:
            _ENGINES[key] = (SchemaEngine(spec, reference=True), FieldWalker(spec, reference=True))
        else:
            _ENGINES[key] = (SchemaEngine(spec), FieldWalker(spec))
    return _ENGINES[key]


@dataclass(frozen=True, slots=True)
class PayloadContext:
    """Where a payload sits: what extra checks (issue 4, semantics) need to report precisely."""

    exchange: Exchange
    spec: Spec
    operation: Operation
    part: str  # "request", "response" or "event"
    source: str
    anchor: str
    line: int | None


@functools.lru_cache(maxsize=8)
def _request_payload(body: bytes) -> dict[str, Any] | None:
    # Cached: every event of a long stream asks for the same request body.
    try:
        payload = limits.loads_json(body) if body.strip() else None
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None


def semantic_checks(payload: Any, context: PayloadContext) -> Iterable[Finding]:
    """The rules a schema can't express (validation/semantics.py), on replies and stream events, not on requests."""
    if context.part == "request":
        return ()
    return iter_semantic_findings(
        payload,
        endpoint=context.operation.endpoint,
        source=context.source,
        streamed_event=context.part.startswith("event"),
        request=_request_payload(context.exchange.request_body),
        line=context.line,
        anchor=context.anchor,
    )


# Per-payload checks beyond the schema; each gets the parsed payload and its context and yields
# findings. The schema checks run first.
EXTRA_PAYLOAD_CHECKS: list[Callable[[Any, PayloadContext], Iterable[Finding]]] = [semantic_checks]


def iter_exchange_findings(
    exchange: Exchange, specs: Sequence[Spec], *, source: str, anchor: str = "", line: int | None = None
) -> Iterator[Finding]:
    """Every way `exchange` disagrees with the spec documenting its path; all violations, not the first."""
    yield from iter_located_findings(exchange, specs, source=source, anchor=anchor, lines=(line, line, line))


def once_per_unusable_schema(findings: Iterable[Finding]) -> Iterator[Finding]:
    """`findings` with each CT306 (a malformed schema) kept once per spec and schema pointer."""
    seen: set[tuple[str, ...]] = set()
    for finding in findings:
        if finding.code is Code.DOC_SCHEMA_UNUSABLE:
            if finding.key in seen:
                continue
            seen.add(finding.key)
        yield finding


def iter_located_findings(
    exchange: Exchange,
    specs: Sequence[Spec],
    *,
    source: str,
    anchor: str,
    lines: tuple[int | None, int | None, int | None],
    event_lines: bool = False,
    reference: bool = False,
    budget: FindingBudget | None = None,
) -> Iterator[Finding]:
    """As iter_exchange_findings, with separate lines for the exchange, its request body and its response body.

    With `event_lines`, body line k of the response is file line response_line + k (a literal block
    scalar), so each SSE event's findings get the event's own line. Once `budget` is full, schema
    findings are made without message, fix or cause (they are only counted: traffic/guard.py)."""
    line, request_line, response_line = lines
    routed = route(specs, exchange)
    endpoint = f"{exchange.method.upper()} {exchange.path}"
    if routed is None:
        documented = sorted({endpoint for spec in specs for endpoint in spec.endpoints()})
        yield Finding(
            Code.UNDOCUMENTED_PATH, Severity.ERROR, source,
            f"no tracked spec documents {endpoint}; documented: {', '.join(documented) or 'nothing'}",
            line=line, endpoint=endpoint, anchor=anchor,
        )
        return
    spec, op = routed.spec, routed.operation
    base = _Where(exchange, spec, op, source, anchor, op.endpoint, reference, budget)
    if routed.other_model and deliberately_invalid(exchange.request_headers, exchange.status) is None:
        yield other_model_finding(routed, exchange, specs, source=source, anchor=anchor, line=request_line or line)
    # A malformed schema is reported once, not once per stream event.
    requests = _request_findings(base, request_line)
    yield from once_per_unusable_schema(without_model_drift(requests) if routed.other_model else requests)
    yield from once_per_unusable_schema(_response_findings(base, line, response_line, event_lines))


@dataclass(frozen=True, slots=True)
class _Where:
    exchange: Exchange
    spec: Spec
    op: Operation
    source: str
    anchor: str
    endpoint: str
    reference: bool = False  # the old path: see engine_for
    budget: FindingBudget | None = None  # full: findings made now are only counted

    def part_anchor(self, part: str) -> str:
        return f"{self.anchor}:{part}" if self.anchor else part

    def finding(self, code: Code, severity: Severity, message: str, *, part: str, line: int | None, **kw: Any) -> Finding:
        return Finding(code, severity, self.source, message, line=line, endpoint=self.endpoint, anchor=self.part_anchor(part), **kw)


def _request_findings(where: _Where, line: int | None) -> Iterator[Finding]:
    body = where.exchange.request_body
    media = where.op.request_media_types()
    if not body.strip() or not media:
        return
    sent = (where.exchange.request_headers.get("content-type") or ["application/json"])[0].split(";")[0].strip().lower()
    pointer = media.get(sent)
    if pointer is None:
        yield where.finding(
            Code.UNDOCUMENTED_CONTENT_TYPE, Severity.ERROR,
            f"request content type {sent!r} is not documented; documented: {', '.join(media)}", part="request", line=line,
        )
        return
    payload = yield from _parsed_json(where, body, "request", line)
    if payload is not _NOT_JSON and deliberately_invalid(where.exchange.request_headers, where.exchange.status) is None:
        # A negative scenario's request breaks the schema on purpose (traffic/intent.py); its reply is still checked.
        yield from _payload_findings(where, pointer, payload, "request", line, size=len(body))


def _response_findings(where: _Where, line: int | None, body_line: int | None, event_lines: bool) -> Iterator[Finding]:
    ex = where.exchange
    media = where.op.response_media_types(ex.status)
    if media is None:
        cause = status_cause(where.spec, where.op, ex.status)
        yield where.finding(
            Code.UNDOCUMENTED_STATUS, Severity.ERROR,
            f"status {ex.status} is not documented; documented: {', '.join(where.op.documented_statuses()) or 'none'}",
            part="response", line=line, detail=_excerpt(ex.response_body), fix=cause.fix, extra=cause.as_extra(),
        )
        return
    if not media and not ex.response_body.strip():
        return  # a documented status without content (e.g. 204), answered without content
    ctype = ex.response_content_type() or _sniff(ex.response_body)
    pointer = media.get(ctype)
    if pointer is None:
        yield where.finding(
            Code.UNDOCUMENTED_CONTENT_TYPE, Severity.ERROR,
            f"status {ex.status} answered {ctype or 'no content type'!r}, which is not documented; documented: {', '.join(media) or 'none'}",
            part="response", line=line, detail=_excerpt(ex.response_body),
        )
        return
    if ctype == "text/event-stream":
        # Shapes know what the semantic rules read; a check added to EXTRA_PAYLOAD_CHECKS may read anything.
        shapes = None
        if where.budget is not None and not where.reference and EXTRA_PAYLOAD_CHECKS == [semantic_checks]:
            shapes = EventShapes(where.spec, pointer, where.budget)
        yield from iter_stream_findings(
            ex.response_body, where, where.op.path, body_line,
            validate=lambda payload, part, label, at, size: _payload_findings(where, pointer, payload, part, at, label, size),
            event_lines=event_lines, shapes=shapes,
        )
        return
    payload = yield from _parsed_json(where, ex.response_body, "response", body_line)
    if payload is not _NOT_JSON:
        yield from _payload_findings(where, pointer, payload, "response", body_line, size=len(ex.response_body))


_NOT_JSON = object()


def _parsed_json(where: _Where, body: bytes, part: str, line: int | None) -> Generator[Finding, None, Any]:
    """Yield a CT208 finding and return _NOT_JSON when `body` is not JSON; else return the payload."""
    try:
        return limits.loads_json(body.decode("utf-8-sig"))  # nesting past the limit: CT208 naming the limit
    except (UnicodeDecodeError, ValueError) as exc:
        yield where.finding(
            Code.BODY_NOT_JSON, Severity.ERROR, f"{part} body is not JSON: {exc}", part=part, line=line, detail=_excerpt(body)
        )
        return _NOT_JSON


def _payload_findings(
    where: _Where, schema_pointer: str, payload: Any, part: str, line: int | None, label: str = "", size: int | None = None
) -> Iterator[Finding]:
    """Schema violations (one finding each), undocumented fields, then the extra payload checks. `size`: the
    payload's length as JSON text (None: unknown)."""
    label = label or part
    yield from _schema_findings(where, schema_pointer, payload, part, line, label, size)
    context = PayloadContext(where.exchange, where.spec, where.op, part, where.source, where.part_anchor(part), line)
    for check in EXTRA_PAYLOAD_CHECKS:
        yield from check(payload, context)


def _schema_findings(
    where: _Where, schema_pointer: str, payload: Any, part: str, line: int | None, label: str, size: int | None
) -> Iterator[Finding]:
    """The schema's and the field walk's findings: once per payload shape and spec location in a run
    (traffic/shape_verdicts.py), relabelled for every later payload of that shape."""
    make = functools.partial(_made_schema_findings, where, schema_pointer, payload, part, line, label)
    if where.reference or size is None:
        return make()
    return once_per_shape(
        where.spec, where.endpoint, schema_pointer, payload, part,
        counted_only=where.budget is not None and where.budget.full,
        source=where.source, anchor=where.part_anchor(part), line=line, label=label, size=size, make=make,
    )


def _made_schema_findings(
    where: _Where, schema_pointer: str, payload: Any, part: str, line: int | None, label: str
) -> Iterator[Finding]:
    engine, walker = engine_for(where.spec, where.reference)
    request = part == "request"
    violations, problem = validate(engine, "request" if request else "response", schema_pointer, payload)
    if problem:  # the spec's schema is malformed: one CT306 at the schema (keyed on spec and pointer), not a crash
        yield unusable_schema(
            problem, f"traffic ({where.source} {where.part_anchor(part)})", source=where.spec.source,
            schema_pointer=schema_pointer, spec_source=where.spec.source, endpoint=where.endpoint, pointer=schema_pointer,
            anchor="traffic",
        )
    counted_only = where.budget is not None and where.budget.full
    seen: set[tuple[str, str, str]] = set()
    for v in violations:
        cause, extra = _violation_cause(where, v)
        if (v.pointer, cause.pointer, cause.kind) in seen:
            continue  # OAS30 reports one forbidden null up to three times (type, nullable, enum): one cause
        seen.add((v.pointer, cause.pointer, cause.kind))
        # A missing property is pinned to the property itself: two missing at one object are two findings.
        pointer = v.pointer + "/" + _escape(cause.kind.split(":", 1)[1]) if cause.kind.startswith("required:") else v.pointer
        if cause.kind == "null":
            code = Code.NULL_NOT_ALLOWED
        elif request:
            code = Code.REQUEST_SCHEMA_MISMATCH
        else:
            code = Code.SSE_EVENT_SCHEMA_MISMATCH if part.startswith("event") else Code.RESPONSE_SCHEMA_MISMATCH
        if counted_only:
            yield where.finding(code, Severity.ERROR, "", part=part, line=line, pointer=pointer)
            continue
        branch = f" [{v.branch}]" if v.branch else ""
        message = cause.reason or v.message
        if v.keyword in ("oneOf", "anyOf") and isinstance(v.instance, dict):
            # jsonschema would print the whole object; name the branch selector instead
            kind = f" (type {v.instance['type']!r})" if "type" in v.instance else ""
            message = f"object{kind} matches none of the documented {v.keyword} branches"
        # Judged by one branch of a oneOf/anyOf (validation/branches.py): say which, then the field within it.
        below = v.pointer[len(v.via_pointer):]
        at = (f"{v.via}: {dotted(below)}" if below else v.via) if v.via else dotted(v.pointer)
        yield where.finding(
            code, Severity.ERROR, f"{label}{branch}: {at}: {_shorten(message)}",
            part=part, line=line, pointer=pointer, fix=cause.fix, extra=extra,
        )
    # Undocumented fields mean nothing against a malformed schema; the closed world may prove there are none.
    if not request and not problem and not engine.documents_every_field(schema_pointer, payload):
        for field in walker.iter_undocumented(schema_pointer, payload):
            if counted_only:
                yield where.finding(Code.UNDOCUMENTED_FIELD, Severity.WARNING, "", part=part, line=line, pointer=field.pointer)
                continue
            cause, extra = _undocumented_cause(where, field.schema_pointer, field.name)
            yield where.finding(
                Code.UNDOCUMENTED_FIELD, Severity.WARNING,
                f"{label}: {dotted(field.pointer)} is sent but the schema does not document it",
                part=part, line=line, pointer=field.pointer, fix=cause.fix, extra=extra,
            )


# Causes (and the `extra` a finding carries for them) repeat by the thousand in real traffic: each is made
# once and shared (findings never mutate `extra`), which keeps both time and memory flat in the corpus.
_CAUSES: dict[tuple[Any, ...], tuple[Cause, dict[str, Any]]] = {}
_MAX_CAUSES = 20_000
_SCALARS = (str, int, float, bool, type(None))


def _violation_cause(where: _Where, v: Violation) -> tuple[Cause, dict[str, Any]]:
    """violation_cause for `v` with its finding's `extra`, cached where the cause depends only on the key."""
    instance = v.instance
    if isinstance(instance, _SCALARS) and not (isinstance(instance, str) and len(instance) > 200):
        value: Any = (type(instance), instance)  # the enum kind quotes the value; 1, 1.0 and True differ
    elif v.keyword == "required" and isinstance(instance, dict):
        value = ("keys", tuple(map(str, instance)))  # which required names are missing
    elif v.keyword != "enum" and isinstance(instance, dict | list):
        value = (type(instance),)  # only the JSON type is named
    else:
        value = None
    key = (where.spec.sha256, where.spec.source, where.endpoint, v.keyword, v.schema_pointer, v.message, value)
    found = _CAUSES.get(key) if value is not None and not where.reference else None
    if found is None:
        cause = violation_cause(where.spec, where.endpoint, v.keyword, v.schema_pointer, instance, v.message)
        found = (cause, {**cause.as_extra(), "schema_pointer": v.schema_pointer, "keyword": v.keyword})
        if value is not None and not where.reference and len(_CAUSES) < _MAX_CAUSES:
            _CAUSES[key] = found
    return found


def _undocumented_cause(where: _Where, owner: str, name: str) -> tuple[Cause, dict[str, Any]]:
    key = (where.spec.sha256, where.spec.source, where.endpoint, "undocumented", owner, name)
    found = _CAUSES.get(key)
    if found is None:
        cause = undocumented_cause(where.spec, where.endpoint, owner, name)
        found = (cause, cause.as_extra())
        if len(_CAUSES) < _MAX_CAUSES:
            _CAUSES[key] = found
    return found


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def _sniff(body: bytes) -> str:
    head = body.lstrip()[:1]
    return "application/json" if head in (b"{", b"[") else ""


def _excerpt(body: bytes, limit: int = 200) -> str:
    text = body.decode("utf-8", errors="replace").strip()
    return text if len(text) <= limit else text[:limit] + "…"


def _shorten(message: str, limit: int = 240) -> str:
    return message if len(message) <= limit else message[: limit // 2] + " … " + message[-limit // 2 :]
