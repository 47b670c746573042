"""Benchmark: plain openapi-core vs the suite's SchemaEngine, in one run, over the published specs.

    AIMLAPI_DOCS_BASE=../shared/aimlapi-docs python benchmarks/run.py

Each (scenario, side) runs in its own process, so peak memory (max RSS) is its own and neither
side warms the other's caches. Rates exclude one-time setup (spec loading, validator building),
which is printed separately. Last, it times cold `aimlapi-contract check` processes.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CHAT_SPEC = "docs/api-references/text-models-llm/OpenAI/gpt-4.1-nano.json"
RESPONSES_SPEC = "docs/api-references/text-models-llm/OpenAI/gpt-4.1-nano-RESPONSES.json"
SERVER = "https://api.aimlapi.com"
SCENARIOS = {
    "pairs": ("chat non-streaming request/response pairs", "pairs/s"),
    "chat_stream": ("chat stream chunks", "chunks/s"),
    "responses_stream": ("/v1/responses stream events (oneOf of 53)", "events/s"),
}


def docs_base(value: str | None) -> Path:
    """The docs mirror: --docs-base, else $AIMLAPI_DOCS_BASE, else ../shared/aimlapi-docs."""
    path = Path(value or os.environ.get("AIMLAPI_DOCS_BASE") or ROOT.parent / "shared" / "aimlapi-docs")
    if not (path / CHAT_SPEC).is_file():
        sys.exit(f"error: no published specs under {path}; pass --docs-base DIR or set AIMLAPI_DOCS_BASE")
    return path


# ---- one (scenario, side) per process -------------------------------------------------------------


def worker(scenario: str, side: str, base: Path, count: int) -> dict[str, Any]:
    sys.path.insert(0, str(HERE))
    import payloads

    from aimlapi_contract.sources.specs import load_spec

    rel = RESPONSES_SPEC if scenario == "responses_stream" else CHAT_SPEC
    path = "/v1/responses" if scenario == "responses_stream" else "/v1/chat/completions"
    if scenario == "pairs":
        items: list[Any] = payloads.chat_pairs(count)
    elif scenario == "chat_stream":
        items = payloads.chat_stream(count)
    else:
        items = payloads.responses_stream(count)
    start = time.perf_counter()
    spec = load_spec(rel, (base / rel).read_bytes())
    run = (_baseline if side == "baseline" else _engine)(scenario, spec, path)
    run(items[0])  # builds what is built once
    setup = time.perf_counter() - start
    start = time.perf_counter()
    rejected = sum(1 for item in items if not run(item))
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"items": len(items), "seconds": seconds, "setup": setup, "rejected": rejected, "peak_mb": peak_mb}


def _baseline(scenario: str, spec: Any, path: str) -> Any:
    """Plain openapi-core: validate_request/validate_response per pair; one validator over the whole event schema."""
    if scenario == "pairs":
        from openapi_core.exceptions import OpenAPIError
        from openapi_core.testing import MockRequest, MockResponse

        openapi = spec.openapi()

        def run_pair(pair: tuple[bytes, bytes]) -> bool:
            request = MockRequest(SERVER, "post", path, data=pair[0], content_type="application/json")
            response = MockResponse(pair[1], status_code=200, content_type="application/json")
            try:
                openapi.validate_request(request)
                openapi.validate_response(request, response)
            except OpenAPIError:
                return False
            return True

        return run_pair
    from openapi_core.validation.schemas import oas30_read_schema_validators_factory
    from openapi_core.validation.schemas.exceptions import InvalidSchemaValue

    openapi = spec.openapi()
    schema_path = openapi.spec / "paths" / path / "post" / "responses" / "200" / "content" / "text/event-stream" / "schema"
    validator = oas30_read_schema_validators_factory.create(openapi.spec, schema_path)

    def run_event(data: bytes) -> bool:
        try:
            validator.validate(json.loads(data))
        except InvalidSchemaValue:  # carries every error (schema_errors), as the engine's Violations do
            return False
        return True

    return run_event


def _engine(scenario: str, spec: Any, path: str) -> Any:
    """The suite's engine, with the same work around it: parse, find the operation and media type, validate."""
    from aimlapi_contract.validation.engine import SchemaEngine

    engine = SchemaEngine(spec)
    if scenario == "pairs":

        def run_pair(pair: tuple[bytes, bytes]) -> bool:
            op = spec.find_operation(path, "post")
            request_schema = op.request_media_types()["application/json"]
            response_schema = op.response_media_types(200)["application/json"]
            bad = engine.validate_request(request_schema, json.loads(pair[0]))
            bad += engine.validate_response(response_schema, json.loads(pair[1]))
            return not bad

        return run_pair
    event_schema = spec.find_operation(path, "post").response_media_types(200)["text/event-stream"]

    def run_event(data: bytes) -> bool:
        return not engine.validate_response(event_schema, json.loads(data))

    return run_event


