"""`aimlapi-contract`: fetch, check, baseline. Errors are caught here, once, and printed as one line."""

from __future__ import annotations

import argparse
import atexit
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__, limits
from .baseline import BASELINE_PATH, read_baseline, updated_entries, write_baseline
from .check import CheckOptions, checked_scope, load_docsets, run_checks, unchecked_reason
from .errors import MIRROR_TIP, ContractError, UsageError
from .files import atomic_write
from .findings import LOAD_CODES, Code, Severity
from .live import (
    API_BASE_ENV,
    CLI_FLAGS,
    DEFAULT_API_BASE,
    MAX_REQUESTS_ENV,
    MAX_TOKENS_ENV,
    SCENARIOS,
    TIMEOUT_ENV,
    LiveSettings,
    scenario_by_id,
)
from .arguments import ReportFormat, ReportOutput, describe
from .redact import KEY_ENV
from .reports import FORMATS, RICH_FORMATS, ReportContext, docs_ref_for, for_terminal, render_finding, render_report
from .reports import progress_on, terminal_screen, wants_progress
from .reports.stdout import EXIT_PIPE_CLOSED, drop_stdout, flushed, stdout_closed
from .sources import (
    CACHE_ENV,
    DEFAULT_CACHE,
    DEFAULT_DOCS_BASE,
    DOCS_BASE_ENV,
    LOCK_PATH,
    MANIFEST_PATH,
    DocsBase,
    Fetcher,
    entry_for,
    load_docset,
    lock_findings,
    project_root,
    read_lock,
    write_lock,
)
from .sources.catalogue import select_sources
from .sources.docset import SpecMemo, load_spec_docset
from .sources.gc_policy import collecting_rarely
from .spec import diff_as_dict, diff_specs, load_spec_argument, locked_change_findings, render_diff_text


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--docs-base",
        metavar="URL|DIR",
        help=f"where the published docs are read from (default: ${DOCS_BASE_ENV}, else upstream)",
    )
    parser.add_argument("--page", action="append", metavar="PATH", help="page to check (default: specs/manifest.json)")
    parser.add_argument("--pages", action="append", metavar="GLOB", help="pages by glob or folder, e.g. 'docs/**/*.md' (repeatable)")
    parser.add_argument("--specs", action="append", metavar="GLOB", help="specs no page links, by glob or folder (repeatable)")
    parser.add_argument("--cache-dir", metavar="DIR", help="cache for fetched documents (default: .cache/aimlapi-contract)")
    parser.add_argument("--offline", action="store_true", help="use cached copies only; never touch the network")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aimlapi-contract",
        description="Contract tests and docs-drift lint for the AIML API docs of openai/gpt-4.1-nano.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    fetch = sub.add_parser("fetch", help="download the page and the specs it links to; pin them in specs/lock.json")
    _common(fetch)
    fetch.add_argument("--update-lock", action="store_true", help="accept published changes into the lock")
    fetch.add_argument("--lock", type=Path, help=f"lock file (default: {LOCK_PATH} in the project root)")
    fetch.set_defaults(run=cmd_fetch)

    check = sub.add_parser("check", help="run every offline check and report the findings")
    _common(check)
    check.add_argument("--cassettes", type=Path, metavar="DIR", help="vcrpy cassettes to validate (default: cassettes/)")
    check.add_argument("--format", choices=sorted(FORMATS), action=ReportFormat, dest="reports",
                       help="report format (default: text); repeat with --output for several reports in one run")
    check.add_argument("--output", metavar="FILE", action=ReportOutput, dest="reports",
                       help="write the preceding --format's report here instead of stdout")
    check.add_argument("--docs-ref", metavar="REF", help="docs repository revision for report links (default: from the docs base, else main)")
    check.add_argument("--fail-on", default="error", choices=[s.label for s in Severity], help="lowest severity of a new finding that fails the run")
    check.add_argument("--show-baselined", action="store_true", help="text format: also list baselined findings")
    check.add_argument("--baseline", type=Path, help=f"baseline file (default: {BASELINE_PATH} in the project root)")
    check.add_argument("--lock", type=Path, help=f"lock file (default: {LOCK_PATH} in the project root)")
    check.set_defaults(run=cmd_check)

    base = sub.add_parser("baseline", help="accept the current findings as known drift, each with a reason")
    _common(base)
    base.add_argument("--cassettes", type=Path, metavar="DIR", help="vcrpy cassettes to validate (default: cassettes/)")
    base.add_argument("--baseline", type=Path, help=f"baseline file (default: {BASELINE_PATH} in the project root)")
    base.add_argument("--lock", type=Path, help=f"lock file (default: {LOCK_PATH} in the project root)")
    base.add_argument("--update", action="store_true", help="only drop entries that no longer occur; add nothing")
    base.add_argument("--reason", default="", help="reason recorded on every entry this run adds")
    base.add_argument("--only", action="append", metavar="CODE", help="add only findings with this code (repeatable)")
    base.set_defaults(run=cmd_baseline)

    live = sub.add_parser("live", help=f"send the live scenarios to the API (needs ${KEY_ENV}) and validate the replies; records nothing")
    _common(live)
    live.add_argument("--api-base", metavar="URL", help=f"API base (default: ${API_BASE_ENV}, else {DEFAULT_API_BASE})")
    live.add_argument("--scenario", action="append", metavar="ID", help="run only this scenario (repeatable; default: all)")
    live.add_argument("--max-requests", type=int, metavar="N", help=f"most HTTP requests sent, retries included (default: ${MAX_REQUESTS_ENV}, else 40)")
    live.add_argument("--max-tokens", type=int, metavar="N", help=f"most output tokens one call may ask for (default: ${MAX_TOKENS_ENV}, else 64)")
    live.add_argument("--timeout", type=float, metavar="SECONDS", help=f"read timeout per call (default: ${TIMEOUT_ENV}, else 60)")
    live.add_argument("--fail-on", default="error", choices=[s.label for s in Severity], help="lowest severity of a new finding that fails the run")
    live.add_argument("--baseline", type=Path, help=f"baseline file (default: {BASELINE_PATH} in the project root)")
    live.set_defaults(run=cmd_live)

    diff = sub.add_parser("diff", help="what changed between two versions of a spec, breaking or compatible for clients")
    diff.add_argument("old", metavar="OLD", help="the earlier spec: a file or an http(s) URL")
    diff.add_argument("new", metavar="NEW", help="the later spec: a file or an http(s) URL")
    diff.add_argument("--format", choices=["text", "json"], default="text", help="report format (default: text)")
    diff.add_argument("--output", type=Path, metavar="FILE", help="write the report here instead of stdout")
    for command in (fetch, check, base, diff):
        limits.add_flags(command)  # one flag per limit on what an input may cost
    diff.set_defaults(run=cmd_diff)
    _add_output_flags(check, base)
    describe(sub)
    return parser


