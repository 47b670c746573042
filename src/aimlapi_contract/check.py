"""Run every offline check the suite has over the tracked pages, their specs and the cassettes."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from . import limits
from .baseline import BASELINE_PATH, Scope, read_baseline, stale_findings, triage
from .errors import ContractError
from .findings import LOAD_CODES, Code, Finding, Severity, crash_finding, sort_key, with_unique_keys
from .limits import Limits
from .page import iter_doc_findings
from .reports import Report
from .sources import LOCK_PATH, DocsBase, DocSet, Fetcher, cache_dir, load_docset, lock_findings, read_lock
from .spec import LINT_LIBRARY, LINT_RULES, cache_key, cached_findings, iter_spec_findings, locked_change_findings
from .traffic import display_path, iter_cassette_findings, skipped_note
from .traffic.cassettes import cassette_files


@dataclass(slots=True)
class CheckOptions:
    """What to check and where from; the CLI and the pytest plugin both build one."""

    docs_base: DocsBase
    pages: list[str]
    cache: Path | None = None
    offline: bool = False
    cassettes: Path | None = None
    baseline_path: Path = BASELINE_PATH
    lock_path: Path = LOCK_PATH
    root: Path = field(default_factory=Path.cwd)  # the project root: cassette sources (baseline keys) are relative to it
    limits: Limits = field(default_factory=Limits)  # what one input may cost (limits.py); flags set them
    progress: Callable[[str, int, int], None] | None = None  # (step, done, of): the CLI draws it on a terminal


# A check sees every loaded docset (page + specs) and the options; it yields findings and never raises
# for bad input. Later checks (docs lint, cassettes) register here.
Check = Callable[[list[DocSet], CheckOptions], Iterable[Finding]]


def guarded(source: str, what: str, findings: Iterable[Finding]) -> Iterator[Finding]:
    """`findings` as they come; an unexpected exception ends them with one CT910 on `source`, and the run goes on."""
    try:
        yield from findings
    except ContractError:
        raise  # a usage or source error (e.g. a missing --cassettes directory) is exit 2, not a finding
    except Exception as exc:  # noqa: BLE001  (the one catch per input: no traceback reaches a user)
        yield crash_finding(source, what, exc)


def lazily(make: Callable[[], Iterable[Finding]]) -> Iterator[Finding]:
    """`make()`'s findings, computed only when iterated: inside `guarded`, so its exceptions are caught there."""
    yield from make()


def spec_conformance(docsets: list[DocSet], options: CheckOptions) -> Iterable[Finding]:
    seen: set[str] = set()
    for docset in docsets:
        for rel, spec in docset.specs.items():
            if rel not in seen:
                seen.add(rel)
                # openapi-spec-validator takes ~1 s on the 1.8 MB spec: reuse findings for the same bytes.
                key = cache_key(spec.sha256 + rel, rules=LINT_RULES, library=LINT_LIBRARY)
                lint = partial(cached_findings, cache_dir(options.cache), key, partial(iter_spec_findings, spec))
                yield from guarded(rel, "the spec lint", lazily(lint))


def lock_drift(docsets: list[DocSet], options: CheckOptions) -> Iterable[Finding]:
    lock = read_lock(options.lock_path)
    for docset in docsets:
        for fetched in docset.fetched:
            yield from lock_findings(fetched, lock)


def spec_changes(docsets: list[DocSet], options: CheckOptions) -> Iterable[Finding]:
    lock = read_lock(options.lock_path)
    for docset in docsets:
        for fetched in docset.fetched:
            yield from guarded(fetched.rel, "the spec diff", lazily(partial(locked_change_findings, fetched, lock, cache_dir(options.cache))))


def cassette_conformance(docsets: list[DocSet], options: CheckOptions) -> Iterable[Finding]:
    """Every interaction of every cassette under options.cassettes, against the tracked specs."""
    specs = list({spec.source: spec for ds in docsets for spec in ds.specs.values()}.values())
    if options.cassettes is None or not specs:
        return  # nothing to replay, or nothing to replay against (reported by the docset loading)
    unloaded = {e for ds in docsets for e in ds.unloaded_endpoints()}
    for finding in iter_cassette_findings(options.cassettes, specs, root=options.root):
        # Traffic to an endpoint whose linked spec failed to load is not "undocumented": the load
        # failure (CT101/CT102) already says why it could not be checked.
        if finding.code is Code.UNDOCUMENTED_PATH and finding.endpoint in unloaded:
            continue
        yield finding


