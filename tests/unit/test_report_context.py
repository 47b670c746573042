"""ReportContext over a run's documents: texts decoded when first quoted, spec locators trusting the load's parse."""

from __future__ import annotations

import codecs
import json

from aimlapi_contract.baseline import Triage
from aimlapi_contract.findings import Code, Finding, Severity
from aimlapi_contract.reports import ReportContext
from aimlapi_contract.reports.model import Report
from aimlapi_contract.sources.docset import DocSet
from aimlapi_contract.sources.fetch import Fetched
from aimlapi_contract.sources.specs import load_spec

SPEC = json.dumps({"openapi": "3.0.0", "paths": {"/v1/x": {"post": {}}}}, indent=2).encode()


def context_for(raw: bytes, *, loaded: bool = True) -> ReportContext:
    page = DocSet(page="docs/p.md", page_text="# page\n", fetched=[Fetched("docs/p.md", "", b"# page\n"), Fetched("docs/s.json", "", raw)])
    if loaded:
        page.specs["docs/s.json"] = load_spec("docs/s.json", raw)
    return ReportContext.from_report(Report([], Triage([], [], []), [page]), project_blob="")


def finding(pointer: str) -> Finding:
    return Finding(Code.SPEC_INVALID_OPENAPI, Severity.ERROR, "docs/s.json", "x", pointer=pointer)


def test_fetched_texts_are_the_published_texts_and_spec_pointers_are_located() -> None:
    context = context_for(SPEC)
    assert context.in_docs_repo("docs/s.json") and context.in_docs_repo("docs/p.md") and not context.in_docs_repo("cassettes/c.yaml")
    assert context.text_of("docs/p.md") == "# page\n" and context.text_of("docs/s.json") == SPEC.decode()
    assert context.line_of(finding("/paths/~1v1~1x/post")) == 5


def test_a_spec_with_a_bom_is_quoted_with_it_and_not_located_as_before() -> None:
    raw = codecs.BOM_UTF8 + SPEC  # loads (utf-8-sig), but the quoted text keeps the BOM, which json rejects
    context = context_for(raw)
    assert context.text_of("docs/s.json") == raw.decode("utf-8")
    assert context.line_of(finding("/paths")) is None


def test_a_document_that_is_not_a_loaded_spec_is_checked_before_it_is_located() -> None:
    context = context_for(b'{"paths": {"/v1/x": ', loaded=False)  # truncated: not JSON
    assert context.line_of(finding("/paths")) is None
