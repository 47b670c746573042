"""Hostile and broken input: each kind ends in a finding or a one-line error, bounded, and never stops the others."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from aimlapi_contract import limits
from aimlapi_contract.cli import main
from aimlapi_contract.findings import Code, Finding, Severity
from aimlapi_contract.reports.text import escape_controls, render_finding
from aimlapi_contract.traffic import Exchange, iter_cassette_findings, skipped_note
from aimlapi_contract.traffic.guard import FindingBudget, bounded
from aimlapi_contract.traffic.payloads import iter_located_findings
from hostile_cassettes import CASES
from traffic_specs import both_specs, chat_spec

DATA = Path(__file__).parents[1] / "data"
GOOD = DATA / "cassettes" / "response-wrong-type.yaml"  # a cassette with known findings (CT205)

# kind -> the codes the hostile cassette may get (at least one of them must be there)
EXPECTED: dict[str, set[Code]] = {
    "control-nul": {Code.CASSETTE_UNREADABLE},
    "control-esc": {Code.CASSETTE_UNREADABLE},
    "control-ufffe": {Code.CASSETTE_UNREADABLE},
    "esc-in-field-name": {Code.UNDOCUMENTED_FIELD},
    "bad-ipv6-uri": {Code.CASSETTE_UNREADABLE},
    "json-deep-response": {Code.BODY_NOT_JSON},
    "json-deep-request": {Code.BODY_NOT_JSON},
    "json-deep-request-with-model": {Code.BODY_NOT_JSON},
    "json-deep-event": {Code.SSE_MALFORMED_EVENT},
    # libyaml's scanner stops flow nesting at 1,000 itself (CT209); the depth check stops the rest (CT230)
    "yaml-deep-flow": {Code.INPUT_OVER_LIMIT, Code.CASSETTE_UNREADABLE},
    "yaml-deep-block": {Code.INPUT_OVER_LIMIT, Code.CASSETTE_UNREADABLE},
    "yaml-deep-mapping": {Code.INPUT_OVER_LIMIT, Code.CASSETTE_UNREADABLE},
    "alias-bomb-body": {Code.INPUT_OVER_LIMIT},
    "alias-bomb-header": {Code.INPUT_OVER_LIMIT},
    "alias-recursive": {Code.INPUT_OVER_LIMIT},
    "gzip-bomb": {Code.INPUT_OVER_LIMIT},
    "status-true": {Code.CASSETTE_UNREADABLE},
    "status-null": {Code.CASSETTE_UNREADABLE},
    "top-level-list": {Code.CASSETTE_UNREADABLE},
    "empty-file": {Code.CASSETTE_UNREADABLE},
    "not-utf8": {Code.CASSETTE_UNREADABLE},
    "binary": {Code.CASSETTE_UNREADABLE},
    "python-object-tag": {Code.CASSETTE_UNREADABLE},
    "request-not-mapping": {Code.CASSETTE_UNREADABLE},
    "uppercase-suffix.YAML": {Code.CASSETTE_UNREADABLE},  # read (any letter case), then refused for its status
    "over-the-file-limit": {Code.INPUT_OVER_LIMIT},
    "many-broken-interactions": {Code.CASSETTE_UNREADABLE, Code.FINDINGS_TRUNCATED},
    # no particular finding, only no crash and the neighbour still checked
    "long-header": set(),
    "headers-odd": set(),
    "body-mapping-no-string": set(),
}
SLOW = {"sse-200k-failing"}  # through the CLI in test_hostile_corpus.py; here at the exchange level


def _findings(directory: Path) -> list[Finding]:
    return list(iter_cassette_findings(directory, both_specs(), root=directory))


def _by_file(findings: list[Finding], name: str) -> set[tuple[str, str, str]]:
    return {(f.code.value, f.pointer, f.anchor) for f in findings if f.source == name}


@pytest.fixture(scope="module")
def good_alone(tmp_path_factory: pytest.TempPathFactory) -> set[tuple[str, str, str]]:
    """The good cassette's findings when it is checked alone."""
    folder = tmp_path_factory.mktemp("alone")
    shutil.copyfile(GOOD, folder / "good.yaml")
    found = _by_file(_findings(folder), "good.yaml")
    assert ("CT205", "/choices/0/finish_reason", "interaction:0:response") in found or found, found
    return found


