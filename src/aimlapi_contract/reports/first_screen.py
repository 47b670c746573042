"""The text report's first screen: the counts, the top root causes with their fixes, and where the rest is.

It fits a terminal (`lines` rows of `width` columns): long pointers are elided in the middle, long
messages and fixes cut with an ellipsis; `check -v` lists every finding in full.
"""

from __future__ import annotations

import shutil
import sys
from typing import TYPE_CHECKING

from ..findings import Finding
from .triage import Cause, Group, TriageView

if TYPE_CHECKING:
    from .model import Report

SCREEN_LINES = 40
SCREEN_WIDTH = 120


def terminal_screen() -> tuple[int, int] | None:
    """(columns, lines) of the terminal stdout is, so the first screen fits it; None when stdout is not one."""
    if not sys.stdout.isatty():
        return None
    size = shutil.get_terminal_size()
    return max(60, size.columns), max(20, size.lines - 2)


def status_line(report: Report) -> str:
    """The one-line verdict every text report starts and ends with (counts as in the JSON summary)."""
    s = report.summary()
    counts = ", ".join(f"{n} {label}" for label, n in s["new_by_severity"].items())
    return (f"{s['new']} new findings ({counts}); {s['baselined']} baselined; "
            f"{s['stale_baseline_entries']} stale baseline entries")


def elide(text: str, width: int) -> str:
    """`text` cut to `width` characters; a JSON pointer keeps its head and its last segments."""
    if len(text) <= width:
        return text
    if text.startswith("/") and " " not in text and width > 12:
        tail = text[-(width - 2):]
        cut = tail.find("/")
        return "/…" + (tail[cut:] if cut > 0 else tail)
    return text[: max(1, width - 1)] + "…"


def fit(text: str, width: int) -> str:
    """One line of at most `width`: the longest JSON pointers in it elided first, then the end cut."""
    words = " ".join(text.splitlines()).split(" ")
    while sum(map(len, words)) + len(words) - 1 > width:
        pointers = [i for i, w in enumerate(words) if w.startswith("/") and len(w) > 24]
        if not pointers:
            break
        i = max(pointers, key=lambda j: len(words[j]))
        over = sum(map(len, words)) + len(words) - 1 - width
        words[i] = elide(words[i], max(22, len(words[i]) - over))
    return elide(" ".join(words), width)


def _headline(f: Finding) -> str:
    # A grouping finding's message leads with what it groups, then an example: the example is -v material.
    return f.message.split(", e.g. ", 1)[0]


def _where(f: Finding) -> str:
    return f.source + (f":{f.line}" if f.line else "")


def _cause_lines(n: int, cause: Cause, width: int) -> list[str]:
    f = cause.finding
    places = len(cause.locations)
    head = f"{n:>3}. {f.severity.label:<7} {f.code.value}  {_headline(f)}"
    if f.endpoint:
        head += f"  [{f.endpoint}]"
    kind = cause.locations_kind if places != 1 else cause.locations_kind.rstrip("s")
    lines = [fit(head, width), fit(f"     in:  {_where(f)}  (seen in {places} {kind})", width)]
    if f.fix:
        lines.append("     " + fit("fix: " + f.fix, width - 5))
    return lines


def _group_lines(n: int, group: Group, width: int) -> list[str]:
    first = group.findings[0]
    lines = group.lines
    at = f":{','.join(map(str, lines[:6]))}{'…' if len(lines) > 6 else ''}" if lines else ""
    count = len(group.findings)
    same = all(f.message == first.message for f in group.findings)
    more = "" if count == 1 else f"  ({count} findings{'' if same else ', e.g. the first'})"
    out = [fit(f"{n:>3}. {group.severity.label:<7} {group.code.value}  {first.message}", width),
           fit(f"     in:  {group.source}{at}{more}", width)]
    if first.fix:
        out.append("     " + fit("fix: " + first.fix, width - 5))
    return out


def _rows(lines: list[str], width: int) -> int:
    """Terminal rows the lines take (a line longer than the terminal wraps)."""
    return sum(max(1, -(-len(line) // width)) for line in lines)


def _stale_lines(stale: list[Finding], shown: int = 3) -> list[str]:
    if not stale:
        return []
    # Not cut: the entry's pointer is what says which line of the baseline to delete.
    out = [f"Stale baseline entries ({len(stale)}) in {stale[0].source}; `aimlapi-contract baseline --update` drops them:"]
    out += [f"     {f.code.value} {f.severity.label}: {' '.join(f.message.split())}" for f in stale[:shown]]
    if len(stale) > shown:
        out.append(f"     … and {len(stale) - shown} more")
    return out


def render_first_screen(report: Report, view: TriageView, *, lines: int = SCREEN_LINES, width: int = SCREEN_WIDTH,
                        verbose: bool = False) -> list[str]:
    """At most `lines` terminal rows: status, top causes (errors first) with fixes, other groups, stale entries,
    where the rest is."""
    new = view.new
    explained = sum(c.size() - 1 for c in new.causes)
    head = [status_line(report)]
    if new.causes:
        errors = len(view.error_causes)
        head.append(f"{len(new.causes)} root cause{'s' if len(new.causes) != 1 else ''} ({errors} error{'s' if errors != 1 else ''}) "
                    f"explain {explained} of the new findings; fix each once, in the spec:")
    stale = _stale_lines(view.stale, shown=max(1, min(3, (lines - 20) // 5)))  # fewer on a small terminal
    footer = []
    if view.baselined.total:
        footer.append(f"Baselined: {view.baselined.total} accepted findings (list them with --show-baselined).")
    if not verbose and new.total:
        footer.append("Every finding in full: `aimlapi-contract check -v`, or `--format html --output report.html`.")
    budget = lines - _rows(head, width) - _rows(stale, width) - _rows(footer, width)
    body: list[str] = []
    shown = 0
    for cause in new.causes:
        block = _cause_lines(shown + 1, cause, width)
        # Keep a row for "… and N more", and two for the other groups' heading and first line.
        if len(body) + len(block) > budget - 1 - (3 if new.groups else 0):
            break
        body += block
        shown += 1
    if shown < len(new.causes):
        body.append(f"     … and {len(new.causes) - shown} more root causes")
    if new.groups:
        body.append(f"Other new findings, by code and location ({sum(len(g.findings) for g in new.groups)}):")
        shown = 0
        for group in new.groups:
            block = _group_lines(shown + 1, group, width)
            if len(body) + len(block) > budget - 1:
                break
            body += block
            shown += 1
        if shown < len(new.groups):
            body.append(f"     … and {len(new.groups) - shown} more groups")
    if not new.total and not view.stale:
        body.append("No new findings: everything found is in the baseline." if view.baselined.total else "No findings.")
    return head + body + stale + footer
