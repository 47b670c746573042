"""The one reading order every report follows: root causes first, then other findings by code and location.

A *cause* is a finding that groups others (today CT220, one spec location behind many failing payloads);
its members name it in `extra["cause_key"]` (its `Finding.key`) or it lists their fingerprints in
`extra["members"]`. New causes come first, most severe and widest first, each with the findings behind it;
then the other new findings grouped by (code, source); then baselined ones, grouped the same way; then the
stale baseline entries. Computed once per report, so text, Markdown and HTML cannot disagree on order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..findings import Code, Finding, Severity, sort_key

if TYPE_CHECKING:
    from .model import Report

# Codes of findings that group other findings. Adding a grouping code is one line here.
CAUSE_CODES: frozenset[Code] = frozenset({
    Code.TRAFFIC_ROOT_CAUSE,
    Code.CATALOGUE_GROUP,  # one template defect on many pages (reports/groups.py)
})
# Where a cause lists the places it was seen, in the order looked for.
_LOCATION_KEYS = ("cassettes", "pages", "specs", "sources", "locations")


@dataclass(slots=True)
class Cause:
    """A grouping finding and the findings it explains (the evidence, one click away)."""

    finding: Finding
    members: list[Finding] = field(default_factory=list)
    nested: list[Cause] = field(default_factory=list)  # members that are causes themselves

    def walk(self) -> list[Finding]:
        """The cause, then its members (a nested cause followed by its own members)."""
        out = [self.finding]
        inner = {id(c.finding): c for c in self.nested}
        for m in self.members:
            out.extend(inner[id(m)].walk() if id(m) in inner else [m])
        return out

    def size(self) -> int:
        """len(self.walk()), without building the list (asked for every cause of every report)."""
        if not self.nested:
            return 1 + len(self.members)
        inner = {id(c.finding): c for c in self.nested}
        return 1 + sum(inner[id(m)].size() if id(m) in inner else 1 for m in self.members)

    @property
    def count(self) -> int:
        """How many payloads or findings share the cause, as the cause itself counted them."""
        count = self.finding.extra.get("count")
        return count if isinstance(count, int) else len(self.members)

    @property
    def locations(self) -> list[str]:
        """Where the cause was seen (cassettes, pages...), else the sources of its members."""
        return self._located()[1]

    @property
    def locations_kind(self) -> str:
        """What the locations are: "cassettes", "pages"... ("sources" when taken from the members)."""
        return self._located()[0]

    def _located(self) -> tuple[str, list[str]]:
        for key in _LOCATION_KEYS:
            value = self.finding.extra.get(key)
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                return key, value
        return "sources", sorted({m.source for m in self.members})


@dataclass(slots=True)
class Group:
    """Findings sharing one code and one source, most severe first within the report's order."""

    code: Code
    source: str
    findings: list[Finding]

    @property
    def severity(self) -> Severity:
        return max(f.severity for f in self.findings)

    @property
    def lines(self) -> list[int]:
        return sorted({f.line for f in self.findings if f.line})


@dataclass(slots=True)
class Section:
    """Causes then groups: one triage section (the new findings, or the baselined ones)."""

    causes: list[Cause]
    groups: list[Group]

    @property
    def total(self) -> int:
        """Every finding in the section, causes and their members included: len(self.findings())."""
        return sum(c.size() for c in self.causes) + sum(len(g.findings) for g in self.groups)

    def findings(self) -> list[Finding]:
        """The section's findings in reading order: each cause followed by its members, then each group."""
        out: list[Finding] = []
        for cause in self.causes:
            out.extend(cause.walk())
        for group in self.groups:
            out.extend(group.findings)
        return out


@dataclass(slots=True)
class TriageView:
    """A Report in reading order: new (causes, groups), baselined (likewise), stale baseline entries."""

    new: Section
    baselined: Section
    stale: list[Finding]

    @property
    def error_causes(self) -> list[Cause]:
        return [c for c in self.new.causes if c.finding.severity >= Severity.ERROR]

    def ordered(self, *, baselined: bool = True) -> list[Finding]:
        """Every finding once, in reading order (what SARIF and a verbose listing walk)."""
        return self.new.findings() + (self.baselined.findings() if baselined else []) + self.stale


def triage_view(report: Report) -> TriageView:
    """The report's findings in triage order."""
    baselined_ids = {id(f) for f in report.triage.baselined}
    new = [f for f in report.triage.new if f.code is not Code.BASELINE_STALE]
    stale = [f for f in report.triage.new if f.code is Code.BASELINE_STALE]
    return TriageView(
        new=_section(new, ordered=report.ordered),
        baselined=_section([f for f in report.findings if id(f) in baselined_ids], ordered=report.ordered),
        stale=sorted(stale, key=sort_key),
    )


def _cause_order(cause: Cause) -> tuple[object, ...]:
    return (-cause.finding.severity, -cause.count, *sort_key(cause.finding))


_UNSEEN: Any = object()


def _section(findings: Sequence[Finding], *, ordered: bool = False) -> Section:
    # Sorted once (unless `ordered`: they already are): every list below is taken from it in order, so members
    # and groups come out sorted too.
    if not ordered:
        findings = sorted(findings, key=sort_key)
    causes = {f.key: Cause(f) for f in findings if f.code in CAUSE_CODES}
    listed = {m: c for c in causes.values() for m in c.finding.extra.get("members", ()) if isinstance(m, str)}
    nested: set[int] = set()  # causes that are members of another
    rest: list[Finding] = []
    owners: dict[int, Cause | None] = {}  # by id of a `cause_key` list: the findings of one cause share their `extra`
    for f in findings:
        raw_key = f.extra.get("cause_key")
        if isinstance(raw_key, (list, tuple)):
            owner = owners.get(id(raw_key), _UNSEEN)
            if owner is _UNSEEN:
                owner = owners[id(raw_key)] = causes.get(tuple(raw_key))
        else:
            owner = None
        if owner is None and listed:
            owner = listed.get(f.fingerprint)
        if owner is not None and owner.finding is not f:
            owner.members.append(f)
            if f.code in CAUSE_CODES:
                nested.add(id(f))
        elif f.code not in CAUSE_CODES:
            rest.append(f)
    # A cause explained by a wider one (a cross-page group of CT220s) stays nested under it.
    top = [c for c in causes.values() if id(c.finding) not in nested]
    for cause in causes.values():
        cause.nested = [causes[m.key] for m in cause.members if m.code in CAUSE_CODES and m.key in causes]
    return Section(sorted(top, key=_cause_order), _groups(rest))


def _groups(findings: Iterable[Finding]) -> list[Group]:
    """Groups of `findings`, which come in report order (sort_key)."""
    grouped: dict[tuple[Code, str], list[Finding]] = {}
    for f in findings:
        grouped.setdefault((f.code, f.source), []).append(f)
    groups = [Group(code, source, members) for (code, source), members in grouped.items()]
    return sorted(groups, key=lambda g: (-g.severity, g.code.value, g.source))
