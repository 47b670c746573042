"""The pytest plugin stops a run with one line when its setup is wrong, never a traceback per module."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]


def test_a_bad_docs_base_stops_the_run_with_one_line(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_nothing():\n    pass\n")
    result = pytester.runpytest_subprocess("--docs-base", str(pytester.path / "nowhere"))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: docs base `*nowhere` is not a directory; pass an http(s) URL or a directory*"])
    assert "Traceback" not in result.stderr.str()


def test_a_corrupt_baseline_stops_the_run_with_one_line(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_nothing():\n    pass\n")
    (pytester.path / "specs").mkdir()
    (pytester.path / "specs" / "baseline.json").write_text("{bad")
    result = pytester.runpytest_subprocess("--docs-base", str(pytester.path))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: *specs/baseline.json: not a valid baseline file*"])


def test_a_missing_cassette_dir_stops_the_run_with_one_line(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_nothing():\n    pass\n")
    result = pytester.runpytest_subprocess("--docs-base", str(pytester.path), "--contract-cassettes", str(pytester.path / "none"))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: cassette directory *none does not exist*"])


def test_outside_a_contract_project_a_relative_docs_base_is_not_checked(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """The plugin loads in every pytest run of the environment; a run elsewhere must not trip over the suite's setting."""
    monkeypatch.setenv("AIMLAPI_DOCS_BASE", "../no/such/mirror")
    pytester.makepyfile("def test_nothing():\n    pass\n")
    result = pytester.runpytest_subprocess()
    assert result.ret == pytest.ExitCode.OK


def test_a_page_linking_no_spec_fails_the_contract_items_with_one_line(pytester: pytest.Pytester) -> None:
    """An empty page checks nothing: under pytest that is a failure saying so, never a silent pass."""
    (pytester.path / "docs").mkdir()
    (pytester.path / "docs" / "p.md").write_text("# the blocks were removed\n")
    (pytester.path / "specs").mkdir()
    (pytester.path / "specs" / "manifest.json").write_text('{"pages": [{"path": "docs/p.md"}]}')
    pytester.makepyfile("def test_report(contract_report):\n    assert contract_report is not None\n")
    result = pytester.runpytest_subprocess("--docs-base", str(pytester.path))
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*aimlapi-contract: no spec was checked: docs/p.md links no OpenAPI spec*"])
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
