"""openapi-spec-validator 0.8's keyword walk (validation/keywords.py, OpenAPI 3.0) over plain dicts.

The library walks tags, paths (parameters, responses, media types) and components through jsonschema-path
accessors, each step re-resolving its whole path, and keeps the schemas it has seen in lists: most of its
time on a large spec. This is the same walk, step for step: the same order, the same dedupe by object
identity, the same messages and error classes, `$ref`s followed as jsonschema-path follows them. What it
cannot mirror exactly (a shape the library would trip on, a pointer through a scalar) raises Distrust, and
the caller leaves the document to the library.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterator, Mapping
from typing import Any

OPERATIONS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")  # keywords.PathValidator


class Distrust(Exception):
    """The fast path cannot vouch for this document: the library decides."""


def local_ref(ref: str) -> bool:
    """A `$ref` into this document that jsonschema-path resolves as a plain JSON pointer."""
    return (ref == "#" or ref.startswith("#/")) and ref.isascii() and "%" not in ref


def _schema_like(value: Any) -> bool:
    return isinstance(value, (Mapping, bool))


class Walk:
    """keywords.py's RootValidator and what it calls (OpenAPI 3.0), over plain dicts: same order, dedupe, messages."""

    def __init__(self, data: dict[str, Any], accepted: Callable[[dict[str, Any]], bool]) -> None:
        from openapi_spec_validator.validation.keywords import OpenAPIV30SchemaValidator
        from openapi_spec_validator.validation.registries import (
            KeywordValidatorRegistry,
        )

        self.data = data
        self.accepted = accepted  # whether a faster engine vouches that a schema meets the draft-04 meta-schema
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
                raise Distrust("a $ref cycle")
            node = self.lookup(node["$ref"])
        return node

    def lookup(self, ref: str) -> Any:
        if not local_ref(ref):
            raise Distrust(ref)
        node: Any = self.data
        for segment in ref[2:].split("/") if ref != "#" else []:
            if isinstance(node, list):
                node = node[int(segment)]
            elif isinstance(node, dict):
                node = node[segment.replace("~1", "/").replace("~0", "~")]
            else:
                raise Distrust("a pointer through a scalar")
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
        raise Distrust("a scalar where the library iterates")

    def text(self, node: Any, key: str) -> str:
        """`(path / key).read_str()`."""
        value = self.res(self.res(node)[key])
        if not isinstance(value, str):
            raise Distrust(f"{key} is no string")
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
            raise Distrust("a path item the library would trip on")
        parameters = None
        if "parameters" in item:
            parameters = self.res(item["parameters"])
            yield from self.parameters(parameters)
        for name, operation in item.items():
            if name in OPERATIONS:
                yield from self.operation(url, name, self.res(operation), parameters)

    def operation(self, url: str, name: str, operation: Any, path_parameters: Any) -> Iterator[Any]:
        from openapi_spec_validator.validation.exceptions import (
            DuplicateOperationIDError,
            UnresolvableParameterError,
        )

        if not isinstance(operation, dict):
            raise Distrust("an operation that is no object")
        if "operationId" in operation:
            operation_id = self.res(operation["operationId"])
            if operation_id is not None and not isinstance(operation_id, str):
                raise Distrust("an operationId that is no string")
            if operation_id is not None and operation_id in self.operation_ids:
                yield DuplicateOperationIDError(f"Operation ID '{operation_id}' for '{name}' in '{url}' is not unique")
            self.operation_ids.append(operation_id)
        if "responses" in operation:
            for code, response in self.items(operation["responses"]):
                if not isinstance(code, str):
                    raise Distrust("a response code that is no string")
                response = self.res(response)
                if self.has(response, "content"):
                    for mimetype, media_type in self.items(response["content"]):
                        if not isinstance(mimetype, str):
                            raise Distrust("a media type that is no string")
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
                raise Distrust("a parameter that is no object")
            key = (parameter["name"], parameter["in"])  # `parameter[...]`: the raw child, unresolved
            if not isinstance(key[0], str) or not isinstance(key[1], str):
                raise Distrust("a parameter name or location that is no string")
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
        raise Distrust("properties that are no object")

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
        if isinstance(value, dict) and self.accepted(value):
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
