"""Schema validation of payloads against a spec's schemas, by JSON pointer: the one place verdicts come from.

Validators are built once per (spec sha256, schema pointer). A `oneOf` whose branches each pin a
`type` property to one value (the /v1/responses stream events) is dispatched on that property, so a
failing event is reported against its own event type, not as 53 branch errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator

from .findings import pointer_from_path
from .specs import Spec


@dataclass(frozen=True, slots=True)
class Violation:
    """One way a payload breaks its schema."""

    pointer: str  # into the payload, e.g. "/choices/0/finish_reason"
    message: str  # jsonschema's wording: expected vs actual
    keyword: str  # the failing keyword: "enum", "type", "required", ...
    schema_pointer: str  # into the spec, where a fix would go
    instance: Any
    branch: str = ""  # the oneOf branch chosen by dispatch, e.g. "response.output_text.delta"


class SchemaEngine:
    """Validates payloads against one spec's schemas. Direction matters (readOnly/writeOnly)."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self._validators: dict[tuple[str, str], Any] = {}
        self._dispatch: dict[str, dict[str, str] | None] = {}

    def validate_request(self, schema_pointer: str, instance: Any) -> list[Violation]:
        return self._validate(schema_pointer, instance, "write")

    def validate_response(self, schema_pointer: str, instance: Any) -> list[Violation]:
        return self._validate(schema_pointer, instance, "read")

    def _validate(self, schema_pointer: str, instance: Any, direction: str) -> list[Violation]:
        branch = ""
        dispatch = self._branches(schema_pointer)
        if dispatch is not None and isinstance(instance, dict) and instance.get("type") in dispatch:
            branch = instance["type"]
            schema_pointer = dispatch[branch]
        validator = self._validator(schema_pointer, direction)
        out = []
        for error in validator.iter_errors(instance):
            out.append(
                Violation(
                    pointer=pointer_from_path(error.absolute_path),
                    message=error.message,
                    keyword=str(error.validator),
                    schema_pointer=schema_pointer + pointer_from_path(error.absolute_schema_path),
                    instance=error.instance,
                    branch=branch,
                )
            )
        return sorted(out, key=lambda v: (v.pointer, v.keyword))

    def _validator(self, schema_pointer: str, direction: str) -> Any:
        key = (schema_pointer, direction)
        if key not in self._validators:
            cls = OAS30WriteValidator if direction == "write" else OAS30ReadValidator
            self._validators[key] = cls(self.spec.resolve(schema_pointer))
        return self._validators[key]

    def _branches(self, schema_pointer: str) -> dict[str, str] | None:
        """For a oneOf discriminated by a single-valued `type` property: type value -> branch pointer."""
        if schema_pointer not in self._dispatch:
            schema = self.spec.resolve(schema_pointer)
            table: dict[str, str] | None = None
            branches = schema.get("oneOf") if isinstance(schema, dict) else None
            if isinstance(branches, list) and branches:
                table = {}
                for i, branch in enumerate(branches):
                    enum = ((branch.get("properties") or {}).get("type") or {}).get("enum") if isinstance(branch, dict) else None
                    if not (isinstance(enum, list) and len(enum) == 1) or enum[0] in table:
                        table = None
                        break
                    table[enum[0]] = f"{schema_pointer}/oneOf/{i}"
            self._dispatch[schema_pointer] = table
        return self._dispatch[schema_pointer]