def test_every_generated_kind_has_an_expectation() -> None:
    assert set(CASES) - SLOW == set(EXPECTED)


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_a_hostile_cassette_is_a_finding_and_its_neighbour_is_still_checked(
    tmp_path: Path, kind: str, good_alone: set[tuple[str, str, str]]
) -> None:
    # Given a hostile cassette beside a good one
    name = kind if "." in kind else f"hostile-{kind}.yaml"
    (tmp_path / name).write_bytes(CASES[kind]())
    shutil.copyfile(GOOD, tmp_path / "good.yaml")
    # When the directory is replayed (no exception may escape)
    start = time.monotonic()
    findings = _findings(tmp_path)
    # Then the hostile file has its finding, within bounds, and the good one has exactly its own findings
    codes = {f.code for f in findings if f.source == name}
    assert not EXPECTED[kind] or codes & EXPECTED[kind], (kind, codes, [f.message for f in findings if f.source == name][:3])
    assert Code.CHECK_CRASHED not in codes, [f.message for f in findings if f.code is Code.CHECK_CRASHED]
    assert _by_file(findings, "good.yaml") == good_alone
    assert sum(f.source == name for f in findings) <= limits.Limits().findings_per_source + len(Code)
    assert time.monotonic() - start < 60
    for finding in findings:
        assert "\x1b" not in render_finding(finding) and "\x00" not in render_finding(finding)


def test_limit_findings_name_the_limit_and_its_flag(tmp_path: Path) -> None:
    (tmp_path / "bomb.yaml").write_bytes(CASES["alias-bomb-body"]())
    (tmp_path / "gz.yaml").write_bytes(CASES["gzip-bomb"]())
    messages = {f.source: f.message for f in _findings(tmp_path)}
    assert "`--max-yaml-expansion`" in messages["bomb.yaml"]
    assert "128 MiB" in messages["gz.yaml"] and "`--max-body-bytes`" in messages["gz.yaml"]


def test_200000_failing_events_keep_a_bounded_list_and_count_the_rest() -> None:
    # Given a chat stream of 200,000 events, each breaking the chunk schema
    bad = '{"id": "c1", "object": "chat.completion.chunk", "choices": "not-a-list"}'
    body = ("".join(f"data: {bad}\n\n" for _ in range(200_000)) + "data: [DONE]\n\n").encode()
    ex = Exchange("POST", "http://x/v1/chat/completions", {}, b"", 200, {"content-type": ["text/event-stream"]}, body)
    # When its findings go through the per-cassette cap
    start = time.monotonic()
    found = list(bounded("c.yaml", iter_located_findings(ex, [chat_spec()], source="c.yaml", anchor="interaction:0", lines=(1, 1, 1))))
    # Then 1,000 are listed, the other 199,000 are counted in one CT231 per code, and it is quick
    listed = [f for f in found if f.code is not Code.FINDINGS_TRUNCATED]
    counted = [f for f in found if f.code is Code.FINDINGS_TRUNCATED]
    assert len(listed) == 1_000
    assert len(counted) == 1 and "199,000 more CT211 findings" in counted[0].message
    assert {f.anchor for f in listed if f.code is Code.SSE_EVENT_SCHEMA_MISMATCH} >= {"interaction:0:event:0", "interaction:0:event:999"}
    assert time.monotonic() - start < 60


