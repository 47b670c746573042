"""Turn findings into one pytest failure that shows all of them at once."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from ..findings import Finding, Severity
from .model import Report
from .text import render_finding


def assert_no_new_findings(
    report: Report, *, where: Iterable[Finding] | None = None, fail_on: Severity = Severity.ERROR, what: str = ""
) -> None:
    """Fail once, listing every new finding at or above `fail_on` among `where` (default: the whole report)."""
    __tracebackhide__ = True
    new = {id(f) for f in report.triage.new}
    candidates = report.findings if where is None else list(where)
    failing = [f for f in candidates if id(f) in new and f.severity >= fail_on]
    if failing:
        body = "\n".join(render_finding(f) for f in failing)
        pytest.fail(f"{len(failing)} new finding(s){' in ' + what if what else ''}:\n{body}", pytrace=False)
