"""One self-contained HTML page for doc maintainers, in triage order: root causes, other new findings, the rest.

New findings show by default; baselined ones sit behind a toggle, stale entries after them. A table of
contents carries the counts; a search box filters by code, path or text. Snippets are a window of each
line around the finding, so a minified one-line spec never lands whole in the page. Nothing is loaded
from the network (inline CSS and JS); every piece of finding or source text is HTML-escaped, as
findings quote published and recorded text, which is untrusted.
"""

from __future__ import annotations

from html import escape as _escape
from typing import TYPE_CHECKING

from .. import __version__
from ..findings import Code, Finding, Severity
from .context import ReportContext
from .first_screen import status_line
from .html_assets import CSS, JS
from .inline import spans, split_payload
from .triage import Cause, Group, Section, triage_view

if TYPE_CHECKING:
    from .model import Report

def escape(text: str) -> str:
    """Text for an element's content (attributes use `attr`): quotes need no escaping there."""
    return _escape(text, quote=False)


def attr(text: str) -> str:
    """Text for a double-quoted attribute value."""
    return _escape(text, quote=True)


SNIPPET_WIDTH = 160  # characters of a source line shown around the finding's column
MAX_DETAIL = 4000  # characters of a finding's detail block
OPEN_FIRST = 20  # causes and groups shown expanded; the rest one click away
TOC_GROUPS = 60  # groups named in the contents; a catalogue run has hundreds
MAX_MEMBERS = 200  # findings listed behind one cause (the count says how many); the JSON report has them all


def render_html(report: Report, context: ReportContext | None = None) -> str:
    """The whole report as one HTML document."""
    context = context or ReportContext.from_report(report)
    view = triage_view(report)
    summary = report.summary()
    failing = any(f.severity >= Severity.ERROR for f in report.triage.new)
    new_total = view.new.total
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>aimlapi-contract report</title>",
        f"<style>{CSS}</style></head><body>",
        "<header><h1>aimlapi-contract report</h1>",
        f'<p class="status {"fail" if failing else "pass"}">{"✗" if failing else "✓"} {escape(status_line(report))}</p>',
        f'<p class="meta">aimlapi-contract {escape(__version__)} · docs repository '
        f'<a href="{attr(context.repo)}">{escape(context.repo)}</a> at <code>{escape(context.ref)}</code></p>',
        _counts(summary),
        "</header>",
        _toolbar(summary["baselined"]),
        '<div class="layout">',
        _toc(view.new, view.baselined, len(view.stale), new_total, bool(summary["sources"])),
        "<main>",
    ]
    if report.notes:
        out.append('<section id="notes"><h2>Notes</h2><ul>' + "".join(f"<li>{_inline(n)}</li>" for n in report.notes) + "</ul></section>")
    out.append(_causes_section(view.new.causes, context))
    out.append(_groups_section("other", "Other new findings", view.new.groups, context, baselined=False))
    if not new_total:
        out.append('<p class="empty" id="no-new">No new findings'
                   + (": every finding is in the baseline." if view.baselined.total else ".") + "</p>")
    if view.stale:
        out.append('<section id="stale" data-holds><h2>Stale baseline entries <span class="n">'
                   f'{len(view.stale)}</span></h2><p class="meta">These accepted findings no longer occur; drop them '
                   "with <code>aimlapi-contract baseline --update</code>.</p>")
        out += [_finding(f, context, baselined=False) for f in view.stale]
        out.append("</section>")
    out.append(_baselined_section(view.baselined, context))
    out.append(_sources(summary["sources"]))
    out.append(f"</main></div><script>{JS}</script></body></html>")
    return "\n".join(out) + "\n"


def _counts(summary: dict[str, object]) -> str:
    new: dict[str, int] = summary["new_by_severity"]  # type: ignore[assignment]
    total: dict[str, int] = summary["by_severity"]  # type: ignore[assignment]
    rows = "".join(
        f"<tr><td>{s.label}</td><td>{new[s.label]}</td><td>{total[s.label] - new[s.label]}</td><td>{total[s.label]}</td></tr>"
        for s in sorted(Severity, reverse=True)
    )
    head = "<tr><th>severity</th><th>new</th><th>baselined</th><th>total</th></tr>"
    return f'<table class="counts">{head}{rows}</table>'


