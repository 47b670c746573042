"""A corpus of hostile cassettes, generated (never committed): each kind of bad input the suite must survive.

`python tests/unit/hostile_cassettes.py OUT [REAL.yaml] [--docs-base DIR --page PAGE]` writes one folder per
kind into OUT, each holding the hostile cassette beside a copy of a real recording, runs `check` on every
folder in a subprocess, and prints exit code, seconds and peak RSS. The tests import `CASES` and `run_check`.
"""

from __future__ import annotations

import base64
import functools
import json
import shutil
import subprocess
import struct
import sys
import time
import zlib
from collections.abc import Callable
from pathlib import Path

CHAT = "https://api.aimlapi.com/v1/chat/completions"
REQUEST = '{"model": "openai/gpt-4.1-nano-2025-04-14", "messages": [{"role": "user", "content": "Hi"}]}'
REPLY = (
    '{"id": "chatcmpl-1", "object": "chat.completion", "created": 1760000000, "model": "openai/gpt-4.1-nano-2025-04-14", '
    '"choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello"}, "finish_reason": "stop"}], '
    '"usage": {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6}}'
)


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def cassette(*, uri: str = CHAT, request: str = REQUEST, status: str = "200", headers: str = "      - application/json",
             ctype: str = "application/json", body: str | None = None, extra_headers: str = "", prelude: str = "") -> str:
    """One vcrpy interaction as YAML text, with any part replaced by raw YAML."""
    body = _quoted(REPLY) if body is None else body
    return (
        f"{prelude}interactions:\n- request:\n    method: POST\n    uri: {uri}\n    body: {_quoted(request)}\n"
        f"    headers:\n      content-type:\n{headers}\n"
        f"  response:\n    status:\n      code: {status}\n      message: OK\n"
        f"    headers:\n      content-type:\n      - {ctype}\n{extra_headers}"
        f"    body:\n      string: {body}\nversion: 1\n"
    )


def _deep_json(depth: int) -> str:
    return "[" * depth + "]" * depth


