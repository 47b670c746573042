"""The triage order every report follows: root causes (with what they explain), then code+location groups,
then baselined ones, then stale entries."""

from __future__ import annotations

from typing import Any

import pytest

from aimlapi_contract.baseline import BaselineEntry, stale_findings, triage
from aimlapi_contract.findings import Code, Finding, Severity, sort_key
from aimlapi_contract.reports import triage as triage_module
from aimlapi_contract.reports.model import Report
from aimlapi_contract.reports.triage import CAUSE_CODES, triage_view

SPEC = "docs/spec.json"


def cause(pointer: str, count: int, severity: Severity = Severity.ERROR, **extra: Any) -> Finding:
    """A CT220 as traffic/root_causes.py makes it: its key is what its members name in extra["cause_key"]."""
    return Finding(Code.TRAFFIC_ROOT_CAUSE, severity, SPEC, f"{count} payload(s) in 1 cassette(s) share one cause, e.g. x",
                   pointer=pointer, endpoint="POST /v1/x", anchor="null", fix=f"add null at {pointer}",
                   extra={"count": count, "cassettes": ["c.yaml"], **extra})


def member(of: Finding, n: int, code: Code = Code.NULL_NOT_ALLOWED) -> Finding:
    return Finding(code, of.severity, "c.yaml", f"payload {n}", line=n, anchor=f"interaction:{n}", pointer="/a",
                   extra={"cause_key": list(of.key)})


def report_of(findings: list[Finding], entries: list[BaselineEntry] = ()) -> Report:  # type: ignore[assignment]
    tri = triage(findings, list(entries))
    stale = stale_findings(tri.stale)
    tri.new.extend(stale)
    return Report([*findings, *stale], tri)


def test_causes_come_first_most_severe_then_widest_each_with_its_members() -> None:
    narrow, wide, warn = cause("/n", 2), cause("/w", 3), cause("/u", 9, Severity.WARNING)
    single = Finding(Code.DOC_EXAMPLE_SCHEMA_MISMATCH, Severity.ERROR, "p.md", "bad example", line=4)
    findings = [single, warn, member(warn, 1), narrow, member(narrow, 1), member(narrow, 2), wide,
                *(member(wide, n) for n in (3, 1, 2))]
    view = triage_view(report_of(findings))
    assert [c.finding for c in view.new.causes] == [wide, narrow, warn]  # errors first, then by count
    assert [m.line for m in view.new.causes[0].members] == [1, 2, 3]  # in report order (line)
    assert view.new.causes[0].count == 3 and view.new.causes[0].locations == ["c.yaml"]
    assert view.new.causes[0].locations_kind == "cassettes"
    # The one finding no cause explains is grouped by code and location, after the causes.
    assert [(g.code, g.source, g.findings) for g in view.new.groups] == [(single.code, "p.md", [single])]
    assert view.new.findings()[0] is wide and view.new.findings()[-1] is single
    assert view.new.total == len(findings)


def test_groups_are_by_code_and_source_errors_first() -> None:
    w1 = Finding(Code.SPEC_NULLABLE_WITHOUT_TYPE, Severity.WARNING, SPEC, "typeless nullable", line=9)
    w2 = Finding(Code.SPEC_NULLABLE_WITHOUT_TYPE, Severity.WARNING, SPEC, "typeless nullable", line=3)
    e = Finding(Code.SPEC_INVALID_OPENAPI, Severity.ERROR, "docs/z.json", "invalid", line=1)
    other = Finding(Code.SPEC_NULLABLE_WITHOUT_TYPE, Severity.WARNING, "docs/a.json", "typeless nullable", line=1)
    groups = triage_view(report_of([w1, e, w2, other])).new.groups
    assert [(g.code.value, g.source) for g in groups] == [("CT110", "docs/z.json"), ("CT111", "docs/a.json"), ("CT111", SPEC)]
    assert groups[2].findings == [w2, w1] and groups[2].lines == [3, 9]


