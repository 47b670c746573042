"""One defect on many pages: the catalogue's pages are generated from templates, so the same finding recurs.

Two findings are the same defect when they have the same code, the same kind of block (anchor without
its `#n`), the same location relative to their operation (a spec pointer without its path, a payload
pointer) and the same message once page-specific values (quoted names, numbers, paths) are blanked.
`iter_groups` makes one CT920 per defect seen on two or more pages, with the count, the pages and the
template-level fix; a finding in a spec counts for every page that links that spec.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence

from ..findings import Code, Finding, Severity
from ..sources import DocSet
from .triage import CAUSE_CODES  # findings that are themselves causes or groups: never grouped again

_NOT_GROUPED = CAUSE_CODES | {Code.BASELINE_STALE, Code.SOURCE_FROM_CACHE, Code.SOURCE_CHANGED}
_PATH_PREFIX = re.compile(r"^/paths/[^/]+/(?=[a-z]+(?:/|$))")
_VALUES = re.compile(r"`[^`]*`|'[^']*'|\"[^\"]*\"|\[[^\]]*\]|\{[^}]*\}|\b\d+(?:\.\d+)?\b|\S+\.(?:md|json|yaml)\b")
_MAX_LISTED = 20


def defect_key(finding: Finding) -> tuple[str, ...]:
    """What makes two findings on different pages the same template defect."""
    kind = re.sub(r"#\d+$", "", finding.anchor)
    kind = re.sub(r"^(openapi-operation|openapi|swagger):.*", r"\1", kind)
    kind = re.sub(r"^x-codeSamples@[^:]*:", "x-codeSamples:", kind)
    pointer = _PATH_PREFIX.sub("/paths/*/", finding.pointer)
    return (finding.code.value, kind, re.sub(r"/\d{1,2}(?=/|$)", "/N", pointer), _VALUES.sub("…", finding.message))


def pages_of(docsets: Sequence[DocSet]) -> dict[str, list[str]]:
    """Source -> the checked pages it belongs to: a page itself, or each page linking a spec."""
    owners: dict[str, list[str]] = {}
    for ds in docsets:
        if ds.spec_only:
            owners.setdefault(ds.page, [])  # linked by no checked page: its findings are its own
            continue
        owners.setdefault(ds.page, []).append(ds.page)
        for rel in ds.specs:
            linking = owners.setdefault(rel, [])
            if ds.page not in linking:
                linking.append(ds.page)
    return owners


def iter_groups(findings: Iterable[Finding], owners: Mapping[str, list[str]], *, min_pages: int = 2) -> Iterator[Finding]:
    """One CT920 per defect found on `min_pages` or more pages, most pages first."""
    groups: dict[tuple[str, ...], list[Finding]] = {}
    for finding in findings:
        if finding.code not in _NOT_GROUPED and finding.source in owners:
            groups.setdefault(defect_key(finding), []).append(finding)
    made = []
    for key, members in groups.items():
        pages = sorted({p for m in members for p in owners.get(m.source) or [m.source]})
        if len(pages) < min_pages:
            continue
        made.append((len(pages), key, members, pages))
    for count, key, members, pages in sorted(made, key=lambda g: (-g[0], g[1])):
        example = members[0]
        fixes = Counter(m.fix for m in members if m.fix)
        fix = fixes.most_common(1)[0][0] if fixes else ""
        # A spec no checked page links counts as itself (`--specs`): then the places are not all pages.
        places = "pages" if all(p.endswith(".md") for p in pages) else "pages or unlinked specs"
        yield Finding(
            Code.CATALOGUE_GROUP, max(m.severity for m in members), example.source,
            f"{count} {places} share one template defect ({key[0]} {key[1] or 'spec'}{' ' + key[2] if key[2] else ''}): "
            f"{len(members)} finding(s), e.g. {example.message}",
            line=example.line, pointer=key[2], endpoint=example.endpoint, anchor=f"{key[0]}:{key[1]}:{key[2]}",
            fix=(f"fix it once in the template the {count} {places} are generated from" + (f", e.g. {fix}" if fix else "")),
            detail="\n".join(pages[:_MAX_LISTED]) + (f"\n… and {len(pages) - _MAX_LISTED} more" if len(pages) > _MAX_LISTED else ""),
            # `members` (fingerprints) is how the triage order (reports/triage.py) lists the findings behind a cause.
            extra={"count": count, "pages": pages, "findings": len(members), "members": [m.fingerprint for m in members],
                   "defect": list(key)},
        )


def catalogue_summary(docsets: Sequence[DocSet], findings: Sequence[Finding], groups: Sequence[Finding], *, top: int = 5) -> list[str]:
    """The first lines of a catalogue report: pages checked, pages with errors, the largest groups."""
    pages = [ds for ds in docsets if not ds.spec_only]
    checked = sum(ds.page_text is not None for ds in pages)
    owners = pages_of(docsets)
    with_errors = {p for f in findings if f.severity >= Severity.ERROR and f.code not in CAUSE_CODES
                   for p in owners.get(f.source, [])}
    specs = len({rel for ds in docsets for rel in ds.specs})
    named = {f.source for f in findings}
    clean = sum(ds.page_text is not None and not any(src in named for src in (ds.page, *ds.specs)) for ds in pages)
    lines = [f"catalogue: {checked} of {len(pages)} page(s) checked, {len(with_errors)} with errors, {clean} without findings; "
             f"{specs} spec(s); {len(groups)} defect(s) recur across pages"]
    unread = [ds.page for ds in pages if ds.page_text is None]
    if unread:  # named, so no page goes unmentioned; why is in each one's CT101/CT301
        lines.append(f"  not checked ({len(unread)}): " + ", ".join(unread[:10]) + (f" and {len(unread) - 10} more" if len(unread) > 10 else ""))
    for group in groups[:top]:
        lines.append(f"  {group.extra['count']} pages: {group.message.split(': ', 1)[0].split('(', 1)[-1].rstrip(')')}"
                     f" — {group.fix}")
    return lines
