"""Contract items over recorded traffic: one per cassette interaction (cassettes/ by default)."""

from __future__ import annotations

import pytest

from aimlapi_contract.reports.assertion import assert_no_new_findings
from aimlapi_contract.reports.model import Report
from aimlapi_contract.traffic.replay import InteractionItem

pytestmark = pytest.mark.contract


def test_interaction_conforms(contract_report: Report, contract_interaction: InteractionItem | None) -> None:
    """The recorded request and response (every SSE event included) conform to the spec documenting their path."""
    assert contract_interaction is not None, "no cassette found: the cassette directory is empty"
    findings = [f for f in contract_report.findings if contract_interaction.owns(f)]
    assert_no_new_findings(contract_report, where=findings, what=contract_interaction.id)
