"""aimlapi-contract: contract tests and docs-drift lint for the AIML API docs of openai/gpt-4.1-nano."""

from __future__ import annotations

from .findings import Code, Finding, Severity

__version__ = "0.1.0"
__all__ = ["Code", "Finding", "Severity", "__version__"]