def _toolbar(baselined: int) -> str:
    boxes = "".join(
        f'<label><input type="checkbox" data-sev="{s.label}" checked> {s.label}</label>' for s in sorted(Severity, reverse=True)
    )
    return (
        '<div class="toolbar" role="search">'
        '<input type="search" id="search" placeholder="Search code, path or text…" aria-label="Search findings">'
        f"{boxes}"
        f'<label><input type="checkbox" id="show-baselined"> baselined ({baselined})</label>'
        '<button type="button" id="expand">Expand all</button>'
        '<button type="button" id="theme" title="Switch light/dark theme">◐ theme</button></div>'
    )


def _toc(new: Section, baselined: Section, stale: int, new_total: int, sources: bool) -> str:
    items = []
    if new.causes:
        explained = sum(c.size() - 1 for c in new.causes)
        items.append(f'<li><a href="#causes">Root causes</a> <span class="n" data-count-of="causes">{len(new.causes)}</span>'
                     f' <span class="meta">(behind them: {explained} findings)</span></li>')
    if new.groups:
        sub = "".join(
            f'<li><a href="#{_group_id("g", g)}">{escape(g.code.value)} {escape(_short(g.source))}</a> '
            f'<span class="n" data-count-of="{_group_id("g", g)}">{len(g.findings)}</span></li>'
            for g in new.groups[:TOC_GROUPS]
        )
        if len(new.groups) > TOC_GROUPS:
            sub += f'<li class="meta">… and {len(new.groups) - TOC_GROUPS} more groups</li>'

        items.append(f'<li><a href="#other">Other new findings</a> <span class="n" data-count-of="other">'
                     f'{sum(len(g.findings) for g in new.groups)}</span><ul>{sub}</ul></li>')
    if not new_total:
        items.append('<li><a href="#no-new">No new findings</a></li>')
    if stale:
        items.append(f'<li><a href="#stale">Stale baseline entries</a> <span class="n" data-count-of="stale">{stale}</span></li>')
    if baselined.total:
        items.append(f'<li><a href="#baselined">Baselined</a> <span class="n" '
                     f'data-count-of="baselined">{baselined.total}</span></li>')
    if sources:
        items.append('<li><a href="#sources">Checked documents</a></li>')
    return f'<nav id="toc" aria-label="Contents"><h2>Contents</h2><ul>{"".join(items)}</ul></nav>'


def _short(source: str) -> str:
    return source.rsplit("/", 1)[-1]


def _group_id(prefix: str, group: Group) -> str:
    return f"{prefix}-{group.code.value}-" + "".join(c if c.isalnum() else "-" for c in group.source)


def _causes_section(causes: list[Cause], context: ReportContext) -> str:
    if not causes:
        return ""
    parts = ['<section id="causes" data-holds><h2>Root causes <span class="n">'
             f"{len(causes)}</span></h2><p class=\"meta\">Each is one place to fix; the findings behind it are "
             "one click away.</p>"]
    parts += [_cause(c, context, open_=i < OPEN_FIRST, baselined=False) for i, c in enumerate(causes)]
    parts.append("</section>")
    return "\n".join(parts)


def _groups_section(sid: str, title: str, groups: list[Group], context: ReportContext, *, baselined: bool) -> str:
    if not groups:
        return ""
    total = sum(len(g.findings) for g in groups)
    parts = [f'<section id="{sid}" data-holds><h2>{escape(title)} <span class="n">{total}</span></h2>']
    prefix = "b" if baselined else "g"
    for i, g in enumerate(groups):
        opened = " open" if not baselined and i < OPEN_FIRST else ""
        parts.append(f'<details class="group" id="{_group_id(prefix, g)}" data-holds{opened}><summary>'
                     f'<span class="badge">{g.severity.label}</span><code>{escape(g.code.value)}</code> '
                     f'{escape(g.source)}<span class="count">{len(g.findings)}</span></summary>')
        # One message and fix for the whole group (CT111 repeats one text a hundred times): said once, above.
        shared = len(g.findings) > 1 and len({(f.message, f.fix, f.severity) for f in g.findings}) == 1
        if shared:
            parts.append(f'<p class="shared">{_inline(g.findings[0].message)}</p>{_fix(g.findings[0].fix)}')
        parts += [_finding(f, context, baselined=baselined, shared=shared) for f in g.findings]
        parts.append("</details>")
    parts.append("</section>")
    return "\n".join(parts)


