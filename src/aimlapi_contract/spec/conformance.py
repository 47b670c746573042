"""openapi-spec-validator's OpenAPI 3.0 errors for one document, the same error objects, in a fraction of the time.

The library (0.8, jsonschema backend) spends its time in pure Python: the whole document against the
OAS 3.0 meta-schema, then a walk over every schema through jsonschema-path accessors (each step
re-resolving its path), checking each top-level schema against the draft-04 meta-schema and keeping
the schemas seen in lists. Here:

- a meta-schema check asks jsonschema-rs first, and only where it rejects does jsonschema run, skipping
  (at each `$ref` of the meta-schema) every part of the document jsonschema-rs accepts: a valid part
  yields no error in either, so the errors, their paths and their oneOf context are jsonschema's own;
- the walk is the library's (validation/keywords.py), step for step in the same order with the same
  dedupe and messages, over plain dicts.

Where the two engines may disagree (whole-number floats, huge integers, keys or pattern-checked strings
that are not plain ASCII, regexes Python rejects) jsonschema decides. A document the walk over plain dicts
cannot mirror exactly (a `$id`, a non-local `$ref`, a root `$ref`, very deep nesting, a shape the library
would trip on) and any exception mean: the library itself, so even its exceptions stay the same.
$AIMLAPI_CONTRACT_REFERENCE=1 always takes the library (the differential tests compare the two).
"""

from __future__ import annotations

import math
import os
import string
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from functools import cache
from typing import Any

REFERENCE_ENV = "AIMLAPI_CONTRACT_REFERENCE"
_MIRRORED = "0.8."  # the openapi-spec-validator whose keyword walk _Walk repeats (validation/keywords.py)
_MAX_DEPTH = 64  # deeper documents: the library (it might recurse out where the shortcut would not)
_OPERATIONS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")  # keywords.PathValidator
_risky: ContextVar[frozenset[int]] = ContextVar("_risky", default=frozenset())


class _Distrust(Exception):
    """The fast path cannot vouch for this document: the library decides."""


def iter_openapi_errors(data: dict[str, Any], *, reference: bool | None = None) -> Iterator[Any]:
    """The errors `OpenAPIV30SpecValidator(data).iter_errors()` yields on its jsonschema backend, in its order."""
    if reference is None:
        reference = os.environ.get(REFERENCE_ENV) == "1"
    if not reference:
        errors = _fast_or_none(data)
        if errors is not None:
            yield from errors
            return
    yield from library_validator_cls()(data).iter_errors()


def _fast_or_none(data: dict[str, Any]) -> list[Any] | None:
    try:
        return _fast_errors(data)
    except (Exception, RecursionError):  # noqa: BLE001 - whatever went wrong, the library says it its own way
        return None


def library_validator_cls() -> Any:
    """openapi-spec-validator's 3.0 validator on its jsonschema backend (imported here: slow, and unneeded when cached).

    From 0.8 it switches to jsonschema-rs when that is installed (the engine needs it), and those
    errors lack the oneOf context these findings are explained from.
    """
    from openapi_spec_validator import OpenAPIV30SpecValidator

    try:
        from openapi_spec_validator.schemas import schema_v30
        from openapi_spec_validator.schemas.backend.jsonschema import create_validator
    except ImportError:  # before 0.8: jsonschema is the only backend
        return OpenAPIV30SpecValidator

    class JsonschemaBackedValidator(OpenAPIV30SpecValidator):
        schema_validator = create_validator(schema_v30)

    return JsonschemaBackedValidator


def _fast_errors(data: dict[str, Any]) -> list[Any]:
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    if not _mirrors_installed_library():
        raise _Distrust("the walk mirrors openapi-spec-validator 0.8; another version may walk otherwise")
    if "$ref" in data:
        raise _Distrust("a root $ref")
    risky: set[int] = set()
    _survey(data, 1, risky, _patterned_names())
    token = _risky.set(frozenset(risky))
    try:
        errors = [] if id(data) not in risky and _rs_document().is_valid(data) else list(_meta_validator().iter_errors(data))
    finally:
        _risky.reset(token)
    errors += _Walk(data, risky).root()
    # validators.wraps_errors: every error as the library's own class
    return [e if isinstance(e, OpenAPIValidationError) else OpenAPIValidationError.create_from(e) for e in errors]