def test_repeated_events_get_their_own_labels_and_lines() -> None:
    # The verdicts of a repeated event are re-used: each repeat still names itself
    bad = '{"id": "c1", "object": "chat.completion.chunk", "choices": "not-a-list"}'
    body = f"data: {bad}\n\ndata: {bad}\n\ndata: [DONE]\n\n".encode()
    ex = Exchange("POST", "http://x/v1/chat/completions", {}, b"", 200, {"content-type": ["text/event-stream"]}, body)
    found = [f for f in iter_located_findings(ex, [chat_spec()], source="c", anchor="i", lines=(10, 10, 10), event_lines=True)
             if f.code is Code.SSE_EVENT_SCHEMA_MISMATCH]
    assert [(f.anchor, f.line, f.message.split(":")[0]) for f in found] == [
        ("i:event:0", 11, "event 0 (body line 1)"), ("i:event:1", 13, "event 1 (body line 3)")]


def test_a_stream_past_the_events_limit_says_how_many_were_not_checked() -> None:
    ok = '{"id": "c1", "object": "chat.completion.chunk", "choices": []}'
    body = ("".join(f"data: {ok}\n\n" for _ in range(50)) + "data: [DONE]\n\n").encode()
    ex = Exchange("POST", "http://x/v1/chat/completions", {}, b"", 200, {"content-type": ["text/event-stream"]}, body)
    with limits.applied(limits.with_overrides(sse_events=10)):
        found = list(iter_located_findings(ex, [chat_spec()], source="c", anchor="i", lines=(1, 1, 1)))
    over = [f for f in found if f.code is Code.INPUT_OVER_LIMIT]
    assert len(over) == 1 and "51 events; only the first 10 were checked" in over[0].message


def test_escape_controls_keeps_text_and_newlines_and_escapes_the_rest() -> None:
    assert escape_controls("a\x1b[31mb\u202ec\x00\ttab\nnext") == "a\\x1b[31mb\\u202ec\\x00\ttab\nnext"


def test_skipped_files_are_said_with_their_count_and_first_paths(tmp_path: Path) -> None:
    shutil.copyfile(GOOD, tmp_path / "good.yaml")
    (tmp_path / "notes.txt").write_text("not a cassette")
    (tmp_path / "dangling.yaml").symlink_to(tmp_path / "missing.yaml")
    (tmp_path / "loop").symlink_to(tmp_path)
    note = skipped_note(tmp_path, tmp_path)
    assert note.startswith("3 path(s) under the cassette directory were not read")
    assert "notes.txt (not a .yaml/.yml file)" in note and "dangling.yaml (broken symlink or symlink loop)" in note
    assert "loop (symlink to a folder already read)" in note


def test_an_unreadable_subfolder_is_said(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "locked").mkdir()
    real_scandir = os.scandir

    def scandir(path: os.PathLike[str] | str) -> object:  # root reads anything: make the folder refuse
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert "locked (folder not readable: Permission denied)" in skipped_note(tmp_path, tmp_path)


# --- through the CLI: exit codes mean one thing each ---------------------------------------------------------

def _check(tmp_path: Path, docs: Path, page: str, cassettes: Path, *extra: str) -> int:
    return main(["check", "--docs-base", str(docs), "--page", page, "--cassettes", str(cassettes),
                 "--baseline", str(tmp_path / "baseline.json"), "--lock", str(tmp_path / "lock.json"),
                 "--cache-dir", str(tmp_path / "cache"), *extra])


@pytest.mark.parametrize("page", ["# an empty page\n", "", "# Nano\n\nThe blocks were removed.\n"], ids=["heading-only", "empty", "blocks-removed"])
def test_a_page_linking_no_spec_is_exit_2_saying_what_was_missing(tmp_path: Path, capsys: pytest.CaptureFixture[str], page: str) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "p.md").write_text(page)
    (tmp_path / "cassettes").mkdir()
    shutil.copyfile(GOOD, tmp_path / "cassettes" / "good.yaml")
    baseline = tmp_path / "baseline.json"
    baseline.write_text('{"version": 1, "accepted": [{"code": "CT205", "source": "x", "endpoint": "", "pointer": "", "anchor": "", "reason": "r"}]}\n')
    before = baseline.read_bytes()
    assert _check(tmp_path, docs, "p.md", tmp_path / "cassettes") == 2
    err = capsys.readouterr().err
    assert "error: no spec was checked: p.md links no OpenAPI spec (no `openapi-operation` block)" in err
    assert "Traceback" not in err
    # And `baseline --update` afterwards leaves the baseline byte for byte (what was not checked is kept)
    main(["baseline", "--update", "--docs-base", str(docs), "--page", "p.md", "--cassettes", str(tmp_path / "cassettes"),
          "--baseline", str(baseline), "--lock", str(tmp_path / "lock.json"), "--cache-dir", str(tmp_path / "cache")])
    assert "Traceback" not in capsys.readouterr().err
    assert baseline.read_bytes() == before


