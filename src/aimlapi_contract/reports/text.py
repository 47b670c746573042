"""Plain text and JSON renderings of a Report. Richer formats live in reports/."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..findings import Finding
from .context import redact_secrets
from .first_screen import SCREEN_LINES, SCREEN_WIDTH, render_first_screen, status_line
from .json_layout import dumps_with_rows
from .triage import triage_view

if TYPE_CHECKING:
    from .model import Report

REPORT_VERSION = 1

# C0/C1 controls (ESC starts terminal sequences), DEL, bidi overrides and isolates, zero-width marks, and
# the noncharacters U+FFFE/U+FFFF: shown as escapes, so a cassette's field name cannot drive the terminal.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff\ufffe\uffff]")


def escape_controls(text: str) -> str:
    """`text` with every control character written as an escape (`\\x1b`, `\\u202e`); newlines kept."""
    return _CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", text)


def for_terminal(text: str) -> str:
    """A message as printed to stderr: the API key redacted, control characters escaped."""
    return escape_controls(redact_secrets(text))


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
    return escape_controls("\n".join(out) + "\n")  # the first screen quotes messages too: nothing raw reaches a terminal


def render_json(report: Report) -> str:
    """The report as JSON: version, findings (one per line: reports/json_layout.py), summary, notes."""
    baselined = {id(f) for f in report.triage.baselined}

    def row(f: Finding) -> dict[str, object]:
        data = f.to_dict()
        data["baselined"] = id(f) in baselined
        return data

    # Rows made as they are encoded: holding 41,000 dicts at once costs more than the report itself.
    document = {"version": REPORT_VERSION, "findings": map(row, report.findings), "summary": report.summary(), "notes": report.notes}
    return dumps_with_rows(document, ("findings",))
