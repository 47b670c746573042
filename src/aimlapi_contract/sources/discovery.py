"""Find the specs a page links to, from its GitBook `{% openapi-operation %}` blocks."""

from __future__ import annotations

import re
from dataclasses import dataclass

# GitBook tags are not Markdown: a Markdown parser sees them as paragraph text, so they are read by line.
_OPEN = re.compile(r"\{%\s*openapi-operation\b(?P<attrs>[^%]*)%\}")
_CLOSE = re.compile(r"\{%\s*endopenapi-operation\s*%\}")
_ATTR = re.compile(r'(\w[\w-]*)\s*=\s*"([^"]*)"')
_LINK = re.compile(r"\[[^\]]*\]\((?P<url>[^)\s]+)\)")


@dataclass(frozen=True, slots=True)
class SpecLink:
    """One `{% openapi-operation %}` block: which spec, path and method the page embeds, and the link to it."""

    spec_id: str
    path: str
    method: str
    url: str  # as written on the page; "" when the block has no link
    line: int  # 1-based line of the opening tag

    @property
    def endpoint(self) -> str:
        return f"{self.method.upper()} {self.path}"


def iter_spec_links(page_text: str) -> list[SpecLink]:
    """Every openapi-operation block on the page, in page order."""
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
                url = link.group("url")
            if _CLOSE.search(rest) or i + 1 >= len(lines):
                break
            i += 1
            rest = lines[i]
        links.append(
            SpecLink(
                spec_id=attrs.get("spec", ""),
                path=attrs.get("path", ""),
                method=attrs.get("method", "").lower(),
                url=url,
                line=start + 1,
            )
        )
        i += 1
    return links
