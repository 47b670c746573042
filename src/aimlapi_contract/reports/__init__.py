"""Reports for people and machines, all rendered from one Report: text, JSON, Markdown, HTML and SARIF,
and the one pytest failure message that lists every new finding (assertion.py)."""

from __future__ import annotations

from collections.abc import Callable

from .context import ReportContext, docs_ref_for, redact_secrets
from .html_page import render_html
from .markdown import render_markdown
from .model import Report
from .sarif import render_sarif
from .text import escape_controls, render_finding, render_json, render_text

# Formats rendered with the source texts and links of a ReportContext; text and json need only the Report.
RICH_FORMATS: dict[str, Callable[[Report, ReportContext], str]] = {
    "markdown": render_markdown, "html": render_html, "sarif": render_sarif,
}
FORMATS = ("text", "json", *RICH_FORMATS)


def render_report(fmt: str, report: Report, context: ReportContext, *, show_baselined: bool = False) -> str:
    """The report in `fmt` (one of FORMATS), with the API key redacted whatever the format."""
    if fmt == "text":
        text = render_text(report, show_baselined=show_baselined)
    elif fmt == "json":
        text = render_json(report)
    else:
        text = RICH_FORMATS[fmt](report, context)
    return redact_secrets(text)


__all__ = [
    "FORMATS", "RICH_FORMATS", "Report", "ReportContext", "docs_ref_for", "escape_controls", "redact_secrets", "render_html",
    "render_finding", "render_markdown", "render_report", "render_sarif",
]
