"""Acceptance: each hostile cassette beside a copy of a real recording, checked by `aimlapi-contract check` in its
own process against the published page: exit 0 or 1, no traceback, the real recording's findings all there,
under 60 s and 1.5 GB each (peak RSS from the child's own getrusage)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hostile_cassettes import CASES, run_check, write_case
from shared_paths import MIRROR, needs_mirror, shared_root

pytestmark = needs_mirror
PAGE = "docs/api-references/text-models-llm/openai/gpt-4.1-nano.md"
REAL = shared_root() / "real-traffic-samples" / "chat-stream-03.yaml"


def _real_keys(report: dict[str, object]) -> set[tuple[str, ...]]:
    findings = report["findings"]
    assert isinstance(findings, list)
    return {(f["code"], f["pointer"], f["anchor"]) for f in findings if f["source"].endswith("/real.yaml")}


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not REAL.is_file():
        pytest.skip(f"no real recording at {REAL}")
    return tmp_path_factory.mktemp("corpus")


@pytest.fixture(scope="module")
def real_alone(work: Path) -> set[tuple[str, ...]]:
    """The real recording's findings when it is checked alone."""
    folder = work / "alone"
    folder.mkdir()
    shutil.copyfile(REAL, folder / "real.yaml")
    result = run_check(folder, work, str(MIRROR), PAGE)
    assert result["rc"] == 1 and result["report"], result["stderr"]
    keys = _real_keys(result["report"])  # type: ignore[arg-type]
    assert keys, "the real recording should have findings against the AIML spec (another provider's model)"
    return keys


@pytest.mark.parametrize("kind", list(CASES))
def test_a_hostile_cassette_beside_a_real_recording(work: Path, real_alone: set[tuple[str, ...]], kind: str) -> None:
    folder = write_case(work / kind.replace(".", "-"), kind, REAL)
    result = run_check(folder, work, str(MIRROR), PAGE)
    stderr = str(result["stderr"])
    assert result["rc"] in (0, 1), stderr
    assert "Traceback" not in stderr
    assert result["report"] is not None
    assert _real_keys(result["report"]) == real_alone  # type: ignore[arg-type]
    crashes = [f["message"] for f in result["report"]["findings"] if f["code"] == "CT910"]  # type: ignore[index]
    assert not crashes  # a check that raised: the hostile input is a finding of its own, never an unanticipated failure
    assert result["seconds"] < 60, result["seconds"]  # type: ignore[operator]
    assert result["rss_mb"] is not None and result["rss_mb"] < 1536, result["rss_mb"]  # type: ignore[operator]
    shutil.rmtree(folder)  # the over-the-limit file is 65 MB
