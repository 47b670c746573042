"""Bad input never crashes the readers: any text gives a result (and problems), never an exception."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from aimlapi_contract.page.blocks import parse_page
from aimlapi_contract.page.examples import read_example
from aimlapi_contract.page.lint import iter_doc_findings
from aimlapi_contract.page.samples import read_sample
from aimlapi_contract.sources.base import DocsBase
from aimlapi_contract.sources.docset import DocSet, load_docset
from aimlapi_contract.sources.fetch import Fetcher
from aimlapi_contract.sources.locate import JsonLocator

# Text built from the tokens the readers care about, so the interesting paths are reached.
_TOKENS = list("{}[]()'\":,;=\\/*#\n -abN0123") + [
    "```", "```python\n", "{% endcode %}", "<details>", "</details>", "<summary>Response</summary>",
    "fetch('https://h/x', {", "body: JSON.stringify(", "headers: {", "requests.post(", "json=", "headers=",
    "curl ", "-H ", "--data ", "POST / HTTP/1.1\n", "None", "True", "'a'", '"a"', "//", "/*", "*/",
]
_text = st.lists(st.sampled_from(_TOKENS), max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(_text)
def test_readers_never_raise(text: str) -> None:
    parse_page(text)
    read_example(text)
    JsonLocator(text).lines()
    JsonLocator(text).position("/a/0/b", nearest=True)
    for lang in ("python", "javascript", "shell", "http"):
        read_sample(lang, text)


_FIXTURES = load_docset(Fetcher(DocsBase.from_setting(str(Path(__file__).parents[1] / "data" / "docs"))), "clean.md")
_URLS = ["https://api.aimlapi.com/v1/chat/completions", "https://api.aimlapi.com/v1/responses", "http://[::1", "https://", "/v1/x"]


@settings(max_examples=150, deadline=None)
@given(_text, st.sampled_from(_URLS))
def test_whole_lint_never_raises(text: str, url: str) -> None:
    page = f"```python\nrequests.post('{url}', json={{'model': 1}})\n```\n" + text + "\n```json\n{'object': 'response'}\n```\n"
    docset = DocSet(page="p.md", page_text=page, links=_FIXTURES.links, specs=_FIXTURES.specs)
    for finding in iter_doc_findings(docset):
        assert finding.source in {"p.md", *docset.specs}
