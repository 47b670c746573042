"""Plain text and JSON renderings of a Report. Richer formats live in reports/."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from ..findings import Finding

if TYPE_CHECKING:
    from .model import Report

REPORT_VERSION = 1

# C0/C1 controls (ESC starts terminal sequences), DEL, bidi overrides and isolates, zero-width marks, and
# the noncharacters U+FFFE/U+FFFF: shown as escapes, so a cassette's field name cannot drive the terminal.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff\ufffe\uffff]")


def escape_controls(text: str) -> str:
    """`text` with every control character written as an escape (`\\x1b`, `\\u202e`); newlines kept."""
    return _CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", text)


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
    return "\n".join(escape_controls(line) for line in lines)


def render_text(report: Report, *, show_baselined: bool = False) -> str:
    out = [render_finding(f) for f in report.triage.new]
    if show_baselined:
        out += [render_finding(f, baselined=True) for f in report.triage.baselined]
    s = report.summary()
    counts = ", ".join(f"{n} {label}" for label, n in s["new_by_severity"].items())
    out.append(
        f"{s['new']} new findings ({counts}); {s['baselined']} baselined; "
        f"{s['stale_baseline_entries']} stale baseline entries"
    )
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
