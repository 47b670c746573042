"""The scheduled CI workflow: actionlint-clean, least privilege, and its report steps run here as they do on GitHub."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from shared_paths import MIRROR

ROOT = Path(__file__).parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "contract.yml"
BIN = Path(sys.executable).parent  # where this environment's console scripts (aimlapi-contract, actionlint) live


# MIRROR: ../shared/aimlapi-docs, a local mirror, or the documents fetched from an http(s) docs base.


@pytest.fixture(scope="module")
def workflow() -> dict[str, Any]:
    data: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def steps_running(job: dict[str, Any], needle: str) -> list[dict[str, Any]]:
    return [s for s in job["steps"] if needle in s.get("run", "")]


def run_step(step: dict[str, Any], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """A `run:` step as GitHub runs it (`bash -e`), from the repository root."""
    assert "${{" not in step["run"], "a locally runnable step reads only environment variables"
    return subprocess.run(["bash", "-e", "-c", step["run"]], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_actionlint_passes() -> None:
    actionlint = shutil.which("actionlint", path=str(BIN)) or shutil.which("actionlint")
    assert actionlint, "actionlint is missing: install the test extra (pip install -e '.[test]')"
    proc = subprocess.run([actionlint, "-no-color", "-oneline", str(WORKFLOW)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_triggers_and_least_privilege(workflow: dict[str, Any]) -> None:
    assert set(workflow["on"]) == {"push", "pull_request", "schedule", "workflow_dispatch"}
    assert workflow["permissions"] == {"contents": "read"}
    granted = {job: job_data.get("permissions", {}) for job, job_data in workflow["jobs"].items()}
    writes = {(job, scope) for job, perms in granted.items() for scope, level in perms.items() if level == "write"}
    assert writes == {("offline", "security-events")}  # only to upload SARIF


def test_live_job_runs_on_schedule_only_with_the_secret_and_one_at_a_time(workflow: dict[str, Any]) -> None:
    live = workflow["jobs"]["live"]
    assert "schedule" in live["if"] and "workflow_dispatch" in live["if"] and "pull_request" not in live["if"]
    assert live["concurrency"]["cancel-in-progress"] is False
    assert live["concurrency"]["group"] == "contract-live-recording"  # the same for every trigger
    [suite] = steps_running(live, "pytest")
    assert "--live" in suite["run"] and "--record-mode=rewrite" in suite["run"]  # sends everything, replaces each cassette whole
    assert "pytest tests/contract " in suite["run"]  # only the contract items see the real key
    # The key reaches the live step only: not the job's env, not another step, never the offline job.
    assert suite["env"] == {"AIMLAPI_KEY": "${{ secrets.AIMLAPI_KEY }}"} and "env" not in live
    others = [s for s in live["steps"] if s is not suite]
    assert "secrets.AIMLAPI_KEY }}" not in json.dumps(others) and "secrets." not in json.dumps(workflow["jobs"]["offline"])


def test_every_action_is_pinned_by_commit_sha_and_dependabot_keeps_the_pins_current(workflow: dict[str, Any]) -> None:
    uses = [s["uses"] for job in workflow["jobs"].values() for s in job["steps"] if "uses" in s]
    assert uses and all(re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", u) for u in uses), uses
    text = WORKFLOW.read_text(encoding="utf-8")
    assert all(re.search(re.escape(u) + r"  # v\d", text) for u in uses)  # the version each SHA is, for reviewers
    dependabot = yaml.safe_load((ROOT / ".github" / "dependabot.yml").read_text(encoding="utf-8"))
    assert "github-actions" in {u["package-ecosystem"] for u in dependabot["updates"]}


def test_both_jobs_restore_the_locked_documents_keyed_on_the_lock(workflow: dict[str, Any]) -> None:
    for name, job in workflow["jobs"].items():
        [cache] = [s for s in job["steps"] if s.get("uses", "").startswith("actions/cache@")]
        assert cache["with"] == {"path": ".cache/aimlapi-contract", "key": "aimlapi-docs-${{ hashFiles('specs/lock.json') }}"}, name


def test_reports_are_summarised_and_uploaded(workflow: dict[str, Any]) -> None:
    for name, job in workflow["jobs"].items():
        uses = [s.get("uses", "") for s in job["steps"]]
        assert any(u.startswith("actions/upload-artifact@") for u in uses), name
        assert steps_running(job, ".github/contract-reports.sh"), name
    offline_uses = [s.get("uses", "") for s in workflow["jobs"]["offline"]["steps"]]
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in offline_uses)


@pytest.mark.skipif(not MIRROR.is_dir(), reason=f"{MIRROR} (the published docs mirror) is absent")
@pytest.mark.parametrize("job", ["offline", "live"])
def test_dry_run_of_the_report_steps(workflow: dict[str, Any], tmp_path: Path, job: str) -> None:
    """Run the job's report-producing steps locally; the `uses:` steps and the suite itself need GitHub or are this run."""
    reports, summary = tmp_path / "reports", tmp_path / "step-summary.md"
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "REPORT_DIR": str(reports),
           "GITHUB_STEP_SUMMARY": str(summary), "AIMLAPI_DOCS_BASE": str(MIRROR),
           "AIMLAPI_CONTRACT_CACHE": str(tmp_path / "cache")}
    for step in steps_running(workflow["jobs"][job], ".github/contract-reports.sh"):
        proc = run_step(step, env)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    assert {p.name for p in reports.iterdir()} == {"contract.html", "contract.sarif", "contract.json", "summary.md"}
    sarif = json.loads((reports / "contract.sarif").read_text())
    data = json.loads((reports / "contract.json").read_text())
    assert len(sarif["runs"][0]["results"]) == len(data["findings"]) > 0
    assert summary.read_text().startswith("## ") and summary.read_text() == (reports / "summary.md").read_text()
    assert (reports / "contract.html").read_text().startswith("<!DOCTYPE html>")


def test_dry_run_without_the_key_skips_with_a_notice(workflow: dict[str, Any], tmp_path: Path) -> None:
    [check] = [s for s in workflow["jobs"]["live"]["steps"] if s.get("id") == "key"]
    assert check["env"] == {"KEY_PRESENT": "${{ secrets.AIMLAPI_KEY != '' }}"}  # GitHub renders it "true" or "false"
    output = tmp_path / "github-output"
    env = {k: v for k, v in os.environ.items() if k != "AIMLAPI_KEY"}
    proc = run_step(check, {**env, "KEY_PRESENT": "false", "GITHUB_OUTPUT": str(output)})
    assert proc.returncode == 0
    assert proc.stdout.startswith("::notice title=Live run skipped::")
    assert output.read_text() == "present=false\n"
    later = workflow["jobs"]["live"]["steps"][1:]
    assert all("steps.key.outputs.present == 'true'" in s.get("if", "") for s in later)
