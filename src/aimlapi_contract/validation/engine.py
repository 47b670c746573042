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

Real traffic fails the same way by the thousand (a null `finish_reason` in every chunk), so an
explanation is kept per (schema location, failure shape): the shape is what the compiled validator
reports (each error's instance path, schema path and message, which quotes the failing value), and a
payload of a known shape gets the cached violations, rebuilt on its own values (explain_cache.py).
A second, closed-world compilation (closed_world.py) proves in one call that a payload carries no
undocumented field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..findings import pointer_from_path
from ..sources import Spec
from .closed_world import closed_schema, fields_provable
from .dialect import READ, WRITE, Untranslatable, format_checks, to_json_schema, uses_formats
from .explain_cache import ExplanationCache, failure_shape, value_at

# Keywords that say nothing about validity: a oneOf beside only these may be dispatched.
_ANNOTATIONS = {"description", "title", "example", "examples", "externalDocs", "deprecated", "xml"}
# What jsonschema-rs raises for Python values it cannot see as JSON (non-str keys, NaN...): undecided.
_UNDECIDED = (ValueError, TypeError, OverflowError, RecursionError)
# Compiled validators, shared by every engine on the same spec bytes: sha256 -> (pointer, direction) -> validator.
_COMPILED: dict[str, dict[tuple[str, str], Any]] = {}
_CLOSED: dict[str, dict[tuple[str, str], Any]] = {}


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
    path: tuple[Any, ...] = field(default=(), compare=False)  # `pointer` as keys and indexes, so the value can be found again


class SchemaEngine:
    """Validates payloads against one spec's schemas. Direction matters (readOnly/writeOnly)."""

    def __init__(self, spec: Spec, *, reference: bool = False) -> None:
        self.spec = spec
        self.reference = reference  # the old path: no closed-world proof, no explanation cache
        self._explainers: dict[tuple[str, str], Any] = {}
        self._dispatch: dict[str, dict[str, str] | None] = {}
        self._compiled = _COMPILED.setdefault(spec.sha256, {})
        self._closed = _CLOSED.setdefault(spec.sha256, {})
        self._explanations = ExplanationCache(spec.sha256)
        self._proved: tuple[str, str, int] | None = None  # the last payload the closed world accepted
        self._proved_instance: Any = None

    def validate_request(self, schema_pointer: str, instance: Any) -> list[Violation]:
        """Every way a request body breaks the schema at `schema_pointer` ([] when it conforms)."""
        return self._validate(schema_pointer, instance, WRITE)

    def validate_response(self, schema_pointer: str, instance: Any) -> list[Violation]:
        """Every way a response body (or one stream event) breaks the schema at `schema_pointer`."""
        return self._validate(schema_pointer, instance, READ)

    def is_valid(self, schema_pointer: str, instance: Any, direction: str = READ) -> bool:
        """The accept/reject decision alone; `direction` is "read" (responses) or "write" (requests)."""
        return not self._validate(schema_pointer, instance, direction)

    def documents_every_field(self, schema_pointer: str, instance: Any, direction: str = READ) -> bool:
        """True when the closed-world compilation accepts `instance`: then no field of it is undocumented.

        False means "not proved" (a field may be undocumented, or the proof is not sound for this schema)."""
        if self._proved == (schema_pointer, direction, id(instance)) and self._proved_instance is instance:
            return True  # _validate just proved it in the same call that accepted the payload
        target, _ = self._dispatched(schema_pointer, instance)
        return self._closed_accepts(schema_pointer, target, instance, direction)

    def _dispatched(self, schema_pointer: str, instance: Any) -> tuple[str, str]:
        """(the pointer to validate against, the oneOf branch chosen) for `instance`."""
        dispatch = self._branches(schema_pointer)
        if dispatch is not None and isinstance(instance, dict):
            kind = instance.get("type")
            if isinstance(kind, str) and kind in dispatch:
                return dispatch[kind], kind
        return schema_pointer, ""

    def _validate(self, schema_pointer: str, instance: Any, direction: str) -> list[Violation]:
        target, branch = self._dispatched(schema_pointer, instance)
        if self._closed_accepts(schema_pointer, target, instance, direction):
            # Closed-world acceptance implies the open schema accepts too (fields_provable), in one call.
            self._proved, self._proved_instance = (schema_pointer, direction, id(instance)), instance
            return []
        compiled = self._compiled_validator(target, direction)
        if compiled is not None and self.reference:
            try:
                if compiled.is_valid(instance):
                    return []
            except _UNDECIDED:
                pass
        elif compiled is not None:
            try:
                # One pass decides and gives the failure's shape: no error means accepted.
                shape = failure_shape(compiled, instance)
            except _UNDECIDED:
                pass
            else:
                return self._explained(target, instance, direction, branch, shape) if shape else []
        return self._explain(target, instance, direction, branch)

    def _explained(self, schema_pointer: str, instance: Any, direction: str, branch: str, shape: Any) -> list[Violation]:
        """The explanation for `instance`, reused from an earlier payload of the same failure shape."""
        key = (schema_pointer, direction, shape)
        cached = self._explanations.get(key)
        if cached is None:
            violations = self._explain(schema_pointer, instance, direction, branch)
            self._explanations.put(key, [(v.path, v.pointer, v.message, v.keyword, v.schema_pointer) for v in violations])
            return violations
        return [
            Violation(pointer, message, keyword, where, value_at(instance, path), branch, path=path)
            for path, pointer, message, keyword, where in cached
        ]

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
                    path=tuple(error.absolute_path),
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
                validator = _compile(jsonschema_rs, schema)
            except (Untranslatable, ValueError):
                validator = None
            self._compiled[key] = validator
        return self._compiled[key]

    def _closed_accepts(self, schema_pointer: str, target: str, instance: Any, direction: str) -> bool:
        if self.reference:
            return False
        key = (target, direction)
        if key not in self._closed:
            self._closed[key] = self._closed_build(schema_pointer, target, direction)
        closed = self._closed[key]
        if closed is None:
            return False
        try:
            return bool(closed.is_valid(instance))
        except _UNDECIDED:
            return False

    def _closed_build(self, schema_pointer: str, target: str, direction: str) -> Any:
        """The closed-world validator for `target`, or None where its acceptance proves nothing."""
        import jsonschema_rs

        if not fields_provable(self.spec.resolve(schema_pointer), self.spec.resolve(target), schema_pointer != target):
            return None
        try:
            return _compile(jsonschema_rs, closed_schema(to_json_schema(self.spec.resolve(target), direction)))
        except (Untranslatable, ValueError):
            return None

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


def _compile(jsonschema_rs: Any, schema: Any) -> Any:
    # The format checks come from openapi-schema-validator (a slow import): asked for only when a format is checked.
    return jsonschema_rs.Draft4Validator(schema, formats=format_checks() if uses_formats(schema) else None, validate_formats=True)


def _type_enum(branch: Any) -> Any:
    props = branch.get("properties") if isinstance(branch, dict) else None
    prop = props.get("type") if isinstance(props, dict) else None
    return prop.get("enum") if isinstance(prop, dict) else None
