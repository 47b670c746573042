"""Contract failures read well where CI shows them: pytest's output and its JUnit XML (`--junitxml`)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

CONTRACT_ITEM = textwrap.dedent(
    """
    from aimlapi_contract.reports.assertion import assert_no_new_findings
    from aimlapi_contract.baseline import BaselineEntry, triage
    from aimlapi_contract.reports.model import Report
    from aimlapi_contract.findings import Code, Finding, Severity

    NEW = Finding(Code.SPEC_INVALID_OPENAPI, Severity.ERROR, "specs/chat.json", "'description' is a required property",
                  line=770, pointer="/paths/~1v1~1chat~1completions/post/responses/200", endpoint="POST /v1/chat/completions",
                  fix='add "description": "OK" to the response object')
    KNOWN = Finding(Code.SPEC_NULLABLE_WITHOUT_TYPE, Severity.ERROR, "specs/chat.json", "known drift", pointer="/x")

    def test_spec_conforms():
        report = Report([NEW, KNOWN], triage([NEW, KNOWN], [BaselineEntry.from_finding(KNOWN, "accepted")]))
        assert_no_new_findings(report, what="specs/chat.json")
    """
)


def test_junit_failure_names_each_new_finding_with_location_and_fix(tmp_path: Path) -> None:
    (tmp_path / "test_item.py").write_text(CONTRACT_ITEM)
    xml = tmp_path / "junit.xml"
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={xml}", "test_item.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    failure = ET.parse(xml).getroot().find(".//testcase/failure")
    assert failure is not None
    message = failure.get("message") or ""
    # The message attribute (what CI lists first) says how many and where.
    assert message.startswith("Failed: 1 new finding(s) in specs/chat.json:")
    body = failure.text or ""
    assert "specs/chat.json:770: CT110 error: 'description' is a required property" in body
    assert "endpoint: POST /v1/chat/completions" in body
    assert 'fix: add "description": "OK" to the response object' in body
    assert "known drift" not in body  # baselined findings never fail an item
    assert "Traceback" not in body and "def test_spec_conforms" not in body  # no pytest internals to wade through