def test_a_checked_page_with_hostile_cassettes_is_exit_0_or_1_never_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cassettes = tmp_path / "cassettes"
    cassettes.mkdir()
    for kind in ("control-esc", "bad-ipv6-uri", "alias-bomb-header", "yaml-deep-block", "json-deep-response"):
        (cassettes / f"{kind}.yaml").write_bytes(CASES[kind]())
    shutil.copyfile(GOOD, cassettes / "good.yaml")
    (cassettes / "README.txt").write_text("x")
    assert _check(tmp_path, DATA / "docs", "clean.md", cassettes, "--format", "json") == 1
    out = capsys.readouterr()
    report = json.loads(out.out)
    assert {f["source"].rsplit("/", 1)[-1] for f in report["findings"]} >= {"good.yaml", "control-esc.yaml", "alias-bomb-header.yaml"}
    assert "Traceback" not in out.err and "1 path(s) under the cassette directory were not read" in out.err


def test_text_output_never_passes_a_raw_escape_sequence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cassettes = tmp_path / "cassettes"
    cassettes.mkdir()
    (cassettes / "esc.yaml").write_bytes(CASES["esc-in-field-name"]())
    _check(tmp_path, DATA / "docs", "clean.md", cassettes)
    out = capsys.readouterr().out
    assert "\\x1b[2J\\x1b[31mboom" in out and "\x1b" not in out


def test_an_unexpected_exception_is_a_finding_on_that_input_and_the_others_are_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aimlapi_contract.traffic import replay

    shutil.copyfile(GOOD, tmp_path / "good.yaml")
    shutil.copyfile(GOOD, tmp_path / "zz-boom.yaml")
    real = replay.read_cassette

    def read(path: Path, **kwargs: bool) -> object:
        if path.name == "zz-boom.yaml":
            raise MemoryError("simulated")
        return real(path, **kwargs)

    monkeypatch.setattr(replay, "read_cassette", read)
    findings = _findings(tmp_path)
    crashed = [f for f in findings if f.code is Code.CHECK_CRASHED]
    assert [(f.source, f.message) for f in crashed] == [("zz-boom.yaml", "reading the cassette failed on this input: MemoryError: simulated")]
    assert any(f.source == "good.yaml" for f in findings)


