"""One enum fix for every payload checked against a spec: Response examples, code samples, spec examples."""

from __future__ import annotations

import json

from aimlapi_contract.sources.specs import load_spec
from aimlapi_contract.validation.engine import Violation
from aimlapi_contract.validation.schema_use import enum_fix

SPEC = load_spec("s.json", json.dumps({"components": {"schemas": {"mode": {"type": "string", "enum": ["a", "b"]}}}}).encode())
AT = "/components/schemas/mode/enum"


def test_enum_fix_names_the_values_and_where_to_add_the_one_sent() -> None:
    violation = Violation("/mode", "'c' is not one of ['a', 'b']", "enum", AT, "c")
    assert enum_fix(SPEC, violation) == f'use one of ["a", "b"], or add "c" to the enum at {AT}'


def test_null_is_named_in_json_terms() -> None:
    assert enum_fix(SPEC, Violation("/mode", "", "enum", AT, None)).endswith(f"add null to the enum at {AT}")


def test_no_fix_for_other_keywords_or_an_unknown_pointer() -> None:
    assert enum_fix(SPEC, Violation("/mode", "", "type", AT, 1)) == ""
    assert enum_fix(SPEC, Violation("/mode", "", "enum", "/components/schemas/gone/enum", "c")) == ""
