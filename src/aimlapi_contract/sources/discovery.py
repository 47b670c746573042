"""Find the specs a page links to, from its GitBook `{% openapi-operation %}`, `{% openapi %}` and `{% swagger %}` blocks."""

from __future__ import annotations

import re
from dataclasses import dataclass

# GitBook tags are not Markdown: a Markdown parser sees them as paragraph text, so they are read by line.
# GitBook has written three tags for an embedded operation over the years: `openapi-operation spec=...` (the spec
# registered by name, its link between the tags), and the older `openapi src=...` / `swagger src=...` (the spec's URL
# in `src`, often repeated as a link between the tags).
_OPEN = re.compile(r"\{%\s*(?P<tag>openapi-operation|openapi|swagger)\s(?P<attrs>[^%]*)%\}")
_CLOSE = re.compile(r"\{%\s*end(?:openapi-operation|openapi|swagger)\s*%\}")
_ATTR = re.compile(r'(\w[\w-]*)\s*=\s*"([^"]*)"')
# `[text](url)` or, for a URL with spaces (GitBook writes `.gitbook/assets/x (1).json` so), `[text](<url>)`.
_LINK = re.compile(r"\[[^\]]*\]\((?:<(?P<angled>[^>]+)>|(?P<url>[^)\s]+))")


@dataclass(frozen=True, slots=True)
class SpecLink:
    """One `{% openapi-operation %}` block: which spec, path and method the page embeds, and the link to it."""

    spec_id: str
    path: str
    method: str
    url: str  # as written on the page; "" when the block has no link
    line: int  # 1-based line of the opening tag
    tag: str = "openapi-operation"  # or "openapi" / "swagger" (the spec's URL in `src`)

    @property
    def endpoint(self) -> str:
        return f"{self.method.upper()} {self.path}"


def iter_spec_links(page_text: str) -> list[SpecLink]:
    """Every openapi-operation, openapi or swagger block on the page, in page order."""
    links: list[SpecLink] = []
    lines = page_text.splitlines()
    i = 0
    while i < len(lines):
        match = _OPEN.search(lines[i])
        if not match:
            i += 1
            continue
        attrs = dict(_ATTR.findall(match.group("attrs")))
        start = i
        url = ""
        # The link sits between the tags; it may share the opening line.
        rest = lines[i][match.end() :]
        while True:
            link = _LINK.search(rest)
            if link and not url:
                url = link.group("angled") or link.group("url")
            if _CLOSE.search(rest) or i + 1 >= len(lines):
                break
            i += 1
            rest = lines[i]
        tag = match.group("tag")
        links.append(
            SpecLink(
                spec_id=attrs.get("spec", ""),
                path=attrs.get("path", ""),
                method=attrs.get("method", "").lower(),
                url=attrs.get("src", "") or url if tag != "openapi-operation" else url,
                line=start + 1,
                tag=tag,
            )
        )
        i += 1
    return links
