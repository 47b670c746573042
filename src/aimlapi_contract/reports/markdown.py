"""A Markdown summary of a Report for `$GITHUB_STEP_SUMMARY`: the status, the counts, then triage order.

Root causes come first with their fix and the findings behind each in `<details>`; then other new
errors; the rest (other new findings, stale entries, baselined ones) collapsed. Counts are the JSON
summary's. Links go to docs lines (`?plain=1`) at the checked revision and to cassettes at the commit
($GITHUB_SHA). GitHub caps a step summary at 1 MiB: blocks are added while they fit in MAX_BYTES.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from typing import TYPE_CHECKING

from ..findings import Finding, Severity
from .context import ReportContext
from .first_screen import status_line
from .inline import spans, split_payload
from .triage import Cause, Group, triage_view

if TYPE_CHECKING:
    from .model import Report

MAX_BYTES = 400_000  # well under GitHub's 1 MiB per step: the HTML report has everything
MAX_MEMBERS = 40  # findings listed behind one cause; the count says how many there are
MAX_MESSAGE = 300
_CODE_ENTITIES = str.maketrans({c: f"&#{ord(c)};" for c in "|[]*_\\"})
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def md(text: str) -> str:
    """Untrusted text as inert Markdown: HTML-escaped, Markdown punctuation backslash-escaped, one line."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(" ".join(text.split()), quote=False))


def code(text: str) -> str:
    """Untrusted text in a code span (no HTML, no way out of the span)."""
    clean = html.escape(" ".join(text.split()).replace("`", "'"), quote=False)
    # Markdown still applies between raw HTML tags: its punctuation becomes entities, so `[x](y)` stays text.
    return f"<code>{clean.translate(_CODE_ENTITIES)}</code>"


def md_inline(text: str, limit: int = 0) -> str:
    """Untrusted prose with its `backtick spans` kept as code, the rest inert; cut to `limit` characters."""
    text = " ".join(text.split())
    if limit and len(text) > limit:
        text = text[: limit - 1] + "…"
    # Whitespace is normalised above, so the escaping keeps the spaces around each code span.
    return "".join(code(p) if is_code else _MD_SPECIAL.sub(r"\\\1", html.escape(p, quote=False)) for is_code, p in spans(text))


def _loc(f: Finding, context: ReportContext) -> str:
    line = context.line_of(f)
    where = f.source + (f":{line}" if line else "")
    link = context.link(f.source, line)
    return f"[{code(where)}]({link})" if link else code(where)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _cause(n: int, cause: Cause, context: ReportContext) -> str:
    f = cause.finding
    head = f"{n}. **{f.code.value} {f.severity.label}** · {md_inline(f.message.split(', e.g. ', 1)[0])}"
    if f.endpoint:
        head += f" · {code(f.endpoint)}"
    lines = [head, f"   {_loc(f, context)}" + (f" at {code(f.pointer)}" if f.pointer else "")]
    if f.fix:
        lines.append(f"   **fix:** {_fix(f.fix, '   ')}")
    # Two trailing spaces: a Markdown line break inside the list item.
    text = "  \n".join(lines)
    members = cause.walk()[1:]
    if members:
        shown = members[:MAX_MEMBERS]
        more = f" ({len(shown)} listed)" if len(shown) < len(members) else ""
        text += f"\n\n   <details><summary>{_plural(len(members), 'finding')} behind it{more}</summary>\n\n"
        text += "\n".join(f"   - {_one_line(m, context)}" for m in shown)
        text += "\n\n   </details>"
    return text


def _one_line(f: Finding, context: ReportContext) -> str:
    parts = [f"**{f.code.value}** {_loc(f, context)}"]
    if f.anchor:
        parts.append(code(f.anchor))
    if f.pointer:
        parts.append(f"at {code(f.pointer)}")
    return " ".join(parts) + f": {md_inline(f.message, MAX_MESSAGE)}"


def _group(group: Group, context: ReportContext) -> str:
    first = group.findings[0]
    head = (f"- **{group.code.value} {group.severity.label}** {code(group.source)} · "
            f"{_plural(len(group.findings), 'finding')}")
    # One text for the whole group (a typeless `nullable` a hundred times): said once, then the places.
    shared = len(group.findings) > 1 and len({(f.message, f.fix) for f in group.findings}) == 1
    lines = [head + (f"  \n  {md_inline(first.message, MAX_MESSAGE)}" + ("  " if first.fix else "") if shared else "")]
    if shared and first.fix:
        lines.append(f"  **fix:** {_fix(first.fix, '  ')}")
    for f in group.findings[:MAX_MEMBERS]:
        if shared:
            lines.append(f"  - {_loc(f, context)}" + (f" at {code(f.pointer)}" if f.pointer else ""))
        else:
            lines.append(f"  - {_one_line(f, context)}" + (f"  \n    **fix:** {_fix(f.fix, '    ')}" if f.fix else ""))
    if len(group.findings) > MAX_MEMBERS:
        lines.append(f"  - … and {len(group.findings) - MAX_MEMBERS} more (HTML or JSON report)")
    return "\n".join(lines)


