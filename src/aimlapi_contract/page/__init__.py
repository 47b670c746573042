"""The GitBook page: Markdown blocks with their lines, Response examples, code samples (Python, JavaScript,
cURL, raw HTTP) as requests, and the docs lint that checks them against the specs the page links.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "iter_doc_findings",
]


def __getattr__(name: str) -> Any:
    # The lint is imported on first use: a warm run reads its findings from the cache (pool.py).
    if name == "iter_doc_findings":
        from .lint import iter_doc_findings

        return iter_doc_findings
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
