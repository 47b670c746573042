"""Apply a spec's schema to a payload through SchemaEngine, turning a broken schema into a finding, not a crash."""

from __future__ import annotations

import json
from typing import Any

from ..findings import Code, Finding, Severity
from ..sources import Spec
from .branches import refine_branches
from .engine import SchemaEngine, Violation


def validate(engine: SchemaEngine, direction: str, schema_pointer: str, instance: Any) -> tuple[list[Violation], str]:
    """(violations, "") or ([], why the schema could not be applied), e.g. `type` given as a list in OpenAPI 3.0."""
    check = engine.validate_request if direction == "request" else engine.validate_response
    try:
        return refine_branches(engine.spec, check, check(schema_pointer, instance)), ""
    except Exception as exc:  # the published schema is malformed: jsonschema raises many kinds of error
        return [], f"{type(exc).__name__}: {exc}".splitlines()[0][:200]


def unusable_schema(problem: str, what: str, *, source: str, schema_pointer: str, spec_source: str, **where: Any) -> Finding:
    """CT306: `what` (e.g. "the Response example") could not be checked because the schema is malformed."""
    return Finding(
        Code.DOC_SCHEMA_UNUSABLE,
        Severity.WARNING,
        source,
        f"{what} could not be checked: the schema at {schema_pointer} in {spec_source} is malformed ({problem})",
        extra={"schema_pointer": schema_pointer, "spec": spec_source},
        **where,
    )


def enum_fix(spec: Spec, violation: Violation) -> str:
    """The fix for an `enum` violation: the allowed values, or where to add the value; "" for other keywords."""
    if violation.keyword != "enum":
        return ""
    try:
        allowed = spec.resolve(violation.schema_pointer)
    except (KeyError, IndexError, ValueError, TypeError):
        return ""
    return (f"use one of {json.dumps(allowed, ensure_ascii=False)}, or add {json.dumps(violation.instance, ensure_ascii=False)} "
            f"to the enum at {violation.schema_pointer}")
