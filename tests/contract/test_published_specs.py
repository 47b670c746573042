"""Contract items over the published page and the specs it links to (the mirror in CI)."""

from __future__ import annotations

import pytest

from aimlapi_contract.findings import Code
from aimlapi_contract.reports.assertion import assert_no_new_findings
from aimlapi_contract.reports.model import Report

pytestmark = pytest.mark.contract

_LOAD_CODES = {Code.SOURCE_UNREACHABLE, Code.SOURCE_NOT_JSON, Code.DOC_PAGE_UNREADABLE}


def test_page_and_specs_load(contract_report: Report, contract_page: str) -> None:
    """The page and every spec it links to could be read and parsed."""
    docset = next(ds for ds in contract_report.docsets if ds.page == contract_page)
    assert_no_new_findings(contract_report, where=[f for f in docset.findings if f.code in _LOAD_CODES], what=contract_page)
    assert docset.links, f"{contract_page}: no openapi-operation blocks found, so no spec is tracked"
    assert docset.specs, f"{contract_page}: none of the linked specs could be loaded"


def test_spec_conforms(contract_report: Report, contract_spec_source: str) -> None:
    """The spec is valid OpenAPI 3.0 and says what it means, apart from baselined known drift."""
    assert contract_spec_source, "no published spec could be loaded; see test_page_and_specs_load"
    # Traffic root causes (CT220) sit in the spec too, but fail the cassette items that show them.
    findings = [f for f in contract_report.findings if f.source == contract_spec_source and f.code is not Code.TRAFFIC_ROOT_CAUSE]
    assert_no_new_findings(contract_report, where=findings, what=contract_spec_source)
