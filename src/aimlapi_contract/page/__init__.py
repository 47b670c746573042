"""The GitBook page: Markdown blocks with their lines, Response examples, code samples (Python, JavaScript,
cURL, raw HTTP) as requests, and the docs lint that checks them against the specs the page links.
"""

from __future__ import annotations

from .lint import iter_doc_findings

__all__ = [
    "iter_doc_findings",
]
