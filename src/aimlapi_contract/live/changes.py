"""What a fresh live recording changed against the committed cassettes, per scenario, as Markdown.

The scheduled job re-records every scenario into the workspace, runs `aimlapi-contract check
--format json` over the committed copy and over the new recordings, and this module sets the two
side by side: status, error findings that appeared or went, fields the docs never mention (CT207).
    python -m aimlapi_contract.live.changes OLD.json OLD_DIR NEW.json NEW_DIR [--output FILE]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ContractError
from ..files import atomic_write
from ..traffic.cassettes import read_cassette

# Where a scenario's cassette name holds its id: cassettes/test_live/test_scenario[<id>].yaml.
_SCENARIO = re.compile(r"\[([^\]]+)\]\.ya?ml$")


@dataclass(slots=True)
class ScenarioChange:
    """One scenario's recording before and after: what a maintainer reads first when the live job goes red."""

    scenario: str
    old_status: str = "-"
    new_status: str = "-"
    appeared: list[str] = field(default_factory=list)  # error findings the old recording did not have, `CODE pointer`
    gone: list[str] = field(default_factory=list)
    new_fields: list[str] = field(default_factory=list)  # CT207 pointers the old recording did not have

    @property
    def changed(self) -> bool:
        return self.old_status != self.new_status or bool(self.appeared or self.gone or self.new_fields)


def scenario_of(source: str) -> str | None:
    match = _SCENARIO.search(source)
    return match.group(1) if match else None


def _statuses(directory: Path) -> dict[str, str]:
    """scenario -> the final reply's status in its cassette ("unreadable" when it cannot be read)."""
    out: dict[str, str] = {}
    for path in sorted(directory.glob("*.y*ml")) if directory.is_dir() else []:
        scenario = scenario_of(path.name)
        if scenario is None:
            continue
        try:
            interactions = read_cassette(path).interactions
        except ContractError:
            out[scenario] = "unreadable"
            continue
        out[scenario] = str(interactions[-1].exchange.status) if interactions else "empty"
    return out


def _findings(report: dict[str, Any]) -> dict[str, tuple[set[str], set[str]]]:
    """scenario -> (error findings, undocumented-field pointers), keyed without line numbers.

    Baselined or not: the committed copy is checked from elsewhere, where no baseline key matches,
    and what changed is the question, not what is accepted."""
    out: dict[str, tuple[set[str], set[str]]] = {}
    for f in report.get("findings", []):
        scenario = scenario_of(str(f.get("source", "")))
        if scenario is None:
            continue
        errors, fields = out.setdefault(scenario, (set(), set()))
        if f.get("code") == "CT207":
            fields.add(str(f.get("pointer", "")))
        elif f.get("severity") == "error":
            errors.add(f"{f['code']} {f.get('pointer') or f.get('anchor', '')}".strip())
    return out


def compare(old_report: dict[str, Any], old_dir: Path, new_report: dict[str, Any], new_dir: Path) -> list[ScenarioChange]:
    """One ScenarioChange per scenario recorded before or now, in scenario order."""
    old_status, new_status = _statuses(old_dir), _statuses(new_dir)
    old, new = _findings(old_report), _findings(new_report)
    changes = []
    for scenario in sorted(set(old_status) | set(new_status) | set(old) | set(new)):
        old_errors, old_fields = old.get(scenario, (set(), set()))
        new_errors, new_fields = new.get(scenario, (set(), set()))
        changes.append(ScenarioChange(
            scenario, old_status.get(scenario, "-"), new_status.get(scenario, "-"),
            sorted(new_errors - old_errors), sorted(old_errors - new_errors), sorted(new_fields - old_fields),
        ))
    return changes


def render_markdown(changes: list[ScenarioChange]) -> str:
    """The step summary: a line of counts, then a row per changed scenario (all of them, unchanged ones counted)."""
    changed = [c for c in changes if c.changed]
    lines = ["## Live recording vs the committed cassettes", ""]
    lines.append(f"{len(changes)} scenario(s) recorded, {len(changed)} changed, {len(changes) - len(changed)} unchanged.")
    if changed:
        lines += ["", "| scenario | status (committed → now) | new errors | errors gone | new undocumented fields |", "|---|---|---|---|---|"]
        for c in changed:
            cells = [", ".join(f"`{x}`" for x in items) or "-" for items in (c.appeared, c.gone, c.new_fields)]
            lines.append(f"| `{c.scenario}` | {c.old_status} → {c.new_status} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aimlapi_contract.live.changes", description=__doc__.splitlines()[0])
    parser.add_argument("old_report", type=Path, help="check --format json over the committed cassettes")
    parser.add_argument("old_dir", type=Path, help="the committed cassettes")
    parser.add_argument("new_report", type=Path, help="check --format json over the new recordings")
    parser.add_argument("new_dir", type=Path, help="the new recordings")
    parser.add_argument("--output", type=Path, help="write the Markdown here (default: stdout)")
    args = parser.parse_args(argv)
    reports = []
    for path in (args.old_report, args.new_report):
        try:
            reports.append(json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {})
        except (OSError, ValueError) as exc:
            print(f"error: {path}: not a JSON report ({exc})", file=sys.stderr)
            return 2
    text = render_markdown(compare(reports[0], args.old_dir, reports[1], args.new_dir))
    if args.output:
        atomic_write(args.output, text.encode("utf-8"))
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
