"""SARIF that GitHub code scanning accepts: sarif-multitool's GitHub rules, rule help from package data, unique
fingerprints, every result located in a named repository, at most 5,000 results with root causes first."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from aimlapi_contract.baseline import triage
from aimlapi_contract.findings import Code, Finding, Severity
from aimlapi_contract.reports import ReportContext, render_sarif
from aimlapi_contract.reports.model import Report
from aimlapi_contract.reports.sarif import FINGERPRINT_KEY, MAX_RESULTS

ROOT = Path(__file__).resolve().parents[2]
# Where .ci/run installs it (npm --prefix .cache/npm); $SARIF_MULTITOOL names another binary.
MULTITOOL_BIN = ROOT / ".cache" / "npm" / "node_modules" / "@microsoft" / "sarif-multitool-linux" / "Sarif.Multitool"
CHAT_SPEC = "docs/api-references/text-models-llm/OpenAI/gpt-4.1-nano.json"


def multitool() -> str:
    """The sarif-multitool binary (not its npm wrapper, which runs its arguments through a shell and splits `Gh;Sarif`)."""
    found = os.environ.get("SARIF_MULTITOOL") or (str(MULTITOOL_BIN) if MULTITOOL_BIN.is_file() else shutil.which("Sarif.Multitool"))
    if not found:
        pytest.skip(f"sarif-multitool is not installed (.ci/run installs @microsoft/sarif-multitool with npm into {MULTITOOL_BIN.parents[2]})")
    return found


def report_of(findings: list[Finding]) -> Report:
    return Report(findings, triage(findings, []))


def event_findings(count: int) -> list[Finding]:
    """`count` failures in cassettes of this repository, two of them with one key (same pointer of one event), and a root cause."""
    findings = [Finding(Code.SSE_EVENT_SCHEMA_MISMATCH, Severity.ERROR, "cassettes/published-examples/responses.yaml", f"m{i}",
                        line=3, pointer=f"/output/{i}", endpoint="POST /v1/responses", anchor="interaction:0:event:1") for i in range(count)]
    findings.append(Finding(Code.SSE_EVENT_SCHEMA_MISMATCH, Severity.ERROR, "cassettes/published-examples/responses.yaml", "again",
                            line=3, pointer="/output/0", endpoint="POST /v1/responses", anchor="interaction:0:event:1"))
    findings.append(Finding(Code.TRAFFIC_ROOT_CAUSE, Severity.ERROR, CHAT_SPEC, "cause", pointer="/paths/x", endpoint="POST /v1/responses"))
    findings.append(Finding(Code.SPEC_INVALID_OPENAPI, Severity.WARNING, CHAT_SPEC, "spec", line=9, pointer="/paths"))
    return findings


def sarif_of(findings: list[Finding]) -> dict[str, Any]:
    report = report_of(findings)
    return json.loads(render_sarif(report, ReportContext.from_report(report, ref="f14fa72f")))  # type: ignore[no-any-return]


def test_every_rule_has_help_and_a_full_description_from_the_package_whatever_the_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no docs/findings.md here: the catalogue comes from the installed package
    rules = sarif_of(event_findings(1))["runs"][0]["tool"]["driver"]["rules"]
    assert {r["id"] for r in rules} == {c.value for c in Code}
    assert all(r["help"]["text"] and r["fullDescription"]["text"] for r in rules)
    cause = next(r for r in rules if r["id"] == "CT220")
    assert "root cause" in cause["shortDescription"]["text"] and "See docs/findings.md" not in cause["help"]["text"]


def test_fingerprints_are_unique_and_root_causes_come_first() -> None:
    results = sarif_of(event_findings(3))["runs"][0]["results"]
    fingerprints = [r["partialFingerprints"][FINGERPRINT_KEY] for r in results]
    assert len(set(fingerprints)) == len(fingerprints) == 6
    assert results[0]["ruleId"] == "CT220" and results[-1]["level"] == "warning"


def test_at_most_5000_results_and_the_run_says_how_many_were_left_out() -> None:
    run = sarif_of(event_findings(MAX_RESULTS + 10))["runs"][0]
    assert len(run["results"]) == MAX_RESULTS and run["results"][0]["ruleId"] == "CT220"
    assert run["properties"]["omittedResults"] == 13
    assert "13 lower-priority results omitted" in run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]


def test_every_base_is_a_named_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/aimlapi-contract")
    monkeypatch.setenv("GITHUB_SHA", "0" * 40)
    run = sarif_of(event_findings(1))["runs"][0]
    mapped = {p["mappedTo"]["uriBaseId"]: p for p in run["versionControlProvenance"]}
    assert mapped["DOCSROOT"]["repositoryUri"] == "https://github.com/aimlapi/api-docs"
    assert mapped["%SRCROOT%"] == {"repositoryUri": "https://github.com/acme/aimlapi-contract", "revisionId": "0" * 40, "mappedTo": {"uriBaseId": "%SRCROOT%"}}
    bases = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] for r in run["results"]}
    assert bases and bases <= set(mapped)  # each result's base is a repository code scanning can place it in


def validate(path: Path) -> list[str]:
    """sarif-multitool's GitHub and SARIF rules over `path`: every error and warning it reports."""
    out = path.with_suffix(".validation.sarif")
    proc = subprocess.run([multitool(), "validate", "--rule-kind", "Gh;Sarif", "--output", str(out), str(path)],
                          capture_output=True, text=True, timeout=300)
    assert out.is_file(), proc.stdout + proc.stderr
    results = json.loads(out.read_text(encoding="utf-8"))["runs"][0].get("results", [])
    return [f"{r['level']} {r['ruleId']}: {r['message'].get('text', '')}" for r in results if r.get("level") in ("error", "warning")]


def test_sarif_multitool_accepts_the_report_of_the_published_docs(tmp_path: Path, mirror_report: Report) -> None:
    path = tmp_path / "contract.sarif"
    path.write_text(render_sarif(mirror_report, ReportContext.from_report(mirror_report, ref="f14fa72f")), encoding="utf-8")
    assert validate(path) == []


def test_sarif_multitool_accepts_duplicates_root_causes_and_the_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("aimlapi_contract.reports.sarif.MAX_RESULTS", 20)  # the cap's notification, on a log quick to validate
    path = tmp_path / "many.sarif"
    path.write_text(json.dumps(sarif_of(event_findings(30))), encoding="utf-8")
    assert validate(path) == []


def test_the_catalogue_reaches_the_package_from_its_one_place() -> None:
    # The package's findings.md is docs/findings.md itself (a link, copied into the wheel), not a second copy to keep in step
    shipped = ROOT / "src" / "aimlapi_contract" / "findings.md"
    assert shipped.is_symlink() and shipped.resolve() == (ROOT / "docs" / "findings.md").resolve()
    assert '"findings.md"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
