"""One self-contained HTML page for doc maintainers: findings by page and endpoint, each with its snippet and fix.

Nothing is loaded from the network (inline CSS and JS). Every piece of finding or source text is
HTML-escaped: findings quote published and recorded text, which is untrusted.
"""

from __future__ import annotations

from collections import defaultdict
from html import escape
from typing import TYPE_CHECKING

from .. import __version__
from ..findings import Code, Finding, Severity
from .context import ReportContext

if TYPE_CHECKING:
    from .model import Report

_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:1em 2em;color:#1f2328}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #d0d7de}h3{font-size:1em;color:#57606a}
table.counts td,table.counts th{padding:2px 10px;text-align:right}table.counts td:first-child{text-align:left}
.finding{border:1px solid #d0d7de;border-left:4px solid #888;border-radius:4px;margin:.6em 0;padding:.5em .8em}
.finding.error{border-left-color:#cf222e}.finding.warning{border-left-color:#bf8700}.finding.info{border-left-color:#0969da}
.finding.baselined{opacity:.65}.badge{font-weight:600;text-transform:uppercase;font-size:.8em;margin-right:.4em}
.error .badge{color:#cf222e}.warning .badge{color:#9a6700}.info .badge{color:#0969da}
code,pre{font:12px ui-monospace,monospace}pre{background:#f6f8fa;padding:.4em;overflow-x:auto;margin:.4em 0}
pre .hit{background:#fff8c5;display:block}.ln{color:#8c959f;user-select:none;display:inline-block;width:5em}
.fix{color:#1a7f37}.meta{color:#57606a;font-size:.9em}.filters label{margin-right:1em}
.hidden{display:none}
"""

# Filter by severity and baselined state; the page works (shows everything) with scripts off.
_JS = """
function applyFilters(){
  var show={};document.querySelectorAll('.filters input[data-sev]').forEach(function(c){show[c.dataset.sev]=c.checked;});
  var base=document.getElementById('show-baselined').checked;
  document.querySelectorAll('.finding').forEach(function(f){
    var ok=show[f.dataset.severity]&&(base||f.dataset.baselined!=='true');f.classList.toggle('hidden',!ok);});
  document.querySelectorAll('section.group').forEach(function(s){
    s.classList.toggle('hidden',!s.querySelector('.finding:not(.hidden)'));});
}
document.querySelectorAll('.filters input').forEach(function(c){c.addEventListener('change',applyFilters);});
applyFilters();
"""


def render_html(report: Report, context: ReportContext | None = None) -> str:
    """The whole report as one HTML document."""
    context = context or ReportContext.from_report(report)
    baselined = {id(f) for f in report.triage.baselined}
    summary = report.summary()
    groups: dict[str, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for f in report.findings:
        groups[f.source][f.endpoint or "(whole document)"].append(f)
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>aimlapi-contract report</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>aimlapi-contract report</h1>",
        f'<p class="meta">aimlapi-contract {escape(__version__)} · docs repository {escape(context.repo)} at '
        f"<code>{escape(context.ref)}</code> · {summary['new']} new, {summary['baselined']} baselined, "
        f"{summary['stale_baseline_entries']} stale baseline entries</p>",
        _counts(report),
        _filters(),
    ]
    if report.notes:
        out.append("<h2>Notes</h2><ul>" + "".join(f"<li>{escape(n)}</li>" for n in report.notes) + "</ul>")
    out.append(_sources(summary["sources"]))
    # Pages first (what a maintainer edits most), then specs, then the project's own files.
    for source in sorted(groups, key=lambda s: (not context.in_docs_repo(s), not s.endswith(".md"), s)):
        out.append(f'<h2 id="{escape(_slug(source))}">{escape(source)}</h2>')
        for endpoint in sorted(groups[source]):
            out.append('<section class="group">')
            out.append(f"<h3>{escape(endpoint)}</h3>")
            out += [_finding(f, context, id(f) in baselined) for f in groups[source][endpoint]]
            out.append("</section>")
    if not report.findings:
        out.append("<p>No findings.</p>")
    out.append(f"<script>{_JS}</script></body></html>")
    return "\n".join(out) + "\n"


def _counts(report: Report) -> str:
    new = {s: 0 for s in Severity}
    old = {s: 0 for s in Severity}
    baselined = {id(f) for f in report.triage.baselined}
    for f in report.findings:
        (old if id(f) in baselined else new)[f.severity] += 1
    rows = "".join(
        f"<tr><td>{s.label}</td><td>{new[s]}</td><td>{old[s]}</td></tr>" for s in sorted(Severity, reverse=True)
    )
    return f'<table class="counts"><tr><th>severity</th><th>new</th><th>baselined</th></tr>{rows}</table>'


def _filters() -> str:
    boxes = "".join(
        f'<label><input type="checkbox" data-sev="{s.label}" checked> {s.label}</label>' for s in sorted(Severity, reverse=True)
    )
    return (
        f'<p class="filters">Show: {boxes}'
        '<label><input type="checkbox" id="show-baselined" checked> baselined</label></p>'
    )


def _sources(sources: dict[str, dict[str, object]]) -> str:
    if not sources:
        return ""
    rows = "".join(
        f"<li><code>{escape(rel)}</code> sha256 <code>{escape(str(s.get('sha256', ''))[:16])}</code>"
        f"{' (from cache)' if s.get('from_cache') else ''}</li>"
        for rel, s in sorted(sources.items())
    )
    return f"<h2>Checked documents</h2><ul>{rows}</ul>"


def _finding(f: Finding, context: ReportContext, baselined: bool) -> str:
    line = context.line_of(f)
    where = escape(f.source + (f":{line}" if line else ""))
    link = context.link(f.source, line)
    loc = f'<a href="{escape(link)}">{where}</a>' if link else where
    state = " baselined" if baselined else ""
    parts = [
        f'<div class="finding {f.severity.label}{state}" data-severity="{f.severity.label}" '
        f'data-baselined="{"true" if baselined else "false"}" id="f-{f.fingerprint}">',
        f'<div><span class="badge">{f.severity.label}</span><code>{escape(f.code.value)}</code> '
        f"{escape(f.message)}{' <em>(baselined)</em>' if baselined else ''}</div>",
        f'<div class="meta">{loc}{" · at <code>" + escape(f.pointer) + "</code>" if f.pointer else ""}</div>',
    ]
    snippet = context.snippet(f.source, line, column=f.column if line == f.line else None)
    if snippet:
        # The offending line is a block of its own (highlighted), so it takes no newline after it.
        body = "".join(
            f'<span class="hit"><span class="ln">{n}</span>{escape(text)}</span>'
            if n == line else f'<span class="ln">{n}</span>{escape(text)}\n'
            for n, text in snippet
        )
        parts.append(f"<pre>{body}</pre>")
    if f.detail:
        parts.append(f"<pre>{escape(f.detail)}</pre>")
    if f.fix:
        parts.append(f'<div class="fix"><strong>Fix:</strong> {escape(f.fix)}</div>')
    if f.code is Code.BASELINE_STALE:
        parts.append('<div class="meta">This accepted finding no longer occurs.</div>')
    parts.append("</div>")
    return "\n".join(parts)


def _slug(source: str) -> str:
    return "src-" + "".join(c if c.isalnum() else "-" for c in source)
