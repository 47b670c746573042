"""Rebuild cassettes/published-examples/ from the published page's own examples, mechanically.

For each Python code sample that calls `requests.post(URL, headers=..., json=...)`, the request is
that call (read with `ast`, never executed) and the response is the page's next ```json5 "Response"
example: parsed as JSON5, or, when that fails (the chat example is a Python dict repr behind stray
text), `ast.literal_eval` of the text from its first `{`. Nothing is edited to make it validate.
The Authorization header is left out (the page shows a placeholder; cassettes never hold credentials).

Usage: python scripts/page_examples_to_cassettes.py ../shared/aimlapi-docs [--commit f14fa72f]
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
from pathlib import Path
from typing import Any

import json5
import yaml
from markdown_it import MarkdownIt

PAGE = "docs/api-references/text-models-llm/openai/gpt-4.1-nano.md"
OUT = Path("cassettes/published-examples")


def post_call(code: str) -> tuple[str, dict[str, str], Any] | None:
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "post" and node.args:
            kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords if k.arg in ("headers", "json")}
            return ast.literal_eval(node.args[0]), kwargs.get("headers", {}), kwargs.get("json")
    return None


def parse_example(text: str) -> tuple[Any, str]:
    try:
        return json5.loads(text), "parsed as JSON5 as published"
    except ValueError:
        start = text.index("{")
        dropped = text[:start].strip()
        return ast.literal_eval(text[start:]), (
            f"published as a Python dict repr after the stray text {dropped!r}; converted mechanically with "
            "ast.literal_eval of the text from its first '{' and json.dumps (None -> null); no value changed"
        )


def block_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("docs_base", type=Path)
    parser.add_argument("--commit", default="f14fa72f (2026-08-21)", help="upstream commit the mirror holds")
    args = parser.parse_args()
    raw = (args.docs_base / PAGE).read_bytes()
    page_sha = hashlib.sha256(raw).hexdigest()
    fences = [t for t in MarkdownIt().parse(raw.decode("utf-8")) if t.type == "fence"]
    yaml.SafeDumper.add_representer(str, block_str)
    OUT.mkdir(parents=True, exist_ok=True)
    for i, fence in enumerate(fences):
        call = post_call(fence.content) if fence.info.strip() == "python" else None
        example = next((f for f in fences[i + 1 :] if f.info.strip() == "json5"), None)
        if call is None or example is None:
            continue
        url, headers, body = call
        response, how = parse_example(example.content)
        name = url.rstrip("/").rsplit("/v1/", 1)[-1].replace("/", "-")
        cassette = {
            "interactions": [
                {
                    "request": {
                        "method": "POST",
                        "uri": url,
                        "body": json.dumps(body),
                        "headers": {k.lower(): [v] for k, v in headers.items() if k.lower() != "authorization"},
                    },
                    "response": {
                        "status": {"code": 200, "message": "OK"},
                        "headers": {"content-type": ["application/json"]},
                        "body": {"string": json.dumps(response, indent=2, ensure_ascii=False) + "\n"},
                    },
                }
            ],
            "version": 1,
        }
        head = "\n".join(
            [
                "# Reconstructed from the published page, not recorded: the API is not reachable from where this was built.",
                f"# Page: {PAGE} (upstream aimlapi/api-docs, commit {args.commit}; sha256 {page_sha[:16]}).",
                f"# Request: the Python code sample at page line {fence.map[0] + 1} (requests.post URL, headers without Authorization, json=).",
                f"# Response: the \"Response\" example at page line {example.map[0] + 1}: {how}.",
                "# Status 200 and content-type application/json are assumed: the page shows neither.",
                "# Written by scripts/page_examples_to_cassettes.py; live recordings add to and replace these.",
            ]
        )
        text = head + "\n" + yaml.safe_dump(cassette, sort_keys=False, allow_unicode=True, width=100)
        (OUT / f"{name}.yaml").write_text(text, encoding="utf-8")
        print(f"wrote {OUT / (name + '.yaml')}")


if __name__ == "__main__":
    main()
