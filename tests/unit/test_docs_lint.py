"""The docs-drift lint over fixture pages (one defect each, plus a clean one) and the published history."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from aimlapi_contract.findings import Finding
from aimlapi_contract.page.lint import iter_doc_findings
from aimlapi_contract.sources.base import DEFAULT_PAGE, DocsBase
from aimlapi_contract.sources.docset import DocSet, load_docset
from aimlapi_contract.sources.fetch import Fetcher

DATA = Path(__file__).parents[1] / "data" / "docs"


def docset(base: Path, page: str) -> DocSet:
    return load_docset(Fetcher(DocsBase.from_setting(str(base))), page)


def lint(page: str) -> list[Finding]:
    return list(iter_doc_findings(docset(DATA, page)))


def summary(findings: list[Finding]) -> set[tuple[str, int | None, str]]:
    return {(f.code.value, f.line, f.pointer) for f in findings}


def test_clean_page_has_no_findings() -> None:
    ds = docset(DATA, "clean.md")
    assert not ds.findings and len(ds.specs) == 2
    assert list(iter_doc_findings(ds)) == []


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        # Response examples
        pytest.param("example-python-repr.md", {("CT310", 27, ""), ("CT312", 27, "/choices/0/finish_reason")}, id="python-repr"),
        pytest.param("example-truncated.md", {("CT310", 25, "")}, id="truncated"),
        # JSON5 in a ```json5 fence is what the fence says; in a ```json fence readers copy it as JSON
        pytest.param("example-json5.md", {("CT311", 38, "")}, id="json5"),
        pytest.param(
            "example-responses-drift.md",
            {("CT312", 23, "/reasoning/summary"), ("CT341", 24, "/usage/output_tokens"), ("CT342", 22, "/output/0/status")},
            id="responses-drift",
        ),
        # Code samples
        pytest.param(
            "sample-defects.md",
            {
                ("CT321", 18, "/url"), ("CT322", 18, "/url"), ("CT323", 22, "/headers/content-type"),
                ("CT325", 24, "/model"), ("CT324", 29, "/headers/Authorization"), ("CT324", 31, "/headers/Content-Type"),
                ("CT325", 41, "/max_tokens"), ("CT326", 29, "/model"), ("CT326", 41, "/model"),
                # a different prompt, an optional field one language adds: one info finding per sample
                ("CT326", 29, ""), ("CT326", 36, ""),
            },
            id="sample-defects",
        ),
        # One broken block never stops the others
        pytest.param(
            "unterminated-fence.md",
            {("CT304", 16, ""), ("CT320", 22, ""), ("CT324", 28, "/headers/Authorization"), ("CT312", 40, "/choices/0/finish_reason")},
            id="unterminated-fence",
        ),
        # Page-to-spec links
        pytest.param("link-broken.md", {("CT302", 3, ""), ("CT302", 6, ""), ("CT303", 10, ""), ("CT302", 14, ""),
                                        ("CT329", 18, ""), ("CT329", 19, "")}, id="links"),
    ],
)
def test_fixture_page_findings(page: str, expected: set[tuple[str, int | None, str]]) -> None:
    assert summary(lint(page)) == expected


def test_link_severity_follows_what_readers_get() -> None:
    findings = lint("link-broken.md")
    by_line = {(f.code.value, f.line): f for f in findings}
    assert by_line[("CT302", 6)].severity.label == "warning"  # an external link may work; the suite just cannot follow it
    assert by_line[("CT302", 14)].severity.label == "error"  # the linked spec is not there
    gitbook = sorted((f.line, f.column, f.anchor) for f in findings if f.code.value == "CT329")
    assert gitbook == [(18, 64, "broken-link:/broken/pages/ngeSCZKxiGVWqYZTHDjY"), (19, 8, "broken-link:broken-reference"),
                       (19, 50, "broken-link:broken-reference#1")]
    assert all(f.severity.label == "error" for f in findings if f.code.value == "CT329")


def test_findings_keys_are_unique_per_page() -> None:
    for page in sorted(DATA.glob("*.md")):
        findings = lint(page.name)
        assert len({f.key for f in findings}) == len(findings), page.name


def test_python_repr_fix_is_the_converted_json() -> None:
    (not_json,) = [f for f in lint("example-python-repr.md") if f.code.value == "CT310"]
    assert "stray text before the value: `fix me later`" in not_json.message
    assert "Python dict repr" in not_json.message and "`None`" in not_json.message
    assert not_json.fix.startswith("remove the stray text `fix me later` and replace the block with this JSON: {")
    assert '"logprobs": null' in not_json.fix
    assert not_json.extra["converted"]["choices"][0]["finish_reason"] == "done"
    assert not_json.extra["validated_against"] == "mini-chat.json#/paths/~1v1~1chat~1completions/post/responses/200/content/application~1json/schema"


def test_duplicate_header_with_different_values_is_an_error_naming_both_lines() -> None:
    (dup,) = [f for f in lint("sample-defects.md") if f.code.value == "CT323"]
    assert dup.severity.label == "error"
    assert "line 20 and line 22" in dup.message and "'text/plain'" in dup.message


def test_unterminated_fence_names_where_the_text_was_cut() -> None:
    (fence,) = [f for f in lint("unterminated-fence.md") if f.code.value == "CT304"]
    assert fence.fix == "add a closing ``` after line 22"


# The published page: the acceptance items of issue 4, on the mirror and on each older version.


def test_mirror_page_acceptance(shared_dir: Path) -> None:
    findings = list(iter_doc_findings(docset(shared_dir / "aimlapi-docs", DEFAULT_PAGE)))
    page = [f for f in findings if f.source == DEFAULT_PAGE]
    by = {(f.code.value, f.line, f.pointer): f for f in page}
    not_json = by[("CT310", 153, "")]
    assert "`move exampes up for openai`" in not_json.message and "Python dict repr" in not_json.message
    assert not_json.fix.endswith("}") and "replace the block with this JSON: {\"id\": \"chatcmpl-" in not_json.fix
    assert not_json.extra["validated_against"].endswith("/paths/~1v1~1chat~1completions/post/responses/200/content/application~1json/schema")
    assert "null is not allowed: `nullable: true`, but the enum ['auto', 'concise', 'detailed'] lacks null" in by[("CT312", 266, "/reasoning/summary")].message
    assert "2520" in by[("CT341", 283, "/usage/output_tokens")].message
    dup = by[("CT323", 176, "/headers/Content-Type")]
    assert "line 172 and line 176" in dup.message


# Per published version: the page findings expected (code, line, pointer). Every version keeps the chat
# repr block, the responses example drift and the duplicate header; only line numbers move. The oldest
# version's specs add a wrong HTTP x-codeSample and a cURL/HTTP payload ("hi") that differs from the page.
_PAGE_DRIFT = {
    "2025-11-27-2a766332": 143 - 153,
    "2026-01-16-7c5e4d70": 155 - 153,
    "2026-04-22-5134a9d2": 0,
}


@pytest.mark.parametrize("version", sorted(_PAGE_DRIFT))
def test_history_version_findings(shared_dir: Path, version: str) -> None:
    base = shared_dir / "aimlapi-docs-history" / version
    if not base.is_dir():
        pytest.skip(f"{base} is absent")
    findings = list(iter_doc_findings(docset(base, DEFAULT_PAGE)))
    shift = _PAGE_DRIFT[version]
    page = {(f.code.value, f.line, f.pointer) for f in findings if f.source == DEFAULT_PAGE}
    expected = {
        ("CT310", 153 + shift, ""),
        ("CT323", 176 + shift, "/headers/Content-Type"),
        ("CT312", 266 + shift, "/reasoning/summary"),
        ("CT341", 283 + shift, "/usage/output_tokens"),
        ("CT342", 250 + shift, "/output/1/status"),
    }
    if version >= "2026-04-22":
        expected.add(("CT329", 50, ""))  # the Quickstart link GitBook marked /broken/pages/ngeSCZKxiGVWqYZTHDjY
    if version.startswith("2025-11-27"):
        expected.add(("CT306", 153 + shift, ""))  # that chat spec has a `type` list the validator cannot apply
    assert page == expected
    specs = {(f.code.value, f.anchor, f.pointer) for f in findings if f.source != DEFAULT_PAGE and f.code.value != "CT330"}
    if version.startswith("2025-11-27"):
        assert {("CT321", "x-codeSamples@POST /v1/responses:HTTP", "/url"),
                ("CT322", "x-codeSamples@POST /v1/responses:HTTP", "/url")} <= specs
        # "hi" where the page says "Hello": free text, so one info finding per sample, never a warning
        assert ("CT326", "x-codeSamples@POST /v1/chat/completions:cURL:minor", "") in specs
        assert all(f.severity.label == "info" for f in findings if f.code.value == "CT326")
    else:
        assert specs == set()
    truncation = [f for f in findings if f.code.value == "CT330"]
    assert len(truncation) == 7 and all(f.pointer.endswith("/properties/truncation/example") for f in truncation)


def test_mirror_lint_is_fast(shared_dir: Path) -> None:
    ds = docset(shared_dir / "aimlapi-docs", DEFAULT_PAGE)
    start = time.perf_counter()
    list(iter_doc_findings(ds))
    assert time.perf_counter() - start < 1.0  # ~0.05 s measured; generous for a loaded CI box


def test_check_cli_reports_the_lint_in_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """When `check` runs on a page with drift, then the JSON report carries the lint's findings and the run fails."""
    from aimlapi_contract.cli import main

    rc = main(["check", "--docs-base", str(DATA), "--page", "example-responses-drift.md", "--format", "json",
               "--baseline", str(tmp_path / "baseline.json"), "--lock", str(tmp_path / "lock.json")])
    report = json.loads(capsys.readouterr().out)
    found = {(f["code"], f["line"], f["pointer"]) for f in report["findings"]}
    assert rc == 1
    assert ("CT341", 24, "/usage/output_tokens") in found and ("CT312", 23, "/reasoning/summary") in found


def test_a_new_problem_in_a_known_block_is_a_new_finding(tmp_path: Path) -> None:
    # Given the repr example as baselined, when stray text is added after it (or its stray text is replaced),
    # then the CT310 key changes: the baseline entry for the old diagnosis does not hide the new problem.
    for name in ("example-python-repr.md", "mini-chat.json", "mini-responses.json"):
        (tmp_path / name).write_bytes((DATA / name).read_bytes())
    page = tmp_path / "example-python-repr.md"
    before = {f.key for f in iter_doc_findings(docset(tmp_path, page.name)) if f.code.value == "CT310"}
    original = page.read_text(encoding="utf-8")
    page.write_text(original.replace("'total_tokens': 10}}\n", "'total_tokens': 10}} trailing words\n"), encoding="utf-8")
    after = {f.key for f in iter_doc_findings(docset(tmp_path, page.name)) if f.code.value == "CT310"}
    page.write_text(original.replace(" fix me later{", " other words{"), encoding="utf-8")
    replaced = {f.key for f in iter_doc_findings(docset(tmp_path, page.name)) if f.code.value == "CT310"}
    assert len(before) == len(after) == len(replaced) == 1
    assert before != after and before != replaced and after != replaced
