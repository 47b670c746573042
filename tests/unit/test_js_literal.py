"""JavaScript object literals read fast (bare keys quoted, then JSON) give exactly what JSON5 gives."""

from __future__ import annotations

import random
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
    "{ 'Authorization': 'Bearer k', model: 'm', sizes: [1, 2.0, -0,], nested: { null: null, true: true, }, }",
    "{ a: 'it\\'s' }",  # an escape in single quotes: left to json5
    "{ a: 'say \"hi\"' }",  # a double quote in single quotes: left to json5
    "{ a: 'x', b: Infinity, c: NaN }",  # JSON5 words
    "[1,,]", "[,]", "{ a: , }", "{ 'a', }",  # commas no value precedes: json5 rejects them
    '{ "a, }": 1, }',  # a closer inside a string is no closer
]


def read(block: str, **kw: object) -> str:
    """The value as its repr (1 and 1.0, 0 and False differ), or the error's type."""
    try:
        return repr(js_literal(block, **kw))
    except ValueError as exc:
        return type(exc).__name__


def read_json5(block: str, **kw: object) -> str:
    try:
        return repr(json5.loads(block, **kw))
    except ValueError as exc:
        return type(exc).__name__


@pytest.mark.parametrize("block", LITERALS)
def test_same_as_json5(block: str) -> None:
    assert read(block) == read_json5(block)
    assert read(block, object_pairs_hook=list) == read_json5(block, object_pairs_hook=list)


def test_random_json5_like_texts_read_as_json5_reads_them() -> None:
    """Texts made of the tokens the fast paths convert and of those they leave to json5, in any order."""
    rng = random.Random(16)
    pieces = ["{", "}", "[", "]", ":", ",", " ", "\n", "model", "true", "null", "Infinity", "$k", "'s'", "'a b'", "'x\\'y'",
              "'q\"'", '"d"', '"e\\n"', '"a, }"', "1", "-0", "2.5", "1e3", ".5", "+1", "0x1F", "01", "/*c*/", "\t", "\u00a0"]
    for _ in range(4000):
        block = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        assert read(block) == read_json5(block), block
    for _ in range(2000):  # mostly well-formed: an object of a few members, trailing commas and all
        keys, values = ["a", "'b'", '"c"', "null"], ["1", "'v'", "[1, 2,]", "{x: 0,}", "true", ".5"]
        members = [rng.choice(keys) + ": " + rng.choice(values) for _ in range(rng.randint(0, 4))]
        block = "{ " + ", ".join(members) + rng.choice(["", ",", " , "]) + " }"
        assert read(block) == read_json5(block), block


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
