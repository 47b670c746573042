"""What the richer reports need beyond the findings: the source text, line numbers, links to the docs repository."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from ..findings import Finding
from ..redact import Redactor, api_key
from ..sources import DEFAULT_DOCS_BASE, DocsBase, JsonLocator

if TYPE_CHECKING:
    from .model import Report

DOCS_REPO = "https://github.com/aimlapi/api-docs"
_RAW = re.compile(r"^https://raw\.githubusercontent\.com/([^/]+/[^/]+)/(?:refs/(?:heads|tags)/)?([^/]+)/")
MAX_PROJECT_FILE = 2_000_000  # bytes: a cassette larger than this is not quoted


def redact_secrets(text: str) -> str:
    """The text with the API key ($AIMLAPI_KEY) scrubbed in every form the cassettes scrub: findings quote payloads."""
    return Redactor([api_key()]).text(text)


def docs_ref_for(base: DocsBase | None) -> str:
    """The revision the documents were read at: the ref in a raw GitHub URL, else "main" (a mirror of main)."""
    m = _RAW.match(base.location if base and base.is_remote else DEFAULT_DOCS_BASE)
    return m.group(2) if m else "main"


@dataclass(slots=True)
class ReportContext:
    """Source texts by path, plus where each source lives upstream, for snippets, line numbers and links."""

    texts: dict[str, str] = field(default_factory=dict)  # docs-relative path -> text (pages and specs)
    repo: str = DOCS_REPO
    ref: str = "main"
    _project_texts: dict[str, str | None] = field(default_factory=dict)
    _locators: dict[str, JsonLocator] = field(default_factory=dict)
    _lines: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_report(cls, report: Report, *, ref: str = "main", repo: str = DOCS_REPO) -> ReportContext:
        texts: dict[str, str] = {}
        for ds in report.docsets:
            if ds.page_text is not None:
                texts[ds.page] = ds.page_text
            for doc in ds.fetched:
                if doc.rel not in texts:
                    texts[doc.rel] = doc.data.decode("utf-8", errors="replace")
        return cls(texts=texts, repo=repo.rstrip("/"), ref=ref)

    def in_docs_repo(self, source: str) -> bool:
        """True for published pages and specs; False for the project's own files (cassettes, the baseline)."""
        return source in self.texts

    def text_of(self, source: str) -> str | None:
        """The text of a published source, else of a project file (a cassette) read relative to the working directory."""
        if source in self.texts:
            return self.texts[source]
        if source not in self._project_texts:
            text = None
            path = Path(source)
            try:
                if path.is_file() and path.stat().st_size <= MAX_PROJECT_FILE:
                    text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                pass
            self._project_texts[source] = text
        return self._project_texts[source]

    def line_of(self, finding: Finding) -> int | None:
        """The finding's line, else the line of its JSON pointer in a JSON source."""
        if finding.line:
            return finding.line
        if not finding.pointer or not finding.source.endswith((".json", ".yaml", ".yml")):
            return None
        text = self.text_of(finding.source) if finding.source.endswith(".json") else None
        if text is None:
            return None
        if finding.source not in self._locators:
            self._locators[finding.source] = JsonLocator(text)
        return self._locators[finding.source].line(finding.pointer)

    def snippet(self, source: str, line: int | None, around: int = 2, column: int | None = None) -> list[tuple[int, str]]:
        """(line number, text) pairs around `line`; empty when the source or line is unknown.

        Long lines are clipped to a window (around `column` when given): a minified spec is one line of
        megabytes, and a whole-line snippet per finding made reports of gigabytes."""
        text = self.text_of(source)
        if text is None or not line:
            return []
        if source not in self._lines:
            self._lines[source] = text.splitlines()
        lines = self._lines[source]
        if line > len(lines):
            return []
        first, last = max(1, line - around), min(len(lines), line + around)
        return [(n, _clip(lines[n - 1], column if n == line else None)) for n in range(first, last + 1)]

    def link(self, source: str, line: int | None) -> str:
        """A link to the line in the docs repository at the fetched revision ('' for the project's own files)."""
        if not self.in_docs_repo(source):
            return ""
        return f"{self.repo}/blob/{quote(self.ref, safe='')}/{quote(source)}" + (f"#L{line}" if line else "")


SNIPPET_WIDTH = 240


def _clip(text: str, column: int | None) -> str:
    """`text`, or a SNIPPET_WIDTH window of it (around 1-based `column`), marked with … where cut."""
    if len(text) <= SNIPPET_WIDTH:
        return text
    start = max(0, min(len(text) - SNIPPET_WIDTH, (column or 1) - 1 - SNIPPET_WIDTH // 3))
    end = start + SNIPPET_WIDTH
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
