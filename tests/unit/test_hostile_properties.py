"""Property-based: over generated cassettes, SSE bodies and pages, no exception escapes, and a good cassette
beside a bad one is still checked, with exactly the findings it has alone."""

from __future__ import annotations

import functools
import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aimlapi_contract.findings import Code
from aimlapi_contract.sources import DocsBase, Fetcher, load_docset
from aimlapi_contract.traffic import Exchange, iter_cassette_findings, iter_exchange_findings
from aimlapi_contract.traffic.sse import parse_sse
from traffic_specs import both_specs, chat_spec

GOOD = Path(__file__).parents[1] / "data" / "cassettes" / "response-wrong-type.yaml"
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_text = st.text(st.characters(codec="utf-8"), max_size=40)
_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), _text)
_json = st.recursive(_scalars, lambda kids: st.one_of(st.lists(kids, max_size=4), st.dictionaries(_text, kids, max_size=4)), max_leaves=20)


def _body(value: Any) -> Any:
    import json

    return value if not isinstance(value, dict | list) else json.dumps(value)


# Interactions shaped like vcrpy's, with any part possibly of the wrong type, missing or odd.
_interaction = st.fixed_dictionaries(
    {
        "request": st.one_of(
            _scalars,
            st.fixed_dictionaries(
                {"method": st.one_of(st.sampled_from(["POST", "GET", "post"]), _scalars),
                 "uri": st.one_of(st.sampled_from(["https://api.aimlapi.com/v1/chat/completions", "http://[::1/v1/x", "/v1/responses", ""]), _scalars),
                 "body": st.one_of(_scalars, _json.map(_body)),
                 "headers": st.one_of(_scalars, st.dictionaries(_text, st.one_of(_text, st.lists(_scalars, max_size=3)), max_size=3))},
                optional={},
            ),
        ),
        "response": st.one_of(
            _scalars,
            st.fixed_dictionaries(
                {"status": st.one_of(_scalars, st.fixed_dictionaries({"code": st.one_of(st.sampled_from([200, 400, 500]), _scalars)})),
                 "headers": st.one_of(_scalars, st.dictionaries(st.sampled_from(["content-type", "content-encoding", "x"]),
                                                                st.lists(st.sampled_from(["application/json", "text/event-stream", "gzip", "deflate", "x"]), max_size=2), max_size=3)),
                 "body": st.one_of(_scalars, st.fixed_dictionaries({"string": st.one_of(_scalars, _json.map(_body), st.binary(max_size=60))}))},
            ),
        ),
    }
)
_cassette_data = st.one_of(_json, st.fixed_dictionaries({"interactions": st.one_of(_scalars, st.lists(_interaction, max_size=3)), "version": st.just(1)}))


@functools.lru_cache(maxsize=1)
def _good_alone() -> frozenset[tuple[str, ...]]:
    """The good cassette's finding keys when it is checked alone (not empty: it has a CT205)."""
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copyfile(GOOD, Path(tmp) / "good.yaml")
        keys = frozenset(f.key for f in iter_cassette_findings(Path(tmp), both_specs(), root=Path(tmp)) if f.source == "good.yaml")
    assert any(key[0] == Code.RESPONSE_SCHEMA_MISMATCH.value for key in keys), keys
    return keys


def _mangle(text: str, cut: int, insert: str) -> str:
    """The YAML text with something spliced in (a control character, a bracket, an alias) at a position."""
    at = cut % (len(text) + 1)
    return text[:at] + insert + text[at:]


@SETTINGS
@given(data=_cassette_data, cut=st.integers(0, 10_000), insert=st.sampled_from(["", "\x00", "\x1b", "\ufffe", "[", "*a", "&a ", "!!python/name:os.system ", "\t", "'"]))
def test_no_exception_escapes_and_the_good_cassette_is_still_checked(data: Any, cut: int, insert: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        text = _mangle(yaml.safe_dump(data, allow_unicode=True), cut, insert)
        (folder / "generated.yaml").write_text(text, encoding="utf-8")
        shutil.copyfile(GOOD, folder / "good.yaml")
        findings = list(iter_cassette_findings(folder, both_specs(), root=folder))
        assert not [f.message for f in findings if f.code is Code.CHECK_CRASHED]
        assert {f.key for f in findings if f.source == "good.yaml"} == _good_alone()


_sse_line = st.one_of(
    st.just(""), st.just("data: [DONE]"), _json.map(lambda v: "data: " + str(_body(v))), st.text(max_size=30).map(lambda t: "data: " + t),
    st.sampled_from(["event: x", "id: 1", "retry: 5", ": keep-alive", "data", "data:", "\r", "\ufeffdata: {}"]),
)


@SETTINGS
@given(lines=st.lists(_sse_line, max_size=30), ending=st.sampled_from(["\n", "\r\n", "\r"]), path=st.sampled_from(["/v1/chat/completions", "/v1/responses"]))
def test_no_sse_body_raises(lines: list[str], ending: str, path: str) -> None:
    body = ending.join(lines).encode("utf-8", errors="surrogatepass")
    parse_sse(body)
    exchange = Exchange("POST", f"http://x{path}", {}, b"", 200, {"content-type": ["text/event-stream"]}, body)
    findings = list(iter_exchange_findings(exchange, [chat_spec(), *both_specs()], source="s.yaml", anchor="interaction:0"))
    assert all(f.source == "s.yaml" for f in findings)


_page_piece = st.one_of(
    _text,
    st.sampled_from([
        '{% openapi-operation spec="mini-chat" path="/v1/chat/completions" method="post" %}\n[OpenAPI mini-chat](mini-chat.json)\n{% endopenapi-operation %}\n',
        "```json\n", "```\n", "```python\nimport requests\nrequests.post('https://api.aimlapi.com/v1/chat/completions', json={'a': [[[1]]]})\n```\n",
        "```bash\ncurl -X POST https://api.aimlapi.com/v1/chat/completions -d '{\"model\": 1}'\n```\n",
        "{% tabs %}\n", "{% endtabs %}\n", "## Response\n", "[link](../../../../etc/passwd)\n", "[spec](mini-chat.json#frag)\n",
    ]),
    _json.map(lambda v: "```json\n" + str(_body(v)) + "\n```\n"),
    st.integers(1, 3000).map(lambda n: "```json\n" + "[" * n + "]" * n + "\n```\n"),
)


@SETTINGS
@given(pieces=st.lists(_page_piece, max_size=12))
def test_no_page_raises_while_loading_or_linting(pieces: list[str]) -> None:
    from aimlapi_contract.page import iter_doc_findings

    with tempfile.TemporaryDirectory() as tmp:
        docs = Path(tmp)
        shutil.copyfile(Path(__file__).parents[1] / "data" / "docs" / "mini-chat.json", docs / "mini-chat.json")
        (docs / "p.md").write_text("".join(pieces), encoding="utf-8", errors="surrogatepass")
        docset = load_docset(Fetcher(DocsBase(str(docs))), "p.md")
        list(iter_doc_findings(docset))
