"""A stand-in for the AIML API on 127.0.0.1 (pytest-httpserver), answering both endpoints as the specs document.

Replies are built for the request (n choices, tool calls, logprobs, SSE when `stream` is true) and
echo the request's Authorization header back in every form a careless server might (`echo_forms`):
plain, URL-quoted, base64 of the key and of `Bearer <key>`, in headers, and `\\u`-escaped in the JSON
text of bodies and SSE events: the leak tests rely on it. Tests add the odd replies (429, 500, slow,
HTML, violating, a key split across SSE events).
"""

from __future__ import annotations

import base64
import json
import time
from urllib.parse import quote
from collections.abc import Iterator
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

MODEL = "openai/gpt-4.1-nano-2025-04-14"
CHAT = "/v1/chat/completions"
RESPONSES = "/v1/responses"
CREATED = 1764000000


# Stands in the JSON text for the key with characters \\u-escaped (json.dumps would escape the backslash).
ESCAPED = "@@escaped-key@@"


def echo_forms(authorization: str) -> dict[str, str]:
    """The forms of the key this server echoes: what the leak tests scan every output for."""
    key = authorization.removeprefix("Bearer ")
    return {
        "plain": key,
        "quoted": quote(key, safe=""),
        "base64": base64.b64encode(key.encode()).decode(),
        "bearer-base64": base64.b64encode(authorization.encode()).decode(),
        "basic-urlsafe-base64": base64.urlsafe_b64encode(f"user:{key}".encode()).decode(),
        "u-escaped-all": "".join(f"\\u{ord(c):04x}" for c in key),
        "u-escaped-odd": "".join(f"\\u{ord(c):04X}" if i % 2 else c for i, c in enumerate(key)),
    }


def _json_text(value: Any, authorization: str) -> str:
    """JSON text with the key \\u-escaped where ESCAPED stands (twice: all characters, every other one)."""
    forms = echo_forms(authorization)
    return json.dumps(value).replace(ESCAPED, f"{forms['u-escaped-all']} {forms['u-escaped-odd']}")


def sse(events: Iterator[tuple[str | None, Any]], authorization: str = "") -> bytes:
    out = []
    for name, data in events:
        head = f"event: {name}\n" if name else ""
        out.append(f"{head}data: {data if isinstance(data, str) else _json_text(data, authorization)}\n\n")
    return "".join(out).encode()


def _headers(request: Request) -> dict[str, str]:
    echo = request.headers.get("Authorization", "")
    forms = echo_forms(echo) if echo else {}
    headers = {"x-request-id": "req_standin_1", "x-ratelimit-remaining-requests": "99", "x-echo-authorization": echo}
    headers |= {f"x-echo-{name}": value for name, value in forms.items() if "escaped" not in name}
    return headers


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
    text = _echo_text(echo)
    tools = bool(body.get("tools"))
    if body.get("stream"):
        return Response(sse(_chat_chunks(body, text, tools), echo), content_type="text/event-stream", headers=_headers(request))
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
    return Response(_json_text(reply, echo), content_type="application/json", headers=_headers(request))


def _echo_text(authorization: str) -> str:
    """The reply text: the Authorization header echoed plain, base64 and (in the JSON text) \\u-escaped."""
    if not authorization:
        return "Hi!"
    forms = echo_forms(authorization)
    return f"Hi! (you sent {authorization}; {forms['quoted']} {forms['bearer-base64']} {forms['base64']} {ESCAPED})"


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
    echo = request.headers.get("Authorization", "")
    text = _echo_text(echo)
    if body.get("stream"):
        events = [
            ("response.created", {"type": "response.created", "sequence_number": 0, "response": _response_object(body, text, "in_progress")}),
            ("response.completed", {"type": "response.completed", "sequence_number": 1, "response": _response_object(body, text, "completed")}),
        ]
        return Response(sse(iter(events), echo), content_type="text/event-stream", headers=_headers(request))
    return Response(_json_text(_response_object(body, text, "completed"), echo), content_type="application/json", headers=_headers(request))


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


def split_key_stream(request: Request) -> Response:
    """A chat stream that spells the key out across two events: no single event holds it, so nothing can be cut out."""
    key = request.headers.get("Authorization", "").removeprefix("Bearer ")
    base = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": CREATED, "model": MODEL}
    half = len(key) // 2
    events = [(None, base | {"choices": [{"index": 0, "delta": {"role": "assistant", "content": part}, "finish_reason": None}]}) for part in (key[:half], key[half:])]
    events += [(None, base | {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}), (None, "[DONE]")]
    return Response(sse(iter(events)), content_type="text/event-stream", headers={"x-request-id": "req_standin_split"})
