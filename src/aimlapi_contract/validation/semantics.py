"""What a reply must satisfy that a schema cannot say: sums, limits, states, identity, time.

Payload-level and page-independent: the docs lint applies it to "Response" examples; recorded
traffic and live runs can apply it to real replies. The one entry point is

    iter_semantic_findings(payload, *, endpoint, source, streamed_event=False, request=None,
                           line=None, line_of=None, pointer_prefix="", anchor="", now=None)

- `payload`: the decoded reply body (or one decoded stream event when `streamed_event`);
- `endpoint`: "POST /v1/chat/completions", "POST /chat/completions" or "POST /v1/responses"
  (anything else yields nothing);
- `request`: the decoded request body when known (requested `model`, `max_tokens`, ...);
- `source`/`line`/`anchor`: where findings are pinned; `line_of(pointer)` may refine the line per
  payload pointer; `pointer_prefix` is prepended to every payload pointer (e.g. "/events/3");
- `now`: epoch seconds for the "in the future" rule (default: the clock).

Severity follows how sure the rule is: arithmetic and limits are errors; states, model names and
timestamps are warnings (a proxy may legitimately rename a model or a clock may drift).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any, TypeGuard

from ..findings import Code, Finding, Severity

EARLIEST_PLAUSIBLE = 1_420_070_400  # 2015-01-01: older than any model this API serves
_FINAL_EVENTS = {"response.completed", "response.incomplete", "response.failed"}
_RESPONSE_EVENTS = _FINAL_EVENTS | {"response.created", "response.in_progress", "response.queued"}
_PROVIDER_PREFIX = "openai/"
# Every property whose value (not only its JSON type) a rule here reads or quotes. A stream's events are
# checked once per shape with the other values blanked (traffic/event_shapes.py), so a rule reading a
# new name must list it here; tests/unit/test_semantics.py changes every other value and compares.
VALUE_READS = frozenset({
    "object", "model", "created", "created_at", "completed_at", "status", "type", "output", "max_output_tokens",
    "prompt_tokens", "completion_tokens", "total_tokens", "reasoning_tokens", "cached_tokens", "input_tokens",
    "output_tokens",
})  # fmt: skip


def endpoint_kind(endpoint: str) -> str:
    """"chat", "responses", or "" for an endpoint string like "POST /v1/responses"."""
    path = endpoint.split()[-1] if endpoint else ""
    if path.endswith("/chat/completions"):
        return "chat"
    if path.endswith("/responses"):
        return "responses"
    return ""


def iter_semantic_findings(
    payload: Any,
    *,
    endpoint: str,
    source: str,
    streamed_event: bool = False,
    request: dict[str, Any] | None = None,
    line: int | None = None,
    line_of: Callable[[str], int | None] | None = None,
    pointer_prefix: str = "",
    anchor: str = "",
    now: float | None = None,
) -> Iterator[Finding]:
    """Every semantic problem of one reply or stream event (see the module docstring for the arguments)."""
    if not isinstance(payload, dict):
        return
    ctx = _Context(endpoint, source, line, line_of, anchor, request or {}, time.time() if now is None else now)
    kind = endpoint_kind(endpoint)
    if kind == "chat":
        yield from ctx.chat(payload, pointer_prefix, streamed_event)
    elif kind == "responses":
        if not streamed_event:
            yield from ctx.response(payload, pointer_prefix, final=True)
        elif payload.get("type") in _RESPONSE_EVENTS and isinstance(payload.get("response"), dict):
            final = payload["type"] in _FINAL_EVENTS
            yield from ctx.response(payload["response"], pointer_prefix + "/response", final=final)


class _Context:
    def __init__(self, endpoint: str, source: str, line: int | None, line_of: Callable[[str], int | None] | None,
                 anchor: str, request: dict[str, Any], now: float) -> None:
        self.endpoint, self.source, self.line, self.line_of = endpoint, source, line, line_of
        self.anchor, self.request, self.now = anchor, request, now

    def finding(self, code: Code, severity: Severity, pointer: str, message: str, fix: str = "") -> Finding:
        line = (self.line_of(pointer) if self.line_of else None) or self.line
        return Finding(code, severity, self.source, message, line=line, pointer=pointer,
                       endpoint=self.endpoint, fix=fix, anchor=self.anchor)

    def chat(self, p: dict[str, Any], at: str, streamed: bool) -> Iterator[Finding]:
        yield from self.object_is(p, at, "chat.completion.chunk" if streamed else "chat.completion")
        usage = p.get("usage")
        if isinstance(usage, dict):
            yield from self.usage_sum(usage, at + "/usage", "prompt_tokens", "completion_tokens")
            yield from self.part_within(usage, at + "/usage", "completion_tokens_details", "reasoning_tokens", "completion_tokens")
            yield from self.part_within(usage, at + "/usage", "prompt_tokens_details", "cached_tokens", "prompt_tokens")
            for limit in ("max_completion_tokens", "max_tokens"):
                yield from self.within_limit(usage.get("completion_tokens"), at + "/usage/completion_tokens",
                                             self.request.get(limit), f"the request's `{limit}`")
        yield from self.model_matches(p, at)
        yield from self.timestamp(p, at, "created")

    def response(self, p: dict[str, Any], at: str, *, final: bool) -> Iterator[Finding]:
        yield from self.object_is(p, at, "response")
        usage = p.get("usage")
        if isinstance(usage, dict):
            yield from self.usage_sum(usage, at + "/usage", "input_tokens", "output_tokens")
            yield from self.part_within(usage, at + "/usage", "output_tokens_details", "reasoning_tokens", "output_tokens")
            yield from self.part_within(usage, at + "/usage", "input_tokens_details", "cached_tokens", "input_tokens")
            limit, whose = p.get("max_output_tokens"), "its own `max_output_tokens`"
            if not isinstance(limit, int):
                limit, whose = self.request.get("max_output_tokens"), "the request's `max_output_tokens`"
            yield from self.within_limit(usage.get("output_tokens"), at + "/usage/output_tokens", limit, whose)
        if final:
            yield from self.finished(p, at)
        yield from self.model_matches(p, at)
        yield from self.timestamp(p, at, "created_at")
        yield from self.timestamp(p, at, "completed_at")
        created, completed = p.get("created_at"), p.get("completed_at")
        if _is_int(created) and _is_int(completed) and completed < created:
            yield self.finding(Code.SEMANTIC_TIMESTAMP, Severity.WARNING, at + "/completed_at",
                               f"completed_at {completed} is before created_at {created}")

    def object_is(self, p: dict[str, Any], at: str, expected: str) -> Iterator[Finding]:
        found = p.get("object")
        if isinstance(found, str) and found != expected:
            yield self.finding(Code.SEMANTIC_OBJECT_MISMATCH, Severity.ERROR, at + "/object",
                               f"`object` is {found!r}; {self.endpoint} replies with {expected!r}",
                               fix=f'set "object" to "{expected}"')

    def usage_sum(self, usage: dict[str, Any], at: str, a: str, b: str) -> Iterator[Finding]:
        x, y, total = usage.get(a), usage.get(b), usage.get("total_tokens")
        if _is_int(x) and _is_int(y) and _is_int(total) and x + y != total:
            yield self.finding(Code.SEMANTIC_USAGE_SUM, Severity.ERROR, at + "/total_tokens",
                               f"total_tokens is {total}, expected {a} + {b} = {x} + {y} = {x + y}",
                               fix=f"set total_tokens to {x + y}, or correct {a}/{b}")

    def part_within(self, usage: dict[str, Any], at: str, details: str, part: str, whole: str) -> Iterator[Finding]:
        d = usage.get(details)
        x, total = (d.get(part) if isinstance(d, dict) else None), usage.get(whole)
        if _is_int(x) and _is_int(total) and x > total:
            yield self.finding(Code.SEMANTIC_USAGE_SUM, Severity.ERROR, f"{at}/{details}/{part}",
                               f"{details}.{part} is {x}, more than {whole} ({total}) it is part of")

    def within_limit(self, used: Any, pointer: str, limit: Any, whose: str) -> Iterator[Finding]:
        if _is_int(used) and _is_int(limit) and used > limit:
            name = pointer.rsplit("/", 1)[-1]
            yield self.finding(Code.SEMANTIC_OUTPUT_OVER_LIMIT, Severity.ERROR, pointer,
                               f"{name} is {used}, more than {whose} ({limit}): the reply would have stopped at {limit}",
                               fix=f"make {name} at most {limit} (and total_tokens consistent), or raise the limit")

    def finished(self, p: dict[str, Any], at: str) -> Iterator[Finding]:
        status = p.get("status")
        if status in ("in_progress", "queued"):
            yield self.finding(Code.SEMANTIC_IN_PROGRESS, Severity.WARNING, at + "/status",
                               f"the reply is presented as finished but its status is {status!r}",
                               fix='set "status" to "completed"')
            return
        for i, item in enumerate(p.get("output") or []):
            if isinstance(item, dict) and item.get("status") == "in_progress":
                whose = f"status is {status!r}" if status else "reply is presented as finished"
                yield self.finding(Code.SEMANTIC_IN_PROGRESS, Severity.WARNING, f"{at}/output/{i}/status",
                                   f"output item {i} ({item.get('type', '?')}) is 'in_progress' while the {whose}",
                                   fix='set the item\'s "status" to "completed"')

    def model_matches(self, p: dict[str, Any], at: str) -> Iterator[Finding]:
        asked, got = self.request.get("model"), p.get("model")
        if not (isinstance(asked, str) and isinstance(got, str)):
            return
        a, g = _bare(asked), _bare(got)
        if a != g and not g.startswith(a + "-"):  # a dated snapshot of the requested alias is the same model
            yield self.finding(Code.SEMANTIC_MODEL_MISMATCH, Severity.WARNING, at + "/model",
                               f"`model` is {got!r}, but the request asked for {asked!r}")

    def timestamp(self, p: dict[str, Any], at: str, key: str) -> Iterator[Finding]:
        value = p.get(key)
        if not _is_int(value):
            return
        problem = ""
        if value > 10**11:
            problem = "looks like milliseconds; the API sends Unix seconds"
        elif value < EARLIEST_PLAUSIBLE:
            problem = "is before 2015"
        elif value > self.now + 86_400:
            problem = "is in the future"
        if problem:
            yield self.finding(Code.SEMANTIC_TIMESTAMP, Severity.WARNING, f"{at}/{key}", f"`{key}` {value} {problem}")


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _bare(model: str) -> str:
    return model[len(_PROVIDER_PREFIX):] if model.startswith(_PROVIDER_PREFIX) else model