def _add_output_flags(check: argparse.ArgumentParser, base: argparse.ArgumentParser) -> None:
    """-v for the full text report; --quiet for no progress bar."""
    check.add_argument("-v", "--verbose", action="store_true", help="text format: after the first screen, list every finding")
    for parser in (check, base):
        parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar (drawn only on a terminal, never in CI)")


def _anchor_defaults(args: argparse.Namespace) -> None:
    """Fill unset project paths (baseline, lock, cassettes, cache) from the project root, so any subdirectory works.

    Paths given on the command line stay relative to the working directory, as the user typed them.
    """
    found = project_root(Path.cwd())
    args.root = found or Path.cwd()
    if found is None and hasattr(args, "page") and not args.page and not args.pages:
        print(f"note: no {MANIFEST_PATH} here or above: checking the default page without the project's "
              "baseline and lock (run from the aimlapi-contract project)", file=sys.stderr)
    for name, default in (("baseline", BASELINE_PATH), ("lock", LOCK_PATH)):
        if hasattr(args, name) and getattr(args, name) is None:
            setattr(args, name, args.root / default)
    if hasattr(args, "cassettes") and args.cassettes is None and (args.root / "cassettes").is_dir():
        args.cassettes = args.root / "cassettes"
    if hasattr(args, "cache_dir") and not args.cache_dir and not os.environ.get(CACHE_ENV):
        args.cache_dir = str(args.root / DEFAULT_CACHE)


