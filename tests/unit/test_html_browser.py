"""The HTML report in a real headless browser: Debian's chromium driven by Playwright.

The default view shows only new findings; the baselined toggle, the severity filters and the search work
and leave no empty heading; nothing overflows sideways at 420 px or 1,400 px, in the light or dark theme.
Screenshots go to reports/screenshots/ (uploaded by CI with the other reports).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aimlapi_contract.baseline import BaselineEntry, stale_findings, triage
from aimlapi_contract.findings import Code, Finding, Severity
from aimlapi_contract.reports import ReportContext, render_html
from aimlapi_contract.reports.model import Report

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright (a test dependency) is not installed")

ROOT = Path(__file__).parents[2]
SHOTS = ROOT / "reports" / "screenshots"
CHROMIUM_ENV = "AIMLAPI_CHROMIUM"  # where the browser is, when not on PATH as chromium


def chromium_path() -> str | None:
    """Debian's chromium (installed by .ci/run), Chrome (on GitHub's runners), or the binary named by $AIMLAPI_CHROMIUM."""
    named = os.environ.get(CHROMIUM_ENV)
    if named:
        return named if Path(named).is_file() else None
    names = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
    return next((p for p in map(shutil.which, names) if p), None)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless chromium for the module; skipped, saying why, only where there is none to launch."""
    path = chromium_path()
    if path is None:
        pytest.skip(f"no chromium binary (apt-get install chromium, or set ${CHROMIUM_ENV}); .ci/run installs it")
    with playwright_api.sync_playwright() as p:
        # --no-sandbox: CI containers run as root, where chromium's sandbox refuses to start.
        b = p.chromium.launch(executable_path=path, args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


LONG_POINTER = "/paths/~1v1~1responses/post/responses/200/content/text~1event-stream/schema/oneOf/51/" + "properties/x/" * 12 + "y"
CASSETTE = "../shared/real-traffic-samples/responses-stream-10.yaml"


def _report() -> tuple[Report, ReportContext]:
    """New causes with members, other new errors and warnings, baselined ones and a stale entry, with long text."""
    spec = "docs/api/spec.json"
    spec_text = "{\n" + "".join(f'  "k{i}": {{"nullable": true, "description": "{"word " * 60}"}},\n' for i in range(60)) + '  "z": 1\n}\n'
    page = "docs/api/page.md"
    page_text = "# Page\n" + "".join(f"line {i} " + "x" * 400 + "\n" for i in range(40))
    findings: list[Finding] = []
    for n in range(3):
        cause = Finding(Code.TRAFFIC_ROOT_CAUSE, Severity.ERROR, spec, f"{5 - n} payload(s) in 1 cassette(s) share one cause "
                        f"(CT206 null), e.g. x", line=3 + n, pointer=LONG_POINTER + str(n), endpoint="POST /v1/responses",
                        anchor=f"null{n}", fix=f"add null to the enum at {LONG_POINTER}{n}",
                        extra={"count": 5 - n, "cassettes": [CASSETTE]})
        findings.append(cause)
        findings += [Finding(Code.NULL_NOT_ALLOWED, Severity.ERROR, CASSETTE, f"event {i}: response.usage: null is not allowed",
                             line=10 + i, pointer=LONG_POINTER, anchor=f"interaction:0:event:{n * 10 + i}",
                             extra={"cause_key": list(cause.key)}) for i in range(5 - n)]
    findings.append(Finding(Code.DOC_EXAMPLE_SCHEMA_MISMATCH, Severity.ERROR, page, "the Response example does not match: "
                            "`reasoning.summary` is null", line=12, pointer=LONG_POINTER, endpoint="POST /v1/responses",
                            fix='replace the block with this JSON: {"id": "resp_1", "object": "response", "output": ' + '"' + "y" * 500 + '"}'))
    findings.append(Finding(Code.UNDOCUMENTED_FIELD, Severity.WARNING, page, "searchable-needle is sent but undocumented", line=20))
    accepted = [Finding(Code.SPEC_NULLABLE_WITHOUT_TYPE, Severity.WARNING, spec, "`nullable: true` has no effect without `type`",
                        line=2 + i, pointer=f"/k{i}", fix="give this schema a `type`") for i in range(0, 40, 4)]
    findings += accepted
    entries = [BaselineEntry.from_finding(f, "known") for f in accepted]
    entries.append(BaselineEntry("CT110", spec, "", "/gone", "", reason="fixed upstream"))
    tri = triage(findings, entries)
    stale = stale_findings(tri.stale)
    tri.new.extend(stale)
    report = Report([*findings, *stale], tri)
    return report, ReportContext(texts={spec: spec_text, page: page_text}, ref="f14fa72f")


@pytest.fixture(scope="module")
def page_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    report, context = _report()
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(render_html(report, context), encoding="utf-8")
    return path


def _open(browser: Any, path: Path, width: int, scheme: str = "light") -> Any:
    page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    page.errors = errors  # checked by the tests: a script error would silently disable the filters
    return page


def _visible(page: Any, selector: str) -> int:
    return int(page.evaluate(f"[...document.querySelectorAll({selector!r})].filter(e => e.checkVisibility()).length"))


def _overflow(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def test_default_view_shows_only_new_findings_and_the_toggle_shows_baselined(browser: Any, page_file: Path) -> None:
    page = _open(browser, page_file, 1400)
    assert _visible(page, ".finding.cause") == 3 and _visible(page, ".finding.baselined") == 0
    assert _visible(page, "#causes") == 1 and _visible(page, "#other") == 1 and _visible(page, "#stale") == 1
    assert _visible(page, "#baselined > summary") == 1  # collapsed: the count shows, the findings do not
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "default-1400.png"), full_page=True)
    page.check("#show-baselined")
    assert _visible(page, ".finding.baselined") == 10
    page.uncheck("#show-baselined")
    assert _visible(page, ".finding.baselined") == 0
    assert page.errors == []
    page.close()


