"""Reports for people and machines, all rendered from one Report: text, JSON, Markdown, HTML and SARIF."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..render import render_json, render_text
from .context import ReportContext, docs_ref_for, redact_secrets
from .html_page import render_html
from .markdown import render_markdown
from .sarif import render_sarif

if TYPE_CHECKING:
    from ..check import Report

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
    "FORMATS", "RICH_FORMATS", "ReportContext", "docs_ref_for", "redact_secrets", "render_html",
    "render_markdown", "render_report", "render_sarif",
]