def _fix(fix: str, indent: str) -> str:
    """The fix as inert Markdown; a JSON payload it carries as a fenced block (GitHub gives it a copy button)."""
    prose, payload = split_payload(fix)
    if not payload:
        return md_inline(fix, 2000)
    # A fence longer than any backtick run in the payload: untrusted text cannot close it.
    fence = "`" * max(3, 1 + max((len(m) for m in re.findall(r"`+", payload)), default=0))
    body = "\n".join(indent + line for line in payload.splitlines())
    return f"{md_inline(prose, 2000)}\n\n{indent}{fence}json\n{body}\n{indent}{fence}\n"


def render_markdown(report: Report, context: ReportContext | None = None) -> str:
    """The summary: status, counts as in the JSON, root causes and errors, the rest in <details>."""
    context = context or ReportContext.from_report(report)
    view = triage_view(report)
    summary = report.summary()
    failing = any(f.severity >= Severity.ERROR for f in report.triage.new)
    icon = "❌" if failing else "✅"
    out = [
        f"## {icon} aimlapi-contract: {summary['new']} new finding(s), {summary['baselined']} baselined, "
        f"{summary['stale_baseline_entries']} stale baseline entr{'y' if summary['stale_baseline_entries'] == 1 else 'ies'}",
        "",
        md(status_line(report)) + (f" · docs at {code(context.ref)}" if context.ref else ""),
        "",
        "| severity | new | baselined | total |",
        "| --- | ---: | ---: | ---: |",
    ]
    for sev in sorted(Severity, reverse=True):
        new, total = summary["new_by_severity"][sev.label], summary["by_severity"][sev.label]
        out.append(f"| {sev.label} | {new} | {total - new} | {total} |")
    out += ["", "<details><summary>By endpoint</summary>", "", "| endpoint | new | baselined |", "| --- | ---: | ---: |"]
    baselined_ids = {id(f) for f in report.triage.baselined}
    new_ep = Counter(f.endpoint or "(none)" for f in report.findings if id(f) not in baselined_ids)
    base_ep = Counter(f.endpoint or "(none)" for f in report.triage.baselined)
    for endpoint in sorted(new_ep.keys() | base_ep.keys()):
        out.append(f"| {code(endpoint)} | {new_ep[endpoint]} | {base_ep[endpoint]} |")
    out += ["", "</details>"]
    if report.notes:
        out += ["", "**Notes**", ""] + [f"- {md(n)}" for n in report.notes]
    blocks: list[str] = []
    causes = view.new.causes
    if causes:
        explained = sum(c.size() - 1 for c in causes)
        blocks.append(f"### Root causes ({len(causes)})\n\n{_plural(len(causes), 'root cause')} explain "
                      f"{explained} of the new findings; fix each once, where it says.\n")
        blocks += [_cause(i, c, context) + "\n" for i, c in enumerate(causes, 1)]
    errors = [g for g in view.new.groups if g.severity >= Severity.ERROR]
    others = [g for g in view.new.groups if g.severity < Severity.ERROR]
    if errors:
        blocks.append(f"### Other new errors ({sum(len(g.findings) for g in errors)})\n")
        blocks += [_group(g, context) for g in errors]
    if others:
        blocks.append(f"\n<details><summary><b>Other new findings ({sum(len(g.findings) for g in others)})</b></summary>\n")
        blocks += [_group(g, context) for g in others]
        blocks.append("\n</details>")
    if not causes and not view.new.groups:
        blocks.append("### New findings (0)\n\nNone: every finding is in the baseline.")
    if view.stale:
        blocks.append(f"\n<details><summary><b>Stale baseline entries ({len(view.stale)})</b></summary>\n\n"
                      "These accepted findings no longer occur; drop them with `aimlapi-contract baseline --update`.\n")
        blocks += [f"- {code(f.message)}" for f in view.stale]
        blocks.append("\n</details>")
    if view.baselined.total:
        blocks.append(f"\n<details><summary><b>Baselined ({view.baselined.total})</b>: accepted in "
                      "specs/baseline.json</summary>\n")
        blocks += [f"- **{c.finding.code.value}** {_loc(c.finding, context)}: {md_inline(c.finding.message, MAX_MESSAGE)} "
                   f"({_plural(c.size() - 1, 'finding')} behind it)" for c in view.baselined.causes]
        blocks += [f"- **{g.code.value} {g.severity.label}** {code(g.source)} · {_plural(len(g.findings), 'finding')}"
                   for g in view.baselined.groups]
        blocks.append("\n</details>")
    return _within_budget("\n".join(out), blocks)


def _within_budget(head: str, blocks: list[str]) -> str:
    """The head and as many whole blocks as fit in MAX_BYTES (each block is balanced Markdown/HTML)."""
    size = len(head.encode()) + 200
    kept: list[str] = []
    for i, block in enumerate(blocks):
        size += len(block.encode()) + 1
        if size > MAX_BYTES:
            open_details = sum(b.count("<details>") - b.count("</details>") for b in kept)
            kept += ["\n</details>"] * open_details
            kept.append(f"\n… {len(blocks) - i} more blocks left out to stay within GitHub's summary limit: "
                        "see the HTML or JSON report.")
            break
        kept.append(block)
    return head + "\n\n" + "\n".join(kept) + "\n"