@cache
def _mirrors_installed_library() -> bool:
    from importlib import metadata

    try:
        return metadata.version("openapi-spec-validator").startswith(_MIRRORED)
    except metadata.PackageNotFoundError:
        return False


def _survey(node: Any, depth: int, risky: set[int], patterned: frozenset[str]) -> bool:
    """Whether jsonschema-rs might judge the object or array `node` unlike jsonschema; risky ones' ids go to `risky`.

    Scalars are judged in the loop (a call for each would double the cost of this pass).
    """
    if depth > _MAX_DEPTH:
        raise _Distrust("nested too deep")
    bad = False
    for k, v in node.items() if type(node) is dict else enumerate(node):
        kind = type(v)
        if kind is dict or kind is list:
            if _survey(v, depth + 1, risky, patterned):
                bad = True
        elif kind is str:
            # strings the meta-schema matches a pattern against; the draft-04 meta-schema's format: regex, Python's
            if k in patterned and not _plain(v) or k == "pattern" and not _regex_ok(v):
                bad = True
            elif k == "$ref" and not _local_ref(v):
                raise _Distrust("a non-local $ref: jsonschema-path resolves it its own way")
        elif kind is float:  # draft-04 in jsonschema: 1.0 is no integer
            if not math.isfinite(v) or v.is_integer():
                bad = True
        elif kind is int:
            if abs(v) >= 2**53:
                bad = True
        elif v is not None and kind is not bool:
            raise _Distrust(f"a {kind.__name__}: not what JSON parses to")
        if type(k) is str:
            if k == "$id":
                raise _Distrust("$id: jsonschema-path resolves $refs under it its own way")
            if not _plain(k):  # patternProperties: Python's `$` and `\d` differ on newlines and non-ASCII
                bad = True
    if bad:
        risky.add(id(node))
    return bad


def _schema_like(value: Any) -> bool:
    return isinstance(value, (Mapping, bool))


def _plain(text: Any) -> bool:
    return isinstance(text, str) and text.isascii() and text.isprintable()


def _local_ref(ref: str) -> bool:
    return (ref == "#" or ref.startswith("#/")) and ref.isascii() and "%" not in ref


def _regex_ok(pattern: str) -> bool:
    from openapi_schema_validator import oas30_format_checker

    return bool(oas30_format_checker.conforms(pattern, "regex"))


@cache
def _patterned_names() -> frozenset[str]:
    """Property names whose string values the OAS 3.0 meta-schema matches against a `pattern` (openapi, scheme)."""
    names: set[str] = set()
    stack: list[Any] = [_oas30_meta()]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            props = node.get("properties")
            if isinstance(props, dict):
                names.update(k for k, v in props.items() if isinstance(v, dict) and "pattern" in v)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return frozenset(names)


@cache
def _oas30_meta() -> dict[str, Any]:
    from openapi_spec_validator.schemas import schema_v30

    return dict(getattr(schema_v30, "__wrapped__", schema_v30))


@cache
def _draft4_meta() -> dict[str, Any]:
    from openapi_schema_validator._specifications import REGISTRY

    return dict(REGISTRY.contents("http://json-schema.org/draft-04/schema#"))


@cache
def _rs_document() -> Any:
    import jsonschema_rs

    return jsonschema_rs.Draft4Validator(_oas30_meta(), validate_formats=False)


@cache
def _rs_definition(ref: str) -> Any:
    """jsonschema-rs on one definition of the OAS 3.0 meta-schema (`#/definitions/X`)."""
    import jsonschema_rs

    meta = _oas30_meta()
    schema = {"$schema": meta["$schema"], "id": meta["id"], "definitions": meta["definitions"], "$ref": ref}
    return jsonschema_rs.Draft4Validator(schema, validate_formats=False)


