"""Corpora of cassettes generated from the shared real samples, drift and all, for the end-to-end benchmark.

Each copy keeps its sample's YAML and line structure (so findings keep their shape and lines) but gets
its own ids, timestamps and text: ids and `created` values are replaced by ones of the same length and
kind (consistently within a copy, so a stream's chunks still share one id), and the letters of
free-text JSON strings are rotated by a per-copy amount. Nothing here is committed: corpora are made at
run time into a temporary directory.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import yaml

# Ids as OpenAI writes them: a kind prefix, then letters and digits.
_ID = re.compile(r"\b(chatcmpl-|resp_|msg_|call_|req_|rs_|fc_|fp_)([A-Za-z0-9]{6,})")
# Every timestamp moves by the same amount, so their order (which the semantic checks test) is kept.
_CREATED = re.compile(r'("(?:created|[a-z_]+_at)"\s*:\s*)(\d{9,10})\b')
# Free text: a JSON string under one of these keys; only whole words, never an escape's letters.
_TEXT = re.compile(r'("(?:content|delta|text|arguments|instructions)"\s*:\s*")((?:[^"\\]|\\.)*)"')
_WORD = re.compile(r"(?<![\\A-Za-z0-9])[A-Za-z]{3,}")
_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def samples(directory: Path) -> list[Path]:
    """The sample cassettes, in a stable order."""
    found = sorted(directory.glob("*.yaml"))
    if not found:
        raise SystemExit(f"error: no sample cassettes (*.yaml) in {directory}")
    return found


def vary(text: str, copy: int) -> str:
    """One copy of a cassette's text: new ids, timestamps and words, same structure and lines."""
    ids: dict[str, str] = {}

    def new_id(match: re.Match[str]) -> str:
        old = match.group(2)
        if old not in ids:
            digest = hashlib.blake2b(f"{copy}:{old}".encode(), digest_size=32).digest()
            chars = [_ALNUM[b % 62] for b in digest * (len(old) // 32 + 1)]
            if old.isalnum() and old == old.lower() and all(c in "0123456789abcdef" for c in old):
                chars = ["0123456789abcdef"[b % 16] for b in digest * (len(old) // 32 + 1)]  # a hex id stays hex
            ids[old] = "".join(chars[: len(old)])
        return match.group(1) + ids[old]

    def rotate_word(word: re.Match[str]) -> str:
        shift = copy % 25 + 1
        return "".join(
            chr((ord(c) - base + shift) % 26 + base) for c in word.group(0) for base in (97 if c.islower() else 65,)
        )

    def new_text(match: re.Match[str]) -> str:
        return match.group(1) + _WORD.sub(rotate_word, match.group(2)) + '"'

    text = _ID.sub(new_id, text)
    text = _CREATED.sub(lambda m: m.group(1) + str(int(m.group(2)) + copy * 7), text)
    return _TEXT.sub(new_text, text)


def write_corpus(samples_dir: Path, dest: Path, interactions: int, per_cassette: int = 1) -> int:
    """`interactions` varied copies of the samples under `dest`, `per_cassette` to a cassette; bytes written."""
    sources = [p.read_text(encoding="utf-8") for p in samples(samples_dir)]
    bodies = [_interactions_text(s) for s in sources]
    dest.mkdir(parents=True, exist_ok=True)
    written = 0
    for start in range(0, interactions, per_cassette):
        count = min(per_cassette, interactions - start)
        if count == 1:
            text = vary(sources[start % len(sources)], start)
        else:
            parts = [vary(bodies[(start + k) % len(bodies)], start + k) for k in range(count)]
            text = "interactions:\n" + "".join(parts) + "version: 1\n"
        path = dest / f"rec-{start:06d}.yaml"
        path.write_text(text, encoding="utf-8")
        written += len(text)
    return written


def _interactions_text(source: str) -> str:
    """The `- request: ...` items of a one-cassette sample, as text (everything under `interactions:`)."""
    lines = source.splitlines(keepends=True)
    # Blank lines belong to the quoted bodies (they are the SSE line breaks): keep all but top-level keys.
    body = [line for line in lines[1:] if not line[:1].isalpha()]
    return "".join(body)


def write_long_stream(samples_dir: Path, dest: Path, events: int) -> int:
    """One cassette whose chat stream has `events` chunks (built from the streamed chat sample); bytes written."""
    sample = next(p for p in samples(samples_dir) if "chat-stream" in p.name)
    data: Any = yaml.load(sample.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    interaction = data["interactions"][0]
    body = interaction["response"]["body"]["string"]
    chunks = [block for block in body.split("\n\n") if block.startswith("data: {")]
    first, middle, last = chunks[0], chunks[1:-1] or chunks[:1], chunks[-1]
    out = [first]
    for i in range(events - 2):
        chunk = json.loads(middle[i % len(middle)][len("data: "):])
        chunk["choices"][0]["delta"] = {"content": f" word{i}"}
        out.append("data: " + json.dumps(chunk, separators=(",", ":")))
    out.append(last)
    interaction["response"]["body"]["string"] = "\n\n".join(out) + "\n\ndata: [DONE]\n\n"
    dest.mkdir(parents=True, exist_ok=True)
    text = yaml.dump(data, Dumper=yaml.CSafeDumper, width=1 << 30)
    (dest / "long-stream.yaml").write_text(text, encoding="utf-8")
    return len(text)


def _lengthened(body: str, events: int, copy: int) -> str:
    """A stream body with its text deltas repeated to `events` events in all, each with its own text and
    obfuscation: a chat stream's middle chunks, a responses stream's `*.delta` events (sequence numbers redone)."""
    blocks = [b for b in body.split("\n\n") if b.strip()]
    data_of = [b[b.index("data: ") + 6:] if "data: " in b else "" for b in blocks]
    deltas = [i for i, d in enumerate(data_of) if d.startswith("{") and (
        '"chat.completion.chunk"' in d and '"finish_reason":null' in d and '"role":' not in d and '"id":"call_' not in d
        and ('"content":"' in d or '"arguments":"' in d) or '.delta"' in d[:60])]
    if not deltas:
        return body
    first, last = deltas[0], deltas[-1]
    head, tail = blocks[:first], blocks[last + 1:]
    middle = []
    for n in range(max(0, events - len(head) - len(tail))):
        k = deltas[n % len(deltas)]
        event = json.loads(data_of[k])
        if "choices" in event:
            delta = event["choices"][0]["delta"]
            if "tool_calls" in delta:
                delta["tool_calls"][0]["function"]["arguments"] = f"w{n}"
            else:
                delta["content"] = f" w{n}"
        else:
            event["delta"] = f" w{n}"
        if "obfuscation" in event:
            event["obfuscation"] = hashlib.blake2b(f"{copy}:{n}".encode(), digest_size=6).hexdigest()[: len(event["obfuscation"])]
        prefix = blocks[k][: blocks[k].index("data: ")]
        middle.append(prefix + "data: " + json.dumps(event, separators=(",", ":")))
    out = head + middle + tail
    seq = 0
    for i, block in enumerate(out):  # a responses stream numbers its events: keep them increasing
        if '"sequence_number":' in block:
            out[i] = re.sub(r'"sequence_number":\d+', f'"sequence_number":{seq}', block)
            seq += 1
    return "\n\n".join(out) + "\n\n"


def write_long_streams(samples_dir: Path, dest: Path, recordings: int, events: int) -> int:
    """`recordings` cassettes, each one streamed sample (chat and responses in turn) lengthened to `events`
    events, as a long answer streams; ids, timestamps and text varied per copy. Bytes written."""
    streamed = [p for p in samples(samples_dir) if "stream" in p.name]
    dest.mkdir(parents=True, exist_ok=True)
    written = 0
    for copy in range(recordings):
        data: Any = yaml.load(streamed[copy % len(streamed)].read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        body = data["interactions"][0]["response"]["body"]
        body["string"] = _lengthened(body["string"], events, copy)
        text = vary(yaml.dump(data, Dumper=yaml.CSafeDumper, width=1 << 30), copy)
        (dest / f"long-{copy:05d}.yaml").write_text(text, encoding="utf-8")
        written += len(text)
    return written
