"""Components no operation uses: the catalogue's family specs carry hundreds of other models' schemas.

A defect in a schema no operation reaches (through `$ref`s, transitively) misleads no client of this
spec; reported one by one it buries the rest (a family spec gave ~450 CT111 from unused schemas).
`collapse_unreferenced` keeps one CT117 info per spec in their place, naming how many and which codes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from ..findings import Code, Finding, Severity
from ..sources import Spec

_COMPONENT_DEPTH = 3  # /components/<kind>/<name>


def _component(pointer: str) -> str:
    parts = pointer.split("/")
    return "/".join(parts[: _COMPONENT_DEPTH + 1]) if len(parts) > _COMPONENT_DEPTH and parts[1] == "components" else ""


def _refs(node: Any, found: set[str]) -> None:
    stack = [node]
    while stack:  # iterative: a deep spec must not hit the recursion limit
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/"):
                found.add(ref[1:])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def referenced_components(spec: Spec) -> set[str]:
    """`/components/<kind>/<name>` pointers reached from the paths (and top-level security), transitively."""
    todo: set[str] = set()
    _refs(spec.data.get("paths"), todo)
    reached: set[str] = set()
    while todo:
        component = _component(todo.pop())
        if not component or component in reached:
            continue
        reached.add(component)
        try:
            node = spec.resolve(component)
        except (KeyError, IndexError, ValueError, TypeError):
            continue
        _refs(node, todo)
    return reached


def unreferenced_components(spec: Spec) -> frozenset[str]:
    """Schemas, responses, parameters, … defined under `components` that no operation reaches (security schemes aside).

    Memoized by the spec's bytes: asked while the spec is still parsed (check.py), it is not parsed again later."""
    key = (spec.source, spec.sha256)
    if key not in _unreferenced:
        components = spec.data.get("components")
        defined = {f"/components/{kind}/{name.replace('~', '~0').replace('/', '~1')}"
                   for kind, entries in components.items() if kind != "securitySchemes" and isinstance(entries, dict)
                   for name in entries} if isinstance(components, dict) else set()
        _unreferenced[key] = frozenset(defined - referenced_components(spec)) if defined else frozenset()
    return _unreferenced[key]


_unreferenced: dict[tuple[str, str], frozenset[str]] = {}


def collapse_unreferenced(findings: Iterable[Finding], specs: Iterable[Spec]) -> Iterator[Finding]:
    """The findings, minus those inside components no operation reaches, plus one CT117 info per spec that had any."""
    unused = {spec.source: unreferenced_components(spec) for spec in specs}
    hidden: dict[str, list[Finding]] = {}
    for finding in findings:
        if unused.get(finding.source) and _component(finding.pointer) in unused[finding.source]:
            hidden.setdefault(finding.source, []).append(finding)
        else:
            yield finding
    for source, members in sorted(hidden.items()):
        codes = Counter(f.code.value for f in members)
        components = sorted({_component(f.pointer) for f in members})
        yield Finding(
            Code.SPEC_UNREFERENCED_COMPONENTS, Severity.INFO, source,
            f"{len(unused[source])} component(s) are referenced by no operation; {len(members)} finding(s) inside "
            f"{len(components)} of them are not reported one by one ({', '.join(f'{c} ×{n}' for c, n in sorted(codes.items()))})",
            pointer="/components", anchor="unreferenced",
            fix="remove the components no operation uses (the generator copies the whole family's schemas), or reference them",
            detail="\n".join(components[:20]) + (f"\n… and {len(components) - 20} more" if len(components) > 20 else ""),
            extra={"count": len(members), "components": components},
        )