def docs_drift(docsets: list[DocSet], options: CheckOptions) -> Iterable[Finding]:
    seen: set[tuple[object, ...]] = set()  # two pages linking one spec report its findings once
    for docset in docsets:
        for finding in guarded(docset.page, "the docs lint", lazily(partial(iter_doc_findings, docset))):
            if (finding.key, finding.line) not in seen:
                seen.add((finding.key, finding.line))
                yield finding


CHECKS: list[Check] = [spec_conformance, lock_drift, spec_changes, docs_drift, cassette_conformance]


def _progress(options: CheckOptions, what: str, done: int, total: int) -> None:
    if options.progress is not None:
        options.progress(what, done, total)


def load_docsets(options: CheckOptions) -> list[DocSet]:
    fetcher = Fetcher(options.docs_base, options.cache)
    with limits.applied(options.limits):
        return [_guarded_load(fetcher, page, options) for page in options.pages]


def _guarded_load(fetcher: Fetcher, page: str, options: CheckOptions) -> DocSet:
    try:
        return load_docset(fetcher, page, offline=options.offline)
    except ContractError:
        raise
    except Exception as exc:  # noqa: BLE001  (a page nothing anticipated: a finding on it; the other pages load)
        return DocSet(page=page, page_text=None, findings=[crash_finding(page, "loading the page and its specs", exc)])


def checked_scope(docsets: list[DocSet], options: CheckOptions) -> Scope:
    """The sources a run with these docsets and options reads: loaded pages and specs, and the cassettes replayed."""
    # A page is checked against its specs: one linking none that loaded (an empty page) was not checked.
    sources = {ds.page for ds in docsets if ds.page_text is not None and ds.specs}
    sources |= {rel for ds in docsets for rel in ds.specs}
    # Cassettes are replayed against the loaded specs: with none loaded (an empty page), none was checked.
    loaded = any(ds.specs for ds in docsets)
    replayed = cassette_files(options.cassettes) if loaded and options.cassettes is not None and options.cassettes.is_dir() else []
    sources |= {display_path(p, options.root) for p in replayed}
    return Scope(frozenset(sources), traffic=bool(replayed))


def run_checks(options: CheckOptions, checks: list[Check] | None = None) -> Report:
    steps = CHECKS if checks is None else checks
    _progress(options, f"loading {len(options.pages)} page(s) and their specs", 0, len(steps) + 1)
    docsets = load_docsets(options)
    findings: list[Finding] = [f for ds in docsets for f in ds.findings]
    with limits.applied(options.limits):
        for done, check in enumerate(steps, 1):
            name = getattr(check, "__name__", "check")
            _progress(options, name.replace("_", " "), done, len(steps) + 1)
            findings.extend(guarded(f"({name})", f"the {name} check", check(docsets, options)))
    findings = with_unique_keys(findings)  # two problems never share a fingerprint
    tri = triage(findings, read_baseline(options.baseline_path))
    notes = [n for ds in docsets for n in ds.notes]
    if options.cassettes is not None and options.cassettes.is_dir():
        notes += [n for n in [skipped_note(options.cassettes, options.root)] if n]  # nothing skipped in silence
    if any(f.code in LOAD_CODES for f in findings):
        # What could not be loaded was not checked, so its accepted drift cannot be said to be gone.
        notes.append("some sources could not be loaded: stale baseline entries are not reported in this run")
        tri.stale.clear()
    scope = checked_scope(docsets, options)
    tri.stale[:] = [e for e in tri.stale if scope.covers(e)]  # an unchecked source's entry is neither stale nor fixed
    stale = stale_findings(tri.stale, options.baseline_path)
    findings.extend(stale)
    tri.new.extend(stale)
    findings.sort(key=sort_key)
    tri.new.sort(key=sort_key)
    return Report(findings, tri, docsets, notes)


def unchecked_reason(report: Report) -> str:
    """What was missing when a run could check nothing against a spec; '' when it could."""
    if all(ds.page_text is None for ds in report.docsets):
        return "no tracked page could be read, so nothing was checked"
    if any(ds.specs for ds in report.docsets):
        return ""
    empty = [ds.page for ds in report.docsets if ds.page_text is not None and not ds.links]
    if empty:
        more = f" (and {len(empty) - 1} more page(s))" if len(empty) > 1 else ""
        return f"no spec was checked: {empty[0]} links no OpenAPI spec (no `openapi-operation` block){more}"
    return "no spec was checked: none of the specs the tracked pages link could be loaded"
