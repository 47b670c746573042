"""Reports for people and machines, all rendered from one Report: Markdown, HTML and SARIF."""

from __future__ import annotations

from .context import ReportContext, docs_ref_for, redact_secrets
from .html_page import render_html
from .markdown import render_markdown
from .sarif import render_sarif

__all__ = ["ReportContext", "docs_ref_for", "redact_secrets", "render_html", "render_markdown", "render_sarif"]
