"""What keeps one hostile cassette from costing the run: a catch per cassette, and a cap on findings kept.

An exception no reader anticipated becomes a CT910 finding on that cassette and the next one is read;
findings past `--max-findings-per-cassette` are counted per code (CT231) instead of kept, so 200,000
failing events cost a counter, not gigabytes.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .. import limits
from ..findings import Code, Finding, Severity, crash_finding
from .cassettes import Cassette, CassetteError, display_path, read_cassette
from .scanning import CassetteScan, scan_cassettes


@dataclass(slots=True)
class _Dropped:
    count: int
    severity: Severity
    first: str


Tallies = tuple[tuple[Code, int, Severity], ...]  # findings as (code, how many, the most severe)


@dataclass(slots=True)
class FindingBudget:
    """Shared by `bounded` and the checks feeding it: once `full`, any finding made is only counted.

    Of a counted finding only its code, severity, anchor, pointer and line are read, so a check that
    sees `full` may leave out its message, fix and cause: a 200,000-event stream then costs its
    verdicts, not 800,000 worded findings. Once a code has been counted, `tally` counts another finding
    of it without the finding being made at all."""

    full: bool = False
    dropped: dict[Code, _Dropped] = field(default_factory=dict)  # filled by `bounded`, per code

    def tally(self, code: Code, severity: Severity) -> bool:
        """Count one more finding of `code` if that is all `bounded` would do with it; True if counted."""
        return self.tally_all(((code, 1, severity),))

    def tally_all(self, tallies: Tallies) -> bool:
        """`tally` for each (code, how many, severity) if each code has been counted before; else nothing, False.

        Not full, or a code's first finding past the cap: `bounded` must see it (its place is quoted)."""
        if not self.full:
            return False
        dropped = self.dropped
        try:
            entries = [dropped[code] for code, _, _ in tallies]
        except KeyError:
            return False
        for entry, (_, n, severity) in zip(entries, tallies, strict=True):
            entry.count += n
            if severity > entry.severity:
                entry.severity = severity
        return True


def bounded(source: str, findings: Iterable[Finding], budget: FindingBudget | None = None) -> Iterator[Finding]:
    """The first `findings_per_source` findings, then one CT231 per code counting the ones not kept.

    `budget`, if given, is marked full as the last finding kept is handed on."""
    cap = limits.current().findings_per_source
    kept = 0
    dropped: dict[Code, _Dropped] = budget.dropped if budget is not None else {}
    if budget is not None and cap <= 0:
        budget.full = True
    for finding in findings:
        if kept < cap:
            kept += 1
            if kept == cap and budget is not None:
                budget.full = True  # before the yield: the checks resume past it only to make findings not kept
            yield finding
            continue
        entry = dropped.get(finding.code)
        if entry is None:
            where = f"{finding.anchor}{finding.pointer}" or f"line {finding.line}"
            entry = dropped[finding.code] = _Dropped(0, finding.severity, where)
        entry.count += 1
        entry.severity = max(entry.severity, finding.severity)
    for code, entry in sorted(dropped.items(), key=lambda item: item[0].value):
        yield Finding(
            Code.FINDINGS_TRUNCATED, entry.severity, source,
            f"{entry.count:,} more {code.value} findings on this cassette were not listed (first at {entry.first}); "
            f"{cap:,} findings were listed",
            anchor=f"truncated:{code.value}",
            fix=f"fix the listed findings first; raise `{limits.FLAGS['findings_per_source'][0]}` to list every one",
        )


def guarded_cassettes(directory: Path, root: Path | None = None) -> Iterator[tuple[Path, Cassette | CassetteError | Finding]]:
    """Each cassette under `directory` with what loading it gave: the cassette, its error, or a CT910 finding."""
    for path in scan_cassettes(directory).files:
        try:
            yield path, read_cassette(path)
        except CassetteError as exc:
            yield path, exc
        except Exception as exc:  # noqa: BLE001  (any other failure reading this file is a finding on it)
            yield path, crash_finding(display_path(path, root), "reading the cassette", exc, anchor="cassette")


def skipped_note(directory: Path, root: Path | None = None) -> str:
    """One line naming how many paths under `directory` were not read and the first of them; '' if none."""
    scan = scan_cassettes(directory)
    if not scan.skipped:
        return ""
    shown = CassetteScan(skipped=[(_lexical(p, root), why) for p, why in scan.skipped])
    return shown.summary()


def _lexical(path: Path, root: Path | None) -> Path:
    """`path` relative to `root` without resolving links (a dangling link is named, not its target)."""
    base = Path(os.path.abspath(root or Path.cwd()))
    absolute = Path(os.path.abspath(path))
    return absolute.relative_to(base) if absolute.is_relative_to(base) else path
