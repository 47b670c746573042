"""A published OpenAPI spec, loaded leniently: its operations, schemas by JSON pointer, and openapi-core's view."""

from __future__ import annotations

import collections
import contextlib
import functools
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

from .. import limits
from ..findings import pointer_from_path, pointer_parts
from .locate import JsonLocator

if TYPE_CHECKING:
    from openapi_core import OpenAPI

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class SpecParseError(ValueError):
    """The bytes are not a JSON object; carries line and column where the parser gave them."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


class TextPosition(TypedDict, total=False):
    """Where a pointer is in the spec's text, as keyword arguments of Finding."""

    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Operation:
    """One method on one path of a spec."""

    path: str
    method: str
    data: dict[str, Any]

    @property
    def endpoint(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def pointer(self) -> str:
        return pointer_from_path(["paths", self.path, self.method])

    def request_media_types(self) -> dict[str, str]:
        """Documented request content types -> JSON pointer of their schema."""
        content = (self.data.get("requestBody") or {}).get("content") or {}
        base = self.pointer + "/requestBody/content"
        return {ct: f"{base}/{_escape(ct)}/schema" for ct, media in content.items() if "schema" in media}

    def documented_statuses(self) -> list[str]:
        return [str(s) for s in (self.data.get("responses") or {})]

    def response_media_types(self, status: int | str) -> dict[str, str] | None:
        """Documented content types for `status` -> schema pointer; None when the status is undocumented.

        Matches the exact code, then the `2XX` range, then `default`, as OpenAPI 3.0 says.
        """
        responses = self.data.get("responses") or {}
        status = str(status)
        for key in (status, status[0] + "XX", "default"):
            if key in responses:
                content = responses[key].get("content") or {}
                base = f"{self.pointer}/responses/{key}/content"
                return {ct: f"{base}/{_escape(ct)}/schema" for ct, media in content.items() if "schema" in media}
        return None


# Parsed specs held at once, by the size of their text: a catalogue's 800 specs parse to ~1 GB of Python
# objects, so the oldest parsed is let go and parsed again from its text if asked for (a few ms a spec).
PARSED_BUDGET = 48 * 2**20
_parsed_order: collections.deque[tuple[Spec, int]] = collections.deque()  # with the size counted for it
_parsed_size = 0


@dataclass(slots=True, eq=False)
class Spec:
    """A parsed spec plus where it came from. `data` is the JSON as published, never modified.

    Its parsed form is kept while the run holds less than PARSED_BUDGET of parsed specs; past that the
    oldest is dropped and `data` parses `text` again on its next use (same values, new objects)."""

    source: str  # path relative to the docs base
    _parsed: dict[str, Any] | None = field(repr=False)
    sha256: str
    raw: bytes = field(default=b"", repr=False)  # as published (the fetched bytes themselves, not a copy)
    _openapi: Any = field(default=None, repr=False)
    _locator: JsonLocator | None = field(default=None, repr=False)
    _routes: tuple[tuple[str, str], ...] | None = field(default=None, repr=False)  # (path, method) of each operation

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Pickled (a Report shared by pytest-xdist workers) as its bytes: parsed again on use, no openapi-core view.
        return (_unpickled_spec, (self.source, self.sha256, self.raw, None if self.raw else self._parsed))

    @property
    def data(self) -> dict[str, Any]:
        parsed = self._parsed
        if parsed is None:
            parsed = self._parsed = json.loads(self.text)  # valid: load_spec parsed these bytes once already
            _hold(self)
        return parsed

    @property
    def text(self) -> str:
        """The published text, for line numbers (decoded on use: a catalogue's texts would double its bytes)."""
        return self.raw.decode("utf-8-sig")

    def location(self, pointer: str) -> TextPosition:
        """`line` and `column` of the pointer's member (or of its deepest ancestor present) as Finding fields; {} without text."""
        if not self.raw:
            return {}
        if self._locator is None:
            self._locator = JsonLocator(self.text, known_json=True)  # built on first use: most runs read findings from the cache
        position = self._locator.position(pointer, nearest=True)
        return TextPosition(line=position[0], column=position[1]) if position else {}

    @property
    def servers(self) -> list[str]:
        return [s.get("url", "") for s in self.data.get("servers") or [] if isinstance(s, dict)]

    def operations(self) -> list[Operation]:
        paths = self.data.get("paths") or {}
        return [Operation(path, method, paths[path][method]) for path, method in self.routes()]

    def routes(self) -> tuple[tuple[str, str], ...]:
        """(path, method) of each operation, in document order; kept when the parsed form is let go.

        Routing a recording asks every spec of a catalogue whether it has a path: without this, each
        question would parse every spec evicted from the budget again."""
        if self._routes is None:
            found = []
            for path, item in (self.data.get("paths") or {}).items():
                if not isinstance(item, dict):
                    continue
                found += [(path, method) for method, op in item.items() if method in HTTP_METHODS and isinstance(op, dict)]
            self._routes = tuple(found)
        return self._routes

    def endpoints(self) -> list[str]:
        """`METHOD /path` of each operation, as Operation.endpoint says it (no parse once routes are known)."""
        return [f"{method.upper()} {path}" for path, method in self.routes()]

    def documented_endpoint(self, path: str, method: str) -> str | None:
        """The endpoint of the operation find_operation would give for this request, without building it."""
        method = method.lower()
        for template, verb in self.routes():
            if verb == method and _template_regex(template).fullmatch(path):
                return f"{verb.upper()} {template}"
        return None

    def find_operation(self, path: str, method: str) -> Operation | None:
        """The operation documenting a concrete request path (templates like /x/{id} match)."""
        method = method.lower()
        for template, verb in self.routes():
            if verb == method and _template_regex(template).fullmatch(path):
                return Operation(template, verb, self.data["paths"][template][verb])
        return None

    def resolve(self, pointer: str) -> Any:
        """The value at a JSON pointer of this spec (KeyError when absent)."""
        node: Any = self.data
        for part in pointer_parts(pointer):
            node = node[int(part)] if isinstance(node, list) else node[part]
        return node

    def openapi(self) -> OpenAPI:
        """openapi-core's view, built once, with spec validation off: the published specs are invalid."""
        if self._openapi is None:
            from openapi_core import Config, OpenAPI

            self._openapi = OpenAPI.from_dict(self.data, config=Config(spec_validator_cls=None))
        openapi: OpenAPI = self._openapi
        return openapi


def _unpickled_spec(source: str, sha256: str, raw: bytes, parsed: dict[str, Any] | None) -> Spec:
    return Spec(source=source, _parsed=parsed, sha256=sha256, raw=raw)


def load_spec(source: str, raw: bytes) -> Spec:
    """Parse published bytes into a Spec; SpecParseError (with line/column) when it is not a JSON object."""
    try:
        limits.check_size(raw, "the spec")
    except limits.LimitError as exc:
        raise SpecParseError(f"not read: {exc.message}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpecParseError(f"not UTF-8 text (byte {exc.start})") from None
    try:
        data = limits.loads_json(text)
    except limits.LimitError as exc:
        raise SpecParseError(f"not read: {exc.message}") from None
    except json.JSONDecodeError as exc:
        raise SpecParseError(f"not valid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    if not isinstance(data, dict):
        raise SpecParseError(f"not an OpenAPI document: the top level is a JSON {type(data).__name__}")
    spec = Spec(source=source, _parsed=data, sha256=hashlib.sha256(raw).hexdigest(), raw=raw)
    with contextlib.suppress(Exception):  # while parsed: routing asks every spec later (a bad `paths` fails where asked)
        spec.routes()
    _hold(spec)
    return spec


def _hold(spec: Spec) -> None:
    """Count a newly parsed spec against the budget, letting the oldest parsed ones go past it (never the newest).

    A spec openapi-core has a view of keeps its objects (the view holds them): it leaves the count but stays parsed.
    Each entry carries the size counted for it, so a spec whose bytes change later cannot skew the count."""
    global _parsed_size
    size = len(spec.raw)
    _parsed_order.append((spec, size))
    _parsed_size += size
    while _parsed_size > PARSED_BUDGET and len(_parsed_order) > 1:
        old, counted = _parsed_order.popleft()
        _parsed_size -= counted
        if old.raw and old._openapi is None and old is not spec:
            old._parsed = None


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


@functools.lru_cache(maxsize=256)  # asked once per exchange and per sample: compile each path template once
def _template_regex(template: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)))


def documenting_operation(specs: Iterable[Spec], path: str, method: str) -> tuple[Spec, Operation] | None:
    """The first tracked spec that documents `method path`, with its operation; None if none does."""
    for spec in specs:
        op = spec.find_operation(path, method)
        if op is not None:
            return spec, op
    return None
