"""Spec conformance findings on small fixture specs: each defect once, and a clean spec."""

from __future__ import annotations

from pathlib import Path

import pytest

from aimlapi_contract.findings import Code, Severity
from aimlapi_contract.sources.specs import load_spec
from aimlapi_contract.spec.lint import iter_spec_findings

SPECS = Path(__file__).parents[1] / "data" / "specs"


def _lint(name: str):  # noqa: ANN202
    return list(iter_spec_findings(load_spec(name, (SPECS / name).read_bytes())))


def test_clean_spec_has_no_findings() -> None:
    assert _lint("minimal-valid.json") == []


def test_each_defect_is_reported_at_its_pointer() -> None:
    found = {(f.code, f.pointer) for f in _lint("known-defects.json")}
    schema = "/paths/~1v1~1echo/post/requestBody/content/application~1json/schema/properties"
    assert found == {
        (Code.SPEC_INVALID_OPENAPI, "/paths/~1v1~1echo/post/responses/200"),
        (Code.SPEC_NULLABLE_WITHOUT_TYPE, f"{schema}/typeless"),
        (Code.SPEC_NULLABLE_ENUM_WITHOUT_NULL, f"{schema}/mode"),
        (Code.SPEC_SECURITY_UNAPPLIED, "/components/securitySchemes/bearer"),
    }


def test_missing_description_names_the_field_and_the_fix() -> None:
    (invalid,) = [f for f in _lint("known-defects.json") if f.code is Code.SPEC_INVALID_OPENAPI]
    assert invalid.severity is Severity.ERROR
    assert "'description' is a required property" in invalid.message
    assert invalid.endpoint == "POST /v1/echo"
    assert '"description"' in invalid.fix


def test_a_spec_too_malformed_to_validate_is_one_finding_not_a_crash() -> None:
    import json

    for data in (
        {"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {"/v1/chat/completions": 5}},
        {"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {},
         "components": {"schemas": {"A": {"$ref": "#/components/schemas/A"}}}},
    ):
        spec = load_spec("bad.json", json.dumps(data).encode())
        found = list(iter_spec_findings(spec))
        assert found and all(f.code is Code.SPEC_INVALID_OPENAPI for f in found)
        assert any("too malformed to check" in f.message for f in found)


def test_each_finding_is_on_the_line_of_its_pointer() -> None:
    text = (SPECS / "known-defects.json").read_text(encoding="utf-8").splitlines()
    findings = _lint("known-defects.json")
    assert findings
    for finding in findings:
        # the member the pointer names starts at line:column (its key, quoted)
        name = finding.pointer.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")
        assert finding.line and finding.column
        assert text[finding.line - 1][finding.column - 1 :].startswith(f'"{name}"'), finding


def test_spec_without_text_has_no_line() -> None:
    spec = load_spec("known-defects.json", (SPECS / "known-defects.json").read_bytes())
    spec.raw = b""  # a Spec built from data alone (no published bytes to find lines in)
    assert {f.line for f in iter_spec_findings(spec)} == {None}


def test_invalid_openapi_messages_are_whole_absolute_and_keyed_apart() -> None:
    import json as _json

    from aimlapi_contract.sources.specs import load_spec
    from aimlapi_contract.spec.lint import iter_spec_findings

    param = {"name": "p", "in": "header", "schema": {"type": "string"}}
    body = {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a", "zz"]}
    doc = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {
        "/x": {"post": {"parameters": [param, dict(param)], "requestBody": {"content": {"application/json": {"schema": body}}},
                        "responses": {"200": {"description": "OK"}, "201": {}}}},
        "/y": {"post": {"parameters": [param, dict(param)], "responses": {"200": {}}}}}}
    findings = [f for f in iter_spec_findings(load_spec("s.json", _json.dumps(doc).encode())) if f.code is Code.SPEC_INVALID_OPENAPI]
    by = {(f.pointer, f.message) for f in findings}
    # the reason is whole, not cut after a repr of the value
    assert ("/paths/~1x/post/parameters", "not valid OpenAPI 3.0: `/paths/~1x/post/parameters` has non-unique elements: "
            "items 0 and 1 are equal") in by
    # errors the validator reports without a path are pinned where they are, each occurrence at its own place
    assert {p for p, m in by if "Duplicate parameter 'p'" in m} == {"/paths/~1x/post/parameters", "/paths/~1y/post/parameters"}
    assert all(f.pointer.startswith("/paths/") for f in findings)
    assert len({f.key for f in findings}) == len(findings)


def test_findings_do_not_depend_on_the_hash_seed(shared_dir: Path) -> None:
    # jsonschema orders a oneOf's context by set iteration; the 2025-11-27 spec has equally deep causes.
    import os
    import subprocess
    import sys

    specs = sorted((shared_dir / "aimlapi-docs-history").glob("2025-11-27-*/**/*.json"))
    if not specs:
        pytest.skip("the 2025-11-27 history version is absent")
    code = ("import sys; from pathlib import Path; from aimlapi_contract.sources import load_spec; "
            "from aimlapi_contract.spec import iter_spec_findings; "
            "print(sorted((f.pointer, f.message, f.anchor) for a in sys.argv[1:] "
            "for f in iter_spec_findings(load_spec(a, Path(a).read_bytes()))))")
    runs = {subprocess.run([sys.executable, "-c", code, *map(str, specs)], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("0", "1", "2")}
    assert len(runs) == 1 and "not valid OpenAPI 3.0" in runs.pop()