def _baselined_section(section: Section, context: ReportContext) -> str:
    if not section.total:
        return ""
    parts = [f'<details id="baselined" data-holds><summary><h2 style="display:inline">Baselined <span class="n">'
             f"{section.total}</span></h2> <span class=\"meta\">accepted in specs/baseline.json</span></summary>"]
    parts += [_cause(c, context, open_=False, baselined=True) for c in section.causes]
    parts.append(_groups_section("baselined-groups", "By code and location", section.groups, context, baselined=True))
    parts.append("</details>")
    return "\n".join(parts)


def _attrs(f: Finding, baselined: bool, classes: str = "") -> str:
    # Kept short: a catalogue run has thousands of findings. The script filters on data-severity.
    state = " baselined" if baselined else ""
    return f'class="finding {f.severity.label}{state}{classes}" data-severity="{f.severity.label}" id="f-{f.fingerprint}"'



def _cause(cause: Cause, context: ReportContext, *, open_: bool, baselined: bool) -> str:
    f = cause.finding
    members = cause.walk()[1:]
    places = len(cause.locations)
    headline = f.message.split(", e.g. ", 1)[0]
    parts = [
        f'<details {_attrs(f, baselined, " cause")}{" open" if open_ else ""}><summary class="head">'
        f'<span class="badge">{f.severity.label}</span><code>{escape(f.code.value)}</code> {_inline(headline)}'
        f'<span class="count" title="findings behind it">{cause.count}</span>'
        + (f' <span class="meta">{escape(f.endpoint)}</span>' if f.endpoint else "") + "</summary>",
        _where(f, context, extra=f" · seen in {places} {escape(cause.locations_kind if places != 1 else cause.locations_kind.rstrip('s'))}"),
        _snippet(f, context),
        _fix(f.fix),
    ]
    if members:
        shown = members[:MAX_MEMBERS]
        rest = (f'<p class="meta">… and {len(members) - len(shown)} more like these: every one is in the JSON report '
                "(<code>--format json</code>).</p>") if len(shown) < len(members) else ""
        parts.append(f'<details class="behind"><summary>{len(members)} finding{"s" if len(members) != 1 else ""} '
                     f'behind it</summary>{_members(shown, context, baselined)}{rest}</details>')
    parts.append("</details>")
    return "\n".join(p for p in parts if p)


def _members(members: list[Finding], context: ReportContext, baselined: bool) -> str:
    """The findings behind a cause, one line each, under a heading per source (a cassette named once)."""
    by_source: dict[str, list[Finding]] = {}
    for m in members:
        by_source.setdefault(m.source, []).append(m)
    out = []
    for source, group in by_source.items():
        items = "".join(f"<li {_attrs(m, baselined)}>{_member(m, context)}</li>" for m in group)
        out.append(f'<div class="meta"><code>{escape(source)}</code></div><ul class="members">{items}</ul>')
    return "".join(out)


def _member(f: Finding, context: ReportContext) -> str:
    line = context.line_of(f)
    link = context.link(f.source, line)
    where = f"line {line}" if line else "file"
    loc = f'<a href="{attr(link)}">{where}</a>' if link else where
    anchor = f" <code>{escape(f.anchor)}</code>" if f.anchor else ""
    pointer = f" at <code>{escape(f.pointer)}</code>" if f.pointer else ""
    return f"<code>{escape(f.code.value)}</code> {loc}{anchor}{pointer}: {_inline(f.message)}"


