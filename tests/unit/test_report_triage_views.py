"""Every format reads in triage order: the text first screen, the Markdown step summary and the HTML page,
over the shared real recordings (acceptance) and over inputs built to stress them (size, scale, links)."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from aimlapi_contract.baseline import triage
from aimlapi_contract.cli import build_parser, main
from aimlapi_contract.findings import Code, Finding, Severity
from aimlapi_contract.reports import ReportContext, progress_on, render_html, render_markdown, wants_progress
from aimlapi_contract.reports.context import project_blob_from_env
from aimlapi_contract.reports.html_page import window
from aimlapi_contract.reports.markdown import MAX_BYTES
from aimlapi_contract.reports.model import Report
from aimlapi_contract.reports.text import render_text

ROOT = Path(__file__).parents[2]
SHA = "0123456789abcdef0123456789abcdef01234567"


# --- acceptance over the twelve shared real recordings -------------------------------------------------

@pytest.fixture(scope="module")
def sample_reports(shared_dir: Path, mirror_cache: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """One `check` over the shared real recordings, every format written (the project's baseline and lock)."""
    samples = shared_dir / "real-traffic-samples"
    if not samples.is_dir():
        pytest.skip(f"{samples} (the shared real recordings) is absent")
    out = tmp_path_factory.mktemp("sample-reports")
    args = ["check", "--docs-base", str(shared_dir / "aimlapi-docs"), "--cache-dir", str(mirror_cache),
            "--cassettes", str(samples)]
    for fmt in ("text", "json", "markdown", "html"):
        args += ["--format", fmt, "--output", str(out / f"report.{fmt}")]
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)
        for name in ("CI", "GITHUB_SHA", "GITHUB_REPOSITORY"):
            mp.delenv(name, raising=False)
        assert main(args) == 1  # the recordings carry new errors
    yield {fmt: (out / f"report.{fmt}").read_text(encoding="utf-8") for fmt in ("text", "json", "markdown", "html")}


def _new_causes(data: dict[str, object]) -> list[dict[str, object]]:
    findings: list[dict[str, object]] = data["findings"]  # type: ignore[assignment]
    return [f for f in findings if f["code"] == "CT220" and not f["baselined"]]


def test_text_first_40_lines_hold_the_root_causes_with_their_fixes(sample_reports: dict[str, str]) -> None:
    data = json.loads(sample_reports["json"])
    causes = _new_causes(data)
    assert len(causes) > 20, "the recordings have many root causes"
    head = sample_reports["text"].splitlines()[:40]
    s = data["summary"]
    assert head[0].startswith(f"{s['new']} new findings") and f"{s['baselined']} baselined" in head[0]
    shown = [i for i, line in enumerate(head) if re.match(r"^\s*\d+\. (error|warning|info)\s+CT220 ", line)]
    assert len(shown) >= 8
    # The widest error cause (counted from the JSON, independently of the renderer) is the first one shown.
    widest = max((c for c in causes if c["severity"] == "error"), key=lambda c: c["extra"]["count"])  # type: ignore[index]
    assert f"{widest['extra']['count']} payload(s)" in head[shown[0]]  # type: ignore[index]
    assert all(head[i + 2].lstrip().startswith("fix: ") for i in shown)
    assert any("-v" in line for line in head)  # and where the rest is
    # Before, the first screen was one finding per SSE event and the causes began at line 1,625.
    assert not any("event 0 (body line" in line for line in head)


def test_markdown_opens_with_a_root_cause_and_counts_equal_the_json(sample_reports: dict[str, str]) -> None:
    data, text = json.loads(sample_reports["json"]), sample_reports["markdown"]
    s = data["summary"]
    assert text.startswith(f"## ❌ aimlapi-contract: {s['new']} new finding(s), {s['baselined']} baselined, "
                           f"{s['stale_baseline_entries']} stale baseline entries")
    for sev in ("error", "warning", "info"):
        new, total = s["new_by_severity"][sev], s["by_severity"][sev]
        assert f"| {sev} | {new} | {total - new} | {total} |" in text
    first = next(line for line in text.splitlines() if re.match(r"^\s*(\d+\.|-) \*\*CT\d{3}", line))
    assert first.startswith("1. **CT220 error**")
    assert f"### Root causes ({len(_new_causes(data))})" in text
    assert "?plain=1#L" in text and len(text.encode()) < MAX_BYTES
    assert "<details><summary>" in text and text.count("<details") == text.count("</details>")


