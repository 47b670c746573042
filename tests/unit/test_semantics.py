"""Semantic rules on reply payloads, independent of the page."""

from __future__ import annotations

import json
from pathlib import Path
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from aimlapi_contract.validation.semantics import VALUE_READS, iter_semantic_findings

CHAT = "POST /v1/chat/completions"
RESPONSES = "POST /v1/responses"
NOW = 1_780_000_000.0


def chat(**changes: Any) -> dict[str, Any]:
    reply = {"object": "chat.completion", "created": 1744791940, "model": "gpt-4.1-nano-2025-04-14",
             "usage": {"prompt_tokens": 2, "completion_tokens": 8, "total_tokens": 10,
                       "completion_tokens_details": {"reasoning_tokens": 0}}}
    reply.update(changes)
    return reply


def response(**changes: Any) -> dict[str, Any]:
    reply = {"object": "response", "created_at": 1751884892, "status": "completed", "model": "openai/gpt-4.1-nano-2025-04-14",
             "max_output_tokens": 512, "output": [{"type": "message", "status": "completed"}],
             "usage": {"input_tokens": 294, "output_tokens": 20, "total_tokens": 314}}
    reply.update(changes)
    return reply


def codes(payload: Any, endpoint: str, **kw: Any) -> set[tuple[str, str, str]]:
    kw.setdefault("request", {"model": "openai/gpt-4.1-nano-2025-04-14"})
    return {(f.code.value, f.severity.label, f.pointer)
            for f in iter_semantic_findings(payload, endpoint=endpoint, source="s", now=NOW, **kw)}


def test_plausible_replies_are_clean() -> None:
    assert codes(chat(), CHAT) == set()
    assert codes(response(), RESPONSES) == set()
    assert codes(chat(object="chat.completion.chunk", usage=None), CHAT, streamed_event=True) == set()


RULE_CASES = [
    # usage arithmetic
    pytest.param(chat(usage={"prompt_tokens": 2, "completion_tokens": 8, "total_tokens": 11}), CHAT,
                 ("CT340", "error", "/usage/total_tokens"), id="chat-sum"),
    pytest.param(response(usage={"input_tokens": 1, "output_tokens": 2, "total_tokens": 4}), RESPONSES,
                 ("CT340", "error", "/usage/total_tokens"), id="responses-sum"),
    pytest.param(response(usage={"input_tokens": 1, "output_tokens": 2, "total_tokens": 3,
                                 "output_tokens_details": {"reasoning_tokens": 5}}), RESPONSES,
                 ("CT340", "error", "/usage/output_tokens_details/reasoning_tokens"), id="part-over-whole"),
    # limits
    pytest.param(response(usage={"input_tokens": 294, "output_tokens": 2520, "total_tokens": 2814}), RESPONSES,
                 ("CT341", "error", "/usage/output_tokens"), id="over-max-output"),
    # states
    pytest.param(response(status="in_progress"), RESPONSES, ("CT342", "warning", "/status"), id="status-in-progress"),
    pytest.param(response(status=None, output=[{"type": "message", "status": "in_progress"}]), RESPONSES,
                 ("CT342", "warning", "/output/0/status"), id="item-in-progress"),
    # identity
    pytest.param(chat(object="response"), CHAT, ("CT343", "error", "/object"), id="object"),
    pytest.param(chat(model="gpt-4o-mini"), CHAT, ("CT344", "warning", "/model"), id="model"),
    # time
    pytest.param(chat(created=1744791940123), CHAT, ("CT345", "warning", "/created"), id="milliseconds"),
    pytest.param(chat(created=1_000), CHAT, ("CT345", "warning", "/created"), id="before-2015"),
    pytest.param(response(created_at=int(NOW) + 10 * 86_400), RESPONSES, ("CT345", "warning", "/created_at"), id="future"),
    pytest.param(response(completed_at=1751884800), RESPONSES, ("CT345", "warning", "/completed_at"), id="completed-first"),
]


@pytest.mark.parametrize(("payload", "endpoint", "expected"), RULE_CASES)
def test_each_rule(payload: dict[str, Any], endpoint: str, expected: tuple[str, str, str]) -> None:
    assert codes(payload, endpoint) == {expected}


def test_request_limit_applies_to_chat() -> None:
    found = codes(chat(), CHAT, request={"model": "openai/gpt-4.1-nano-2025-04-14", "max_tokens": 5})
    assert found == {("CT341", "error", "/usage/completion_tokens")}


def test_model_prefix_and_snapshot_are_the_same_model() -> None:
    assert codes(chat(model="gpt-4.1-nano-2025-04-14"), CHAT, request={"model": "openai/gpt-4.1-nano"}) == set()


