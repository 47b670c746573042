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
_FOOTER_LINES = 4  # baselined, stale, "everything", blank


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


def render_first_screen(report: Report, view: TriageView, *, lines: int = SCREEN_LINES, width: int = SCREEN_WIDTH,
                        verbose: bool = False) -> list[str]:
    """At most `lines` lines: status, top causes (errors first) with fixes, other groups, where the rest is."""
    new = view.new
    explained = sum(len(c.walk()) - 1 for c in new.causes)
    out = [status_line(report)]
    if new.causes:
        errors = len(view.error_causes)
        out.append(f"{len(new.causes)} root cause{'s' if len(new.causes) != 1 else ''} ({errors} error{'s' if errors != 1 else ''}) "
                   f"explain {explained} of the new findings; fix each once, in the spec:")
    # Room kept for a few stale entries: each is a line to delete from the baseline, named by its pointer.
    stale_room = min(len(view.stale), 3) + 1 if view.stale else 0
    budget = lines - len(out) - _FOOTER_LINES - stale_room
    shown_causes = shown_groups = 0
    body: list[str] = []
    for cause in new.causes:
        block = _cause_lines(shown_causes + 1, cause, width)
        # Keep room for a line about the other groups when there are some.
        if len(body) + len(block) > budget - (2 if new.groups else 1):
            break
        body += block
        shown_causes += 1
    if shown_causes < len(new.causes):
        body.append(f"     … and {len(new.causes) - shown_causes} more root causes")
    if new.groups:
        body.append(f"Other new findings, by code and location ({sum(len(g.findings) for g in new.groups)}):")
        for group in new.groups:
            block = _group_lines(shown_groups + 1, group, width)
            if len(body) + len(block) > budget - 1:
                break
            body += block
            shown_groups += 1
        if shown_groups < len(new.groups):
            body.append(f"     … and {len(new.groups) - shown_groups} more groups")
    if not new.causes and not new.groups and not view.stale:
        body.append("No new findings: everything found is in the baseline." if view.baselined.total else "No findings.")
    out += body
    room = lines - len(out) - _FOOTER_LINES + 1
    if view.stale and room > 1:
        # Few, and each one a line to delete from the baseline: listed when they fit.
        out.append(f"Stale baseline entries ({len(view.stale)}): drop them with `aimlapi-contract baseline --update`")
        shown = view.stale[: room - 1] if len(view.stale) <= room - 1 else view.stale[: room - 2]
        # Not cut: the entry's pointer is what says which line of the baseline to delete.
        out += [f"     {f.source}: {f.code.value} {f.severity.label}: {' '.join(f.message.split())}" for f in shown]
        if len(shown) < len(view.stale):
            out.append(f"     … and {len(view.stale) - len(shown)} more")
    if view.baselined.total:
        out.append(f"Baselined: {view.baselined.total} accepted findings (list them with --show-baselined).")
    if view.stale and room <= 1:
        out.append(f"Stale baseline entries: {len(view.stale)} no longer occur; drop them with `aimlapi-contract baseline --update`.")
    if not verbose and (shown_causes < len(new.causes) or shown_groups < len(new.groups) or explained):
        out.append("Every finding in full: `aimlapi-contract check -v`, or `--format html --output report.html`.")
    return out[:lines]
