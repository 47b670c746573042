"""Replaying a cassette directory: the CLI report, the page-derived cassettes, and real traffic from elsewhere."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from shared_paths import MIRROR
from traffic_specs import both_specs

from aimlapi_contract.cli import main
from aimlapi_contract.errors import UsageError
from aimlapi_contract.findings import Code
from aimlapi_contract.sources.specs import Spec, load_spec
from aimlapi_contract.traffic.replay import interaction_items, iter_cassette_findings

ROOT = Path(__file__).parents[2]
DATA = ROOT / "tests" / "data" / "cassettes"


def real_samples() -> Path:
    """../shared/real-traffic-samples beside the repo (CI), else beside the docs mirror in $AIMLAPI_DOCS_BASE."""
    from shared_paths import SHARED

    candidates = [ROOT.parent / "shared" / "real-traffic-samples", SHARED / "real-traffic-samples"]
    for path in candidates:
        if path.is_dir():
            return path
    pytest.skip(f"no real traffic samples at {' or '.join(map(str, candidates))}")


def check_json(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], cassettes: Path | str) -> tuple[int, dict]:
    monkeypatch.chdir(ROOT)
    code = main(["check", "--cassettes", str(cassettes), "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def test_page_derived_cassettes_report_exactly_the_known_drift(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, report = check_json(monkeypatch, capsys, "cassettes/published-examples")  # not live recordings
    # Schema drift (CT2xx) and the semantic rules the recorded replies break (CT34x), as on the page.
    traffic = {
        (f["code"], f["pointer"], f["baselined"])
        for f in report["findings"]
        if f["code"].startswith("CT2") or (f["code"].startswith("CT34") and f["source"].startswith("cassettes/"))
    }
    responses = "/paths/~1v1~1responses/post/responses/200/content/application~1json/schema/properties"
    chat = "/paths/~1v1~1chat~1completions/post/responses/200/content/application~1json/schema/properties"
    assert traffic == {
        ("CT206", "/reasoning/summary", True),
        ("CT220", f"{responses}/reasoning/properties/summary", True),
        ("CT207", "/output/1/id", True),
        ("CT220", f"{responses}/output/items/oneOf/0/properties/id", True),
        ("CT207", "/output/1/status", True),
        ("CT220", f"{responses}/output/items/oneOf/0/properties/status", True),
        ("CT207", "/system_fingerprint", True),
        ("CT220", f"{chat}/system_fingerprint", True),
        ("CT341", "/usage/output_tokens", True),
        ("CT342", "/output/1/status", True),
    }
    assert code == 0


def test_real_traffic_from_elsewhere_is_processed_and_every_failure_has_a_json_path(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    samples = real_samples()
    code, report = check_json(monkeypatch, capsys, samples)
    assert code == 1  # findings, not a crash (2) and not silence (0)
    findings = [f for f in report["findings"] if f["code"].startswith("CT2") and f["code"] != "CT220"]
    assert not [f for f in findings if f["code"] == "CT209"], "a real cassette could not be read"
    by_interaction: dict[tuple[str, str], list[dict]] = {}
    for f in findings:
        by_interaction.setdefault((f["source"], ":".join(f["anchor"].split(":")[:2])), []).append(f)
    cassettes = sorted(samples.glob("*.yaml"))
    # Every sample is OpenAI traffic of models no tracked spec documents (gpt-4o-mini, gpt-4.1-mini): each
    # interaction is said to be a recording of another model (CT250 at /model), not enum drift, and the
    # rest of it is still checked: every error it has names its JSON path.
    assert len(by_interaction) == len(cassettes) == 12
    for where, failures in by_interaction.items():
        assert any(f["code"] == "CT250" and f["pointer"] == "/model" for f in failures), where
        assert not any(f["code"] == "CT204" and f["pointer"] == "/model" for f in failures), where
        assert all(f["pointer"].startswith("/") for f in failures if f["severity"] == "error" and f["code"] != "CT212"), where
    causes = [f for f in report["findings"] if f["code"] == "CT220"]
    assert any(f["anchor"] == "null" and f["pointer"].endswith("/reasoning/properties/summary") for f in causes)


def test_one_bad_cassette_never_stops_the_others(tmp_path: Path) -> None:
    for name in ("corrupt.yaml", "hostile.yaml", "response-bad-enum.yaml"):
        shutil.copy(DATA / name, tmp_path / name)
    findings = list(iter_cassette_findings(tmp_path, both_specs()))
    unreadable = sorted(f.source.rsplit("/", 1)[-1] for f in findings if f.code is Code.CASSETTE_UNREADABLE)
    assert unreadable == ["corrupt.yaml", "hostile.yaml"]
    assert any(f.code is Code.RESPONSE_SCHEMA_MISMATCH for f in findings)


def test_a_missing_directory_is_a_usage_error_not_a_finding(tmp_path: Path) -> None:
    for replay in (lambda d: list(iter_cassette_findings(d, both_specs())), interaction_items):
        with pytest.raises(UsageError, match=f"cassette directory {tmp_path / 'nope'} does not exist") as err:
            replay(tmp_path / "nope")
        assert "--cassettes DIR" in err.value.tip


def test_check_with_a_missing_cassette_directory_exits_2_naming_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.chdir(ROOT)
    assert main(["check", "--cassettes", str(tmp_path / "nonexistent")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"error: cassette directory {tmp_path / 'nonexistent'} does not exist"
    assert err[1].startswith("tip: ")


def test_finding_keys_do_not_depend_on_the_working_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    """`cd tests && pytest contract/test_cassettes.py` must hit the same baseline entries as a run from the root."""
    keys = {}
    for cwd in (ROOT, ROOT / "tests", ROOT / "src" / "aimlapi_contract"):
        monkeypatch.chdir(cwd)
        keys[cwd] = sorted(f.key for f in iter_cassette_findings(DATA, both_specs(), root=ROOT))
    assert keys[ROOT] == keys[ROOT / "tests"] == keys[ROOT / "src" / "aimlapi_contract"]
    assert {k[1] for k in keys[ROOT] if k[0] != "CT220"} >= {"tests/data/cassettes/response-bad-enum.yaml"}


def test_cassettes_outside_the_root_keep_the_path_as_given(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "root").mkdir()
    (tmp_path / "shared").mkdir()
    shutil.copy(DATA / "response-bad-enum.yaml", tmp_path / "shared" / "x.yaml")
    monkeypatch.chdir(tmp_path / "root")
    given = Path("../shared")
    sources = {f.source for f in iter_cassette_findings(given, both_specs(), root=tmp_path / "root") if f.code is not Code.TRAFFIC_ROOT_CAUSE}
    assert sources == {"../shared/x.yaml"}


def test_items_name_cassette_interaction_and_endpoint(tmp_path: Path) -> None:
    for name in ("corrupt.yaml", "chat-valid.yaml", "interaction-status-not-a-number.yaml"):
        shutil.copy(DATA / name, tmp_path / name)
    ids = [item.id for item in interaction_items(tmp_path)]
    assert ids == [
        "chat-valid.yaml#0 POST /v1/chat/completions",
        "corrupt.yaml#unreadable",
        "interaction-status-not-a-number.yaml#0 POST /v1/chat/completions",
        "interaction-status-not-a-number.yaml#1 (unreadable)",
    ]


def test_one_bad_interaction_is_its_own_ct209_and_the_rest_of_its_cassette_is_checked(tmp_path: Path) -> None:
    shutil.copy(DATA / "interaction-status-not-a-number.yaml", tmp_path / "x.yaml")
    findings = [f for f in iter_cassette_findings(tmp_path, both_specs()) if f.code is not Code.TRAFFIC_ROOT_CAUSE]
    assert [(f.code, f.anchor, f.line, f.pointer) for f in findings] == [
        (Code.RESPONSE_SCHEMA_MISMATCH, "interaction:0:response", 11, "/choices/0/finish_reason"),
        (Code.CASSETTE_UNREADABLE, "interaction:1", 13, ""),
    ]
    assert findings[1].message == "interaction 1 is not a vcrpy exchange: the response status code is 'two hundred', not an integer"


def _malformed_spec(schema: dict[str, Any], components: dict[str, Any] | None = None) -> Spec:
    op = {"post": {"responses": {"200": {"description": "OK", "content": {"application/json": {"schema": schema}}}}}}
    doc: dict[str, Any] = {"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {"/v1/broken": op}}
    if components:
        doc["components"] = {"schemas": components}
    return load_spec("broken.json", json.dumps(doc).encode())


def _cassette(path: Path, uri: str, body: str, n: int = 1) -> None:
    interaction = {
        "request": {"method": "POST", "uri": uri, "body": None, "headers": {}},
        "response": {"status": {"code": 200}, "headers": {"Content-Type": ["application/json"]}, "body": {"string": body}},
    }
    path.write_text(yaml.safe_dump({"interactions": [interaction] * n, "version": 1}))


@pytest.mark.parametrize(
    ("schema", "components", "problem"),
    [
        ({"type": "object", "properties": {"a": {"type": "string", "enum": 5}}}, None, "TypeError"),
        ({"$ref": "#/components/schemas/A"}, {"A": {"$ref": "#/components/schemas/A"}}, "Error"),
    ],
    ids=["enum-not-a-list", "self-referencing-ref"],
)
def test_a_malformed_schema_is_one_ct306_per_schema_and_the_rest_is_still_checked(
    tmp_path: Path, schema: dict[str, Any], components: dict[str, Any] | None, problem: str
) -> None:
    # Given two cassettes (three exchanges) hitting a malformed schema, and one with a real violation
    _cassette(tmp_path / "a.yaml", "http://h/v1/broken", '{"a": "z"}', n=2)
    _cassette(tmp_path / "b.yaml", "http://h/v1/broken", '{"a": "y"}')
    shutil.copy(DATA / "response-bad-enum.yaml", tmp_path / "c.yaml")
    findings = list(iter_cassette_findings(tmp_path, [*both_specs(), _malformed_spec(schema, components)]))
    # Then the malformed schema is one warning at the spec and schema pointer, not a crash
    (unusable,) = [f for f in findings if f.code is Code.DOC_SCHEMA_UNUSABLE]
    assert (unusable.source, unusable.anchor, unusable.endpoint) == ("broken.json", "traffic", "POST /v1/broken")
    assert unusable.pointer == "/paths/~1v1~1broken/post/responses/200/content/application~1json/schema"
    assert problem in unusable.message and "is malformed" in unusable.message
    # And the other cassette is still checked in full
    assert [(f.code, f.pointer) for f in findings if f.source.endswith("c.yaml")] == [(Code.RESPONSE_SCHEMA_MISMATCH, "/choices/0/finish_reason")]


def test_root_causes_are_pinned_to_their_line_in_the_spec(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _, report = check_json(monkeypatch, capsys, "cassettes/published-examples")
    causes = [f for f in report["findings"] if f["code"] == "CT220"]
    assert causes
    for cause in causes:
        spec_lines = (MIRROR / cause["source"]).read_text(encoding="utf-8").splitlines()
        # The schema location itself, or for an undocumented field (absent from the spec) its nearest parent.
        parts = cause["pointer"].split("/")
        expected = parts[-2] if cause["anchor"] == "undocumented" else parts[-1]
        assert spec_lines[cause["line"] - 1][cause["column"] - 1 :].startswith(f'"{expected}"'), cause


def test_a_cold_run_lints_while_it_replays_and_reports_what_a_serial_run_does(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import contextlib
    import threading

    from aimlapi_contract import check

    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(threading, "active_count", lambda: 1)  # threads other tests left behind
    started: list[bool] = []

    @contextlib.contextmanager
    def seen(work: Any) -> Any:
        with original(work) as ok:
            started.append(ok)
            yield ok

    original = check.in_background
    monkeypatch.setattr(check, "in_background", seen)
    linted_by = tmp_path / "linted-by"  # a file: the forked process' calls are seen here too

    def spied(lint: Any) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            if kwargs.get("only") != set():  # lint_pages(only=set()) lints nothing
                with linted_by.open("a") as out:
                    out.write(f"{os.getpid()}\n")
            return lint(*args, **kwargs)
        return run

    monkeypatch.setattr(check, "iter_spec_findings", spied(check.iter_spec_findings))
    monkeypatch.setattr(check, "lint_pages", spied(check.lint_pages))
    reports = []
    # Cold with the lints forked, cold with them inline, then warm again on the first cache (nothing to lint).
    for jobs, cache in (("2", tmp_path / "a"), ("1", tmp_path / "b"), ("2", tmp_path / "a")):
        monkeypatch.setenv("AIMLAPI_CONTRACT_JOBS", jobs)
        main(["check", "--cassettes", "cassettes/published-examples", "--format", "json", "--cache-dir", str(cache)])
        reports.append(capsys.readouterr().out)
        if jobs == "2" and len(reports) == 1:  # the first run linted in the forked process alone
            assert linted_by.read_text().split() and str(os.getpid()) not in linted_by.read_text().split()
    assert started == [True]  # the first run only: serial runs and warm caches lint inline
    assert reports[0] == reports[1] == reports[2]


def test_with_a_cache_it_cannot_write_a_cold_run_lints_here(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import threading

    from aimlapi_contract import check

    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    monkeypatch.setenv("AIMLAPI_CONTRACT_JOBS", "2")
    access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: Path(path).name != "findings" and access(path, mode, **kw))
    monkeypatch.setattr(check, "in_background", lambda work: pytest.fail("the lints went to a process that could not hand them back"))
    main(["check", "--cassettes", "cassettes/published-examples", "--format", "json", "--cache-dir", str(tmp_path / "c")])
    assert json.loads(capsys.readouterr().out)["findings"]