def test_an_unexpected_exception_in_the_cli_is_one_line(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from aimlapi_contract import cli

    def boom(options: object) -> object:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(cli, "run_checks", boom)
    assert _check(tmp_path, DATA / "docs", "clean.md", tmp_path) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: internal error: RecursionError: maximum recursion depth exceeded") and "Traceback" not in err


def test_diff_of_an_endless_file_ends_at_the_limit(capsys: pytest.CaptureFixture[str]) -> None:
    spec = str(DATA / "docs" / "mini-chat.json")
    start = time.monotonic()
    assert main(["diff", "/dev/zero", spec, "--max-file-bytes", "1000000"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: /dev/zero: not read: the spec (/dev/zero) exceeds the limit of 1e+06 bytes") or "exceeds the limit" in err
    assert time.monotonic() - start < 10


@pytest.mark.parametrize("where", ["spec", "example"])
def test_deep_json_in_a_spec_or_a_page_example_is_a_finding(tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str) -> None:
    docs = tmp_path / "docs"
    shutil.copytree(DATA / "docs", docs)
    deep = "[" * 5000 + "]" * 5000
    if where == "spec":
        (docs / "mini-chat.json").write_text(deep)
    else:
        page = (docs / "clean.md").read_text()
        (docs / "clean.md").write_text(page + "\n## Response\n\n```json\n" + deep + "\n```\n")
    (tmp_path / "cassettes").mkdir()
    code = _check(tmp_path, docs, "clean.md", tmp_path / "cassettes", "--format", "json")
    out = capsys.readouterr()
    assert code == 1 and "Traceback" not in out.err
    messages = [f["message"] for f in json.loads(out.out)["findings"]]
    assert any("JSON nesting exceeds the limit of 200 levels" in m for m in messages), messages[:5]


def test_a_relabelled_repeat_keeps_every_other_field_of_the_finding() -> None:
    # relabelled() builds Findings positionally for speed: a field added to Finding must not be lost there
    import dataclasses

    from aimlapi_contract.traffic.streams import _Verdicts

    values: dict[str, object] = {}
    for field in dataclasses.fields(Finding):
        values[field.name] = {"code": Code.BODY_NOT_JSON, "severity": Severity.WARNING, "line": 7, "column": 3,
                              "extra": {"k": 1}}.get(field.name, f"{field.name}-value")
    values["message"], values["anchor"] = "event 0 (body line 1): bad", "i:event:0"
    original = Finding(**values)  # type: ignore[arg-type]
    copy = _Verdicts(None, "event:0", "event 0 (body line 1)", 7, [original]).relabelled(original, "event:5", "event 5 (body line 11)", 17)
    assert (copy.anchor, copy.message, copy.line) == ("i:event:5", "event 5 (body line 11): bad", 17)
    for field in dataclasses.fields(Finding):
        if field.name not in ("anchor", "message", "line"):
            assert getattr(copy, field.name) == getattr(original, field.name), field.name


def test_a_live_reply_nested_past_the_limit_is_a_finding() -> None:
    # live mode validates replies through the same path as cassettes (live.client.validate_reply)
    from aimlapi_contract.live.client import validate_reply
    from aimlapi_contract.redact import Redactor

    deep = ("[" * 100_000 + "]" * 100_000).encode()
    reply = Exchange("POST", "https://api.aimlapi.com/v1/chat/completions", {}, b"", 200, {"content-type": ["application/json"]}, deep)
    findings = validate_reply(reply, [chat_spec()], source="live", anchor="scenario:x", redactor=Redactor([]))
    assert [f.code for f in findings] == [Code.BODY_NOT_JSON]
    assert "JSON nesting exceeds the limit of 200 levels" in findings[0].message


@pytest.mark.parametrize("target", ["iter_spec_findings", "iter_doc_findings", "locked_change_findings"])
def test_a_crash_in_a_spec_or_page_check_is_a_finding_on_that_source(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, target: str) -> None:
    from aimlapi_contract import check
    from aimlapi_contract.check import CheckOptions, run_checks
    from aimlapi_contract.sources import DocsBase
    from aimlapi_contract.sources.lock import LockEntry

    def boom(*args: object, **kwargs: object) -> object:
        raise RecursionError("maximum recursion depth exceeded")

    # Each check's worker, where it is looked up (the docs lint runs in page/pool.py).
    from aimlapi_contract.page import pool

    monkeypatch.setattr(pool if target == "iter_doc_findings" else check, target, boom)
    lock = tmp_path / "lock.json"
    # a lock naming another version of the spec, so the spec diff runs
    from aimlapi_contract.sources.lock import write_lock

    write_lock({"mini-chat.json": LockEntry("u", "0" * 64, 1)}, lock)
    options = CheckOptions(DocsBase(str(DATA / "docs")), ["clean.md"], cache=tmp_path / "cache", lock_path=lock,
                           baseline_path=tmp_path / "baseline.json")
    report = run_checks(options)
    crashed = [f for f in report.findings if f.code is Code.CHECK_CRASHED]
    assert crashed and all(f.source in ("clean.md", "mini-chat.json", "mini-responses.json") for f in crashed), crashed
    assert "RecursionError" in crashed[0].message
    assert any(f.code is not Code.CHECK_CRASHED for f in report.findings)  # the other checks still ran


def test_an_empty_published_page_leaves_the_projects_baseline_byte_for_byte(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Given the project's own baseline, its committed cassettes, and a docs base whose tracked page is empty
    from aimlapi_contract.sources.base import DEFAULT_PAGE

    root = Path(__file__).parents[2]
    page = tmp_path / "docs" / DEFAULT_PAGE
    page.parent.mkdir(parents=True)
    page.write_text("")
    baseline = tmp_path / "baseline.json"
    shutil.copyfile(root / "specs" / "baseline.json", baseline)
    before = baseline.read_bytes()
    common = ["--docs-base", str(tmp_path / "docs"), "--page", DEFAULT_PAGE, "--cassettes", str(root / "cassettes" / "published-examples"),
              "--baseline", str(baseline), "--lock", str(tmp_path / "lock.json"), "--cache-dir", str(tmp_path / "cache")]
    # Then check is exit 2, and baseline --update afterwards drops nothing: neither the page's entries nor the cassettes'
    assert main(["check", *common]) == 2
    main(["baseline", "--update", *common])
    assert baseline.read_bytes() == before, capsys.readouterr()


def test_past_the_cap_findings_are_counted_alike_whether_or_not_the_checks_know_the_budget_is_full() -> None:
    # Given a stream whose events (all different) each break the schema and carry an undocumented field
    # (from event 20 on, `content` is a number: a kind first met once the cap is reached)
    events = [{"id": "c1", "object": "chat.completion.chunk", "extra_field": i,
               "choices": [{"index": 0, "delta": {"content": f"w{i}" if i < 20 else i}}]} for i in range(40)]
    body = ("".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n").encode()
    ex = Exchange("POST", "http://x/v1/chat/completions", {}, b"", 200, {"content-type": ["text/event-stream"]}, body)

    def run(budget: FindingBudget | None) -> list[dict[str, object]]:
        made = iter_located_findings(ex, [chat_spec()], source="c.yaml", anchor="interaction:0", lines=(1, 1, 1), budget=budget)
        return [f.to_dict() for f in bounded("c.yaml", made, budget)]

    # When the cap is 7, with and without telling the checks once it is reached
    with limits.applied(limits.with_overrides(findings_per_source=7)):
        told, untold = run(FindingBudget()), run(None)
    # Then the report is the same: 7 findings in full, and the rest counted per code
    assert told == untold
    assert len([f for f in told if f["code"] != Code.FINDINGS_TRUNCATED.value]) == 7
    assert [f["code"] for f in told if f["code"] == Code.FINDINGS_TRUNCATED.value]
    assert all(f["message"] for f in told)
    assert any("20 more CT211 findings on this cassette were not listed (first at interaction:0:event:20/choices/0/delta/content)"
               in str(f["message"]) for f in told)


def test_one_run_scans_the_cassette_directory_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A run asks for the cassettes to replay, for its scope and for what it skipped: one walk serves all three.
    from aimlapi_contract.traffic import scanning

    shutil.copy(GOOD, tmp_path / "a.yaml")
    (tmp_path / "notes.txt").write_text("not a cassette")
    walks: list[Path] = []
    real = scanning._scan
    monkeypatch.setattr(scanning, "_scan", lambda directory: walks.append(directory) or real(directory))
    with scanning.scanned_once():
        first = scanning.scan_cassettes(tmp_path)
        assert skipped_note(tmp_path) and scanning.scan_cassettes(tmp_path) is first
    assert walks == [tmp_path]
    scanning.scan_cassettes(tmp_path)  # outside a run, each call walks again (the directory may have changed)
    assert walks == [tmp_path, tmp_path]