def test_severity_filters_and_search_hide_what_does_not_match_and_its_empty_headings(browser: Any, page_file: Path) -> None:
    page = _open(browser, page_file, 1400)
    page.uncheck("input[data-sev=error]")
    assert _visible(page, ".finding.error") == 0 and _visible(page, "#causes") == 0  # no empty heading left
    assert _visible(page, ".finding.warning") == 1
    page.check("input[data-sev=error]")
    page.fill("#search", "searchable-needle")
    page.wait_for_timeout(400)  # the search waits for typing to pause
    assert _visible(page, ".finding") == 1 and _visible(page, "#causes") == 0 and _visible(page, "#stale") == 0
    assert page.inner_text("[data-count-of=other]") == "1"
    # A path finds the findings behind a cause (listed under their cassette): the cause opens to show them.
    page.fill("#search", "responses-stream-10")
    page.wait_for_timeout(400)
    assert _visible(page, "li.finding") == 12 and _visible(page, ".finding.cause") == 3
    page.fill("#search", "CT110")  # a code: the stale entry names it
    page.wait_for_timeout(400)
    assert _visible(page, "#stale .finding") == 1 and _visible(page, "#causes") == 0
    page.fill("#search", "")
    page.wait_for_timeout(400)
    assert _visible(page, ".finding.cause") == 3
    assert page.errors == []
    page.close()


@pytest.mark.parametrize("width", [420, 1400])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_nothing_overflows_sideways_with_everything_open(browser: Any, page_file: Path, width: int, scheme: str) -> None:
    page = _open(browser, page_file, width, scheme)
    assert _overflow(page) <= 0
    page.check("#show-baselined")
    page.click("#expand")
    assert _visible(page, "li.finding") == 12  # every finding behind the causes, opened
    assert _overflow(page) <= 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"expanded-{width}-{scheme}.png"), full_page=width < 1000)
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert (background == "rgb(13, 17, 23)") == (scheme == "dark")
    assert page.errors == []
    page.close()


def test_theme_button_switches_and_fix_copies(browser: Any, page_file: Path) -> None:
    context = browser.new_context(viewport={"width": 1000, "height": 800}, color_scheme="light")
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(page_file.as_uri())
    page.click("#theme")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(13, 17, 23)"
    page.click("#theme")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"
    button = page.locator("#other .fix button.copy").first
    button.click()
    page.wait_for_function("document.querySelector('#other .fix button.copy').textContent === 'Copied'")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith('{\n  "id": "resp_1"')  # the payload block, pretty-printed, not the prose
    context.close()


def test_the_shared_recordings_report_opens_clean(browser: Any, shared_dir: Path, mirror_cache: Path,
                                                  tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from aimlapi_contract.cli import main

    samples = shared_dir / "real-traffic-samples"
    if not samples.is_dir():
        pytest.skip(f"{samples} is absent")
    monkeypatch.chdir(ROOT)
    out = tmp_path / "report.html"
    main(["check", "--docs-base", str(shared_dir / "aimlapi-docs"), "--cache-dir", str(mirror_cache),
          "--cassettes", str(samples), "--format", "html", "--output", str(out), "--quiet"])
    for width in (420, 1400):
        page = _open(browser, out, width)
        assert _visible(page, ".finding.baselined") == 0 and _visible(page, ".finding.cause") > 20
        # The contents' counts, kept up to date by the filters, start as the page was written.
        assert page.inner_text("[data-count-of=baselined]") == str(page.evaluate("document.querySelectorAll('#baselined .finding').length"))
        assert page.inner_text("[data-count-of=causes]") == str(page.evaluate("document.querySelectorAll('#causes .finding.cause').length"))
        assert _overflow(page) <= 0
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"real-samples-{width}.png"))
        page.check("#show-baselined")
        page.click("#expand")
        assert _overflow(page) <= 0
        assert page.errors == []
        page.close()
