"""A catalogue run: pages and specs by glob, GitBook's three embed tags, placeholders, pages without a spec,
recordings routed by model, and one defect on many pages as one group."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from aimlapi_contract.check import CheckOptions, run_checks
from aimlapi_contract.cli import main
from aimlapi_contract.errors import UsageError
from aimlapi_contract.findings import Code
from aimlapi_contract.sources import DocsBase, load_spec
from aimlapi_contract.sources.catalogue import expand, glob_regex
from aimlapi_contract.sources.models import documented_models, operation_for_model
from aimlapi_contract.traffic import iter_cassette_findings

DATA = Path(__file__).parents[1] / "data"
MINI_CHAT = json.loads((DATA / "docs" / "mini-chat.json").read_text())
NANO = "openai/gpt-4.1-nano-2025-04-14"


def chat_spec(model: str) -> dict:
    """The mini chat spec as the catalogue's generator would write it for `model`."""
    spec = json.loads(json.dumps(MINI_CHAT))
    spec["paths"]["/v1/chat/completions"]["post"]["requestBody"]["content"]["application/json"]["schema"]["properties"]["model"]["enum"] = [model]
    return spec


def page(embed: str, model: str) -> str:
    """A model page from the catalogue's template: the embed, a Python sample, a Response example that is a Python dict."""
    return f"""# {model}

{embed}

```python
import requests

response = requests.post(
    "https://api.aimlapi.com/v1/chat/completions",
    headers={{"Authorization": "Bearer <YOUR_AIMLAPI_KEY>", "Content-Type": "application/json"}},
    json={{"model": "{model}", "messages": [{{"role": "user", "content": "Hello"}}]}},
)
```

<details>

<summary>Response</summary>

```json
{{'id': 'chatcmpl-1', 'object': 'chat.completion', 'choices': [], 'model': '{model}'}}
```

</details>
"""


RAW = "https://raw.githubusercontent.com/aimlapi/api-docs/refs/heads/main/"


@pytest.fixture
def catalogue(tmp_path: Path) -> Path:
    """A small catalogue laid out like upstream: four pages from one template, three specs (one linked by no page)."""
    root = tmp_path / "docs-base"
    specs = root / "docs" / "specs"
    pages = root / "docs" / "models"
    specs.mkdir(parents=True)
    pages.mkdir(parents=True)
    for name in ("alpha", "beta", "gamma"):
        (specs / f"{name}.json").write_text(json.dumps(chat_spec(f"acme/{name}"), indent=2))
    op = 'path="/v1/chat/completions" method="post"'
    (pages / "alpha.md").write_text(page(
        f'{{% openapi-operation spec="alpha" {op} %}}\n[OpenAPI](https://github.com/aimlapi/api-docs/raw/refs/heads/main/docs/specs/alpha.json)\n{{% endopenapi-operation %}}',
        "acme/alpha"))
    (pages / "beta.md").write_text(page(f'{{% openapi src="../specs/beta.json" {op} %}}\n[beta.json](<../specs/beta.json>)\n{{% endopenapi %}}', "acme/beta"))
    (pages / "gamma.md").write_text(page(f'{{% openapi-operation spec="gamma" {op} %}}\n[Broken link](/broken/openapi/gamma)\n{{% endopenapi-operation %}}', "acme/gamma"))
    (pages / "delta.md").write_text(page("", "acme/gamma"))
    return root


def run(catalogue: Path, tmp_path: Path, pages: list[str], specs: list[str] = (), **kw: object) -> tuple[list, object]:
    base = DocsBase(str(catalogue))
    options = CheckOptions(docs_base=base, pages=expand(base, pages, ".md"), specs=expand(base, list(specs), ".json", flag="--specs"),
                           cache=tmp_path / "cache", baseline_path=tmp_path / "none.json", lock_path=tmp_path / "lock.json",
                           root=tmp_path, **kw)  # type: ignore[arg-type]
    report = run_checks(options)
    return report.findings, report


# --- which pages and specs a run covers ----------------------------------------------------------------

def test_a_folder_and_a_glob_name_the_same_pages(catalogue: Path) -> None:
    base = DocsBase(str(catalogue))
    every = ["docs/models/alpha.md", "docs/models/beta.md", "docs/models/delta.md", "docs/models/gamma.md"]
    assert expand(base, ["docs"], ".md") == every
    assert expand(base, ["docs/**/*.md"], ".md") == every
    assert expand(base, ["docs/models/[ab]*.md", "docs/models/alpha.md"], ".md") == every[:2]
    assert expand(base, ["docs/models/missing.md"], ".md") == ["docs/models/missing.md"]  # reported CT101 when read


