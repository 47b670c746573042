"""A stand-in for the AIML API on 127.0.0.1 (pytest-httpserver), answering both endpoints as the specs document.

Replies are built for the request (n choices, tool calls, logprobs, SSE when `stream` is true) and
echo the request's Authorization header back, in a header and in the text, as a careless server
might: the leak tests rely on it. Tests add the odd replies (429, 500, slow, HTML, violating).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

MODEL = "openai/gpt-4.1-nano-2025-04-14"
CHAT = "/v1/chat/completions"
RESPONSES = "/v1/responses"
CREATED = 1764000000


def sse(events: Iterator[tuple[str | None, Any]]) -> bytes:
    out = []
    for name, data in events:
        head = f"event: {name}\n" if name else ""
        out.append(f"{head}data: {data if isinstance(data, str) else json.dumps(data)}\n\n")
    return "".join(out).encode()


def _headers(request: Request) -> dict[str, str]:
    echo = request.headers.get("Authorization", "")
    return {"x-request-id": "req_standin_1", "x-ratelimit-remaining-requests": "99", "x-echo-authorization": echo}


def _error(status: int, message: str, request: Request) -> Response:
    body = {"error": {"message": message, "type": "invalid_request_error", "code": "model_not_found"}}
    return Response(json.dumps(body), status=status, content_type="application/json", headers=_headers(request))


def _usage_chat() -> dict[str, int]:
    return {"prompt_tokens": 9, "completion_tokens": 2, "total_tokens": 11}


def _tool_call(index: int | None = None) -> dict[str, Any]:
    call = {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'}}
    return call if index is None else {"index": index, **call}


def chat_reply(request: Request) -> Response:
    body = request.get_json(silent=True) or {}
    if body.get("model") != MODEL:
        return _error(400, f"model {body.get('model')!r} does not exist", request)
    echo = request.headers.get("Authorization", "")
    text = f"Hi! (you sent {echo})"
    tools = bool(body.get("tools"))
    if body.get("stream"):
        return Response(sse(_chat_chunks(body, text, tools)), content_type="text/event-stream", headers=_headers(request))
    choices = []
    for i in range(int(body.get("n") or 1)):
        message: dict[str, Any] = {"role": "assistant", "content": "" if tools else text}
        if tools:
            message["tool_calls"] = [_tool_call()]
        choice: dict[str, Any] = {"index": i, "message": message, "finish_reason": "tool_calls" if tools else "stop"}
        if body.get("logprobs"):
            choice["logprobs"] = {"content": [{"token": "Hi", "bytes": [72, 105], "logprob": -0.1, "top_logprobs": []}], "refusal": []}
        choices.append(choice)
    reply = {"id": "chatcmpl-1", "object": "chat.completion", "created": CREATED, "model": MODEL, "choices": choices, "usage": _usage_chat()}
    return Response(json.dumps(reply), content_type="application/json", headers=_headers(request))


def _chat_chunks(body: dict[str, Any], text: str, tools: bool) -> Iterator[tuple[str | None, Any]]:
    base = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": CREATED, "model": MODEL}
    if tools:
        delta = {"role": "assistant", "content": "", "tool_calls": [_tool_call(0)]}
        yield None, base | {"choices": [{"index": 0, "delta": delta, "finish_reason": "tool_calls"}]}
    else:
        yield None, base | {"choices": [{"index": 0, "delta": {"role": "assistant", "content": text}, "finish_reason": "stop"}]}
    if (body.get("stream_options") or {}).get("include_usage"):
        yield None, base | {"choices": [], "usage": _usage_chat()}
    yield None, "[DONE]"


def _response_object(body: dict[str, Any], text: str, status: str) -> dict[str, Any]:
    tools = bool(body.get("tools"))
    if tools:
        output = [{"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "get_weather", "arguments": '{"city":"Paris"}', "status": "completed"}]
    else:
        content = [{"type": "output_text", "text": text, "annotations": []}]
        output = [{"type": "message", "id": "msg_1", "status": "completed", "role": "assistant", "content": content}]
    return {
        "id": "resp_1",
        "object": "response",
        "created_at": CREATED,
        "status": status,
        "model": MODEL,
        "parallel_tool_calls": True,
        "output": output if status == "completed" else [],
        "usage": {"input_tokens": 9, "input_tokens_details": {"cached_tokens": 0}, "output_tokens": 2, "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 11},
    }


def responses_reply(request: Request) -> Response:
    body = request.get_json(silent=True) or {}
    if body.get("model") != MODEL:
        return _error(400, f"model {body.get('model')!r} does not exist", request)
    text = f"Hi! (you sent {request.headers.get('Authorization', '')})"
    if body.get("stream"):
        events = [
            ("response.created", {"type": "response.created", "sequence_number": 0, "response": _response_object(body, text, "in_progress")}),
            ("response.completed", {"type": "response.completed", "sequence_number": 1, "response": _response_object(body, text, "completed")}),
        ]
        return Response(sse(iter(events)), content_type="text/event-stream", headers=_headers(request))
    return Response(json.dumps(_response_object(body, text, "completed")), content_type="application/json", headers=_headers(request))


def serve_api(server: HTTPServer) -> str:
    """Answer both endpoints like the API, as often as asked; returns the base URL."""
    server.expect_request(CHAT, method="POST").respond_with_handler(chat_reply)
    server.expect_request(RESPONSES, method="POST").respond_with_handler(responses_reply)
    return server.url_for("/").rstrip("/")


def slow(seconds: float, then: Response) -> Any:
    """A handler that answers `then` after `seconds`: past a short read timeout."""

    def handler(request: Request) -> Response:
        time.sleep(seconds)
        return then

    return handler