def test_stream_events_of_responses() -> None:
    created = {"type": "response.created", "response": response(status="in_progress", usage=None)}
    assert codes(created, RESPONSES, streamed_event=True) == set()  # in progress is right while streaming
    done = {"type": "response.completed", "response": response(status="in_progress")}
    assert codes(done, RESPONSES, streamed_event=True) == {("CT342", "warning", "/response/status")}
    assert codes({"type": "response.output_text.delta", "delta": "x"}, RESPONSES, streamed_event=True) == set()


def test_location_arguments_are_used() -> None:
    (f,) = iter_semantic_findings(chat(object="x"), endpoint=CHAT, source="c.yaml", line=7, pointer_prefix="/events/2",
                                  anchor="interaction:3", now=NOW, line_of=lambda p: 9 if p.endswith("/object") else None)
    assert (f.source, f.line, f.pointer, f.anchor, f.endpoint) == ("c.yaml", 9, "/events/2/object", "interaction:3", CHAT)


def test_unknown_endpoint_or_non_object_yields_nothing() -> None:
    assert codes(chat(object="x"), "POST /v1/embeddings") == set()
    assert codes([1, 2], CHAT) == set()


def test_real_recorded_replies_are_clean(shared_dir: Path) -> None:
    """No rule fires on the twelve real OpenAI exchanges: the rules match what the API really sends."""
    samples = shared_dir / "real-traffic-samples"
    if not samples.is_dir():  # only ../shared has them: the docs fetched from a docs base have no recordings
        pytest.skip(f"{samples} (real recorded OpenAI exchanges) is absent")
    cassettes = sorted(samples.glob("*.yaml"))
    assert cassettes, "no cassettes in real-traffic-samples"
    checked = 0
    for path in cassettes:
        for interaction in yaml.safe_load(path.read_text(encoding="utf-8"))["interactions"]:
            endpoint = "POST " + urlsplit(interaction["request"]["uri"]).path
            request = json.loads(_text(interaction["request"]["body"]) or "{}")
            body = _text(interaction["response"]["body"])
            if body.lstrip().startswith("{"):
                events = [(json.loads(body), False)]
            else:
                events = [(json.loads(line[6:]), True) for line in body.splitlines()
                          if line.startswith("data: ") and line[6:].lstrip().startswith("{")]
            for payload, streamed in events:
                found = list(iter_semantic_findings(payload, endpoint=endpoint, source=path.name, request=request,
                                                    streamed_event=streamed))
                assert found == [], f"{path.name}: {[f.message for f in found]}"
                checked += 1
    assert checked > 12


def _text(body: Any) -> str:
    raw = body.get("string", "") if isinstance(body, dict) else body or ""
    return raw.decode() if isinstance(raw, bytes) else raw


def _scalars(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str, Any]]:
    """(path, property name, value) of every string and integer held by an object's property."""
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        if isinstance(item, dict | list):
            yield from _scalars(item, (*path, key))
        elif isinstance(key, str) and isinstance(item, str | int) and not isinstance(item, bool):
            yield (*path, key), key, item


def _replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    copy = json.loads(json.dumps(value))
    node = copy
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = new
    return copy


_UNREAD = {"id": "chatcmpl-1", "system_fingerprint": "fp_1", "sequence_number": 4, "item_id": "msg_1", "index": 0,
           "choices": [{"index": 0, "finish_reason": "stop", "delta": {"content": "hi", "role": "assistant"}}]}
_OTHER = {str: ["", "x", "in_progress", "queued", "response", "chat.completion", "openai/gpt-4o", "gpt-4.1-nano-2025-04-14-x"],
          int: [0, -1, 5, 2_520, 10**12, int(NOW) + 10 * 86_400]}


@pytest.mark.parametrize(
    ("payload", "endpoint", "streamed"),
    [pytest.param(p, e, False, id=c.id) for c in RULE_CASES for p, e, _ in [c.values]]
    + [pytest.param(chat(), CHAT, False, id="clean-chat"), pytest.param(response(), RESPONSES, False, id="clean-response"),
       pytest.param({"type": "response.completed", "response": response(status="in_progress")}, RESPONSES, True, id="event")],
)
def test_a_value_outside_VALUE_READS_changes_no_finding(payload: dict[str, Any], endpoint: str, streamed: bool) -> None:
    """Stream events are judged once per shape with those values blanked (traffic/event_shapes.py): no rule may read them."""
    def found(p: Any) -> list[dict[str, Any]]:
        return [f.to_dict() for f in iter_semantic_findings(p, endpoint=endpoint, source="s", now=NOW, streamed_event=streamed,
                                                            request={"model": "openai/gpt-4.1-nano-2025-04-14", "max_tokens": 9})]
    full = {**_UNREAD, **payload}
    if isinstance(full.get("response"), dict):
        full["response"] = {**_UNREAD, **full["response"]}
    expected = found(full)
    positions = [(path, value) for path, name, value in _scalars(full) if name not in VALUE_READS]
    assert len(positions) >= 6
    for path, value in positions:
        for new in _OTHER[type(value)]:
            assert found(_replaced(full, path, new)) == expected, (path, new)
