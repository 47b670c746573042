"""What is said about a spec on its own: the spec lint (and its findings cache), the semantic diff between
two versions, and what changed since the locked version.
"""

from __future__ import annotations

from .changes import load_spec_argument, locked_change_findings
from .diff import diff_as_dict, diff_specs, render_diff_text
from .lint import LINT_LIBRARY, LINT_RULES, iter_spec_findings
from .lint_cache import cache_key, cached_findings

__all__ = [
    "cache_key",
    "cached_findings",
    "diff_as_dict",
    "diff_specs",
    "iter_spec_findings",
    "LINT_LIBRARY",
    "LINT_RULES",
    "load_spec_argument",
    "locked_change_findings",
    "render_diff_text",
]
