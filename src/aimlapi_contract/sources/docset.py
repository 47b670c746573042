"""A tracked page and the specs it links to, loaded once for every check."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ..findings import Code, Finding, Severity
from .base import relative_link
from .discovery import SpecLink, iter_spec_links
from .fetch import Fetched, Fetcher, FetchError
from .specs import Operation, Spec, SpecParseError, load_spec


@dataclass(slots=True)
class DocSet:
    """What one page publishes: its text, its openapi-operation links, and the specs they resolve to."""

    page: str  # path relative to the docs base
    page_text: str | None
    links: list[SpecLink] = field(default_factory=list)
    specs: dict[str, Spec] = field(default_factory=dict)  # rel path -> spec
    fetched: list[Fetched] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # problems loading the sources
    notes: list[str] = field(default_factory=list)  # e.g. "used the cached copy"
    spec_only: bool = False  # `--specs`: a spec no checked page links, `page` is the spec's own path

    def spec_for_link(self, link: SpecLink) -> Spec | None:
        rel = relative_link(link.url, self.page) if link.url else None
        return self.specs.get(rel) if rel else None

    def unloaded_endpoints(self) -> set[str]:
        """Endpoints the page links to a spec for, where that spec could not be loaded: nothing about them can be checked."""
        return {link.endpoint for link in self.links if self.spec_for_link(link) is None}


# What loading one spec gave, shared between the docsets of a run: a spec linked by N pages is read and parsed once.
# None: it could not be loaded, and the first docset that tried holds the finding saying why.
SpecMemo = dict[str, "Spec | None"]


def load_docset(fetcher: Fetcher, page: str, *, offline: bool = False, memo: SpecMemo | None = None) -> DocSet:
    """Load a page and every spec it links to; failures become findings, never exceptions."""
    docset = DocSet(page=page, page_text=None)
    page_doc = _get(fetcher, page, docset, offline)
    if page_doc is None:
        return docset
    try:
        docset.page_text = page_doc.data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        docset.findings.append(
            Finding(Code.DOC_PAGE_UNREADABLE, Severity.ERROR, page, f"page is not UTF-8 text (byte {exc.start})")
        )
        return docset
    docset.links = iter_spec_links(docset.page_text)
    for link in docset.links:
        rel = relative_link(link.url, page) if link.url else None
        if rel is None or rel in docset.specs:
            continue  # reported by the docs lint (CT302) with the page line
        if memo is not None and rel in memo:
            _reuse(memo[rel], rel, docset)
            continue
        if memo is not None:
            memo[rel] = None  # until it loads
        spec_doc = _get(fetcher, rel, docset, offline)
        if spec_doc is None:
            continue
        try:
            docset.specs[rel] = load_spec(rel, spec_doc.data)
            if memo is not None:
                memo[rel] = docset.specs[rel]
        except SpecParseError as exc:
            docset.findings.append(
                Finding(
                    Code.SOURCE_NOT_JSON,
                    Severity.ERROR,
                    rel,
                    f"spec linked from {page}:{link.line} is {exc}",
                    line=exc.line,
                    column=exc.column,
                    endpoint=link.endpoint,
                )
            )
    return docset


def load_spec_docset(fetcher: Fetcher, rel: str, *, offline: bool = False, memo: SpecMemo | None = None) -> DocSet:
    """A spec on its own (`--specs`), as a docset with no page text: linted and its examples checked."""
    docset = DocSet(page=rel, page_text=None, spec_only=True)
    if memo is not None and rel in memo:
        _reuse(memo[rel], rel, docset)
        return docset
    if memo is not None:
        memo[rel] = None  # until it loads
    doc = _get(fetcher, rel, docset, offline)
    if doc is None:
        return docset
    try:
        docset.specs[rel] = load_spec(rel, doc.data)
        if memo is not None:
            memo[rel] = docset.specs[rel]
    except SpecParseError as exc:
        docset.findings.append(Finding(Code.SOURCE_NOT_JSON, Severity.ERROR, rel, f"spec is {exc}", line=exc.line, column=exc.column))
    return docset


def _reuse(loaded: Spec | None, rel: str, docset: DocSet) -> None:
    # The fetch and its findings belong to the first docset that loaded the spec; later ones only share it.
    if loaded is not None:
        docset.specs[rel] = loaded


def _get(fetcher: Fetcher, rel: str, docset: DocSet, offline: bool) -> Fetched | None:
    try:
        doc = fetcher.get(rel, offline=offline)
    except FetchError as exc:
        docset.findings.append(
            Finding(Code.SOURCE_UNREACHABLE, Severity.ERROR, rel, exc.message, fix=exc.tip)
        )
        return None
    docset.fetched.append(doc)
    if doc.note:
        docset.notes.append(doc.note)
    if doc.from_cache:
        # In the report too, so a reader of a CI artifact knows the checks ran on an older copy.
        docset.findings.append(
            Finding(
                Code.SOURCE_FROM_CACHE, Severity.INFO, rel, doc.note,
                fix="re-run with the network, or point --docs-base at a current mirror",
            )
        )
    return doc


def reached_operation(docset: DocSet, url: str, method: str) -> tuple[Spec | None, Operation | None, str]:
    """The spec and operation `method url` reaches among the page's specs, with the path relative to the
    spec's server; (None, None, the URL's path) when none documents it."""
    url_path = urlsplit(url).path or "/"
    for spec in docset.specs.values():
        for server in spec.servers or [""]:
            prefix = urlsplit(server).path.rstrip("/")
            if url_path.startswith(prefix):
                path = url_path[len(prefix):] or "/"
                op = spec.find_operation(path, method)
                if op:
                    return spec, op, path
    return None, None, url_path