def test_a_glob_matching_nothing_is_a_usage_error(catalogue: Path) -> None:
    with pytest.raises(UsageError, match="matches no .md file"):
        expand(DocsBase(str(catalogue)), ["docs/nothing/**/*.md"], ".md")


def test_an_http_base_expands_globs_against_the_pinned_paths_only() -> None:
    base = DocsBase("https://docs.test/")
    pinned = ["docs/a/x.md", "docs/a/b/y.md", "docs/a/x.json", "docs/c/z.md"]
    assert expand(base, ["docs/a/**/*.md"], ".md", known=pinned) == ["docs/a/b/y.md", "docs/a/x.md"]
    assert expand(base, ["docs/a/"], ".md", known=pinned) == ["docs/a/b/y.md", "docs/a/x.md"]
    assert expand(base, ["docs/q/p.md"], ".md", known=pinned) == ["docs/q/p.md"]
    with pytest.raises(UsageError) as err:
        expand(base, ["docs/**/*.md"], ".md", known=[])
    assert "fetch --docs-base DIR" in err.value.tip


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        pytest.param("docs/**/*.md", "docs/a.md", True, id="double-star-no-folder"),
        pytest.param("docs/**/*.md", "docs/a/b/c.md", True, id="double-star-folders"),
        pytest.param("docs/*.md", "docs/a/c.md", False, id="star-stays-in-folder"),
        pytest.param("docs/?.md", "docs/a.md", True, id="question-mark"),
        pytest.param("docs/[!b].md", "docs/b.md", False, id="negated-class"),
    ],
)
def test_glob_regex(pattern: str, path: str, matches: bool) -> None:
    assert bool(glob_regex(pattern).fullmatch(path)) is matches


# --- discovery, placeholders, pages without a spec --------------------------------------------------------

def test_every_embed_form_loads_its_spec_and_lost_ones_are_findings(catalogue: Path, tmp_path: Path) -> None:
    findings, report = run(catalogue, tmp_path, ["docs/models"], ["docs/specs"])
    loaded = {ds.page: sorted(ds.specs) for ds in report.docsets}
    assert loaded["docs/models/alpha.md"] == ["docs/specs/alpha.json"]  # github.com/.../raw/refs/heads/main form
    assert loaded["docs/models/beta.md"] == ["docs/specs/beta.json"]  # {% openapi src %} with an <angled> link
    assert loaded["docs/specs/gamma.json"] == ["docs/specs/gamma.json"]  # linked by no page: --specs
    placeholder = [f for f in findings if f.code is Code.DOC_SPEC_LINK_PLACEHOLDER]
    assert [(f.source, f.line) for f in placeholder] == [("docs/models/gamma.md", 3)]
    assert "docs/specs/gamma.json` documents its model `acme/gamma`" in placeholder[0].message
    assert RAW + "docs/specs/gamma.json" in placeholder[0].fix
    assert not [f for f in findings if f.code is Code.DOC_SPEC_LINK_BROKEN]  # a placeholder is not "outside the repo"
    nolink = [f for f in findings if f.code is Code.DOC_PAGE_NO_SPEC_LINK]
    assert [f.source for f in nolink] == ["docs/models/delta.md"]
    assert "docs/specs/gamma.json" in nolink[0].fix


def test_a_tracked_model_the_specs_do_not_document_is_a_warning(catalogue: Path, tmp_path: Path) -> None:
    findings, _ = run(catalogue, tmp_path, ["docs/models/alpha.md", "docs/models/beta.md"],
                      tracked_models={"docs/models/alpha.md": "acme/omega", "docs/models/beta.md": "acme/beta"})
    assert [(f.code, f.source) for f in findings if f.code is Code.TRACKED_MODEL_UNDOCUMENTED] == [
        (Code.TRACKED_MODEL_UNDOCUMENTED, "docs/models/alpha.md")]


# --- one defect on many pages ----------------------------------------------------------------------------

