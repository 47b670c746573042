"""The CLI's argparse pieces: the repeatable --format/--output pairs, and each subcommand's description and example."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .redact import KEY_ENV


class ReportFormat(argparse.Action):
    """`--format F`: starts a new report (or names the one a preceding `--output` began)."""

    def __call__(self, parser: argparse.ArgumentParser, ns: argparse.Namespace, value: Any, option: str | None = None) -> None:
        reports = list(getattr(ns, "reports", None) or [])
        if reports and reports[-1][0] is None:
            reports[-1] = (value, reports[-1][1])
        else:
            reports.append((value, None))
        ns.reports = reports


class ReportOutput(argparse.Action):
    """`--output FILE`: where the report of the last `--format` goes (stdout when none is given)."""

    def __call__(self, parser: argparse.ArgumentParser, ns: argparse.Namespace, value: Any, option: str | None = None) -> None:
        reports = list(getattr(ns, "reports", None) or [])
        if reports and reports[-1][1] is None:
            reports[-1] = (reports[-1][0], Path(value))
        else:
            reports.append((None, Path(value)))
        ns.reports = reports


# What each subcommand does, and an example, for `aimlapi-contract COMMAND --help`.
_HELP = {
    "fetch": ("Download the tracked page and the specs it links; pin their sha256 in specs/lock.json.",
              "aimlapi-contract fetch --docs-base ../shared/aimlapi-docs --update-lock"),
    "check": ("Run every offline check (specs, the docs page, cassettes) and report the findings: root causes\n"
              "and their fixes first (-v: every finding). Exit 0 clean, 1 new findings, 2 nothing checked.",
              "aimlapi-contract check --cassettes ../shared/real-traffic-samples --format html --output report.html"),
    "baseline": ("Accept the current findings as known drift in specs/baseline.json, each with a reason.",
                 'aimlapi-contract baseline --only CT110 --reason "upstream: 200 responses lack a description"'),
    "live": (f"Send the live scenarios once (needs ${KEY_ENV}) and validate each reply; records nothing.",
             f"{KEY_ENV}=... aimlapi-contract live --scenario chat-plain --max-requests 4"),
    "diff": ("What changed between two versions of a spec, breaking or compatible for clients (exit 1: breaking).",
             "aimlapi-contract diff old.json new.json --format json"),
}


def describe(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Each subcommand's description and example (kept here, so cli.py's parsers stay one line each)."""
    for name, parser in sub.choices.items():
        parser.description, example = _HELP.get(name, (parser.description, ""))
        parser.epilog = f"example:\n  {example}" if example else None
        parser.formatter_class = argparse.RawDescriptionHelpFormatter
