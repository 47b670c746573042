"""`aimlapi-contract check` and `baseline`: exit codes, JSON shape, and the baseline's matching."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from shared_paths import MIRROR

from aimlapi_contract.cli import main
from aimlapi_contract.sources.base import DEFAULT_DOCS_BASE

SPECS = Path(__file__).parents[1] / "data" / "specs"


def _page(*specs: str) -> str:
    blocks = [
        f'{{% openapi-operation spec="s{i}" path="/v1/echo" method="post" %}}\n[spec]({DEFAULT_DOCS_BASE}docs/specs/{name})\n{{% endopenapi-operation %}}\n'
        for i, name in enumerate(specs)
    ]
    return "# Page\n\n" + "\n".join(blocks)


@pytest.fixture
def mirror(tmp_path: Path) -> Path:
    root = tmp_path / "mirror"
    (root / "docs" / "specs").mkdir(parents=True)
    (tmp_path / "no-cassettes").mkdir()  # an empty cassette dir: these tests are about the docs
    for name in ("minimal-valid.json", "known-defects.json"):
        (root / "docs" / "specs" / name).write_bytes((SPECS / name).read_bytes())
    return root


def _check(mirror: Path, tmp_path: Path, *extra: str) -> int:
    return main(
        [
            "check", "--docs-base", str(mirror), "--page", "docs/p.md",
            "--baseline", str(tmp_path / "baseline.json"), "--lock", str(tmp_path / "lock.json"),
            "--cassettes", str(tmp_path / "no-cassettes"), *extra,
        ]
    )


def _baseline(mirror: Path, tmp_path: Path, *extra: str) -> int:
    return main(
        [
            "baseline", "--docs-base", str(mirror), "--page", "docs/p.md",
            "--baseline", str(tmp_path / "baseline.json"), "--lock", str(tmp_path / "lock.json"),
            "--cassettes", str(tmp_path / "no-cassettes"), *extra,
        ]
    )


def test_clean_docs_exit_0(mirror: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (mirror / "docs" / "p.md").write_text(_page("minimal-valid.json"))
    assert _check(mirror, tmp_path) == 0
    assert "0 new findings" in capsys.readouterr().out


def test_new_error_exits_1_and_json_lists_every_finding(mirror: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (mirror / "docs" / "p.md").write_text(_page("minimal-valid.json", "known-defects.json"))
    assert _check(mirror, tmp_path, "--format", "json") == 1
    report = json.loads(capsys.readouterr().out)
    codes = sorted(f["code"] for f in report["findings"])
    assert codes == ["CT110", "CT111", "CT112", "CT113"]
    assert report["summary"]["new_by_severity"] == {"info": 0, "warning": 3, "error": 1}
    assert {"docs/specs/known-defects.json", "docs/specs/minimal-valid.json", "docs/p.md"} <= set(report["summary"]["sources"])
    first = report["findings"][0]
    assert {"code", "severity", "source", "line", "pointer", "endpoint", "message", "fix", "fingerprint", "baselined"} <= set(first)


def test_fail_on_warning(mirror: Path, tmp_path: Path) -> None:
    (mirror / "docs" / "p.md").write_text(_page("minimal-valid.json", "known-defects.json"))
    assert _baseline(mirror, tmp_path, "--only", "CT110", "--reason", "fixture: accepted") == 0
    assert _check(mirror, tmp_path) == 0
    assert _check(mirror, tmp_path, "--fail-on", "warning") == 1


def test_missing_or_broken_spec_is_a_finding_and_the_rest_is_still_checked(
    mirror: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (mirror / "docs" / "specs" / "broken.json").write_text('{"openapi": "3.0.0",\n  "paths": {,}\n}')
    (mirror / "docs" / "p.md").write_text(_page("missing.json", "broken.json", "known-defects.json"))
    assert _check(mirror, tmp_path, "--format", "json") == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    by_code = {f["code"]: f for f in findings}
    assert by_code["CT101"]["source"] == "docs/specs/missing.json"
    assert (by_code["CT102"]["source"], by_code["CT102"]["line"], by_code["CT102"]["column"]) == ("docs/specs/broken.json", 2, 13)
    assert "CT110" in by_code  # known-defects.json was still checked


def test_nothing_readable_exits_2(mirror: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _check(mirror, tmp_path) == 2
    assert "docs/p.md" in capsys.readouterr().err


def test_baseline_accepts_known_drift_and_new_drift_still_fails(mirror: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (mirror / "docs" / "p.md").write_text(_page("known-defects.json"))
    assert _baseline(mirror, tmp_path, "--reason", "fixture: known upstream defects") == 0
    entries = json.loads((tmp_path / "baseline.json").read_text())["accepted"]
    assert len(entries) == 4 and all(e["reason"] == "fixture: known upstream defects" for e in entries)
    assert _check(mirror, tmp_path) == 0

    # An unrelated edit (reformatting, moved keys) keeps the match; a new defect does not hide behind it.
    spec = json.loads((mirror / "docs" / "specs" / "known-defects.json").read_text())
    spec["info"]["description"] = "edited"
    spec["paths"]["/v1/other"] = {"post": {"responses": {"200": {"content": {}}}}}
    (mirror / "docs" / "specs" / "known-defects.json").write_text(json.dumps(spec, indent=4, sort_keys=True))
    capsys.readouterr()
    assert _check(mirror, tmp_path) == 1
    out = capsys.readouterr().out
    assert "/paths/~1v1~1other/post/responses/200" in out
    assert "/paths/~1v1~1echo/post/responses/200" not in out


def test_fixed_drift_shows_as_stale_and_update_drops_it(mirror: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (mirror / "docs" / "p.md").write_text(_page("known-defects.json"))
    assert _baseline(mirror, tmp_path, "--reason", "fixture") == 0
    spec = json.loads((mirror / "docs" / "specs" / "known-defects.json").read_text())
    spec["security"] = [{"bearer": []}]
    (mirror / "docs" / "specs" / "known-defects.json").write_text(json.dumps(spec))
    capsys.readouterr()
    assert _check(mirror, tmp_path) == 0
    out = capsys.readouterr().out
    assert "CT901 info: baseline entry CT112" in out
    assert _baseline(mirror, tmp_path, "--update") == 0
    entries = json.loads((tmp_path / "baseline.json").read_text())["accepted"]
    assert sorted(e["code"] for e in entries) == ["CT110", "CT111", "CT113"]


def test_baseline_entry_without_reason_is_refused(mirror: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (mirror / "docs" / "p.md").write_text(_page("minimal-valid.json"))
    (tmp_path / "baseline.json").write_text(json.dumps({"version": 1, "accepted": [{"code": "CT110", "source": "x", "reason": " "}]}))
    assert _check(mirror, tmp_path) == 2
    assert "have no reason" in capsys.readouterr().err


def test_output_file_is_written(mirror: Path, tmp_path: Path) -> None:
    (mirror / "docs" / "p.md").write_text(_page("minimal-valid.json"))
    assert _check(mirror, tmp_path, "--format", "json", "--output", str(tmp_path / "r" / "report.json")) == 0
    assert json.loads((tmp_path / "r" / "report.json").read_text())["version"] == 1


def test_bad_flag_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["check", "--format", "pdf"])
    assert exc.value.code == 2
    assert "invalid choice: 'pdf'" in capsys.readouterr().err


def test_baseline_without_a_reason_is_refused_and_writes_nothing(mirror: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (mirror / "docs" / "p.md").write_text(_page("known-defects.json"))
    assert _baseline(mirror, tmp_path) == 2
    assert "needs a reason" in capsys.readouterr().err
    assert not (tmp_path / "baseline.json").exists()
    assert _baseline(mirror, tmp_path, "--update") == 0  # dropping fixed entries needs no reason


def test_baseline_only_takes_a_real_code(mirror: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (mirror / "docs" / "p.md").write_text(_page("known-defects.json"))
    assert _baseline(mirror, tmp_path, "--only", "CT999", "--reason", "r") == 2
    assert "`--only CT999` is not a finding code" in capsys.readouterr().err


def test_baseline_field_of_the_wrong_type_is_a_one_line_error(mirror: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (mirror / "docs" / "p.md").write_text(_page("minimal-valid.json"))
    (tmp_path / "baseline.json").write_text(json.dumps({"version": 1, "accepted": [{"code": "CT110", "source": "x", "reason": 5}]}))
    assert _check(mirror, tmp_path) == 2
    err = capsys.readouterr().err
    assert "is not a string" in err and "Traceback" not in err


def test_unwritable_output_is_a_one_line_error(mirror: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (mirror / "docs" / "p.md").write_text(_page("minimal-valid.json"))
    (tmp_path / "adir").mkdir()
    assert _check(mirror, tmp_path, "--format", "json", "--output", str(tmp_path / "adir")) == 2
    err = capsys.readouterr().err
    assert f"error: {tmp_path / 'adir'}" in err and "Traceback" not in err


def test_when_nothing_loads_only_the_reason_is_printed_and_no_entry_is_called_stale(
    mirror: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (mirror / "docs" / "p.md").write_text(_page("known-defects.json"))
    assert _baseline(mirror, tmp_path, "--reason", "fixture") == 0
    (mirror / "docs" / "p.md").unlink()
    capsys.readouterr()
    assert _check(mirror, tmp_path) == 2
    captured = capsys.readouterr()
    assert [line for line in captured.err.splitlines() if line.startswith("error:")] == [
        f"error: {mirror / 'docs' / 'p.md'}: cannot read (No such file or directory)"
    ]
    assert "CT901" not in captured.out


def test_an_endpoint_whose_spec_failed_to_load_gets_no_guessed_findings(
    mirror: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its samples and traffic are not checked against a neighbouring operation: the load failure says why."""
    page = _page("minimal-valid.json").replace("[spec]", "[spec echo]") + (
        '{% openapi-operation spec="other" path="/v1/other" method="post" %}\n'
        f"[spec other]({DEFAULT_DOCS_BASE}docs/specs/missing.json)\n{{% endopenapi-operation %}}\n\n"
        "```python\nimport requests\n\nrequests.post(\n    \"https://api.example.test/v1/other\",\n"
        "    headers={\"Authorization\": \"Bearer <KEY>\", \"Content-Type\": \"application/json\"},\n"
        "    json={\"model\": \"m\", \"extra\": 1},\n)\n```\n"
    )
    (mirror / "docs" / "p.md").write_text(page)
    cassettes = tmp_path / "traffic"
    cassettes.mkdir()
    (cassettes / "other.yaml").write_text(
        "interactions:\n- request:\n    method: POST\n    uri: https://api.example.test/v1/other\n"
        "    body: '{\"model\": \"m\"}'\n    headers: {content-type: [application/json]}\n"
        "  response:\n    status: {code: 200, message: OK}\n    headers: {content-type: [application/json]}\n"
        "    body: {string: '{\"id\": \"x\"}'}\nversion: 1\n"
    )
    main(["check", "--docs-base", str(mirror), "--page", "docs/p.md", "--baseline", str(tmp_path / "b.json"),
          "--lock", str(tmp_path / "l.json"), "--cassettes", str(cassettes), "--format", "json"])
    codes = sorted({f["code"] for f in json.loads(capsys.readouterr().out)["findings"]})
    assert codes == ["CT101", "CT302"]


