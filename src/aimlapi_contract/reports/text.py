"""Plain text and JSON renderings of a Report. Richer formats live in reports/."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ..findings import Finding
from .first_screen import SCREEN_LINES, SCREEN_WIDTH, render_first_screen, status_line
from .triage import triage_view

if TYPE_CHECKING:
    from .model import Report

REPORT_VERSION = 1


def location(finding: Finding) -> str:
    """`file:line:col` as editors and terminals make clickable; the pointer follows when there is one."""
    loc = finding.source
    if finding.line:
        loc += f":{finding.line}"
        if finding.column:
            loc += f":{finding.column}"
    return loc


def render_finding(finding: Finding, *, baselined: bool = False) -> str:
    head = f"{location(finding)}: {finding.code.value} {finding.severity.label}"
    if baselined:
        head += " (baselined)"
    lines = [f"{head}: {finding.message}"]
    if finding.endpoint:
        lines.append(f"    endpoint: {finding.endpoint}")
    if finding.pointer:
        lines.append(f"    at: {finding.pointer}")
    if finding.detail:
        lines.extend("    | " + line for line in finding.detail.splitlines())
    if finding.fix:
        lines.append(f"    fix: {finding.fix}")
    return "\n".join(lines)


def render_text(report: Report, *, show_baselined: bool = False, verbose: bool = False,
                lines: int = SCREEN_LINES, width: int = SCREEN_WIDTH) -> str:
    """The first screen (counts, top root causes, where the rest is); `verbose` adds every new finding in triage order."""
    view = triage_view(report)
    out = render_first_screen(report, view, lines=lines, width=width, verbose=verbose)
    listed: list[str] = []
    if verbose:
        for cause in view.new.causes:
            members = cause.walk()
            listed.append("")
            listed.append(render_finding(members[0]))
            if len(members) > 1:
                listed.append(f"  … the {len(members) - 1} finding(s) behind {members[0].code.value} above:")
                listed += [render_finding(m) for m in members[1:]]
        for group in view.new.groups:
            listed.append("")
            listed += [render_finding(f) for f in group.findings]
        if view.stale:
            listed.append("")
            listed += [render_finding(f) for f in view.stale]
    if show_baselined and view.baselined.total:
        listed += ["", f"Baselined ({view.baselined.total}):"]
        listed += [render_finding(f, baselined=True) for f in view.baselined.findings()]
    if listed:
        out += [*listed, "", status_line(report)]
    return "\n".join(out) + "\n"


def render_json(report: Report) -> str:
    baselined = {id(f) for f in report.triage.baselined}
    findings = []
    for f in report.findings:
        data = f.to_dict()
        data["baselined"] = id(f) in baselined
        findings.append(data)
    body = {
        "version": REPORT_VERSION,
        "findings": findings,
        "summary": report.summary(),
        "notes": report.notes,
    }
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"