def _finding(f: Finding, context: ReportContext, *, baselined: bool, shared: bool = False) -> str:
    """One finding; with `shared`, its message and fix are the group's, shown once above it."""
    parts = [
        f"<div {_attrs(f, baselined)}>",
        "" if shared else f'<div class="head"><span class="badge">{f.severity.label}</span><code>{escape(f.code.value)}</code> '
        f"{_inline(f.message)}{' <em>(baselined)</em>' if baselined else ''}</div>",
        _where(f, context),
        _snippet(f, context),
    ]
    if f.detail:
        detail = f.detail if len(f.detail) <= MAX_DETAIL else f.detail[:MAX_DETAIL] + "\n…"
        parts.append(f"<pre>{escape(detail)}</pre>")
    parts.append("" if shared else _fix(f.fix))
    if f.code is Code.BASELINE_STALE:
        parts.append('<div class="meta">This accepted finding no longer occurs.</div>')
    parts.append("</div>")
    return "\n".join(p for p in parts if p)


def _link(source: str, line: int | None, context: ReportContext) -> str:
    where = escape(source + (f":{line}" if line else ""))
    link = context.link(source, line)
    return f'<a href="{attr(link)}">{where}</a>' if link else where


def _where(f: Finding, context: ReportContext, extra: str = "") -> str:
    loc = _link(f.source, context.line_of(f), context)
    endpoint = f" · {escape(f.endpoint)}" if f.endpoint else ""
    pointer = f" · at <code>{escape(f.pointer)}</code>" if f.pointer else ""
    return f'<div class="meta">{loc}{endpoint}{pointer}{extra}</div>'


def _snippet(f: Finding, context: ReportContext) -> str:
    line = context.line_of(f)
    lines = context.snippet(f.source, line)
    if not lines:
        return ""
    column = context.column_of(f) or 1
    # Deeply nested spec lines share a wide indent: drop what all lines share (it says nothing).
    indent = min((len(t) - len(t.lstrip()) for _, t in lines if t.strip()), default=0)
    indent = min(indent, column - 1) if column > 1 else indent
    # The offending line is a block of its own (<mark>, highlighted), so it takes no newline after it.
    body = "".join(
        f"<mark><i>{n}</i>{escape(window(text[indent:], column - indent))}</mark>"
        if n == line else f"<i>{n}</i>{escape(window(text[indent:], column - indent))}\n"
        for n, text in lines
    )
    return f'<pre class="snippet">{body}</pre>'


def window(text: str, column: int, width: int = SNIPPET_WIDTH) -> str:
    """At most `width` characters of a source line around `column` (1-based), marked with … where cut."""
    if len(text) <= width:
        return text
    start = max(0, min(column - 1 - width // 3, len(text) - width))
    piece = text[start:start + width]
    return ("…" if start else "") + piece + ("…" if start + width < len(text) else "")


def _fix(fix: str) -> str:
    if not fix:
        return ""
    prose, payload = split_payload(fix)
    head = '<div class="fix-head"><span>Fix</span><button type="button" class="copy">Copy</button></div>'
    if payload:
        return f'<div class="fix">{head}<p>{_inline(prose)}</p><pre data-copy><code>{escape(payload)}</code></pre></div>'
    return f'<div class="fix">{head}<p data-copy>{_inline(fix)}</p></div>'


def _inline(text: str) -> str:
    """Escaped prose with backtick spans and JSON pointers as <code>."""
    return "".join(f"<code>{escape(p)}</code>" if is_code else escape(p) for is_code, p in spans(text))


def _sources(sources: dict[str, dict[str, object]]) -> str:
    if not sources:
        return ""
    rows = "".join(
        f"<li><code>{escape(rel)}</code> sha256 <code>{escape(str(s.get('sha256', ''))[:16])}</code>"
        f"{' (from cache)' if s.get('from_cache') else ''}</li>"
        for rel, s in sorted(sources.items())
    )
    return f'<section id="sources"><h2>Checked documents</h2><ul>{rows}</ul></section>'