def test_baselined_and_stale_are_kept_apart_from_the_new() -> None:
    accepted = cause("/b", 2)
    behind = [member(accepted, 1), member(accepted, 2)]
    new_one = Finding(Code.DOC_EXAMPLE_SCHEMA_MISMATCH, Severity.ERROR, "p.md", "bad", line=1)
    gone = BaselineEntry("CT110", SPEC, "", "/gone", "", reason="r")
    entries = [BaselineEntry.from_finding(accepted, "known"), gone]
    view = triage_view(report_of([accepted, *behind, new_one], entries))
    assert view.new.causes == [] and [g.findings for g in view.new.groups] == [[new_one]]
    # A baselined cause accepts the findings behind it: they stay nested under it, in the baselined section.
    assert [c.finding for c in view.baselined.causes] == [accepted] and view.baselined.causes[0].members == behind
    assert [f.code for f in view.stale] == [Code.BASELINE_STALE]
    assert view.ordered() == [new_one, accepted, *behind, *view.stale]
    assert view.ordered(baselined=False) == [new_one, *view.stale]


def test_a_cause_may_list_its_members_by_fingerprint_and_nest_under_a_wider_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shape a cross-page group takes (issue 16's CT92x): members named in extra["members"], CT220s among them."""
    inner = cause("/i", 2)
    behind = [member(inner, 1), member(inner, 2)]
    wider = Finding(Code.TRAFFIC_ROOT_CAUSE, Severity.ERROR, SPEC, "one defect on 2 pages", pointer="/wide",
                    extra={"count": 2, "pages": ["a.md", "b.md"], "members": [inner.fingerprint]})
    view = triage_view(report_of([inner, *behind, wider]))
    assert [c.finding for c in view.new.causes] == [wider]
    top = view.new.causes[0]
    assert top.members == [inner] and top.nested[0].members == behind
    assert top.walk() == [wider, inner, *behind] and top.locations == ["a.md", "b.md"] and top.locations_kind == "pages"


def test_adding_a_grouping_code_is_one_entry_in_cause_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    grouping = Finding(Code.SPEC_INVALID_OPENAPI, Severity.ERROR, SPEC, "grouped", pointer="/g", extra={"count": 1})
    one = Finding(Code.SPEC_NULLABLE_WITHOUT_TYPE, Severity.ERROR, SPEC, "one", extra={"cause_key": list(grouping.key)})
    assert triage_view(report_of([grouping, one])).new.causes == []
    monkeypatch.setattr(triage_module, "CAUSE_CODES", CAUSE_CODES | {Code.SPEC_INVALID_OPENAPI})
    view = triage_view(report_of([grouping, one]))
    assert [(c.finding, c.members) for c in view.new.causes] == [(grouping, [one])] and view.new.groups == []


def test_a_view_counts_what_it_lists_and_lists_unsorted_input_in_report_order() -> None:
    """size() and total count without building the lists; the view sorts its input once, members and groups included."""
    inner = cause("/i", 3)
    behind = [member(inner, n) for n in (3, 1, 2)]
    wider = Finding(Code.TRAFFIC_ROOT_CAUSE, Severity.ERROR, SPEC, "one defect on 2 pages", pointer="/wide",
                    extra={"count": 2, "pages": ["a.md", "b.md"], "members": [inner.fingerprint]})
    alone = cause("/alone", 1)
    lone = member(alone, 7)
    others = [Finding(Code.DOC_EXAMPLE_SCHEMA_MISMATCH, Severity.ERROR, src, "bad", line=n) for src, n in (("p.md", 9), ("a.md", 2), ("p.md", 1))]
    findings = [lone, *behind, others[0], wider, alone, *others[1:], inner]  # deliberately out of report order
    view = triage_view(report_of(findings))
    for c in view.new.causes:
        assert c.size() == len(c.walk())
    assert view.new.total == len(view.new.findings()) == len(findings)
    top = next(c for c in view.new.causes if c.finding is wider)
    assert top.nested[0].members == sorted(behind, key=sort_key) == [behind[1], behind[2], behind[0]]
    assert [g.findings for g in view.new.groups] == [[others[1]], [others[2], others[0]]]