def _options(args: argparse.Namespace) -> CheckOptions:
    base = DocsBase.from_setting(args.docs_base)
    pages, specs, models = select_sources(base, pages=args.page or [], globs=args.pages or [], spec_globs=args.specs or [],
                                          manifest=args.root / MANIFEST_PATH, lock=getattr(args, "lock", None) or args.root / LOCK_PATH)
    return CheckOptions(
        docs_base=base,
        pages=pages,
        specs=specs,
        tracked_models=models,
        cache=Path(args.cache_dir) if args.cache_dir else None,
        offline=args.offline,
        cassettes=getattr(args, "cassettes", None),
        baseline_path=getattr(args, "baseline", None) or args.root / BASELINE_PATH,
        lock_path=getattr(args, "lock", None) or args.root / LOCK_PATH,
        root=args.root,
        limits=limits.from_namespace(args),
    )


def cmd_fetch(args: argparse.Namespace) -> int:
    options = _options(args)
    fetcher = Fetcher(options.docs_base, options.cache)
    with fetcher.turn():  # concurrent runs take turns: each writes lock and cache as one set
        return _fetch_locked(args, options, fetcher)


def _fetch_locked(args: argparse.Namespace, options: CheckOptions, fetcher: Fetcher) -> int:
    lock = read_lock(args.lock)
    new_lock = dict(lock)
    from_upstream = options.docs_base.location == DEFAULT_DOCS_BASE
    status = 0
    memo: SpecMemo = {}  # a spec linked by many pages is fetched once
    for page, spec_only in [(page, False) for page in options.pages] + [(rel, True) for rel in options.specs if rel not in memo]:
        docset = (load_spec_docset if spec_only else load_docset)(fetcher, page, offline=options.offline, memo=memo)
        for finding in docset.findings:
            if finding.severity < Severity.ERROR:
                continue  # e.g. CT104 served from cache: printed as a note below
            # Load findings name their URL or file in the message already.
            print(f"error: {for_terminal(finding.message)}", file=sys.stderr)
            if finding.fix:
                print(f"tip: {finding.fix}", file=sys.stderr)
            status = 2
        for note in docset.notes:
            print(f"note: {for_terminal(note)}", file=sys.stderr)
        for fetched in docset.fetched:
            upstream = options.docs_base.upstream_url_for(fetched.rel)
            changed = lock_findings(fetched, lock)
            for finding in changed + locked_change_findings(fetched, lock, fetcher.cache):
                print(render_finding(finding))
            if fetched.rel not in lock or args.update_lock:
                new_lock[fetched.rel] = entry_for(fetched, upstream)
            elif not changed and not fetched.from_cache and from_upstream and (fetched.etag or fetched.last_modified):
                # Same bytes from upstream: refresh ETag/Last-Modified without changing what is pinned. A mirror's
                # (or a server that stopped sending them) leaves the committed lock as it was.
                new_lock[fetched.rel] = entry_for(fetched, upstream)
            where = "cache" if fetched.from_cache else fetched.url
            print(f"{fetched.rel}  sha256 {fetched.sha256[:16]}  {len(fetched.data)} bytes  from {where}")
    if new_lock != lock:
        write_lock(new_lock, args.lock)
        print(f"wrote {args.lock}")
    return status


def _report_targets(args: argparse.Namespace) -> list[tuple[str, Path | None]]:
    targets = [(fmt or "text", out) for fmt, out in (args.reports or [("text", None)])]
    if sum(out is None for _, out in targets) > 1:
        raise UsageError("only one report can go to stdout", tip="give each `--format` its own `--output FILE`")
    return targets


