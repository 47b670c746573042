"""JavaScript object literals read fast (bare keys quoted, then JSON) give exactly what JSON5 gives."""

from __future__ import annotations

import re
from pathlib import Path

import json5
import pytest

from aimlapi_contract.page.js_source import balanced_after, js_literal, strip_js_comments

LITERALS = [
    '{ model: "gpt-4o", max_tokens: 10, stream: true, stop: null }',
    '{ "Content-Type": "application/json", Authorization: "Bearer k" }',
    '{ messages: [{ role: "user", content: "a, b: c" }] }',  # a key-like run inside a string stays a string
    '{ content: "x", nested: { $ref: 1, _private: [1, 2.5e3, -0] } }',
    "{ model: 'single quotes' }",  # JSON5 only
    '{ model: "m", }',  # trailing comma: JSON5 only
    '{ a: 0x1F, b: .5, c: +1 }',  # JSON5 numbers
    '{ a: 1, a: 2 }',  # duplicate keys, kept by object_pairs_hook below
]


@pytest.mark.parametrize("block", LITERALS)
def test_same_as_json5(block: str) -> None:
    assert js_literal(block) == json5.loads(block)
    assert js_literal(block, object_pairs_hook=list) == json5.loads(block, object_pairs_hook=list)


def test_every_javascript_object_literal_of_the_mirror_reads_as_json5_does(catalogue_sample: Path) -> None:
    blocks = []
    for page in sorted(catalogue_sample.rglob("*.md")):
        for fence in re.finditer(r"```(?:javascript|js)\n(.*?)```", page.read_text(encoding="utf-8"), re.S):
            code = strip_js_comments(fence.group(1))
            for pattern in (r"\bheaders\s*:\s*(?=\{)", r"\bbody\s*:\s*JSON\.stringify\(\s*(?=\{)", r"\.create\(\s*(?=\{)"):
                found = balanced_after(code, pattern, 0)
                if found:
                    blocks.append(found[1])
    assert len(blocks) > 50
    read = 0
    for block in blocks:
        try:
            expected = json5.loads(block, object_pairs_hook=list)
        except ValueError:
            with pytest.raises(ValueError):
                js_literal(block, object_pairs_hook=list)
            continue
        assert js_literal(block, object_pairs_hook=list) == expected
        read += 1
    assert read > 50