@cache
def _rs_draft4() -> Any:
    import jsonschema_rs

    return jsonschema_rs.Draft4Validator(_draft4_meta(), validate_formats=False)


def _accepted(ref: str, instance: Any) -> bool:
    """jsonschema-rs vouches that `instance` is valid for the meta-schema's `ref` (and so yields no error)."""
    if not ref.startswith("#/definitions/") or not isinstance(instance, (dict, list)) or id(instance) in _risky.get():
        return False
    return _rs_accepts(_rs_definition(ref), instance)


def _rs_accepts(validator: Any, instance: Any) -> bool:
    try:
        return bool(validator.is_valid(instance))
    except Exception:  # noqa: BLE001 - e.g. a string jsonschema-rs cannot take: jsonschema decides
        return False


@cache
def _meta_validator() -> Any:
    """The library's meta-schema validator (jsonschema's, for the OAS 3.0 meta-schema), its `$ref` skipping what rs accepts."""
    from jsonschema import _keywords  # type: ignore[import-untyped]
    from jsonschema.validators import extend, validator_for  # type: ignore[import-untyped]

    def ref(validator: Any, ref: str, instance: Any, schema: Any) -> Iterator[Any]:
        if not _accepted(ref, instance):
            yield from _keywords.ref(validator, ref, instance, schema)

    meta = _oas30_meta()
    return extend(validator_for(meta), {"$ref": ref})(meta)