def test_html_has_contents_plain_line_links_and_stays_small(sample_reports: dict[str, str]) -> None:
    data, page = json.loads(sample_reports["json"]), sample_reports["html"]
    assert len(page.encode()) < 500_000  # was 1 MB here, and 20 MB for 400 recordings
    toc = page[page.index('<nav id="toc"'):page.index("</nav>")]
    assert '<a href="#causes">Root causes</a>' in toc and f'data-count-of="causes">{len(_new_causes(data))}<' in toc
    assert re.search(r'href="https://github\.com/aimlapi/api-docs/blob/main/[^"]+\.json\?plain=1#L\d+"', page)
    assert sorted(re.findall(r'id="f-([0-9a-f]{16})"', page)) == sorted(f["fingerprint"] for f in data["findings"])


# --- HTML under stress ---------------------------------------------------------------------------------

def _report(findings: list[Finding], baselined: list[Finding] = ()) -> Report:  # type: ignore[assignment]
    tri = triage(findings, [])
    accepted = {id(f) for f in baselined}
    tri.new[:] = [f for f in tri.new if id(f) not in accepted]
    tri.baselined[:] = list(baselined)
    return Report(findings, tri)


def test_a_minified_one_line_spec_gives_a_small_page_with_the_member_in_view() -> None:
    """A 2.6 MB spec on one line: each snippet is a window around the pointer's column, never the whole line."""
    props = {f"p{i}": {"type": "string", "description": "x" * 40} for i in range(40_000)}
    text = json.dumps({"openapi": "3.0.0", "components": {"schemas": {"S": {"properties": props}}}})
    assert len(text) > 2_600_000 and "\n" not in text
    source = "docs/minified.json"
    findings = [Finding(Code.SPEC_NULLABLE_WITHOUT_TYPE, Severity.WARNING, source, "typeless",
                        pointer=f"/components/schemas/S/properties/p{i}") for i in range(0, 40_000, 400)]
    page = render_html(_report(findings), ReportContext(texts={source: text}))
    assert len(page) < 150_000
    assert '"p30000": {"type": "string"' in page  # the member itself is in its window
    assert page.count("<mark><i>1</i>…") == len(findings)


def test_window_keeps_short_lines_and_marks_cuts() -> None:
    assert window("short", 3) == "short"
    line = "a" * 100 + "KEY" + "b" * 300
    cut = window(line, 101, width=60)
    assert "KEY" in cut and cut.startswith("…") and cut.endswith("…") and len(cut) == 62


def test_html_at_catalogue_scale_stays_proportionate() -> None:
    findings = [Finding(Code.DOC_EXAMPLE_SCHEMA_MISMATCH, Severity.ERROR if i % 3 else Severity.WARNING,
                        f"docs/page-{i % 700}.md", f"example {i} does not match: `field{i}`", line=i % 90 + 1,
                        pointer=f"/a/{i}", fix=f"set `field{i}` to a string")
                for i in range(6_000)]
    page = render_html(_report(findings, findings[5_000:]))
    assert page.count('class="finding ') == 6_000
    assert len(page) / 6_000 < 900  # bytes per finding, everything included


def test_inline_code_and_fix_blocks_are_rendered_and_escaped() -> None:
    f = Finding(Code.DOC_EXAMPLE_NOT_JSON, Severity.ERROR, "p.md", "stray text `a<b>` before /x/y~1z",
                fix='replace the block with this JSON: {"id": "<x>"}', line=1)
    page = render_html(_report([f]))
    assert "stray text <code>a&lt;b&gt;</code> before <code>/x/y~1z</code>" in page
    assert '<pre data-copy><code>{\n  "id": "&lt;x&gt;"\n}</code></pre>' in page
    assert '<button type="button" class="copy">Copy</button>' in page