def test_the_same_template_defect_on_many_pages_is_one_group(catalogue: Path, tmp_path: Path) -> None:
    findings, report = run(catalogue, tmp_path, ["docs/models"], ["docs/specs"])
    groups = [f for f in findings if f.code is Code.CATALOGUE_GROUP]
    not_json = [g for g in groups if g.extra["defect"][0] == "CT310"]
    assert len(not_json) == 1
    assert not_json[0].extra["count"] == 4 and len(not_json[0].extra["pages"]) == 4
    assert not_json[0].message.startswith("4 pages share one template defect (CT310 example:python-repr)")
    assert not_json[0] in report.triage.new  # its members are new
    assert report.notes[0].startswith("catalogue: 4 of 4 page(s) checked, 4 with errors, 0 without findings")


def test_one_page_makes_no_group(catalogue: Path, tmp_path: Path) -> None:
    findings, report = run(catalogue, tmp_path, ["docs/models/alpha.md"])
    assert not [f for f in findings if f.code is Code.CATALOGUE_GROUP]
    assert not [n for n in report.notes if n.startswith("catalogue:")]


# --- recordings routed by model ----------------------------------------------------------------------------

CASSETTE = """interactions:
- request:
    body: '{{"model": "{model}", "messages": [{{"role": "user", "content": "Hi"}}]}}'
    headers:
      Content-Type: [application/json]
    method: POST
    uri: https://api.aimlapi.com/v1/chat/completions
  response:
    body:
      string: '{{"id": "c1", "object": "chat.completion", "choices": [], "model": "{model}"}}'
    headers:
      Content-Type: [application/json]
    status: {{code: 200, message: OK}}
version: 1
"""


def test_models_are_read_from_the_request_enum_through_refs_and_branches() -> None:
    spec = load_spec("s.json", json.dumps({
        "openapi": "3.0.0", "info": {"title": "t", "version": "1"},
        "paths": {"/v1/x": {"post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/X"}}}},
                                     "responses": {"200": {"description": "OK"}}}}},
        "components": {"schemas": {"X": {"oneOf": [{"properties": {"model": {"enum": ["a", "b"]}}},
                                                    {"properties": {"model": {"$ref": "#/components/schemas/M"}}}]},
                                   "M": {"type": "string", "const": "c"}}},
    }).encode())
    assert documented_models(spec) == {"POST /v1/x": frozenset({"a", "b", "c"})}


def test_a_recording_goes_to_the_spec_of_its_model_not_the_first_with_its_path(tmp_path: Path) -> None:
    specs = [load_spec(f"{m}.json", json.dumps(chat_spec(f"acme/{m}")).encode()) for m in ("alpha", "beta")]
    assert operation_for_model(specs, "/v1/chat/completions", "post", "acme/beta")[0].source == "beta.json"  # type: ignore[index]
    (tmp_path / "beta.yaml").write_text(CASSETTE.format(model="acme/beta"))
    assert list(iter_cassette_findings(tmp_path, specs)) == []  # alphabetically first would call its model drift


def test_a_recording_of_an_untracked_model_is_said_once_and_the_rest_still_checked(tmp_path: Path) -> None:
    specs = [load_spec(f"{m}.json", json.dumps(chat_spec(f"acme/{m}")).encode()) for m in ("alpha", "beta")]
    (tmp_path / "other.yaml").write_text(CASSETTE.format(model="gpt-4o-mini").replace('"choices": []', '"choices": 3'))
    found = {(f.code, f.pointer) for f in iter_cassette_findings(tmp_path, specs)}
    assert (Code.RECORDING_OTHER_MODEL, "/model") in found
    assert (Code.REQUEST_SCHEMA_MISMATCH, "/model") not in found  # not "add it to the enum"
    assert (Code.RESPONSE_SCHEMA_MISMATCH, "/choices") in found  # the rest of it is checked


# --- the CLI ----------------------------------------------------------------------------------------------