def cmd_check(args: argparse.Namespace) -> int:
    targets = _report_targets(args)
    options = _options(args)
    with progress_on(sys.stderr, wants_progress(sys.stderr, quiet=args.quiet)) as options.progress:
        report = run_checks(options)
    for note in report.notes:
        print(f"note: {for_terminal(note)}", file=sys.stderr)
    # The revision the docs were read at (a git call for a local checkout) only shows in the formats that link to it.
    linking = any(fmt in RICH_FORMATS for fmt, _ in targets)
    ref = args.docs_ref or (docs_ref_for(options.docs_base) if linking else "main")
    context = ReportContext.from_report(report, ref=ref)
    for fmt, output in targets:
        with collecting_rarely():  # a catalogue's report is a few hundred thousand long-lived strings
            text = render_report(fmt, report, context, show_baselined=args.show_baselined, verbose=args.verbose,
                                 screen=terminal_screen() if output is None else None)
        if output:
            atomic_write(output, text.encode())
            print(f"wrote {output}", file=sys.stderr)
        else:
            sys.stdout.write(text)
    if unchecked_reason(report):
        # Only why nothing could be read: the rest of the report follows from it.
        printed = [f for f in report.findings if f.code in LOAD_CODES or f.code is Code.CHECK_CRASHED]
        for finding in printed:
            print(f"error: {for_terminal(finding.message)}", file=sys.stderr)
            if finding.fix:
                print(f"tip: {finding.fix}", file=sys.stderr)
        if not printed:
            print(f"error: {unchecked_reason(report)}", file=sys.stderr)
        return 2
    return 1 if report.failing(Severity.from_label(args.fail_on)) else 0


def cmd_baseline(args: argparse.Namespace) -> int:
    options = _options(args)
    with progress_on(sys.stderr, wants_progress(sys.stderr, quiet=args.quiet)) as options.progress:
        report = run_checks(options)
    if all(ds.page_text is None for ds in report.docsets):  # no spec checked: baseline.py keeps what it could not see
        raise UsageError("nothing could be checked, so the baseline was left as it was")
    if not args.update and not args.reason.strip():
        raise UsageError(
            "every accepted finding needs a reason, and none was given",
            tip='add `--reason "why this drift is accepted"` (with `--only CODE` to give each code its own), '
            "or use `--update` to only drop fixed entries",
        )
    entries = read_baseline(args.baseline)
    findings = report.findings
    if args.only:
        wanted = set(args.only)
        unknown = sorted(wanted - {c.value for c in Code})
        if unknown:
            raise UsageError(f"`--only {unknown[0]}` is not a finding code", tip="the codes are listed in docs/findings.md (e.g. CT110)")
        # Entries of other codes are kept as they are; only the named codes are added or dropped.
        findings = [f for f in findings if f.code.value in wanted]
        others = [e for e in entries if e.code not in wanted]
        entries = [e for e in entries if e.code in wanted]
    else:
        others = []
    # Entries of sources this run did not check are kept as they are: nothing says they were fixed.
    scope = checked_scope(report.docsets, _options(args))
    updated = others + updated_entries(findings, entries, add_new=not args.update, reason=args.reason.strip(),
                                       also_accepted=others, scope=scope)
    entries = others + entries
    unchecked = sum(1 for e in entries if not scope.covers(e))
    if unchecked:
        print(f"note: kept {unchecked} entries of sources this run did not check", file=sys.stderr)
    if args.baseline.is_file() and [e.key for e in updated] == [e.key for e in entries]:
        print(f"{args.baseline} unchanged: {len(entries)} entries")  # not rewritten: byte for byte as it was
        return 0
    write_baseline(updated, args.baseline)
    added = len({e.key for e in updated} - {e.key for e in entries})
    dropped = len({e.key for e in entries} - {e.key for e in updated})
    print(f"wrote {args.baseline}: {len(updated)} entries ({added} added, {dropped} dropped)")
    return 0


