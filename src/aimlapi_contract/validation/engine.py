"""Schema validation of payloads against a spec's schemas, by JSON pointer: the one place verdicts come from.

Two validators per (spec sha256, schema pointer, direction), both built once:

- a compiled one (jsonschema-rs over the schema translated by `oas30_dialect`) decides accept/reject,
  in about a microsecond for a stream event;
- openapi-schema-validator's OAS30Read/WriteValidator, with openapi-core's format checker, runs
  only when the compiled one rejects (or cannot be built), to explain the failure. It has the last
  word, so Violation messages and pointers are exactly what openapi-core reports.

A `oneOf` whose branches each pin a `type` property to one string (the /v1/responses stream events)
is dispatched on that property, so a failing event is reported against its own event type, not as
53 branch errors. Payloads are JSON values as `json.loads` makes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..findings import pointer_from_path
from ..sources import Spec
from .dialect import READ, WRITE, Untranslatable, format_checks, to_json_schema

# Keywords that say nothing about validity: a oneOf beside only these may be dispatched.
_ANNOTATIONS = {"description", "title", "example", "examples", "externalDocs", "deprecated", "xml"}
# What jsonschema-rs raises for Python values it cannot see as JSON (non-str keys, NaN...): undecided.
_UNDECIDED = (ValueError, TypeError, OverflowError, RecursionError)
# Compiled validators, shared by every engine on the same spec bytes: sha256 -> (pointer, direction) -> validator.
_COMPILED: dict[str, dict[tuple[str, str], Any]] = {}


@dataclass(frozen=True, slots=True)
class Violation:
    """One way a payload breaks its schema."""

    pointer: str  # into the payload, e.g. "/choices/0/finish_reason"
    message: str  # jsonschema's wording: expected vs actual
    keyword: str  # the failing keyword: "enum", "type", "required", ...
    schema_pointer: str  # into the spec, where a fix would go
    instance: Any
    branch: str = ""  # the oneOf branch chosen by dispatch, e.g. "response.output_text.delta"
    via: str = ""  # the oneOf/anyOf branch descended into (validation/branches.py), e.g. "messages[1] is an assistant message (branch 4)"
    via_pointer: str = ""  # the payload pointer `via` speaks of; `pointer` is below it


class SchemaEngine:
    """Validates payloads against one spec's schemas. Direction matters (readOnly/writeOnly)."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self._explainers: dict[tuple[str, str], Any] = {}
        self._dispatch: dict[str, dict[str, str] | None] = {}
        self._compiled = _COMPILED.setdefault(spec.sha256, {})

    def validate_request(self, schema_pointer: str, instance: Any) -> list[Violation]:
        """Every way a request body breaks the schema at `schema_pointer` ([] when it conforms)."""
        return self._validate(schema_pointer, instance, WRITE)

    def validate_response(self, schema_pointer: str, instance: Any) -> list[Violation]:
        """Every way a response body (or one stream event) breaks the schema at `schema_pointer`."""
        return self._validate(schema_pointer, instance, READ)

    def is_valid(self, schema_pointer: str, instance: Any, direction: str = READ) -> bool:
        """The accept/reject decision alone; `direction` is "read" (responses) or "write" (requests)."""
        return not self._validate(schema_pointer, instance, direction)

    def _validate(self, schema_pointer: str, instance: Any, direction: str) -> list[Violation]:
        branch = ""
        dispatch = self._branches(schema_pointer)
        if dispatch is not None and isinstance(instance, dict):
            kind = instance.get("type")
            if isinstance(kind, str) and kind in dispatch:
                branch = kind
                schema_pointer = dispatch[kind]
        compiled = self._compiled_validator(schema_pointer, direction)
        if compiled is not None:
            try:
                if compiled.is_valid(instance):
                    return []
            except _UNDECIDED:
                pass
        return self._explain(schema_pointer, instance, direction, branch)

    def _explain(self, schema_pointer: str, instance: Any, direction: str, branch: str) -> list[Violation]:
        out = []
        for error in self._explainer(schema_pointer, direction).iter_errors(instance):
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

    def _explainer(self, schema_pointer: str, direction: str) -> Any:
        key = (schema_pointer, direction)
        if key not in self._explainers:
            from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator

            cls = OAS30WriteValidator if direction == WRITE else OAS30ReadValidator
            # openapi-core passes this format checker too; without it, formats go unchecked.
            self._explainers[key] = cls(self.spec.resolve(schema_pointer), format_checker=cls.FORMAT_CHECKER)
        return self._explainers[key]

    def _compiled_validator(self, schema_pointer: str, direction: str) -> Any:
        """The jsonschema-rs validator for this schema, or None where the translation is not exact."""
        key = (schema_pointer, direction)
        if key not in self._compiled:
            import jsonschema_rs

            try:
                schema = to_json_schema(self.spec.resolve(schema_pointer), direction)
                validator = jsonschema_rs.Draft4Validator(schema, formats=format_checks(), validate_formats=True)
            except (Untranslatable, ValueError):
                validator = None
            self._compiled[key] = validator
        return self._compiled[key]

    def _branches(self, schema_pointer: str) -> dict[str, str] | None:
        """For a oneOf discriminated by a single-valued `type` property: type value -> branch pointer.

        Sound because every other branch's `type` enum then rejects the payload, so the oneOf holds
        exactly when the chosen branch does.
        """
        if schema_pointer not in self._dispatch:
            schema = self.spec.resolve(schema_pointer)
            table: dict[str, str] | None = None
            branches = schema.get("oneOf") if isinstance(schema, dict) else None
            if isinstance(branches, list) and branches and set(schema) - {"oneOf"} <= _ANNOTATIONS:
                table = {}
                for i, branch in enumerate(branches):
                    enum = _type_enum(branch)
                    if not (isinstance(enum, list) and len(enum) == 1 and isinstance(enum[0], str)) or enum[0] in table:
                        table = None
                        break
                    table[enum[0]] = f"{schema_pointer}/oneOf/{i}"
            self._dispatch[schema_pointer] = table
        return self._dispatch[schema_pointer]


def _type_enum(branch: Any) -> Any:
    props = branch.get("properties") if isinstance(branch, dict) else None
    prop = props.get("type") if isinstance(props, dict) else None
    return prop.get("enum") if isinstance(prop, dict) else None
