"""Under pytest-xdist the checks run once per run, not once per worker, and every worker sees the same Report."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from aimlapi_contract.baseline import Triage
from aimlapi_contract.findings import Code, Finding, Severity
from aimlapi_contract.reports.model import Report
from aimlapi_contract.reports.shared import shared_report

pytest_plugins = ["pytester"]
DATA = Path(__file__).parents[1] / "data"


def a_report() -> Report:
    finding = Finding(Code.CHECK_CRASHED, Severity.ERROR, "c.yaml", "m", anchor="i:0")
    return Report([finding], Triage(new=[finding], baselined=[], stale=[]), notes=["n"])


def test_the_first_worker_computes_and_the_others_load_its_report(tmp_path: Path) -> None:
    calls: list[str] = []

    def compute() -> Report:
        calls.append("computed")
        return a_report()

    first = shared_report(tmp_path, compute)
    second = shared_report(tmp_path, compute, wait_seconds=5)
    assert calls == ["computed"]
    assert [f.to_dict() for f in second.findings] == [f.to_dict() for f in first.findings] and second.notes == ["n"]


def test_a_report_that_would_spell_the_key_is_never_written(tmp_path: Path) -> None:
    report = shared_report(tmp_path, a_report, leaks=lambda data: True)
    assert report.findings and not (tmp_path / "report.pickle").exists()
    calls: list[str] = []
    shared_report(tmp_path, lambda: calls.append("own") or a_report(), wait_seconds=5)
    assert calls == ["own"]  # the next worker computes its own at once, not after the wait


def test_when_the_first_worker_fails_the_others_compute_their_own(tmp_path: Path) -> None:
    def broken() -> Report:
        raise RuntimeError("bad docs base")

    with pytest.raises(RuntimeError):
        shared_report(tmp_path, broken)
    assert shared_report(tmp_path, a_report, wait_seconds=5).findings


PROJECT_CONFTEST = '''
import os
import aimlapi_contract.plugin as plugin

_run_checks = plugin.run_checks


def counted(options):
    with open(os.environ["CONTRACT_CALLS"], "a") as fh:
        fh.write(f"{os.getpid()}\\n")
    return _run_checks(options)


plugin.run_checks = counted
'''

PROJECT_TEST = '''
import hashlib, json, os


def test_report(contract_report, contract_spec_source):
    rows = sorted(json.dumps(f.to_dict(), sort_keys=True, default=str) for f in contract_report.findings)
    with open(os.environ["CONTRACT_DIGESTS"], "a") as fh:
        fh.write(hashlib.sha256("\\n".join(rows).encode()).hexdigest() + f" {len(rows)}\\n")
'''


def test_pytest_n_2_runs_the_checks_once_and_both_workers_see_the_same_report(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("xdist")
    docs = pytester.path / "docs"
    docs.mkdir()
    for name in ("clean.md", "mini-chat.json", "mini-responses.json"):
        shutil.copy(DATA / "docs" / name, docs / name)
    (pytester.path / "specs").mkdir()
    (pytester.path / "specs" / "manifest.json").write_text('{"pages": [{"path": "clean.md"}]}')
    (pytester.path / "cassettes").mkdir()
    shutil.copy(DATA / "cassettes" / "response-wrong-type.yaml", pytester.path / "cassettes")
    pytester.makeconftest(PROJECT_CONFTEST)
    pytester.makepyfile(test_contract=PROJECT_TEST)
    folders = set(Path(tempfile.gettempdir()).glob("aimlapi-contract-report-*"))
    digests = {}
    for label, args in (("xdist", ["-n", "2", "--dist", "each"]), ("serial", [])):
        calls, digest_file = pytester.path / f"calls-{label}", pytester.path / f"digests-{label}"
        monkeypatch.setenv("CONTRACT_CALLS", str(calls))
        monkeypatch.setenv("CONTRACT_DIGESTS", str(digest_file))
        result = pytester.runpytest_subprocess("--docs-base", str(docs), "-p", "no:randomly", *args)
        assert result.ret == pytest.ExitCode.OK, result.stdout.str()[-2000:]
        assert len(calls.read_text().split()) == 1, label  # once for the run, whichever worker asked first
        digests[label] = set(digest_file.read_text().splitlines())
    # Every item of both workers (each runs every item under --dist each) saw one Report: the serial run's.
    assert len(digests["xdist"]) == 1 and digests["xdist"] == digests["serial"]
    assert set(Path(tempfile.gettempdir()).glob("aimlapi-contract-report-*")) <= folders  # the run's folder is removed


def test_a_worker_that_died_computing_is_not_waited_for(tmp_path: Path) -> None:
    import subprocess
    import sys
    import time

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    (tmp_path / "computing").write_text(gone.stdout.strip())  # claimed by a process that no longer exists
    start = time.monotonic()
    assert shared_report(tmp_path, a_report, wait_seconds=60).findings
    assert time.monotonic() - start < 5
