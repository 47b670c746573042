"""Errors mean the suite could not check; findings are results. Caught once, in cli.main."""

from __future__ import annotations


class ContractError(Exception):
    """A user-facing error: one line saying what and where; `tip` says what to do."""

    exit_code = 2

    def __init__(self, message: str, *, tip: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.tip = tip


class UsageError(ContractError):
    """A bad flag, option value or environment variable."""


class SourceError(ContractError):
    """A page, spec or cassette could not be read and there is nothing to fall back on."""


MIRROR_TIP = (
    "point the suite at a mirror: `--docs-base DIR_OR_URL` or `AIMLAPI_DOCS_BASE=../shared/aimlapi-docs`"
)
