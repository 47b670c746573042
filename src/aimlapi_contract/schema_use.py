"""Apply a spec's schema to a payload through SchemaEngine, turning a broken schema into a finding, not a crash."""

from __future__ import annotations

from typing import Any

from .engine import SchemaEngine, Violation
from .findings import Code, Finding, Severity


def validate(engine: SchemaEngine, direction: str, schema_pointer: str, instance: Any) -> tuple[list[Violation], str]:
    """(violations, "") or ([], why the schema could not be applied), e.g. `type` given as a list in OpenAPI 3.0."""
    check = engine.validate_request if direction == "request" else engine.validate_response
    try:
        return check(schema_pointer, instance), ""
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