def test_check_pages_and_specs_from_the_cli(catalogue: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    code = main(["check", "--docs-base", str(catalogue), "--pages", "docs/models/*.md", "--specs", "docs/specs",
                 "--cache-dir", str(tmp_path / "c"), "--format", "json"])
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert code == 1
    assert err.startswith("note: catalogue: 4 of 4 page(s) checked")
    assert {f["code"] for f in report["findings"]} >= {"CT114", "CT115", "CT310", "CT920"}
    assert set(report["summary"]["pages"]) == {f"docs/models/{n}.md" for n in ("alpha", "beta", "gamma", "delta")}


def test_fetch_pins_every_page_and_spec_a_glob_names(catalogue: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    lock = tmp_path / "lock.json"
    assert main(["fetch", "--docs-base", str(catalogue), "--pages", "docs/models", "--specs", "docs/specs/*.json",
                 "--lock", str(lock), "--cache-dir", str(tmp_path / "c")]) == 0
    pinned = set(json.loads(lock.read_text())["sources"])
    assert {"docs/models/alpha.md", "docs/models/delta.md", "docs/specs/alpha.json", "docs/specs/gamma.json"} <= pinned


# --- noise at catalogue scale -----------------------------------------------------------------------------

def test_placeholder_values_are_not_payload_drift() -> None:
    from aimlapi_contract.page.sample_checks import is_placeholder_value

    assert is_placeholder_value("<message>") and is_placeholder_value(" <YOUR_PROMPT> ")
    assert not is_placeholder_value("a <b> c") and not is_placeholder_value(5) and not is_placeholder_value("<>")


def test_findings_in_components_no_operation_uses_are_one_info_per_spec() -> None:
    from aimlapi_contract.findings import Finding, Severity
    from aimlapi_contract.spec.reachability import collapse_unreferenced

    data = {
        "openapi": "3.0.0", "info": {"title": "t", "version": "1"},
        "paths": {"/v1/x": {"post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Used"}}}},
                                     "responses": {"200": {"description": "OK"}}}}},
        "components": {"schemas": {"Used": {"properties": {"a": {"$ref": "#/components/schemas/Deep"}}},
                                   "Deep": {"nullable": True}, "Other": {"nullable": True}, "Other2": {"nullable": True}}},
    }
    spec = load_spec("s.json", json.dumps(data).encode())
    lint = [Finding(Code.SPEC_NULLABLE_WITHOUT_TYPE, Severity.WARNING, "s.json", "m", pointer=f"/components/schemas/{n}")
            for n in ("Deep", "Other", "Other2")]
    out = list(collapse_unreferenced(lint, [spec]))
    assert [f.pointer for f in out if f.code is Code.SPEC_NULLABLE_WITHOUT_TYPE] == ["/components/schemas/Deep"]  # reached via Used
    [info] = [f for f in out if f.code is Code.SPEC_UNREFERENCED_COMPONENTS]
    assert info.severity is Severity.INFO and info.extra["count"] == 2
    assert info.message.startswith("2 component(s) are referenced by no operation; 2 finding(s) inside 2 of them")


def test_an_http_base_checks_the_catalogue_a_directory_fetch_pinned(catalogue: Path, tmp_path: Path, httpserver: HTTPServer,
                                                                     monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """When a mirror is pinned once with `fetch --pages`, then the same glob is checked against an http base serving it."""
    monkeypatch.chdir(tmp_path)
    lock = tmp_path / "lock.json"
    assert main(["fetch", "--docs-base", str(catalogue), "--pages", "docs/models", "--lock", str(lock), "--cache-dir", str(tmp_path / "c1")]) == 0
    for path in catalogue.rglob("*"):
        if path.is_file():
            httpserver.expect_request("/" + path.relative_to(catalogue).as_posix()).respond_with_data(path.read_bytes())
    capsys.readouterr()
    code = main(["check", "--docs-base", httpserver.url_for("/"), "--pages", "docs/models/**/*.md", "--lock", str(lock),
                 "--cache-dir", str(tmp_path / "c2"), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert sorted(report["summary"]["pages"]) == [f"docs/models/{n}.md" for n in ("alpha", "beta", "delta", "gamma")]
    assert all(page["checked"] for page in report["summary"]["pages"].values())


def test_a_broken_link_names_the_spec_that_documents_the_model(catalogue: Path, tmp_path: Path) -> None:
    page = catalogue / "docs" / "models" / "beta.md"
    page.write_text(page.read_text().replace("../specs/beta.json", "../specs/renamed.json"))
    findings, _ = run(catalogue, tmp_path, ["docs/models/beta.md"], ["docs/specs/beta.json"])
    [broken] = [f for f in findings if f.code is Code.DOC_SPEC_LINK_BROKEN]
    assert "`docs/specs/beta.json` documents its model `acme/beta`" in broken.fix
    assert RAW + "docs/specs/beta.json" in broken.fix
