"""Reports for people and machines, all rendered from one Report: text, JSON, Markdown, HTML and SARIF,
and the one pytest failure message that lists every new finding (assertion.py)."""

from __future__ import annotations

from collections.abc import Callable

from .context import ReportContext, docs_ref_for, redact_secrets
from .html_page import render_html
from .markdown import render_markdown
from .model import Report
from .progress import progress_on, wants_progress
from .sarif import render_sarif
from .first_screen import SCREEN_LINES, SCREEN_WIDTH, terminal_screen
from .text import render_finding, render_json, render_text

# Formats rendered with the source texts and links of a ReportContext; text and json need only the Report.
RICH_FORMATS: dict[str, Callable[[Report, ReportContext], str]] = {
    "markdown": render_markdown, "html": render_html, "sarif": render_sarif,
}
FORMATS = ("text", "json", *RICH_FORMATS)


def render_report(fmt: str, report: Report, context: ReportContext, *, show_baselined: bool = False,
                  verbose: bool = False, screen: tuple[int, int] | None = None) -> str:
    """The report in `fmt` (one of FORMATS), with the API key redacted whatever the format.

    Text only: `verbose` lists every finding after the first screen; `screen` is (columns, lines) to fit.
    """
    if fmt == "text":
        columns, lines = screen or (SCREEN_WIDTH, SCREEN_LINES)
        text = render_text(report, show_baselined=show_baselined, verbose=verbose, lines=lines, width=columns)
    elif fmt == "json":
        text = render_json(report)
    else:
        text = RICH_FORMATS[fmt](report, context)
    return redact_secrets(text)


__all__ = [
    "FORMATS", "RICH_FORMATS", "Report", "ReportContext", "docs_ref_for", "redact_secrets", "render_html",
    "render_finding", "render_markdown", "render_report", "render_sarif", "progress_on", "terminal_screen", "wants_progress",
]
