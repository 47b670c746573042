"""Spec discovery from a page's openapi-operation blocks, and link resolution against the docs base."""

from __future__ import annotations

from pathlib import Path

import pytest

from aimlapi_contract.sources.base import DEFAULT_DOCS_BASE, relative_link
from aimlapi_contract.sources.discovery import iter_spec_links

DATA = Path(__file__).parents[1] / "data"


def test_finds_every_block_with_its_line_and_link() -> None:
    links = iter_spec_links((DATA / "docs" / "two-specs.md").read_text())
    assert [(link.spec_id, link.path, link.method, link.line) for link in links] == [
        ("chat", "/v1/echo", "post", 3),
        ("other", "/v1/other", "post", 9),
        ("nolink", "/v1/x", "post", 11),
    ]
    assert links[0].url == DEFAULT_DOCS_BASE + "docs/specs/echo.json"
    assert links[1].url == "../specs/other.json"
    assert links[2].url == ""
    assert links[0].endpoint == "POST /v1/echo"


def test_unterminated_block_still_yields_its_link() -> None:
    links = iter_spec_links('{% openapi-operation spec="a" path="/p" method="post" %}\n[x](https://h.test/a.json)\n')
    assert [link.url for link in links] == ["https://h.test/a.json"]


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        pytest.param(DEFAULT_DOCS_BASE + "docs/a/B.json", "docs/a/B.json", id="upstream-absolute"),
        pytest.param(DEFAULT_DOCS_BASE + "docs/a/B.json#frag", "docs/a/B.json", id="fragment-dropped"),
        pytest.param(DEFAULT_DOCS_BASE + "docs/../../../x.json", None, id="upstream-climbs-out"),
        pytest.param(DEFAULT_DOCS_BASE + "docs/a/../b/C.json", "docs/b/C.json", id="upstream-normalised"),
        pytest.param("../OpenAI/x.json", "docs/api/OpenAI/x.json", id="relative"),
        pytest.param("https://example.com/x.json", None, id="other-host"),
        pytest.param("/broken/pages/abc", None, id="site-absolute"),
        pytest.param("../../../../x.json", None, id="escapes-repo"),
    ],
)
def test_relative_link(link: str, expected: str | None) -> None:
    assert relative_link(link, "docs/api/openai/page.md") == expected