# ---- the parent: runs every worker, then cold checks, and prints the table ------------------------


def _spawn(scenario: str, side: str, base: Path, count: int) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--worker", scenario, side, "--docs-base", str(base), "--count", str(count)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def cold_checks(base: Path, runs: int) -> list[tuple[str, float, int]]:
    """Wall time of `aimlapi-contract check` processes, process start to report: first with an empty cache."""
    script = Path(sys.executable).with_name("aimlapi-contract")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "aimlapi_contract"]
    results = []
    with tempfile.TemporaryDirectory() as cache:
        for i in range(runs):
            args = cmd + ["check", "--docs-base", str(base), "--cache-dir", cache, "--output", os.devnull]
            start = time.perf_counter()
            done = subprocess.run(args, capture_output=True, cwd=ROOT)
            results.append(("empty cache" if i == 0 else "warm cache", time.perf_counter() - start, done.returncode))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs-base", help="docs mirror (default: $AIMLAPI_DOCS_BASE, else ../shared/aimlapi-docs)")
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--chunks", type=int, default=2000)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--cold-runs", type=int, default=3, help="cold check processes (the first with an empty cache)")
    parser.add_argument("--worker", nargs=2, metavar=("SCENARIO", "SIDE"), help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    base = docs_base(args.docs_base)
    if args.worker:
        print(json.dumps(worker(args.worker[0], args.worker[1], base, args.count)))
        return 0
    counts = {"pairs": args.pairs, "chat_stream": args.chunks, "responses_stream": args.events}
    print(f"specs: {base}")
    header = f"{'scenario':<50} {'openapi-core':>18} {'engine':>18} {'ratio':>8}   rejected   setup s (b/e)   peak RSS MB (b/e)"
    print(header)
    print("-" * len(header))
    for scenario, (title, unit) in SCENARIOS.items():
        b = _spawn(scenario, "baseline", base, counts[scenario])
        e = _spawn(scenario, "engine", base, counts[scenario])
        rb, re_ = b["items"] / b["seconds"], e["items"] / e["seconds"]
        label = f"{title} ({b['items']})"
        print(
            f"{label:<50} {rb:>9.0f} {unit:<8} {re_:>9.0f} {unit:<8} {re_ / rb:>7.1f}x"
            f"   {b['rejected']:>3}/{e['rejected']:<3}   {b['setup']:5.2f}/{e['setup']:<5.2f}     {b['peak_mb']:5.0f}/{e['peak_mb']:<5.0f}"
        )
        if b["rejected"] != e["rejected"]:
            print(f"  VERDICTS DIFFER: openapi-core rejected {b['rejected']}, the engine {e['rejected']}")
    if args.cold_runs:
        print()
        for label, seconds, code in cold_checks(base, args.cold_runs):
            print(f"cold `aimlapi-contract check` (page + both specs, {label}): {seconds:.2f} s (exit {code})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