def _alias_bomb(levels: int = 12, width: int = 10) -> str:
    """A 'billion laughs': each anchor lists the previous one `width` times; the last is `width**levels` strings."""
    lines = ['lol0: &l0 "lol lol lol lol lol lol lol lol"']
    for i in range(1, levels):
        lines.append(f"lol{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


@functools.lru_cache(maxsize=1)
def gzip_bomb(size: int = 1 << 30) -> bytes:
    """`size` zero bytes as gzip (about 1 MB for 1 GiB), built in a second: one fully flushed deflate segment
    of 1 MiB of zeros (it refers to nothing before it) repeated, then an empty final block and the trailer."""
    chunk = bytes(1 << 20)
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    segment = deflater.compress(chunk) + deflater.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(size >> 20):
        crc = zlib.crc32(chunk, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03"
    return header + segment * (size >> 20) + b"\x03\x00" + struct.pack("<II", crc, size & 0xFFFFFFFF)


def _sse(events: list[str]) -> str:
    """A literal block body of SSE events."""
    lines = "".join(f"        data: {e}\n\n" for e in events)
    return "|+\n" + lines.replace("\n\n", "\n        \n")


def _failing_stream(n: int) -> str:
    bad = '{"choices": 0}'  # short, so the file stays a few MB: no id, no object, choices not a list
    return cassette(ctype="text/event-stream", body=_sse([bad] * n + ["[DONE]"]))


def _many_broken(n: int) -> str:
    one = cassette(status="'two hundred'").split("interactions:\n", 1)[1].rsplit("version: 1\n", 1)[0]
    return "interactions:\n" + one * n + "version: 1\n"


def _ok_with(text: str, needle: str, replacement: str) -> str:
    assert needle in text
    return text.replace(needle, replacement, 1)


# name -> bytes of the hostile file (file name suffix in the name when it is not .yaml)
CASES: dict[str, Callable[[], bytes]] = {
    # control characters in otherwise valid UTF-8: PyYAML's ReaderError
    "control-nul": lambda: _ok_with(cassette(), "application/json", "application/\x00json").encode(),
    "control-esc": lambda: _ok_with(cassette(), "application/json", "\x1b[31mapplication/json").encode(),
    "control-ufffe": lambda: _ok_with(cassette(), "application/json", "application/\ufffejson").encode(),
    # ESC in a JSON field name (escaped in YAML and JSON, so it parses): must not reach the terminal raw
    "esc-in-field-name": lambda: cassette(body=_quoted(REPLY[:-1] + ', "\\u001b[2J\\u001b[31mboom": 1}')).encode(),
    "bad-ipv6-uri": lambda: cassette(uri="http://[::1/v1/chat/completions").encode(),
    "json-deep-response": lambda: cassette(body=_quoted(_deep_json(5000))).encode(),
    "json-deep-request": lambda: cassette(request=_deep_json(5000)).encode(),
    # A `model` makes routing read the body before the request check does.
    "json-deep-request-with-model": lambda: cassette(request='{"model": "openai/gpt-4.1-nano-2025-04-14", "messages": ' + _deep_json(5000) + "}").encode(),
    "json-deep-event": lambda: cassette(ctype="text/event-stream", body=_sse([_deep_json(5000), "[DONE]"])).encode(),
    "yaml-deep-flow": lambda: ("interactions: " + "[" * 100_000 + "]" * 100_000 + "\n").encode(),
    "yaml-deep-block": lambda: ("interactions:\n" + "- " * 100_000 + "x\n").encode(),
    "yaml-deep-mapping": lambda: ("interactions: " + "{a: " * 100_000 + "b" + "}" * 100_000 + "\n").encode(),
    "alias-bomb-body": lambda: cassette(prelude=_alias_bomb(), body="*l11").encode(),
    "alias-bomb-header": lambda: cassette(prelude=_alias_bomb(), headers="      - *l11").encode(),
    "alias-recursive": lambda: cassette(headers="      - &r [*r]").encode(),
    "gzip-bomb": lambda: cassette(
        body="!!binary |\n        " + base64.b64encode(gzip_bomb()).decode(),
        extra_headers="      content-encoding:\n      - gzip\n",
    ).encode(),
    "sse-200k-failing": lambda: _failing_stream(200_000).encode(),
    "many-broken-interactions": lambda: _many_broken(1_100).encode(),
    "status-true": lambda: cassette(status="true").encode(),
    "status-null": lambda: cassette(status="null").encode(),
    "long-header": lambda: cassette(headers="      - " + "x" * 1_000_000).encode(),
    "top-level-list": lambda: b"- 1\n- 2\n",
    "empty-file": lambda: b"",
    "not-utf8": lambda: b"interactions: [\xff\xfe]\n",
    "binary": lambda: bytes(range(256)) * 64,
    "python-object-tag": lambda: b"interactions: !!python/object/apply:os.system ['echo hacked']\n",
    "request-not-mapping": lambda: b"interactions:\n- request: 5\n  response: []\n",
    "headers-odd": lambda: cassette(headers="      - [1, {a: b}]").encode(),
    "body-mapping-no-string": lambda: cassette(body="{nested: {deeper: [1, 2]}}").encode(),
    "uppercase-suffix.YAML": lambda: cassette(status="'x'").encode(),
    "over-the-file-limit": lambda: cassette().encode() + b"#" + b"x" * (65 * 1024 * 1024) + b"\n",
}


def write_case(folder: Path, name: str, real: Path) -> Path:
    """`folder` holding the hostile cassette `name` and a copy of the real recording `real`."""
    folder.mkdir(parents=True, exist_ok=True)
    filename = name if "." in name else f"hostile-{name}.yaml"
    (folder / filename).write_bytes(CASES[name]())
    shutil.copyfile(real, folder / "real.yaml")
    return folder


_MEASURED = (
    "import resource, sys\n"
    "from aimlapi_contract.cli import main\n"
    "rc = main(sys.argv[1:])\n"
    "sys.stderr.write(f'\\npeak-rss-kb {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\\n')\n"
    "sys.exit(rc)\n"
)


def run_check(cassettes: Path, work: Path, docs_base: str, page: str, *extra: str, timeout: float = 120) -> dict[str, object]:
    """`check` on `cassettes` in a fresh process: exit code, stderr, the JSON report, seconds, peak RSS in MB."""
    report = work / f"{cassettes.name}.json"
    baseline = work / "empty-baseline.json"
    baseline.write_text('{"version": 1, "accepted": []}')
    args = ["check", "--docs-base", docs_base, "--page", page, "--cassettes", str(cassettes), "--baseline", str(baseline),
            "--lock", str(work / "no-lock.json"), "--cache-dir", str(work / "cache"), "--format", "json", "--output", str(report),
            *extra]
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", _MEASURED, *args], capture_output=True, text=True, timeout=timeout, cwd=work)
    seconds = time.monotonic() - start
    rss = [line for line in proc.stderr.splitlines() if line.startswith("peak-rss-kb ")]
    return {
        "rc": proc.returncode,
        "stderr": proc.stderr,
        "report": json.loads(report.read_text()) if report.exists() else None,
        "seconds": seconds,
        "rss_mb": int(rss[-1].split()[1]) / 1024 if rss else None,
    }


def main(argv: list[str]) -> int:
    """Write the corpus under argv[0] and run `check` on each folder, printing one line per kind."""
    out = Path(argv[0])
    real = Path(argv[1]) if len(argv) > 1 and not argv[1].startswith("--") else Path(__file__).parents[3] / "shared" / "real-traffic-samples" / "chat-00.yaml"
    docs_base = argv[argv.index("--docs-base") + 1] if "--docs-base" in argv else str(Path(__file__).parents[1] / "data" / "docs")
    page = argv[argv.index("--page") + 1] if "--page" in argv else "clean.md"
    out.mkdir(parents=True, exist_ok=True)
    worst = 0
    for name in CASES:
        folder = write_case(out / name.replace(".", "-"), name, real)
        result = run_check(folder, out, docs_base, page)
        traceback = "Traceback" in str(result["stderr"])
        print(f"{name:28} rc={result['rc']} {result['seconds']:6.1f} s {result['rss_mb'] or 0:8.0f} MB"
              f"{'  TRACEBACK' if traceback else ''}", flush=True)
        if result["rc"] not in (0, 1) or traceback:
            worst = 1
    return worst


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
