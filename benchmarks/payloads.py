"""Realistic payloads for the benchmark, made by code: chat pairs, a chat stream, a /v1/responses stream.

Shapes follow what the published specs document (and what real OpenAI-compatible replies look like);
every `invalid_every`-th payload gets one defect a real server might send, so the explanation path
is measured too.
"""

from __future__ import annotations

import json
import random

MODEL = "openai/gpt-4.1-nano-2025-04-14"
_WORDS = "the capital of Minas Gerais is Belo Horizonte a city in southeastern Brazil known for its".split()


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(words))


def chat_request(rng: random.Random, i: int) -> dict[str, object]:
    """A /v1/chat/completions request: a few messages, some sampling options."""
    messages: list[dict[str, object]] = [{"role": "system", "content": "You are a helpful assistant."}]
    for turn in range(rng.randint(1, 4)):
        messages.append({"role": "user", "content": _text(rng, rng.randint(5, 40))})
        if turn:
            messages.append({"role": "assistant", "content": _text(rng, rng.randint(5, 40))})
    body: dict[str, object] = {"model": MODEL, "messages": messages, "temperature": round(rng.random(), 2)}
    if i % 3 == 0:
        body["max_tokens"] = 256
        body["top_p"] = 0.9
    return body


def chat_response(rng: random.Random, i: int) -> dict[str, object]:
    """A non-streaming chat completion with usage."""
    prompt, completion = rng.randint(20, 400), rng.randint(5, 300)
    return {
        "id": f"chatcmpl-{i:08d}",
        "object": "chat.completion",
        "created": 1762343744 + i,
        "model": MODEL,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": _text(rng, rng.randint(10, 120)), "refusal": None, "annotations": []},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0},
        },
    }


def chat_pairs(count: int, invalid_every: int = 100, seed: int = 7) -> list[tuple[bytes, bytes]]:
    """`count` request/response bodies as JSON bytes; every `invalid_every`-th response lacks `usage`."""
    rng = random.Random(seed)
    pairs = []
    for i in range(count):
        response = chat_response(rng, i)
        if invalid_every and i % invalid_every == invalid_every - 1:
            del response["usage"]
        pairs.append((json.dumps(chat_request(rng, i)).encode(), json.dumps(response).encode()))
    return pairs


def chat_stream(count: int, invalid_every: int = 100, seed: int = 11) -> list[bytes]:
    """The `data:` payloads of one chat stream: one token per chunk, a final chunk with usage."""
    rng = random.Random(seed)
    chunks = []
    for i in range(count):
        last = i == count - 1
        chunk: dict[str, object] = {
            "id": "chatcmpl-stream",
            "object": "chat.completion.chunk",
            "created": 1762343744,
            "model": MODEL,
            "service_tier": "default",
            "choices": [
                {
                    "index": 0,
                    "delta": {"role": "assistant", "content": "" if last else rng.choice(_WORDS) + " ", "refusal": None},
                    "logprobs": None,
                    "finish_reason": "stop" if last else "length",
                }
            ],
            "usage": {"prompt_tokens": 40, "completion_tokens": count, "total_tokens": 40 + count} if last else None,
        }
        if invalid_every and i % invalid_every == invalid_every - 1:
            chunk["choices"][0]["finish_reason"] = "paused"  # type: ignore[index]
        chunks.append(json.dumps(chunk).encode())
    return chunks


def _response_object(status: str, text: str | None, created: int) -> dict[str, object]:
    output: list[object] = []
    if text is not None:
        output = [_message_item("completed", text)]
    response: dict[str, object] = {
        "id": "resp_0123456789abcdef",
        "object": "response",
        "created_at": created,
        "status": status,
        "background": False,
        "error": None,
        "incomplete_details": None,
        "instructions": "You are a helpful assistant.",
        "max_output_tokens": None,
        "model": MODEL,
        "output": output,
        "parallel_tool_calls": True,
        "previous_response_id": None,
        "reasoning": {"effort": "low", "summary": "auto"},
        "store": True,
        "temperature": 1.0,
        "text": {"format": {"type": "text"}},
        "tool_choice": "auto",
        "tools": [],
        "top_p": 1.0,
        "truncation": "disabled",
        "metadata": {},
    }
    if text is not None:
        tokens = len(text.split())
        response["usage"] = {
            "input_tokens": 20,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": tokens,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": 20 + tokens,
        }
    return response


def _message_item(status: str, text: str | None) -> dict[str, object]:
    content = [] if text is None else [{"type": "output_text", "text": text, "annotations": [], "logprobs": []}]
    return {"id": "msg_0123456789abcdef", "type": "message", "status": status, "role": "assistant", "content": content}


def responses_stream(count: int, invalid_every: int = 100, seed: int = 13) -> list[bytes]:
    """`count` /v1/responses events: created, in_progress, item and part added, deltas, done events, completed."""
    rng = random.Random(seed)
    deltas = max(count - 8, 1)
    words = [rng.choice(_WORDS) + " " for _ in range(deltas)]
    text = "".join(words)
    where = {"item_id": "msg_0123456789abcdef", "output_index": 0}
    part = {"type": "output_text", "text": "", "annotations": [], "logprobs": []}
    events: list[dict[str, object]] = [
        {"type": "response.created", "response": _response_object("in_progress", None, 1762343744)},
        {"type": "response.in_progress", "response": _response_object("in_progress", None, 1762343744)},
        {"type": "response.output_item.added", "output_index": 0, "item": _message_item("in_progress", None)},
        {"type": "response.content_part.added", **where, "content_index": 0, "part": part},
    ]
    events += [{"type": "response.output_text.delta", **where, "content_index": 0, "delta": w, "logprobs": []} for w in words]
    events += [
        {"type": "response.output_text.done", **where, "content_index": 0, "text": text, "logprobs": []},
        {"type": "response.content_part.done", **where, "content_index": 0, "part": {**part, "text": text}},
        {"type": "response.output_item.done", "output_index": 0, "item": _message_item("completed", text)},
        {"type": "response.completed", "response": _response_object("completed", text, 1762343744)},
    ]
    out = []
    for seq, event in enumerate(events[:count]):
        event = {**event, "sequence_number": seq}
        if invalid_every and seq % invalid_every == invalid_every - 1:
            event["output_index"] = "0"  # a string where the spec documents an integer
        out.append(json.dumps(event).encode())
    return out
