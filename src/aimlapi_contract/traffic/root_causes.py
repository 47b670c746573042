"""Root causes: many failing payloads, one spec location, one mechanical spec change.

Each schema finding from traffic names its cause in `extra["cause"]`: the spec, the schema pointer
where a fix would go, and the kind of violation. `iter_root_causes` turns the findings of a run into
one CT220 finding per cause (count, cassettes affected, the fix). A baselined CT220 entry accepts
every single finding of that cause (baseline.triage honours `extra["cause_key"]`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..findings import Code, Finding
from ..sources import Operation, Spec
from ..validation import Cause, merged_with_copies


def undocumented_cause(spec: Spec, endpoint: str, owner: str, name: str) -> Cause:
    """The cause of a field the schema does not mention: add it to the object's `properties`."""
    pointer = f"{owner}/properties/{name.replace('~', '~0').replace('/', '~1')}"
    return merged_with_copies(spec, Cause(spec.source, pointer, "undocumented", f"add `{name}` to `properties` at {owner}", endpoint))


def status_cause(spec: Spec, operation: Operation, status: int) -> Cause:
    """The cause of an undocumented status: one per (spec, operation, status), however many replies had it."""
    pointer = f"{operation.pointer}/responses"
    fix = (f"document the {status} response (its content type and schema) under {pointer}; until the docs do, "
           'accept it with `aimlapi-contract baseline --only CT220 --reason "..."`')
    return Cause(spec.source, pointer, f"status:{status}", fix, operation.endpoint)


def iter_root_causes(findings: Iterable[Finding], specs: Iterable[Spec] = ()) -> Iterator[Finding]:
    """One CT220 finding per cause named by the findings, with its count and the cassettes affected.

    With the specs, each cause is also pinned to the line of its schema location in the spec file.
    """
    by_source = {spec.source: spec for spec in specs}
    groups: dict[tuple[str, ...], list[Finding]] = {}
    for finding in findings:
        if "cause_key" in finding.extra:
            groups.setdefault(tuple(finding.extra["cause_key"]), []).append(finding)
    for key, members in sorted(groups.items()):
        cause = members[0].extra["cause"]
        sources = sorted({m.source for m in members})
        codes = sorted({m.code.value for m in members})
        example = members[0]
        payloads = len({(m.source, m.anchor) for m in members})
        spec = by_source.get(cause["spec"])
        locations = cause.get("locations") or [cause["pointer"]]
        copies = f"; the schema is inlined {len(locations)} times, the fix goes in each" if len(locations) > 1 else ""
        listed = "spec locations to change:\n" + "\n".join(locations) + "\n" if len(locations) > 1 else ""
        yield Finding(
            Code.TRAFFIC_ROOT_CAUSE,
            max(m.severity for m in members),
            cause["spec"],
            f"{payloads} payload(s) in {len(sources)} cassette(s) share one cause ({'/'.join(codes)} {cause['kind']}), "
            f"e.g. {example.source} {example.anchor} {example.pointer or '(root)'}: {example.message}{copies}",
            pointer=cause["pointer"],
            endpoint=key[2],
            anchor=cause["kind"],
            fix=cause["fix"],
            detail=listed + "\n".join(sources[:20]) + (f"\n… and {len(sources) - 20} more" if len(sources) > 20 else ""),
            extra={"count": payloads, "cassettes": sources, **({"locations": locations} if len(locations) > 1 else {})},
            **(spec.location(cause["pointer"]) if spec else {}),
        )
