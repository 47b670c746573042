"""One Report for all the pytest-xdist workers of a run: the first worker to ask computes it, the others load it.

Under `pytest -n N` every worker collects the contract items, and each would run every check again. The
controller gives its workers one private folder (mkdtemp: this user's only); the first worker to create
`computing` there runs the checks and leaves the pickled Report, and the others wait for it. If the
first fails (its error is then its own items') or dies, or the pickle would spell the API key, or nothing
comes within `wait_seconds`, each worker computes its own: slower, never different.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import time
from collections.abc import Callable
from pathlib import Path

from ..files import atomic_write
from .model import Report

WAIT_SECONDS = 900.0  # a whole catalogue takes well under a minute; a worker never waits forever


def shared_report(folder: Path, compute: Callable[[], Report], *, leaks: Callable[[bytes], bool] | None = None,
                  wait_seconds: float = WAIT_SECONDS) -> Report:
    """The run's Report: computed here if this process is the first to ask, else the first one's."""
    result, failed = folder / "report.pickle", folder / "failed"
    claim = folder / "computing"
    try:
        fd = os.open(claim, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return _loaded(result, failed, claim, wait_seconds) or compute()
    except OSError:
        return compute()  # the folder is gone or unwritable: this worker on its own
    with os.fdopen(fd, "w") as fh:
        fh.write(str(os.getpid()))  # so the others can tell a worker that died (killed, out of memory) from a slow one
    try:
        report = compute()
    except BaseException:
        _give_up(failed)  # the others stop waiting and compute their own, meeting the same error
        raise
    try:
        data = pickle.dumps(report, protocol=pickle.HIGHEST_PROTOCOL)
        if leaks is not None and leaks(data):
            _give_up(failed)  # never on disk, in any encoding
        else:
            atomic_write(result, data)
    except Exception:  # noqa: BLE001  (unpicklable or unwritable: the others compute their own)
        _give_up(failed)
    return report


def _give_up(failed: Path) -> None:
    with contextlib.suppress(OSError):
        failed.touch()


def _loaded(result: Path, failed: Path, claim: Path, wait_seconds: float) -> Report | None:
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        if result.is_file():
            try:
                report: Report = pickle.loads(result.read_bytes())  # written whole (atomic_write) by a worker of this run
                return report
            except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
                return None
        if failed.exists() or not _alive(claim):
            return None
        time.sleep(0.05)
    return None


def _alive(claim: Path) -> bool:
    """Whether the worker that claimed the computation still runs (True while its pid is not written yet)."""
    try:
        pid = int(claim.read_text() or "0")
    except (OSError, ValueError):
        return True
    if pid <= 0:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, as another user's (not ours to signal)
    return True
