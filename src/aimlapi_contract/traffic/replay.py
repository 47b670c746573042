"""Replay a directory of vcrpy cassettes against the tracked specs: findings per interaction, then root causes."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from ..errors import UsageError
from ..findings import Code, Finding, Severity, crash_finding, guarded
from ..sources import Spec
from .cassettes import (
    BrokenInteraction,
    Cassette,
    CassetteError,
    RecordedExchange,
    cassette_files,
    display_path,
    read_cassette,
)
from ..validation import learned
from . import shape_verdicts
from .parallel import map_in_order
from .guard import FindingBudget, bounded, guarded_cassettes
from .payloads import iter_located_findings, once_per_unusable_schema
from .root_causes import iter_root_causes

REFERENCE_ENV = "AIMLAPI_CONTRACT_REFERENCE"


@dataclass(frozen=True, slots=True)
class InteractionItem:
    """One cassette interaction as a pytest item sees it; `index` is None for an unreadable cassette."""

    source: str
    index: int | None
    endpoint: str = ""

    @property
    def anchor(self) -> str:
        return "cassette" if self.index is None else f"interaction:{self.index}"

    @property
    def id(self) -> str:
        name = self.source.rsplit("/", 1)[-1]
        return f"{name}#unreadable" if self.index is None else f"{name}#{self.index} {self.endpoint}"

    def owns(self, finding: Finding) -> bool:
        """Whether `finding` belongs to this interaction (its anchor is this one's, or below it)."""
        return finding.source == self.source and (finding.anchor == self.anchor or finding.anchor.startswith(self.anchor + ":"))


def require_directory(directory: Path, flag: str = "--cassettes") -> None:
    """UsageError unless `directory` is an existing directory: a missing one given explicitly is a typo, not a finding."""
    if not directory.is_dir():
        what = "is not a directory" if directory.exists() else "does not exist"
        raise UsageError(
            f"cassette directory {directory} {what}",
            tip=f"pass `{flag} DIR` with an existing directory of vcrpy cassettes, or omit it to replay cassettes/",
        )


def interaction_items(directory: Path, *, root: Path | None = None) -> list[InteractionItem]:
    """Every interaction of every cassette under `directory`; an unreadable cassette is one item of its own."""
    require_directory(directory)
    items = []
    for path, loaded in guarded_cassettes(directory, root):
        source = display_path(path, root)
        if isinstance(loaded, CassetteError | Finding):
            items.append(InteractionItem(source, None))
            continue
        found = [InteractionItem(source, r.index, f"{r.exchange.method} {r.exchange.path}") for r in loaded.interactions]
        found += [InteractionItem(source, b.index, "(unreadable)") for b in loaded.broken]
        items += sorted(found, key=lambda item: item.index or 0)
    return items


def iter_cassette_findings(
    directory: Path, specs: Sequence[Spec], *, root: Path | None = None, reference: bool | None = None, jobs: int | None = None
) -> Iterator[Finding]:
    """Findings for every interaction under `directory`, then one CT220 per shared root cause.

    Sources are relative to `root` (the project root; default the working directory). Bad cassettes are
    findings; only a missing `directory` raises (UsageError). Each cassette is read, checked and dropped
    before the next (only findings are kept), over several processes for a large directory (`jobs`,
    default: the cores); `reference` (default: $AIMLAPI_CONTRACT_REFERENCE=1) takes the old, uncached path,
    serially, to compare findings and speed against."""
    require_directory(directory)
    if reference is None:
        reference = os.environ.get(REFERENCE_ENV) == "1"
    check = partial(_file_findings, specs=specs, root=root, reference=reference)
    per_file = map_in_order(
        check, cassette_files(directory), jobs=1 if reference else jobs, carry=(learned.take, learned.absorb), weigh=_file_size
    )
    try:
        singles = list(once_per_unusable_schema(f for findings in per_file for f in findings))
    finally:
        shape_verdicts.forget()  # what one replay learned of shapes is not held after it
    yield from singles
    yield from iter_root_causes(singles, specs)


def _file_size(path: Path) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0  # unreadable: read_cassette says so


def _file_findings(path: Path, *, specs: Sequence[Spec], root: Path | None, reference: bool) -> list[Finding]:
    """One cassette's findings (a CT209 if it cannot be read); the cassette itself is not kept."""
    source = display_path(path, root)
    try:
        loaded = read_cassette(path, reference=reference)
    except CassetteError as exc:
        return [
            Finding(
                Code.INPUT_OVER_LIMIT if exc.over_limit else Code.CASSETTE_UNREADABLE, Severity.ERROR, source,
                f"not a readable vcrpy cassette: {exc.message}",
                line=exc.line, anchor="cassette",
                fix="re-record it (vcrpy/pytest-recording write valid cassettes), or remove it",
            )
        ]
    except Exception as exc:  # noqa: BLE001  (any other failure reading this file is a finding on it)
        return [crash_finding(source, "reading the cassette", exc, anchor="cassette")]
    # One catch per cassette (CT910) and a cap on the findings kept (CT231): one hostile file costs little.
    budget = FindingBudget()
    return list(guarded(source, "the cassette check", bounded(source, _cassette_findings(loaded, source, specs, reference, budget), budget)))


def _cassette_findings(
    cassette: Cassette, source: str, specs: Sequence[Spec], reference: bool = False, budget: FindingBudget | None = None
) -> Iterator[Finding]:
    """Each interaction's findings, in file order; a broken interaction is one CT209 of its own."""
    records: list[RecordedExchange | BrokenInteraction] = [*cassette.interactions, *cassette.broken]
    for rec in sorted(records, key=lambda r: r.index):
        if isinstance(rec, BrokenInteraction):
            yield Finding(
                Code.INPUT_OVER_LIMIT if rec.over_limit else Code.CASSETTE_UNREADABLE, Severity.ERROR, source,
                f"interaction {rec.index} is not a vcrpy exchange: {rec.message}",
                line=rec.line, anchor=f"interaction:{rec.index}",
                fix="re-record this interaction (vcrpy/pytest-recording write valid cassettes), or remove it",
            )
            continue
        yield from iter_located_findings(
            rec.exchange, specs, source=source, anchor=f"interaction:{rec.index}",
            lines=(rec.line, rec.request_body_line, rec.response_body_line), event_lines=rec.response_body_literal,
            reference=reference, budget=budget,
        )