class _Walk:
    """keywords.py's RootValidator and what it calls (OpenAPI 3.0), over plain dicts: same order, dedupe, messages."""

    def __init__(self, data: dict[str, Any], risky: set[int]) -> None:
        from openapi_spec_validator.validation.keywords import OpenAPIV30SchemaValidator
        from openapi_spec_validator.validation.registries import (
            KeywordValidatorRegistry,
        )

        self.data = data
        self.risky = risky
        self.operation_ids: list[Any] = []
        self.meta_checked: set[int] = set()  # the library keeps lists; membership is the same
        self.visited: set[int] = set()
        self._library_schema = OpenAPIV30SchemaValidator(KeywordValidatorRegistry({}))
        self._resolver: Any = None

    # -- reading, as jsonschema-path does: every node reached through a string $ref is its target
    def res(self, node: Any) -> Any:
        hops = 0
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            hops += 1
            if hops > 100:
                raise _Distrust("a $ref cycle")
            node = self.lookup(node["$ref"])
        return node

    def lookup(self, ref: str) -> Any:
        if not _local_ref(ref):
            raise _Distrust(ref)
        node: Any = self.data
        for segment in ref[2:].split("/") if ref != "#" else []:
            if isinstance(node, list):
                node = node[int(segment)]
            elif isinstance(node, dict):
                node = node[segment.replace("~1", "/").replace("~0", "~")]
            else:
                raise _Distrust("a pointer through a scalar")
        return node

    def has(self, node: Any, key: str) -> bool:
        """`key in path`: on the resolved node; False for anything but an object."""
        return isinstance(node, dict) and key in node

    def items(self, node: Any) -> list[tuple[Any, Any]]:
        node = self.res(node)
        if isinstance(node, dict):
            return list(node.items())
        if isinstance(node, list):
            return list(enumerate(node))
        raise _Distrust("a scalar where the library iterates")

    def text(self, node: Any, key: str) -> str:
        """`(path / key).read_str()`."""
        value = self.res(self.res(node)[key])
        if not isinstance(value, str):
            raise _Distrust(f"{key} is no string")
        return value

    # -- RootValidator, TagsValidator
    def root(self) -> list[Any]:
        errors: list[Any] = []
        data = self.data
        if "tags" in data:
            errors += self.tags(self.res(data["tags"]))
        if "paths" in data:
            for url, item in self.items(data["paths"]):
                errors += self.path(url, self.res(item))
        if "components" in data:
            components = self.res(data["components"])
            if self.has(components, "schemas"):
                for _, schema in self.items(components["schemas"]):
                    errors += self.schema(schema)
        return errors

    def tags(self, tags: Any) -> Iterator[Any]:
        from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

        seen: set[str] = set()
        for _, tag in self.items(tags):
            name = self.text(tag, "name")
            if name in seen:
                yield OpenAPIValidationError(f"Duplicate tag name '{name}'")
            seen.add(name)

    # -- PathValidator, OperationValidator, ParametersValidator, ResponsesValidator, ContentValidator
    def path(self, url: Any, item: Any) -> Iterator[Any]:
        if not isinstance(url, str) or not isinstance(item, dict):
            raise _Distrust("a path item the library would trip on")
        parameters = None
        if "parameters" in item:
            parameters = self.res(item["parameters"])
            yield from self.parameters(parameters)
        for name, operation in item.items():
            if name in _OPERATIONS:
                yield from self.operation(url, name, self.res(operation), parameters)

    def operation(self, url: str, name: str, operation: Any, path_parameters: Any) -> Iterator[Any]:
        from openapi_spec_validator.validation.exceptions import (
            DuplicateOperationIDError,
            UnresolvableParameterError,
        )

        if not isinstance(operation, dict):
            raise _Distrust("an operation that is no object")
        if "operationId" in operation:
            operation_id = self.res(operation["operationId"])
            if operation_id is not None and not isinstance(operation_id, str):
                raise _Distrust("an operationId that is no string")
            if operation_id is not None and operation_id in self.operation_ids:
                yield DuplicateOperationIDError(f"Operation ID '{operation_id}' for '{name}' in '{url}' is not unique")
            self.operation_ids.append(operation_id)
        if "responses" in operation:
            for code, response in self.items(operation["responses"]):
                if not isinstance(code, str):
                    raise _Distrust("a response code that is no string")
                response = self.res(response)
                if self.has(response, "content"):
                    for mimetype, media_type in self.items(response["content"]):
                        if not isinstance(mimetype, str):
                            raise _Distrust("a media type that is no string")
                        media_type = self.res(media_type)
                        if self.has(media_type, "schema"):
                            yield from self.schema(media_type["schema"])
        names: list[str] = []
        if "parameters" in operation:
            parameters = self.res(operation["parameters"])
            yield from self.parameters(parameters)
            names += self.path_param_names(parameters)
        if path_parameters is not None:
            names += self.path_param_names(path_parameters)
        all_params = set(names)
        url_params = {item[1] for item in string.Formatter().parse(url) if item[1]}
        for param in sorted(url_params):
            if param not in all_params:
                yield UnresolvableParameterError(
                    f"Path parameter '{param}' for '{name}' operation in '{url}' was not resolved")
        for param in sorted(all_params):
            if param not in url_params:
                yield UnresolvableParameterError(
                    f"Path parameter '{param}' for '{name}' operation in '{url}' was not resolved")

    def parameters(self, parameters: Any) -> Iterator[Any]:
        from openapi_spec_validator.validation.exceptions import ParameterDuplicateError

        seen: set[tuple[str, str]] = set()
        for _, parameter in self.items(parameters):
            parameter = self.res(parameter)
            if self.has(parameter, "schema"):
                yield from self.schema(parameter["schema"])
            if not isinstance(parameter, dict):
                raise _Distrust("a parameter that is no object")
            key = (parameter["name"], parameter["in"])  # `parameter[...]`: the raw child, unresolved
            if not isinstance(key[0], str) or not isinstance(key[1], str):
                raise _Distrust("a parameter name or location that is no string")
            if key in seen:
                yield ParameterDuplicateError(f"Duplicate parameter '{key[0]}'")
            seen.add(key)

    def path_param_names(self, parameters: Any) -> list[str]:
        return [self.text(param, "name") for _, param in self.items(parameters) if self.text(param, "in") == "path"]

    # -- SchemaValidator (OpenAPIV30SchemaValidator)
    def schema(self, node: Any, require_properties: bool = True, meta_checked: bool = False) -> Iterator[Any]:
        from openapi_spec_validator.validation.exceptions import (
            ExtraParametersError,
            OpenAPIValidationError,
        )

        value = self.res(node)
        if not _schema_like(value):
            yield OpenAPIValidationError(f"{value!r} is not of type 'object', 'boolean'")
            return
        schema_id = id(value)
        if not meta_checked and schema_id not in self.meta_checked:
            self.meta_checked.add(schema_id)
            err = self.meta(value)
            if err is not None:
                yield err
                return
        if schema_id in self.visited:
            return
        self.visited.add(schema_id)

        keyed = isinstance(value, dict)  # `key in path`: False for a boolean schema
        nested_properties: list[Any] = []
        if keyed and "allOf" in value:
            for _, inner in self.items(value["allOf"]):
                yield from self.schema(inner, require_properties=False, meta_checked=True)
                nested_properties += list(self.collect_properties(inner))
        for keyword in ("anyOf", "oneOf"):
            if keyed and keyword in value:
                for _, inner in self.items(value[keyword]):
                    yield from self.schema(inner, require_properties=False, meta_checked=True)
        for keyword in ("not", "items"):
            if keyed and keyword in value:
                yield from self.schema(value[keyword], require_properties=False, meta_checked=True)
        if keyed and "properties" in value:
            for _, prop in self.items(value["properties"]):
                yield from self.schema(prop, require_properties=False, meta_checked=True)

        required = keyed and "required" in value and self.res(value["required"]) or []
        properties = keyed and "properties" in value and self.keys(value["properties"]) or []
        if keyed and "allOf" in value:
            extra_properties = list(set(required) - set(properties) - set(nested_properties))
        else:
            extra_properties = []
        if extra_properties and require_properties:
            yield ExtraParametersError(f"Required list has not defined properties: {extra_properties}")

        if keyed and "default" in value:
            default_value = self.res(value["default"])
            nullable_value = False
            if "nullable" in value:
                nullable_value = self.res(value["nullable"])
            if default_value is not None or nullable_value is not True:
                yield from self.default(value, default_value)

    def keys(self, node: Any) -> Any:
        node = self.res(node)
        if isinstance(node, dict):
            return node.keys()
        raise _Distrust("properties that are no object")

    def collect_properties(self, node: Any) -> set[Any]:
        schema = self.res(node)
        props: set[Any] = set()
        if self.has(schema, "properties"):
            props.update(self.keys(schema["properties"]))
        for keyword in ("allOf", "anyOf", "oneOf"):
            if self.has(schema, keyword):
                for _, sub in self.items(schema[keyword]):
                    props.update(self.collect_properties(sub))
        for keyword in ("items", "not"):
            if self.has(schema, keyword):
                props.update(self.collect_properties(schema[keyword]))
        return props

    def meta(self, value: Any) -> Any:
        """SchemaValidator._validate_schema_meta: the first draft-04 meta-schema error of a schema, or None."""
        if id(value) not in self.risky and isinstance(value, dict) and _rs_accepts(_rs_draft4(), value):
            return None
        return self._library_schema._validate_schema_meta(None, value)  # type: ignore[arg-type]  # unused for 3.0

    def default(self, schema: Any, value: Any) -> Iterator[Any]:
        """OpenAPIV30ValueValidator: the default against its schema, `$ref`s resolved in this document."""
        from openapi_schema_validator import OAS30Validator, oas30_format_checker

        yield from OAS30Validator(schema, _resolver=self.resolver(), format_checker=oas30_format_checker).iter_errors(value)

    def resolver(self) -> Any:
        """The resolver jsonschema-path gives a schema of this document (no $id, local refs only: one for all)."""
        if self._resolver is None:
            from jsonschema_path.handlers import default_handlers
            from jsonschema_path.retrievers import SchemaRetriever
            from referencing import Registry
            from referencing.jsonschema import DRAFT202012

            registry: Any = Registry(retrieve=SchemaRetriever(default_handlers, DRAFT202012))  # type: ignore[call-arg]
            self._resolver = registry.with_resource("", DRAFT202012.create_resource(self.data)).resolver(base_uri="")
        return self._resolver
