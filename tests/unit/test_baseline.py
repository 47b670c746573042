"""The baseline lifecycle: every entry has a reason, `--update` only drops fixed entries, stale ones show everywhere."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from shared_paths import MIRROR, needs_mirror

from aimlapi_contract.baseline import read_baseline
from aimlapi_contract.cli import main
from aimlapi_contract.errors import UsageError
from aimlapi_contract.sources.base import DEFAULT_PAGE

ROOT = Path(__file__).parents[2]
CHAT_SPEC = "docs/api-references/text-models-llm/OpenAI/gpt-4.1-nano.json"
STALE = {"code": "CT110", "source": CHAT_SPEC, "endpoint": "POST /v1/chat/completions", "pointer": "/paths/~1gone",
         "anchor": "", "reason": "fixed upstream since", "message": "was here"}
CT112 = {"code": "CT112", "source": CHAT_SPEC, "endpoint": "", "pointer": "/components/securitySchemes/access-token",
         "anchor": "", "reason": "known: the spec never applies its scheme", "message": ""}


def write(path: Path, entries: list[dict[str, str]]) -> Path:
    path.write_text(json.dumps({"version": 1, "accepted": entries}))
    return path


def run(*args: str, baseline: Path, tmp_path: Path) -> int:
    return main([*args, "--docs-base", str(MIRROR), "--page", DEFAULT_PAGE, "--cache-dir", str(tmp_path / "cache"),
                 "--baseline", str(baseline), "--lock", str(tmp_path / "lock.json")])


def test_an_entry_without_a_reason_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "b.json", [{**STALE, "reason": "  "}])
    with pytest.raises(UsageError, match="1 entries have no reason"):
        read_baseline(path)


@needs_mirror
def test_update_drops_fixed_entries_and_adds_nothing(tmp_path: Path) -> None:
    baseline = write(tmp_path / "b.json", [STALE, CT112])
    assert run("baseline", "--update", baseline=baseline, tmp_path=tmp_path) == 0
    kept = read_baseline(baseline)
    # The fixed entry is gone, the one that still occurs stays with its reason, and the other current
    # findings (CT110, CT111...) were not added.
    assert [(e.code, e.pointer, e.reason) for e in kept] == [(CT112["code"], CT112["pointer"], CT112["reason"])]


@needs_mirror
def test_adding_takes_only_the_named_code_with_its_reason(tmp_path: Path) -> None:
    baseline = write(tmp_path / "b.json", [STALE])
    assert run("baseline", "--only", "CT112", "--reason", "never applied", baseline=baseline, tmp_path=tmp_path) == 0
    entries = read_baseline(baseline)
    assert {e.code for e in entries} == {"CT110", "CT112"}  # the other code's entry is left as it was
    assert [e.reason for e in entries if e.code == "CT112"] == ["never applied"] * sum(e.code == "CT112" for e in entries)


@needs_mirror
def test_stale_entries_show_in_every_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    baseline = write(tmp_path / "b.json", [STALE])
    formats = ("text", "json", "markdown", "html", "sarif")
    outputs = [arg for fmt in formats for arg in ("--format", fmt, "--output", str(tmp_path / f"r.{fmt}"))]
    run("check", *outputs, baseline=baseline, tmp_path=tmp_path)
    for fmt in formats:
        out = (tmp_path / f"r.{fmt}").read_text()
        assert "CT901" in out or "Stale baseline entries (1)" in out, fmt
        assert "/paths/~1gone" in out, fmt  # which entry is stale, not only that one is


# --- stale only where the run looked -----------------------------------------------------------

OTHER_PAGE = {"code": "CT310", "source": "docs/api-references/other/page.md", "endpoint": "", "pointer": "",
              "anchor": "example", "reason": "a page this run does not check", "message": ""}
CAUSE = {"code": "CT220", "source": CHAT_SPEC, "endpoint": "POST /v1/chat/completions", "pointer": "/paths/x",
         "anchor": "", "reason": "a root cause from traffic", "message": ""}


def test_scope_covers_only_checked_sources_and_causes_only_when_traffic_was_replayed() -> None:
    from aimlapi_contract.baseline import BaselineEntry, Scope

    spec_entry, cause, other = (BaselineEntry(**e) for e in (STALE, CAUSE, OTHER_PAGE))
    assert [Scope(frozenset({CHAT_SPEC})).covers(e) for e in (spec_entry, cause, other)] == [True, False, False]
    assert Scope(frozenset({CHAT_SPEC}), traffic=True).covers(cause)


@needs_mirror
def test_stale_is_reported_only_for_sources_in_scope_and_update_keeps_the_rest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Given a baseline with a fixed entry of a checked spec, one of a page not checked, and a root cause (no cassettes replayed)
    path = write(tmp_path / "b.json", [STALE, OTHER_PAGE, CAUSE])
    (tmp_path / "no-cassettes").mkdir()
    # When the run checks the tracked page and its specs, and no traffic
    assert run("check", "--cassettes", str(tmp_path / "no-cassettes"), "--format", "json", baseline=path, tmp_path=tmp_path) in (0, 1)
    stale = [f["message"] for f in json.loads(capsys.readouterr().out)["findings"] if f["code"] == "CT901"]
    # Then only the checked spec's entry is stale; nothing tells the user to drop what was not looked at
    assert len(stale) == 1 and "/paths/~1gone" in stale[0]
    assert run("baseline", "--update", "--cassettes", str(tmp_path / "no-cassettes"), baseline=path, tmp_path=tmp_path) == 0
    assert {e.code for e in read_baseline(path)} == {"CT310", "CT220"}
    assert "kept 2 entries of sources this run did not check" in capsys.readouterr().err


def test_a_run_that_checks_no_spec_leaves_the_baseline_byte_for_byte(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Given a docs base whose page is empty (it links no spec), and a baseline not in `write_baseline`'s order
    docs = tmp_path / "docs"
    (docs / "docs").mkdir(parents=True)
    (docs / "docs" / "empty.md").write_text("")
    path = tmp_path / "b.json"
    path.write_text(json.dumps({"accepted": [OTHER_PAGE, STALE, CT112], "version": 1}, indent=1))
    before = path.read_bytes()
    # When the baseline is updated from it
    code = main(["baseline", "--update", "--docs-base", str(docs), "--page", "docs/empty.md", "--cache-dir", str(tmp_path / "c"),
                 "--baseline", str(path), "--lock", str(tmp_path / "lock.json")])
    # Then nothing was dropped, and the file is not even rewritten
    assert code == 0 and path.read_bytes() == before
    assert "unchanged" in capsys.readouterr().out


def _cause_findings() -> list[object]:
    from aimlapi_contract.findings import Code, Finding, Severity

    cause_key = ["CT220", "spec.json", "POST /v1/responses", "/s/properties/summary", "null"]
    members = [Finding(Code.NULL_NOT_ALLOWED, Severity.ERROR, f"c{i}.yaml", "null", pointer="/reasoning/summary",
                       endpoint="POST /v1/responses", anchor="interaction:0:response", extra={"cause_key": cause_key})
               for i in range(3)]
    root = Finding(Code.TRAFFIC_ROOT_CAUSE, Severity.ERROR, "spec.json", "3 payloads", pointer="/s/properties/summary",
                   endpoint="POST /v1/responses", anchor="null")
    other = Finding(Code.UNDOCUMENTED_FIELD, Severity.WARNING, "c0.yaml", "x", pointer="/x", anchor="interaction:0:response")
    return [*members, root, other]


def test_reason_adds_no_entry_for_findings_a_baselined_root_cause_accepts() -> None:
    from aimlapi_contract.baseline import BaselineEntry, updated_entries

    findings = _cause_findings()
    root = BaselineEntry("CT220", "spec.json", "POST /v1/responses", "/s/properties/summary", "null", reason="known")
    # the CT220 entry is outside `--only CT206,CT207` (also_accepted): its members still need nothing
    added = updated_entries(findings, [], add_new=True, reason="r", also_accepted=[root])  # type: ignore[arg-type]
    assert [e.code for e in added] == ["CT207"]
    # accepting the cause and its members in one go: the cause alone
    together = updated_entries(findings, [], add_new=True, reason="r")  # type: ignore[arg-type]
    assert sorted(e.code for e in together) == ["CT207", "CT220"]
