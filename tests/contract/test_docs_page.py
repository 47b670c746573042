"""Contract items for the documentation page: its links, Response examples and code samples agree with the specs."""

from __future__ import annotations

import pytest

from aimlapi_contract.findings import Code
from aimlapi_contract.reports.assertion import assert_no_new_findings
from aimlapi_contract.reports.model import Report

pytestmark = pytest.mark.contract

_LINKS = {Code.DOC_SPEC_LINK_BROKEN, Code.DOC_LINKED_OPERATION_MISSING, Code.DOC_FENCE_UNTERMINATED}
_EXAMPLES = {
    Code.DOC_ENDPOINT_UNKNOWN, Code.DOC_SCHEMA_UNUSABLE, Code.DOC_EXAMPLE_NOT_JSON, Code.DOC_EXAMPLE_JSON5_ONLY,
    Code.DOC_EXAMPLE_SCHEMA_MISMATCH, Code.SEMANTIC_USAGE_SUM, Code.SEMANTIC_OUTPUT_OVER_LIMIT, Code.SEMANTIC_IN_PROGRESS,
    Code.SEMANTIC_OBJECT_MISMATCH, Code.SEMANTIC_MODEL_MISMATCH, Code.SEMANTIC_TIMESTAMP,
}
_SAMPLES = {
    Code.DOC_SAMPLE_UNPARSABLE, Code.DOC_SAMPLE_WRONG_HOST, Code.DOC_SAMPLE_UNDOCUMENTED_PATH,
    Code.DOC_SAMPLE_DUPLICATE_HEADER, Code.DOC_SAMPLE_MISSING_HEADER, Code.DOC_SAMPLE_SCHEMA_MISMATCH, Code.DOC_SAMPLES_DIFFER,
}


def _on(report: Report, source: str, codes: set[Code]) -> list:
    return [f for f in report.findings if f.source == source and f.code in codes]


def test_page_links_resolve(contract_report: Report, contract_page: str) -> None:
    """Every openapi-operation block links a loadable spec that documents its path and method; every fence closes."""
    assert_no_new_findings(contract_report, where=_on(contract_report, contract_page, _LINKS), what=contract_page)


def test_page_response_examples(contract_report: Report, contract_page: str) -> None:
    """Each Response example is JSON, matches its endpoint's 200 schema and is a plausible finished reply."""
    assert_no_new_findings(contract_report, where=_on(contract_report, contract_page, _EXAMPLES), what=contract_page)


def test_page_code_samples(contract_report: Report, contract_page: str) -> None:
    """Each code sample reaches a documented operation on the spec's server, with valid headers and payload."""
    assert_no_new_findings(contract_report, where=_on(contract_report, contract_page, _SAMPLES), what=contract_page)


def test_spec_examples_and_code_samples(contract_report: Report, contract_spec_source: str) -> None:
    """The spec's own examples/defaults match its schemas, and its x-codeSamples agree with it and with the page."""
    assert contract_spec_source, "no published spec could be loaded; see test_page_and_specs_load"
    codes = _SAMPLES | {Code.SPEC_EXAMPLE_SCHEMA_MISMATCH, Code.DOC_SCHEMA_UNUSABLE}
    assert_no_new_findings(contract_report, where=_on(contract_report, contract_spec_source, codes), what=contract_spec_source)
