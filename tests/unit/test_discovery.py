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
        # every URL form GitHub serves the docs repository's main branch under
        pytest.param("https://raw.githubusercontent.com/aimlapi/api-docs/main/docs/a/B.json", "docs/a/B.json", id="raw-short-ref"),
        pytest.param("https://github.com/aimlapi/api-docs/raw/refs/heads/main/docs/a/B.json", "docs/a/B.json", id="github-raw"),
        pytest.param("https://github.com/aimlapi/api-docs/raw/main/docs/a/B.json", "docs/a/B.json", id="github-raw-short"),
        pytest.param("https://github.com/aimlapi/api-docs/blob/main/docs/a/B.json?raw=true", "docs/a/B.json", id="github-blob"),
        pytest.param("https://github.com/aimlapi/api-docs/blob/refs/heads/main/docs/a/B%20(1).json", "docs/a/B (1).json", id="blob-quoted"),
        pytest.param("https://github.com/aimlapi/api-docs/raw/f14fa72f/docs/a/B.json", None, id="other-revision"),
        pytest.param("https://github.com/someone/api-docs/raw/main/docs/a/B.json", None, id="other-repository"),
        pytest.param("/broken/openapi/gpt-image-1-gen", None, id="gitbook-placeholder"),
    ],
)
def test_relative_link(link: str, expected: str | None) -> None:
    assert relative_link(link, "docs/api/openai/page.md") == expected


def test_openapi_and_swagger_tags_take_their_spec_from_src() -> None:
    page = (
        '{% openapi src="../../../.gitbook/assets/voyage (1).json" path="/v1/embeddings" method="post" %}\n'
        "[voyage (1).json](<../../../.gitbook/assets/voyage (1).json>)\n{% endopenapi %}\n\n"
        '{% swagger src="./sdxl.json" path="/v1/images/generations" method="post" %}\n./sdxl.json\n{% endswagger %}\n'
    )
    links = iter_spec_links(page)
    assert [(link.tag, link.url, link.endpoint, link.line) for link in links] == [
        ("openapi", "../../../.gitbook/assets/voyage (1).json", "POST /v1/embeddings", 1),
        ("swagger", "./sdxl.json", "POST /v1/images/generations", 5),
    ]


def test_an_angled_link_keeps_its_spaces() -> None:
    page = '{% openapi-operation spec="v" path="/p" method="post" %}\n[v](<../a/v (1).json>)\n{% endopenapi-operation %}\n'
    assert iter_spec_links(page)[0].url == "../a/v (1).json"
