"""What the richer reports need beyond the findings: the source text, line numbers, links to the docs repository."""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Mapping
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
    """The revision the documents were read at: the ref in a raw GitHub URL, the commit of a local checkout
    of the docs repository, else "main" (a mirror of main)."""
    if base and not base.is_remote:
        return _checkout_commit(Path(base.location)) or "main"
    m = _RAW.match(base.location if base else DEFAULT_DOCS_BASE)
    return m.group(2) if m else "main"


def _checkout_commit(directory: Path) -> str:
    """HEAD of `directory` when it is the top of a git checkout (not a folder inside another repository)."""
    import subprocess  # here: only the linking formats ask, and subprocess is ~4 ms of a run's start-up

    try:
        out = subprocess.run(["git", "-C", str(directory), "rev-parse", "--show-toplevel", "HEAD"],
                             capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    lines = out.stdout.split()
    if out.returncode or len(lines) != 2 or Path(lines[0]).resolve() != directory.resolve():
        return ""
    return lines[1] if re.fullmatch(r"[0-9a-f]{40,64}", lines[1]) else ""


def project_blob_from_env(env: Mapping[str, str] | None = None) -> str:
    """`https://github.com/OWNER/REPO/blob/SHA` of the checked-out project in GitHub Actions, else ''."""
    env = os.environ if env is None else env
    server, repo, sha = env.get("GITHUB_SERVER_URL", "https://github.com"), env.get("GITHUB_REPOSITORY"), env.get("GITHUB_SHA")
    if not (repo and sha and re.fullmatch(r"[\w.-]+/[\w.-]+", repo) and re.fullmatch(r"[0-9a-f]{7,64}", sha)):
        return ""
    return f"{server.rstrip('/')}/{repo}/blob/{sha}"


def _line_anchor(line: int | None) -> str:
    # ?plain=1: GitHub shows Markdown rendered otherwise, and the #L anchor then lands nowhere.
    return f"?plain=1#L{line}" if line else ""


@dataclass(slots=True)
class ReportContext:
    """Source texts by path, plus where each source lives upstream, for snippets, line numbers and links."""

    texts: dict[str, str] = field(default_factory=dict)  # docs-relative path -> text (pages and specs)
    repo: str = DOCS_REPO
    ref: str = "main"
    project_blob: str = ""  # the project's own files (cassettes) at the checked commit, e.g. $GITHUB_SHA
    _project_texts: dict[str, str | None] = field(default_factory=dict)
    _locators: dict[str, JsonLocator] = field(default_factory=dict)
    _lines: dict[str, list[str]] = field(default_factory=dict)
    # Fetched documents decoded when first quoted (a catalogue's 800 specs are ~170 MB, few are quoted),
    # and those that parsed as specs: their locators need not parse them again to know they are JSON.
    _undecoded: dict[str, bytes] = field(default_factory=dict)
    _parsed_json: set[str] = field(default_factory=set)

    @classmethod
    def from_report(cls, report: Report, *, ref: str = "main", repo: str = DOCS_REPO,
                    project_blob: str | None = None) -> ReportContext:
        """`project_blob` defaults to the GitHub Actions commit ($GITHUB_SHA), when there is one."""
        texts: dict[str, str] = {}
        undecoded: dict[str, bytes] = {}
        parsed: set[str] = set()
        for ds in report.docsets:
            if ds.page_text is not None:
                texts[ds.page] = ds.page_text
                undecoded.pop(ds.page, None)
            for doc in ds.fetched:
                if doc.rel not in texts and doc.rel not in undecoded:
                    undecoded[doc.rel] = doc.data
                    spec = ds.specs.get(doc.rel)
                    # Parsed from these very bytes; with a BOM the text below keeps it, and is then not JSON.
                    if spec is not None and spec.raw is doc.data and not doc.data.startswith(codecs.BOM_UTF8):
                        parsed.add(doc.rel)
        blob = project_blob_from_env() if project_blob is None else project_blob
        return cls(texts=texts, repo=repo.rstrip("/"), ref=ref, project_blob=blob.rstrip("/"), _undecoded=undecoded,
                   _parsed_json=parsed)

    def in_docs_repo(self, source: str) -> bool:
        """True for published pages and specs; False for the project's own files (cassettes, the baseline)."""
        return source in self.texts or source in self._undecoded

    def text_of(self, source: str) -> str | None:
        """The text of a published source, else of a project file (a cassette) read relative to the working directory."""
        if source in self.texts:
            return self.texts[source]
        if source in self._undecoded:
            decoded = self.texts[source] = self._undecoded.pop(source).decode("utf-8", errors="replace")
            return decoded
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
            self._locators[finding.source] = JsonLocator(text, known_json=finding.source in self._parsed_json)
        return self._locators[finding.source].line(finding.pointer)

    def column_of(self, finding: Finding) -> int | None:
        """The finding's column, else that of its JSON pointer in a JSON source (a minified spec is one line)."""
        if finding.column or not finding.pointer or not finding.source.endswith(".json"):
            return finding.column
        if self.line_of(finding) is None or finding.source not in self._locators:
            return None
        position = self._locators[finding.source].position(finding.pointer)
        return position[1] if position else None

    def snippet(self, source: str, line: int | None, around: int = 2) -> list[tuple[int, str]]:
        """(line number, text) pairs around `line`; empty when the source or line is unknown."""
        text = self.text_of(source)
        if text is None or not line:
            return []
        if source not in self._lines:
            self._lines[source] = text.splitlines()
        lines = self._lines[source]
        if line > len(lines):
            return []
        first, last = max(1, line - around), min(len(lines), line + around)
        return [(n, lines[n - 1]) for n in range(first, last + 1)]

    def link(self, source: str, line: int | None) -> str:
        """A link to the line: in the docs repository at the checked revision, or in the project at its commit.

        '' for a file outside the project (a cassette directory given by an absolute or `..` path) or when
        the project's commit is unknown (a local run).
        """
        if self.in_docs_repo(source):
            return f"{self.repo}/blob/{quote(self.ref, safe='')}/{quote(source)}" + _line_anchor(line)
        path = Path(source)
        if not self.project_blob or path.is_absolute() or ".." in path.parts or not source or not path.is_file():
            return ""
        return f"{self.project_blob}/{quote(path.as_posix())}" + _line_anchor(line)