def test_from_a_subdirectory_the_project_files_are_found(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Like git, the CLI finds the project root (specs/manifest.json) above the working directory."""
    root = Path(__file__).parents[2]
    mirror = MIRROR
    if not mirror.is_dir():
        pytest.skip(f"{mirror} (the published docs mirror) is absent")
    monkeypatch.chdir(root / "tests" / "unit")
    args = ["check", "--docs-base", str(mirror), "--cache-dir", str(tmp_path / "cache"), "--format", "json",
            "--cassettes", str(root / "cassettes" / "published-examples")]  # the committed ones, never a local recording
    assert main(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["summary"]["new"] == 0 and report["summary"]["baselined"] > 0
    assert any(f["source"].startswith("cassettes/published-examples/") for f in report["findings"])


def test_outside_a_project_the_run_says_what_it_is_missing(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path, mirror: Path) -> None:
    (mirror / "docs" / "api-references" / "text-models-llm" / "openai").mkdir(parents=True)
    (mirror / "docs" / "api-references" / "text-models-llm" / "openai" / "gpt-4.1-nano.md").write_text("# empty page\n")
    monkeypatch.chdir(tmp_path)
    main(["check", "--docs-base", str(mirror)])
    assert "note: no specs/manifest.json here or above" in capsys.readouterr().err


def test_reports_get_ordinary_file_permissions(mirror: Path, tmp_path: Path) -> None:
    import os
    import stat

    (mirror / "docs" / "p.md").write_text(_page("minimal-valid.json"))
    assert _check(mirror, tmp_path, "--format", "json", "--output", str(tmp_path / "r.json")) == 0
    umask = os.umask(0)
    os.umask(umask)
    # As `open()` would make it under this umask, not mkstemp's 0600.
    assert stat.S_IMODE((tmp_path / "r.json").stat().st_mode) == 0o666 & ~umask


def test_the_console_script_prints_everything_keeps_the_exit_code_and_runs_exit_handlers(
    mirror: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `python -m aimlapi_contract` (and the console script) end with os._exit after main: what main printed
    # must still arrive whole through a pipe, with main's exit code, and exit handlers must still run.
    import os
    import subprocess
    import sys

    (mirror / "docs" / "p.md").write_text(_page("known-defects.json"))
    args = ["check", "--docs-base", str(mirror), "--page", "docs/p.md", "--baseline", str(tmp_path / "baseline.json"),
            "--lock", str(tmp_path / "lock.json"), "--cassettes", str(tmp_path / "no-cassettes")]  # text: a few KB, which sit in stdout's buffer
    marker = tmp_path / "atexit-ran"
    code = (f"import atexit, runpy, sys; atexit.register(lambda: open({str(marker)!r}, 'w').close()); "
            f"sys.argv = ['aimlapi-contract', *{args!r}]; runpy.run_module('aimlapi_contract', run_name='__main__')")
    env = {k: v for k, v in os.environ.items() if k not in ("AIMLAPI_KEY", "PYTHONUNBUFFERED")}  # buffered, as usual
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode == 1, done.stderr[-2000:]  # known defects: new errors
    assert "4 new findings" in done.stdout
    assert main(args) == 1
    assert done.stdout == capsys.readouterr().out  # every byte main printed in this process
    assert marker.exists()


def test_a_reader_that_stops_reading_ends_the_run_quietly_with_the_sigpipe_status(tmp_path: Path) -> None:
    # `aimlapi-contract check -v | head`: the pipe closes mid-report. Not an error of the inputs: no message, no
    # tip about paths, and the status a shell reports for a command ended by SIGPIPE.
    import os
    import subprocess
    import sys

    from shared_paths import SHARED

    samples = SHARED / "real-traffic-samples"
    if not samples.is_dir():
        pytest.skip(f"{samples} (the shared real recordings) is absent")
    env = {k: v for k, v in os.environ.items() if k not in ("AIMLAPI_KEY", "PYTHONUNBUFFERED")}
    cmd = [sys.executable, "-m", "aimlapi_contract", "check", "--docs-base", str(MIRROR), "--cassettes", str(samples),
           "--cache-dir", str(tmp_path / "cache"), "-v"]  # ~200 KB of text: more than a pipe holds
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.read(200)  # the first lines, then the reader goes away
        proc.stdout.close()
        errors = proc.stderr.read().decode()
        code = proc.wait(timeout=300)
    assert code == 141, errors[-2000:]
    assert "error" not in errors and "tip:" not in errors


def test_a_broken_pipe_that_is_not_stdout_is_still_an_error(tmp_path: Path) -> None:
    # A BrokenPipeError from elsewhere (a socket, a child's pipe) while stdout is still read is reported as before.
    import os
    import subprocess
    import sys

    code = ("import sys; from aimlapi_contract import cli\n"
            "def broken(args): raise BrokenPipeError(32, 'Broken pipe')\n"
            "cli.cmd_check = broken\n"
            "sys.argv = ['aimlapi-contract', 'check']; cli.run()\n")
    env = {k: v for k, v in os.environ.items() if k != "AIMLAPI_KEY"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120, check=False)
    assert done.returncode == 2, done.stderr[-2000:]
    assert "error: Broken pipe" in done.stderr


def _run_module(mirror: Path, tmp_path: Path, *extra: str, prefix: tuple[str, ...] = (), **popen: object) -> subprocess.CompletedProcess[str]:
    """`python [prefix] -m aimlapi_contract check` on the known-defects page, buffered as users run it."""
    (mirror / "docs" / "p.md").write_text(_page("known-defects.json"))
    env = {k: v for k, v in os.environ.items() if k not in ("AIMLAPI_KEY", "PYTHONUNBUFFERED")}
    cmd = [sys.executable, *prefix, "-m", "aimlapi_contract", "check", "--docs-base", str(mirror), "--page", "docs/p.md",
           "--baseline", str(tmp_path / "baseline.json"), "--lock", str(tmp_path / "lock.json"),
           "--cassettes", str(tmp_path / "no-cassettes"), *extra]
    return subprocess.run(cmd, text=True, env=env, timeout=120, check=False, **popen)  # type: ignore[call-overload, no-any-return]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
def test_output_that_cannot_be_written_at_exit_is_an_error_not_a_silent_success(mirror: Path, tmp_path: Path) -> None:
    # A few KB of text sit in stdout's buffer until the end: on a full disk the flush there fails, and the run
    # must say so with the interpreter's status (120), as before the end without teardown.
    with open("/dev/full", "w") as full:
        done = _run_module(mirror, tmp_path, stdout=full, stderr=subprocess.PIPE)
    assert done.returncode == 120, done.stderr
    assert "error: the output could not be written" in done.stderr


def test_a_run_started_with_stdout_closed_keeps_its_exit_code(mirror: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    done = _run_module(mirror, tmp_path, "--format", "json", "--output", str(out), stderr=subprocess.PIPE,
                       preexec_fn=lambda: os.close(1))
    assert done.returncode == 1, done.stderr  # known defects: new errors, as main says
    assert "Traceback" not in done.stderr and json.loads(out.read_text())["findings"]


def test_a_profiler_hosting_the_run_still_gets_its_turn(mirror: Path, tmp_path: Path) -> None:
    # cProfile (like coverage or a debugger) reports after the program returns: no os._exit under it.
    done = _run_module(mirror, tmp_path, prefix=("-m", "cProfile"), capture_output=True)
    assert "4 new findings" in done.stdout, done.stderr[-2000:]  # the report, then cProfile's own
    assert "function calls" in done.stdout  # (cProfile swallows the exit status itself, as it always did)
