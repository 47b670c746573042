"""Two small specs shaped like the published ones, for the traffic tests (inline, no I/O)."""

from __future__ import annotations

import json
from typing import Any

from aimlapi_contract.sources.specs import Spec, load_spec

_CHAT_MESSAGE = {
    "type": "object",
    "properties": {"role": {"type": "string", "enum": ["assistant"]}, "content": {"type": "string"}},
    "required": ["role", "content"],
}


def _completion(object_name: str, choice: dict[str, Any], choice_required: list[str], **extra: Any) -> dict[str, Any]:
    """A chat completion (or chunk) object: id, its `object` name, and choices shaped by `choice`."""
    choices = {"type": "array", "items": {"type": "object", "properties": {"index": {"type": "integer"}, **choice}, "required": choice_required}}
    properties = {"id": {"type": "string"}, "object": {"type": "string", "enum": [object_name]}, "choices": choices, **extra}
    return {"type": "object", "properties": properties, "required": ["id", "object", "choices"]}


_CHAT_RESPONSE = _completion(
    "chat.completion",
    {"finish_reason": {"type": "string", "enum": ["stop", "length"]}, "message": _CHAT_MESSAGE},
    ["index", "finish_reason", "message"],
    usage={"type": "object", "nullable": True, "properties": {"total_tokens": {"type": "integer"}}},
)
_CHAT_CHUNK = _completion(
    "chat.completion.chunk",
    {
        "delta": {"type": "object", "properties": {"role": {"type": "string"}, "content": {"type": "string"}}},
        "finish_reason": {"type": "string", "nullable": True, "enum": ["stop", "length", None]},
    },
    ["index", "delta"],
)

_CHAT_REQUEST = {
    "type": "object",
    "properties": {
        "model": {"type": "string", "enum": ["openai/gpt-4.1-nano-2025-04-14"]},
        "messages": {"type": "array", "items": {"type": "object"}},
        "stream": {"type": "boolean"},
    },
    "required": ["model", "messages"],
}

_RESPONSE_OBJECT = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "object": {"type": "string", "enum": ["response"]},
        "status": {"type": "string", "enum": ["completed", "in_progress", "failed", "incomplete"]},
        "reasoning": {
            "type": "object",
            "nullable": True,
            "properties": {"summary": {"type": "string", "nullable": True, "enum": ["auto", "concise", "detailed"]}},
        },
    },
    "required": ["id", "object"],
}


def _event(kind: str, **props: Any) -> dict[str, Any]:
    properties = {"type": {"type": "string", "enum": [kind]}, "sequence_number": {"type": "integer"}, **props}
    return {"type": "object", "properties": properties, "required": ["type", "sequence_number", *props]}


_RESPONSES_EVENTS = {
    "oneOf": [
        _event("response.created", response=_RESPONSE_OBJECT),
        _event("response.output_text.delta", delta={"type": "string"}),
        _event("response.completed", response=_RESPONSE_OBJECT),
    ]
}
_RESPONSES_REQUEST = {
    "type": "object",
    "properties": {"model": {"type": "string"}, "input": {"type": "string"}, "stream": {"type": "boolean"}},
    "required": ["model", "input"],
}


def _operation(request: dict[str, Any], response: dict[str, Any], stream: dict[str, Any]) -> dict[str, Any]:
    return {
        "post": {
            "requestBody": {"content": {"application/json": {"schema": request}}},
            "responses": {
                "200": {
                    "description": "OK",
                    "content": {"application/json": {"schema": response}, "text/event-stream": {"schema": stream}},
                }
            },
        }
    }


def _spec(source: str, paths: dict[str, Any]) -> Spec:
    doc = {"openapi": "3.0.0", "info": {"title": source, "version": "1"}, "paths": paths}
    return load_spec(source, json.dumps(doc).encode())


def chat_spec() -> Spec:
    return _spec("chat.json", {"/v1/chat/completions": _operation(_CHAT_REQUEST, _CHAT_RESPONSE, _CHAT_CHUNK)})


def responses_spec() -> Spec:
    return _spec("responses.json", {"/v1/responses": _operation(_RESPONSES_REQUEST, _RESPONSE_OBJECT, _RESPONSES_EVENTS)})


def both_specs() -> list[Spec]:
    return [chat_spec(), responses_spec()]
