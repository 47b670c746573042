"""Links GitBook itself marks as broken: `broken-reference` and `/broken/pages/<id>`, written when a target page is gone.

GitBook keeps the link text and replaces the target, so the published page shows a link that leads
nowhere. Links inside code blocks are code, not links, and are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..findings import Code, Finding, Severity
from .blocks import Page

# A link target: Markdown `[text](target)`, HTML `href="target"`, GitBook `{% content-ref url="target" %}`.
_TARGET = re.compile(r"""(?:\]\(\s*<?|\bhref\s*=\s*["']|\burl\s*=\s*["'])(?P<url>[^)"'\s>]+)""")
_BROKEN = re.compile(r"(?:^|/)(?:broken-reference|broken/pages/(?P<id>[\w-]+))/?(?:[#?].*)?$")
_TEXT = re.compile(r"\[(?P<text>[^\]]*)\]\(\s*<?$")


def iter_broken_links(source: str, text: str, page: Page) -> Iterator[Finding]:
    """CT329 for every link whose target GitBook replaced by its broken-link form."""
    in_code: set[int] = set()
    for block in page.blocks:
        in_code.update(range(block.line, block.line + block.text.count("\n") + 2))
    counts: dict[str, int] = {}
    for n, line in enumerate(text.splitlines(), start=1):
        if n in in_code:
            continue
        for match in _TARGET.finditer(line):
            url = match.group("url")
            broken = _BROKEN.search(url)
            if not broken:
                continue
            label = _TEXT.search(line[: match.start("url")])
            shown = f"[{label.group('text')}]" if label else "a link"
            target = f"page {broken.group('id')}" if broken.group("id") else "an unknown page"
            # Keyed on what is linked, not the line: the n-th broken link to the same target.
            base = f"broken-link:{url}"
            k = counts.get(base, 0)
            counts[base] = k + 1
            yield Finding(Code.DOC_LINK_BROKEN, Severity.ERROR, source,
                          f"{shown} links to `{url}`, GitBook's mark for a link whose target ({target}) no longer exists; "
                          "readers who follow it get an error page", line=n, column=match.start("url") + 1,
                          anchor=base if k == 0 else f"{base}#{k}", fix="link the page that replaced it, or remove the link")
