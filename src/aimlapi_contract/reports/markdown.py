"""A Markdown summary of a Report, fit for `$GITHUB_STEP_SUMMARY`: counts first, then each new finding."""

from __future__ import annotations

import html
import re
from collections import Counter
from typing import TYPE_CHECKING

from ..findings import Code, Finding, Severity
from .context import ReportContext

if TYPE_CHECKING:
    from .model import Report

MAX_LISTED = 200  # GitHub caps a step summary at 1 MiB; the HTML report has everything
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def md(text: str) -> str:
    """Untrusted text as inert Markdown: HTML-escaped, Markdown punctuation backslash-escaped, one line."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(" ".join(text.split()), quote=False))


def code(text: str) -> str:
    """Untrusted text in a code span (no HTML, no way out of the span)."""
    clean = html.escape(" ".join(text.split()).replace("`", "'"), quote=False).replace("|", "&#124;")
    return f"<code>{clean}</code>"


def render_markdown(report: Report, context: ReportContext | None = None) -> str:
    """The summary: counts by severity and endpoint, new vs baselined, stale entries, then the new findings."""
    context = context or ReportContext.from_report(report)
    new, baselined = report.triage.new, report.triage.baselined
    stale = [f for f in new if f.code is Code.BASELINE_STALE]
    fresh = [f for f in new if f.code is not Code.BASELINE_STALE]
    failing = [f for f in fresh if f.severity >= Severity.ERROR]
    icon = "❌" if failing else "✅"
    out = [
        f"## {icon} aimlapi-contract: {len(fresh)} new finding(s), {len(baselined)} baselined, {len(stale)} stale baseline entr{'y' if len(stale) == 1 else 'ies'}",
        "",
        "| severity | new | baselined | total |",
        "| --- | ---: | ---: | ---: |",
    ]
    new_sev = Counter(f.severity for f in fresh)
    base_sev = Counter(f.severity for f in baselined)
    for sev in sorted(Severity, reverse=True):
        out.append(f"| {sev.label} | {new_sev[sev]} | {base_sev[sev]} | {new_sev[sev] + base_sev[sev]} |")
    out += ["", "| endpoint | new | baselined |", "| --- | ---: | ---: |"]
    new_ep = Counter(f.endpoint or "(none)" for f in fresh)
    base_ep = Counter(f.endpoint or "(none)" for f in baselined)
    for endpoint in sorted(new_ep.keys() | base_ep.keys()):
        out.append(f"| {code(endpoint)} | {new_ep[endpoint]} | {base_ep[endpoint]} |")
    if report.notes:
        out += ["", "**Notes**", ""] + [f"- {md(n)}" for n in report.notes]
    if stale:
        out += ["", f"### Stale baseline entries ({len(stale)})", "",
                "These accepted findings no longer occur; drop them with `aimlapi-contract baseline --update`.", ""]
        out += [f"- {code(f.message)}" for f in stale[:MAX_LISTED]]
    out += ["", f"### New findings ({len(fresh)})", ""]
    if not fresh:
        out.append("None: every finding is in the baseline.")
    for finding in fresh[:MAX_LISTED]:
        out += _finding(finding, context)
    if len(fresh) > MAX_LISTED:
        out.append(f"\n… and {len(fresh) - MAX_LISTED} more: see the HTML or JSON report.")
    return "\n".join(out) + "\n"


def _finding(f: Finding, context: ReportContext) -> list[str]:
    line = context.line_of(f)
    where = f.source + (f":{line}" if line else "")
    link = context.link(f.source, line)
    loc = f"[{code(where)}]({link})" if link else code(where)
    head = f"- **{f.code.value} {f.severity.label}** {loc}"
    if f.endpoint:
        head += f" · {code(f.endpoint)}"
    lines = [head, f"  {md(f.message)}"]
    if f.pointer:
        lines.append(f"  at {code(f.pointer)}")
    if f.fix:
        lines.append(f"  **fix:** {md(f.fix)}")
    # Two trailing spaces: a Markdown line break inside the list item.
    return [part + "  " for part in lines[:-1]] + [lines[-1]]
