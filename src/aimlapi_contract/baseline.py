"""The committed baseline of known drift: accepted findings, each with a reason.

Entries match findings by `Finding.key` (code, source, endpoint, pointer, anchor), never by message
or line, so unrelated edits to a page or spec do not break the match.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import UsageError
from .files import atomic_write
from .findings import Code, Finding, Severity

BASELINE_PATH = Path("specs/baseline.json")
BASELINE_VERSION = 1
# Findings about this run rather than standing drift: a published change (and what changed) is
# accepted with `fetch --update-lock`; a cache used today or a stale entry means nothing to accept.
NOT_BASELINED = frozenset({
    Code.SOURCE_CHANGED, Code.SOURCE_FROM_CACHE, Code.BASELINE_STALE,
    Code.SPEC_CHANGE_BREAKING, Code.SPEC_CHANGE_COMPATIBLE, Code.SPEC_CHANGE_UNKNOWN,
    Code.CATALOGUE_GROUP,  # derived from its members, which are baselined one by one (reports/groups.py)
})


@dataclass(frozen=True, slots=True)
class BaselineEntry:
    code: str
    source: str
    endpoint: str
    pointer: str
    anchor: str
    reason: str
    message: str = ""  # the message when accepted, for people reading the file; not matched on

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        return (self.code, self.source, self.endpoint, self.pointer, self.anchor)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "source": self.source,
            "endpoint": self.endpoint,
            "pointer": self.pointer,
            "anchor": self.anchor,
            "reason": self.reason,
            "message": self.message,
        }

    @classmethod
    def from_finding(cls, finding: Finding, reason: str) -> BaselineEntry:
        return cls(*finding.key, reason=reason, message=finding.message)


def read_baseline(path: Path = BASELINE_PATH) -> list[BaselineEntry]:
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        entries = [
            BaselineEntry(
                e["code"], e["source"], e.get("endpoint", ""), e.get("pointer", ""), e.get("anchor", ""),
                e["reason"], e.get("message", ""),
            )
            for e in data["accepted"]
        ]
    except (ValueError, KeyError, TypeError) as exc:
        raise UsageError(
            f"{path}: not a valid baseline file ({exc})",
            tip="each entry needs code, source and reason; rewrite it with `aimlapi-contract baseline`",
        ) from None
    for i, e in enumerate(entries):
        fields = (e.code, e.source, e.endpoint, e.pointer, e.anchor, e.reason, e.message)
        if not all(isinstance(v, str) for v in fields):
            raise UsageError(f"{path}: entry {i} ({e.code!r}) has a field that is not a string", tip="each field is a JSON string")
    missing = [e for e in entries if not e.reason.strip()]
    if missing:
        raise UsageError(f"{path}: {len(missing)} entries have no reason; every accepted finding says why")
    return entries


def write_baseline(entries: list[BaselineEntry], path: Path = BASELINE_PATH) -> None:
    ordered = sorted(entries, key=lambda e: e.key)
    body = {"version": BASELINE_VERSION, "accepted": [e.to_dict() for e in ordered]}
    atomic_write(path, (json.dumps(body, indent=2, ensure_ascii=False) + "\n").encode())


@dataclass(frozen=True, slots=True)
class Triage:
    """Findings split by the baseline, and the baseline entries nothing matched any more."""

    new: list[Finding]
    baselined: list[Finding]
    stale: list[BaselineEntry]


def triage(findings: list[Finding], entries: list[BaselineEntry]) -> Triage:
    by_key = {e.key: e for e in entries}
    seen: set[tuple[str, ...]] = set()
    new, baselined = [], []
    if not by_key:
        return Triage(list(findings), [], [])
    accepted_causes: dict[int, bool] = {}  # by id of a `cause_key` list: the findings of one cause share their `extra`
    for f in findings:
        key = f.key
        if key in by_key:
            baselined.append(f)
            seen.add(key)
            continue
        cause_key = f.extra.get("cause_key")
        if cause_key is None:
            new.append(f)
            continue
        accepted = accepted_causes.get(id(cause_key))
        if accepted is None:
            accepted = accepted_causes[id(cause_key)] = tuple(cause_key) in by_key
        if accepted:
            # A baselined root cause (CT220) accepts every single finding it groups; see traffic/root_causes.py.
            baselined.append(f)
        else:
            new.append(f)
    stale = [e for e in entries if e.key not in seen]
    return Triage(new, baselined, stale)


@dataclass(frozen=True, slots=True)
class Scope:
    """What one run checked: the sources it read (pages, specs, cassettes) and whether it replayed traffic.

    A baseline entry can be called stale, or dropped, only when its source was checked: an entry for
    a page this run did not read says nothing about whether that page was fixed.
    """

    sources: frozenset[str]
    traffic: bool = False  # root causes (CT220) come from the cassettes: in scope only when they were replayed

    def covers(self, entry: BaselineEntry) -> bool:
        if entry.code == Code.TRAFFIC_ROOT_CAUSE.value:
            return self.traffic and entry.source in self.sources
        return entry.source in self.sources


def stale_findings(stale: list[BaselineEntry], baseline_path: Path = BASELINE_PATH) -> list[Finding]:
    """Stale entries as info findings, so every report shows the baseline can shrink."""
    return [
        Finding(
            Code.BASELINE_STALE,
            Severity.INFO,
            str(baseline_path),
            f"baseline entry {e.code} for {e.source} {e.pointer or e.anchor} no longer occurs (fixed upstream?)",
            pointer=e.pointer,
            endpoint=e.endpoint,
            anchor=f"{e.code}:{e.source}:{e.anchor}",
            fix="drop it with `aimlapi-contract baseline --update`",
        )
        for e in stale
    ]


def updated_entries(
    findings: list[Finding], entries: list[BaselineEntry], *, add_new: bool, reason: str,
    also_accepted: list[BaselineEntry] | None = None, scope: Scope | None = None,
) -> list[BaselineEntry]:
    """The baseline after an update: fixed entries dropped (only of sources in `scope`); new findings added only when asked.

    A finding a kept CT220 entry (here or in `also_accepted`, the entries outside an `--only`) already
    accepts through its cause gets no entry of its own.
    """
    current = {f.key: f for f in findings if f.code not in NOT_BASELINED}
    kept = [e for e in entries if e.key in current or (scope is not None and not scope.covers(e))]
    if add_new:
        known = {e.key for e in kept} | {e.key for e in also_accepted or []}
        added = [BaselineEntry.from_finding(f, reason) for k, f in current.items() if k not in known]
        # A CT220 accepted now or before accepts its members: they need no entry of their own.
        causes = known | {e.key for e in added if e.code == Code.TRAFFIC_ROOT_CAUSE.value}
        kept += [e for e in added if tuple(current[e.key].extra.get("cause_key", ())) not in causes]
    return kept