def cmd_live(args: argparse.Namespace) -> int:
    """Each scenario sent once, its reply validated as a recorded one would be; findings keyed by its cassette."""
    from .live.client import (  # here, not at the top: `requests` is slow to import and only `live` sends
        LiveClient,
        run_live,
    )

    overrides = {"api_base": args.api_base, "max_requests": args.max_requests, "max_tokens": args.max_tokens, "read_timeout": args.timeout}
    settings = LiveSettings.from_env(flags=CLI_FLAGS, **overrides)
    if not settings.key:
        raise UsageError(f"`live` needs the API key in ${KEY_ENV}", tip="set it; it never reaches a cassette, report or output")
    try:
        scenarios = [scenario_by_id(i) for i in args.scenario] if args.scenario else SCENARIOS
    except KeyError as exc:
        raise UsageError(str(exc.args[0])) from None
    docsets = load_docsets(_options(args))
    specs = list({spec.source: spec for ds in docsets for spec in ds.specs.values()}.values())
    if not specs:
        raise UsageError("no tracked spec could be loaded, so no reply can be validated", tip=MIRROR_TIP)
    baseline = read_baseline(args.baseline)
    return run_live(LiveClient(settings), scenarios, specs, baseline=baseline, fail_on=Severity.from_label(args.fail_on))


def cmd_diff(args: argparse.Namespace) -> int:
    old, new = load_spec_argument(args.old), load_spec_argument(args.new)
    diff = diff_specs(old.data, new.data)
    if args.format == "json":
        text = json.dumps({"old": args.old, "new": args.new, **diff_as_dict(diff)}, indent=2, ensure_ascii=False) + "\n"
    else:
        text = render_diff_text(diff, args.old, args.new)
    if args.output:
        atomic_write(args.output, text.encode())
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 1 if diff.breaking else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        _anchor_defaults(args)
        with limits.applied(limits.from_namespace(args)):
            return int(args.run(args))
    except ContractError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        if exc.tip:
            print(f"tip: {exc.tip}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:
        if isinstance(exc, BrokenPipeError) and stdout_closed():
            # The reader stopped reading (`check -v | head`): nothing is wrong with the inputs, so no error and no
            # tip about paths; the status a shell gives a command ended by SIGPIPE, and no more writes to the pipe.
            drop_stdout()
            return EXIT_PIPE_CLOSED
        # A path given on the command line: a directory, unwritable, missing parent...
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        print("tip: check the path given on the command line (--output, --baseline, --lock, --cache-dir)", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001  (a bug or an input nothing anticipated: one line, never a traceback)
        print(f"error: internal error: {type(exc).__name__}: {' '.join(str(exc).split())[:300]}\ntip: report it with the command and its inputs", file=sys.stderr)
        return 2


def run() -> None:
    """The console script and `python -m aimlapi_contract`: main(), then the process ends without freeing its
    objects one by one (as mypy's command does): a run over a few hundred recordings holds ~10^5 of them, and
    an interpreter's teardown is ~30 ms of a 0.5 s run. Every file a command writes is whole (files.atomic_write)
    and closed before main returns, and no thread is left running. What was printed is flushed first, with the
    interpreter's own verdict when it cannot be (status 120, or 141 for a reader that went away); exit handlers
    still run. Under a tool that takes over when the program returns (coverage, a profiler, a debugger) the
    process ends the usual way, so that the tool gets its turn."""
    code = main()
    if _hosted():
        sys.exit(code)
    atexit._run_exitfuncs()
    code = flushed(code)
    os._exit(code)


def _hosted() -> bool:
    """Whether a tool runs this program inside its own process: a tracer or profiler is set, or coverage.py is
    loaded (from Python 3.12 it measures through sys.monitoring, with no tracer)."""
    return sys.gettrace() is not None or sys.getprofile() is not None or "coverage" in sys.modules


if __name__ == "__main__":  # pragma: no cover
    run()
