"""When a fetched spec differs from specs/lock.json: what changed since the locked version, as findings."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from .. import limits
from ..errors import SourceError
from ..findings import Code, Finding, Severity
from ..sources import (
    CONNECT_TIMEOUT,
    READ_TIMEOUT,
    DownloadBroken,
    DownloadTimeout,
    Fetched,
    LockEntry,
    Spec,
    SpecParseError,
    download,
    load_spec,
    object_path,
)
from .diff import change_findings, diff_specs


def locked_change_findings(fetched: Fetched, lock: dict[str, LockEntry], cache: Path) -> list[Finding]:
    """CT501/CT502 for each change since the locked version; CT503 when that version cannot be had."""
    entry = lock.get(fetched.rel)
    if entry is None or entry.sha256 == fetched.sha256 or not fetched.rel.endswith(".json"):
        return []
    stored = object_path(cache, entry.sha256)
    try:
        old = load_spec(fetched.rel, stored.read_bytes())
        new = load_spec(fetched.rel, fetched.data)
    except OSError:
        return [_unknown(fetched, entry, f"the locked version is not in the cache ({stored})")]
    except SpecParseError as exc:
        return [_unknown(fetched, entry, f"one version is not a JSON object ({exc})")]
    findings = change_findings(diff_specs(old.data, new.data), fetched.rel, entry.sha256, fetched.sha256)
    # On the line of the new spec (a removed member: its nearest surviving ancestor).
    return [replace(f, **new.location(f.pointer)) for f in findings]


def _unknown(fetched: Fetched, entry: LockEntry, why: str) -> Finding:
    return Finding(
        Code.SPEC_CHANGE_UNKNOWN,
        Severity.INFO,
        fetched.rel,
        f"cannot say what changed since the locked version {entry.sha256[:12]}…: {why}",
        fix="diff a saved copy with `aimlapi-contract diff OLD NEW`, then accept with `aimlapi-contract fetch --update-lock`",
    )


def load_spec_argument(arg: str) -> Spec:
    """A spec named on the command line: a file path or an http(s) URL; SourceError naming it otherwise."""
    if arg.startswith(("http://", "https://")):
        import requests  # here, not at the top: it is slow to import and only `diff URL` needs it

        deadline = time.monotonic() + limits.current().fetch_seconds
        try:
            with requests.Session() as session:
                resp = download(session, arg, deadline=deadline, timeout=(CONNECT_TIMEOUT, READ_TIMEOUT))
        except DownloadTimeout:
            raise SourceError(f"{arg}: timed out", tip="check the URL, or diff saved files") from None
        except DownloadBroken as exc:
            raise SourceError(f"{arg}: {exc.reason}", tip="check the URL, or diff saved files") from None
        except requests.RequestException as exc:
            raise SourceError(f"{arg}: cannot download ({type(exc).__name__})", tip="check the URL, or diff saved files") from None
        if resp.status >= 400:
            raise SourceError(f"{arg}: HTTP {resp.status}", tip="check the URL, or diff saved files")
        data = resp.data
    else:
        try:
            data = limits.read_file(Path(arg), "the spec")  # `diff /dev/zero X` ends at the limit
        except OSError as exc:
            raise SourceError(f"{arg}: cannot read ({exc.strerror or exc})") from None
        except limits.LimitError as exc:
            raise SourceError(f"{arg}: not read: {exc}", tip="both arguments must be OpenAPI specs in JSON") from None
    try:
        return load_spec(arg, data)
    except SpecParseError as exc:
        where = f" at line {exc.line}, column {exc.column}" if exc.line else ""
        raise SourceError(f"{arg}: {exc}{where}", tip="both arguments must be OpenAPI specs in JSON") from None