# --- Markdown under stress and its links ---------------------------------------------------------------

def test_markdown_stays_within_the_summary_limit_with_balanced_details() -> None:
    findings = [Finding(Code.UNDOCUMENTED_FIELD, Severity.WARNING, f"cassettes/c{i % 500}.yaml", "x" * 200 + f" {i}",
                        line=i, pointer=f"/f{i}") for i in range(30_000)]
    causes = [Finding(Code.TRAFFIC_ROOT_CAUSE, Severity.ERROR, "docs/s.json", f"{i} payload(s) share one cause",
                      pointer=f"/c{i}", fix="fix it", extra={"count": 1}) for i in range(300)]
    text = render_markdown(_report([*causes, *findings]))
    assert len(text.encode()) <= MAX_BYTES
    assert text.count("<details") == text.count("</details>")
    assert "left out to stay within GitHub's summary limit" in text
    first = next(line for line in text.splitlines() if re.match(r"^\s*(\d+\.|-) \*\*CT\d{3}", line))
    assert first.startswith("1. **CT220 error**")


def test_markdown_links_cassettes_at_the_commit_and_docs_lines_plain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # cassette sources are relative to the project root
    cassette = "cassettes/published-examples/responses.yaml"
    assert (ROOT / cassette).is_file()
    inside = Finding(Code.SEMANTIC_OUTPUT_OVER_LIMIT, Severity.ERROR, cassette, "too many tokens", line=23)
    outside = Finding(Code.SEMANTIC_OUTPUT_OVER_LIMIT, Severity.ERROR, "../shared/x.yaml", "too many tokens", line=3)
    page = Finding(Code.DOC_EXAMPLE_SCHEMA_MISMATCH, Severity.ERROR, "docs/p.md", "bad", line=7)
    blob = project_blob_from_env({"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "o/r", "GITHUB_SHA": SHA})
    context = ReportContext(texts={"docs/p.md": "x\n" * 10}, ref="f14fa72f", project_blob=blob)
    text = render_markdown(_report([inside, outside, page]), context)
    assert f"(https://github.com/o/r/blob/{SHA}/{cassette}?plain=1#L23)" in text
    assert "(https://github.com/aimlapi/api-docs/blob/f14fa72f/docs/p.md?plain=1#L7)" in text
    assert "<code>../shared/x.yaml:3</code>" in text and "../shared/x.yaml:3</code>](" not in text
    assert project_blob_from_env({"GITHUB_REPOSITORY": "o/r"}) == ""  # a local run: no commit, no links
    assert project_blob_from_env({"GITHUB_REPOSITORY": "o/r x", "GITHUB_SHA": SHA}) == ""


# --- text ----------------------------------------------------------------------------------------------

def _many_causes(n: int) -> list[Finding]:
    out = []
    for i in range(n):
        c = Finding(Code.TRAFFIC_ROOT_CAUSE, Severity.ERROR, "docs/s.json", f"{i + 1} payload(s) share one cause, e.g. …",
                    pointer="/paths/~1v1~1x/post/responses/200/content/application~1json/schema/properties/" + "a/" * 30 + f"f{i}",
                    fix="add null at /paths/~1v1~1x/post/responses/200/content/application~1json/schema/" + "b/" * 30,
                    extra={"count": i + 1, "cassettes": ["c.yaml"]})
        out += [c, Finding(Code.NULL_NOT_ALLOWED, Severity.ERROR, "c.yaml", f"m{i}", line=i + 1, extra={"cause_key": list(c.key)})]
    return out


def test_text_first_screen_fits_the_screen_and_verbose_lists_everything() -> None:
    findings = _many_causes(60)
    report = _report(findings)
    text = render_text(report, lines=30, width=100)
    lines = text.splitlines()
    assert len(lines) <= 30 and max(map(len, lines)) <= 100
    assert "60 payload(s) share one cause" in lines[2]  # the widest first
    assert "more root causes" in text and "m0" not in text
    full = render_text(report, verbose=True, lines=30, width=100)
    assert all(f"c.yaml:{i + 1}: CT206 error: m{i}" in full for i in range(60))
    assert full.splitlines()[-1] == lines[0]  # the verdict again at the end of a long listing


def test_cli_verbose_flag_reaches_the_text_report(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from aimlapi_contract import cli
    from aimlapi_contract.sources.docset import DocSet

    report = _report(_many_causes(50))
    from aimlapi_contract.sources.specs import Spec

    report.docsets.append(DocSet("p.md", "# page\n", specs={"s.json": Spec("s.json", {"openapi": "3.0.0"}, "0" * 64)}))  # a spec was checked
    monkeypatch.setattr(cli, "run_checks", lambda options: report)
    assert cli.main(["check", "--page", "p.md", "--docs-base", str(ROOT)]) == 1
    short = capsys.readouterr().out
    assert cli.main(["check", "--page", "p.md", "--docs-base", str(ROOT), "-v"]) == 1
    full = capsys.readouterr().out
    assert "m49" not in short and "m49" in full and len(full.splitlines()) > len(short.splitlines()) > 5


# --- CLI help and progress -----------------------------------------------------------------------------

@pytest.mark.parametrize("command", ["fetch", "check", "baseline", "live", "diff"])
def test_every_subcommand_help_has_a_description_and_an_example(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    sub = build_parser()._subparsers._group_actions[0].choices[command]  # type: ignore[union-attr]
    assert sub.description and sub.description.splitlines()[0] in out
    assert re.search(rf"^example:\n  (\S+=\S+ )?aimlapi-contract {command} ", out, re.M)


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_only_on_a_terminal_outside_ci_and_not_quiet() -> None:
    assert wants_progress(_Tty(), env={}) is True
    assert wants_progress(_Tty(), env={"CI": "true"}) is False
    assert wants_progress(_Tty(), env={"CI": "false"}) is True
    assert wants_progress(_Tty(), quiet=True, env={}) is False
    assert wants_progress(_Tty(), env={"TERM": "dumb"}) is False
    assert wants_progress(io.StringIO(), env={}) is False


def test_progress_draws_each_step_and_leaves_nothing_behind() -> None:
    stream = _Tty()
    with progress_on(stream, True) as step:
        assert step is not None
        step("loading 1 page(s) and their specs", 0, 3)
        step("cassette conformance", 2, 3)
    drawn = stream.getvalue()
    assert "cassette conformance" in drawn and "2/3" in drawn
    with progress_on(stream, False) as step:
        assert step is None


def test_check_reports_its_steps_to_the_progress_callback(tmp_path: Path) -> None:
    from aimlapi_contract.check import CheckOptions, run_checks
    from aimlapi_contract.sources.base import DocsBase

    (tmp_path / "p.md").write_text("# page\n")
    seen: list[tuple[str, int, int]] = []
    options = CheckOptions(DocsBase(str(tmp_path)), ["p.md"], cache=tmp_path / "cache", baseline_path=tmp_path / "b.json",
                           lock_path=tmp_path / "lock.json", progress=lambda *step: seen.append(step))
    run_checks(options)
    assert seen[0][1:] == (0, 7) and seen[-1] == ("page coverage", 6, 7)
    assert [done for _, done, _ in seen] == list(range(7))


def test_html_lists_at_most_max_members_behind_a_cause_and_says_where_the_rest_are() -> None:
    from aimlapi_contract.reports.html_page import MAX_MEMBERS

    findings = _many_causes(1)
    cause = findings[0]
    findings += [Finding(Code.NULL_NOT_ALLOWED, Severity.ERROR, "c.yaml", f"n{i}", line=i + 2, anchor=f"i:{i}",
                         extra={"cause_key": list(cause.key)}) for i in range(MAX_MEMBERS + 50)]
    page = render_html(_report(findings))
    assert page.count("<li class=\"finding ") == MAX_MEMBERS
    assert f"{MAX_MEMBERS + 51} findings behind it" in page and "… and 51 more like these" in page


def test_markdown_fix_payload_is_a_fence_untrusted_text_cannot_close() -> None:
    payload = '{"content": "```\\n<script>x</script>\\n````"}'
    f = Finding(Code.DOC_EXAMPLE_NOT_JSON, Severity.ERROR, "p.md", "not JSON", line=1,
                fix=f"replace the block with this JSON: {payload}")
    text = render_markdown(_report([f]))
    block = text[text.index("`````json"):]
    assert block.index("`````", 5) > block.index("<script>")  # the fence (5 backticks) outlasts the payload's 4
    assert '"content": "```\\n<script>x</script>\\n````"' in block


def test_markdown_says_a_shared_message_and_fix_once_per_group() -> None:
    findings = [Finding(Code.SPEC_NULLABLE_WITHOUT_TYPE, Severity.WARNING, "docs/s.json", "typeless `nullable`",
                        line=i, pointer=f"/p{i}", fix="give it a `type`") for i in range(1, 6)]
    text = render_markdown(_report(findings))
    assert text.count("typeless <code>nullable</code>") == 1 and text.count("give it a <code>type</code>") == 1
    assert all(f"<code>/p{i}</code>" in text for i in range(1, 6))


def test_causes_and_the_findings_behind_them_are_escaped_in_html_and_markdown() -> None:
    from test_reports import HOSTILE, parse_html

    cause = Finding(Code.TRAFFIC_ROOT_CAUSE, Severity.ERROR, "docs/s.json", HOSTILE, pointer="/<b>", endpoint=HOSTILE,
                    anchor=HOSTILE, fix=HOSTILE, extra={"count": 1, "cassettes": [HOSTILE]})
    behind = Finding(Code.NULL_NOT_ALLOWED, Severity.ERROR, f"c/{HOSTILE}.yaml", HOSTILE, line=1, pointer=HOSTILE,
                     anchor=HOSTILE, extra={"cause_key": list(cause.key)})
    page = render_html(_report([cause, behind]))
    tags = [t for t, _ in parse_html(page).tags]
    assert tags.count("script") == 1 and "img" not in tags and "b" not in tags
    text = render_markdown(_report([cause, behind]))
    assert "<script>" not in text and "<img" not in text and "](javascript:" not in text


def test_a_checked_report_is_in_report_order_and_reads_the_same_as_one_sorted_again(
    shared_dir: Path, mirror_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # run_checks marks its report `ordered`, and the triage view then does not sort it again: the mark must be
    # true (findings in sort_key order, the new ones a subsequence of them) and change no format's output.
    import dataclasses

    from aimlapi_contract import cli
    from aimlapi_contract.findings import sort_key
    from aimlapi_contract.reports import FORMATS, render_report

    samples = shared_dir / "real-traffic-samples"
    if not samples.is_dir():
        pytest.skip(f"{samples} (the shared real recordings) is absent")
    made: list[Report] = []
    run_checks = cli.run_checks
    monkeypatch.setattr(cli, "run_checks", lambda options: made.append(run_checks(options)) or made[-1])
    monkeypatch.chdir(ROOT)
    cli.main(["check", "--docs-base", str(shared_dir / "aimlapi-docs"), "--cache-dir", str(mirror_cache),
              "--cassettes", str(samples), "--format", "json", "--output", str(mirror_cache / "ordered.json")])
    report = made[0]
    assert report.ordered and len(report.triage.new) > 100
    keys = [sort_key(f) for f in report.findings]
    assert keys == sorted(keys)
    position = {id(f): i for i, f in enumerate(report.findings)}
    assert [position[id(f)] for f in report.triage.new] == sorted(position[id(f)] for f in report.triage.new)
    unordered = dataclasses.replace(report, ordered=False)
    context = ReportContext.from_report(report, project_blob="")
    for fmt in FORMATS:
        assert render_report(fmt, report, context, verbose=True) == render_report(fmt, unordered, context, verbose=True), fmt
