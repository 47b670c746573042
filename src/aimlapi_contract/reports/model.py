"""One run's result, as every report format reads it: the findings, split by the baseline, and their sources."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from ..baseline import Triage
from ..findings import Finding, Severity
from ..sources import DocSet

# Counted by map over attrgetters: a generator per count cost a catalogue's 40,000 findings a pass in Python each.
_SEVERITY, _ENDPOINT, _SOURCE = attrgetter("severity"), attrgetter("endpoint"), attrgetter("source")


def _by_endpoint(counts: Counter[str]) -> dict[str, int]:
    """Findings per endpoint, those with none under "-"."""
    merged: Counter[str] = Counter()
    for endpoint, n in counts.items():
        merged[endpoint or "-"] += n
    return dict(sorted(merged.items()))


@dataclass(slots=True)
class Report:
    """All findings of one run, split by the baseline, with what a reader needs to trust them."""

    findings: list[Finding]
    triage: Triage
    docsets: list[DocSet] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # `findings`, and `triage.new` within them, are in report order (findings.sort_key), as run_checks leaves
    # them: the triage view then takes them as they are instead of sorting 66,000 findings again (~20 ms).
    ordered: bool = False

    def failing(self, fail_on: Severity = Severity.ERROR) -> list[Finding]:
        """New findings at or above `fail_on`: what makes the run fail."""
        return [f for f in self.triage.new if f.severity >= fail_on]

    def summary(self) -> dict[str, Any]:
        # Counted by member, labelled after: `label` is a property, and a catalogue run has 40,000 findings.
        sev = Counter(map(_SEVERITY, self.findings))
        new_sev = Counter(map(_SEVERITY, self.triage.new))
        return {
            "total": len(self.findings),
            "by_severity": {s.label: sev.get(s, 0) for s in Severity},
            "new_by_severity": {s.label: new_sev.get(s, 0) for s in Severity},
            "by_endpoint": _by_endpoint(Counter(map(_ENDPOINT, self.findings))),
            "new": len(self.triage.new),
            "baselined": len(self.triage.baselined),
            "stale_baseline_entries": len(self.triage.stale),
            "sources": {
                d.rel: {"url": d.url, "sha256": d.sha256, "from_cache": d.from_cache}
                for ds in self.docsets
                for d in ds.fetched
            },
            "pages": self.pages(),
        }

    def pages(self) -> dict[str, dict[str, Any]]:
        """Every page of the run, checked or not: its specs and how many findings name it (so none goes unmentioned)."""
        counts = Counter(map(_SOURCE, self.findings))
        return {
            ds.page: {"checked": ds.page_text is not None, "specs": sorted(ds.specs), "findings": counts.get(ds.page, 0)}
            for ds in self.docsets
            if not ds.spec_only
        }
