"""vcrpy cassettes (YAML) read safely into plain `Exchange` records, with the line of each interaction.

The loader is PyYAML's safe loader plus the three harmless Python tags vcrpy itself still reads
(`python/str`, `python/unicode`, `python/tuple`): any other `!!python/...` tag (object/apply/new/name/
module) is refused before anything is constructed, so a cassette can never run code. The tree is composed
by libyaml (CSafeLoader's C parser, about 10x PyYAML's pure-Python one), whose nodes keep the marks the
interaction and body lines come from; the pure-Python loader stays as the reference path (`reference=True`).
"""

from __future__ import annotations

import functools
import os
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from .. import limits
from .exchange import Exchange
from .yaml_data import plain_data
from .scanning import scan_cassettes


class CassetteError(ValueError):
    """A file that is not a readable vcrpy cassette; `line` (1-based) when the parser gave one."""

    def __init__(self, message: str, line: int | None = None, *, over_limit: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.over_limit = over_limit  # a limit (limits.py) was hit, rather than the file being malformed


class _ReferenceLoader(yaml.SafeLoader):
    """SafeLoader + the benign tags vcrpy writes; unknown tags raise ConstructorError (pure Python)."""


class _CassetteLoader(yaml.CSafeLoader):
    """The same safe constructor over libyaml's composer: the same tags, the same refusals, C speed."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        _PLAIN_TAGS.still_valid_for(self.yaml_implicit_resolvers)

    def resolve(self, kind: type[yaml.Node], value: str | None, implicit: tuple[bool, bool]) -> str:
        """The node's tag, as the resolver decides it. libyaml's composer asks for every node (~130 an
        interaction), and with no path resolvers (none is ever added to this loader) a plain scalar's tag
        depends on its text and the implicit resolvers alone: the keys and values that recur in every
        cassette are looked up (the look-up is dropped when a resolver is added, here or to a parent)."""
        if kind is not yaml.ScalarNode or self.yaml_path_resolvers or type(self) is not _CassetteLoader:
            return super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call, no-any-return]
        if not implicit[0]:
            return _STR  # quoted, or a block scalar: a string whatever it says
        tags = _PLAIN_TAGS.tags
        tag = tags.get(value)  # type: ignore[arg-type]
        if tag is None:
            tag = super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
            if len(tags) < _PLAIN_TAGS_KEPT and value is not None and len(value) <= _PLAIN_KEPT_CHARS:
                tags[value] = tag
        return tag


class _PlainTags:
    """Plain scalars' tags by text, for the implicit resolvers they were resolved with."""

    def __init__(self) -> None:
        self.tags: dict[str, str] = {}
        self._resolvers: tuple[int, int] | None = None

    def still_valid_for(self, resolvers: dict[Any, list[Any]]) -> None:
        """Forget every tag once the resolvers changed (PyYAML only ever adds one, to a class's own copy)."""
        signature = (id(resolvers), sum(map(len, resolvers.values())))
        if signature != self._resolvers:
            self.tags.clear()
            self._resolvers = signature


_STR = "tag:yaml.org,2002:str"
# Bounded: recorded dates and ids rarely recur; `request`, `200` and `OK` do.
_PLAIN_TAGS = _PlainTags()
_PLAIN_TAGS_KEPT = 4096
_PLAIN_KEPT_CHARS = 64


def _construct_str(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    return str(loader.construct_scalar(node))  # type: ignore[arg-type]


def _construct_tuple(loader: yaml.SafeLoader, node: yaml.Node) -> tuple[Any, ...]:
    return tuple(loader.construct_sequence(node))  # type: ignore[arg-type]


for _loader in (_CassetteLoader, _ReferenceLoader):
    _loader.add_constructor("tag:yaml.org,2002:python/str", _construct_str)
    _loader.add_constructor("tag:yaml.org,2002:python/unicode", _construct_str)
    _loader.add_constructor("tag:yaml.org,2002:python/tuple", _construct_tuple)


@dataclass(frozen=True, slots=True)
class RecordedExchange:
    """One interaction of a cassette: its index, the exchange, and 1-based lines in the cassette file."""

    index: int
    exchange: Exchange
    line: int | None = None  # the interaction's `- request:` line
    request_body_line: int | None = None
    response_body_line: int | None = None
    # The response body is a literal block scalar (`|`) read as is: its line k is file line response_body_line + k.
    response_body_literal: bool = False


@dataclass(frozen=True, slots=True)
class BrokenInteraction:
    """An interaction that is not a vcrpy exchange (e.g. a status that is not a number): why, and its line."""

    index: int
    message: str
    line: int | None = None
    over_limit: bool = False


@dataclass(frozen=True, slots=True)
class Cassette:
    path: Path
    interactions: list[RecordedExchange] = field(default_factory=list)
    broken: list[BrokenInteraction] = field(default_factory=list)  # the others are still read


def cassette_files(directory: Path) -> list[Path]:
    """Every cassette file under `directory`, recursively, in a stable order."""
    return scan_cassettes(directory).files


def display_path(path: Path, root: Path | None = None) -> str:
    """How a cassette is named in findings (and baseline keys): relative to `root` (the project root,
    default the working directory) when under it, else as given, so keys don't depend on the cwd."""
    given = os.fspath(root) if root is not None else os.getcwd()
    base = _real_dir(given) if os.path.isabs(given) else os.path.realpath(given)  # a relative root follows the cwd
    resolved = _real_file(os.fspath(path))
    if resolved == base:
        return "."
    if resolved.startswith(base.rstrip(os.sep) + os.sep):
        return Path(resolved[len(base.rstrip(os.sep)) + 1 :]).as_posix()
    return path.as_posix()


@functools.lru_cache(maxsize=16)
def _real_dir(directory: str) -> str:
    """An absolute project root's real path, resolved once per run and root rather than once per cassette."""
    return os.path.realpath(directory)


def _real_file(path: str) -> str:
    """os.path.realpath(path), resolving its folder once per folder: asked twice per cassette of a 10,000-file
    corpus, where a full realpath is an lstat per path component. The file itself is still looked at each time."""
    head, name = os.path.split(path)
    if not head or name in ("", ".", "..") or os.path.islink(path):
        return os.path.realpath(path)
    return os.path.join(_real_folder(head if os.path.isabs(head) else os.path.join(os.getcwd(), head)), name)


@functools.lru_cache(maxsize=1024)
def _real_folder(directory: str) -> str:
    return os.path.realpath(directory)


def read_cassette(path: Path, *, reference: bool = False) -> Cassette:
    """Load a vcrpy cassette; CassetteError (with a line where known) when the file can't be one.

    A malformed interaction goes to `Cassette.broken`; the other interactions are read as usual.
    `reference` reads with PyYAML's pure-Python loader (the old path, kept to compare against)."""
    try:
        text = limits.read_file(path, "the cassette").decode("utf-8-sig")
    except OSError as exc:
        raise CassetteError(f"cannot read the file: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise CassetteError(f"not UTF-8 text (byte {exc.start})") from None
    except limits.LimitError as exc:
        raise CassetteError(exc.message, over_limit=True) from None
    try:
        root, data = _compose(text, _ReferenceLoader if reference else _CassetteLoader)
    except CassetteError as exc:
        if reference or exc.over_limit:
            raise
        # libyaml words its errors differently: a broken file is rare, so re-read it for PyYAML's message.
        root, data = _compose(text, _ReferenceLoader)
    return _cassette(path, root, data)


def _compose(text: str, loader_class: type[yaml.SafeLoader] | type[yaml.CSafeLoader]) -> tuple[yaml.Node | None, Any]:
    """The document's node tree (lines live in its marks) and the plain data built from it, within the limits."""
    loader: yaml.SafeLoader | yaml.CSafeLoader | None = None
    try:
        # Depth before composing (composers recurse), expansion before constructing (aliases multiply). Where
        # libyaml composes safely anyway and no node is shared (no alias), the depth is measured on the
        # composed tree instead: an event pass is a third of reading a cassette of ten interactions.
        cap, aliases = limits.current().yaml_depth, limits.may_have_aliases(text)
        measure_after = False
        if not limits.yaml_depth_within(text, cap):  # asked once: most files end here
            measure_after = _depth_measured_on_data(text, loader_class)
            if not measure_after:
                limits.check_yaml_depth(text, loader_class)
        loader = loader_class(text)  # the reader refuses control characters here (ReaderError)
        root = loader.get_single_node()
        # Only aliases make the expansion larger than the file: without any, it is bounded by the text alone.
        expandable = aliases or limits.yaml_expansion_bound(text) > limits.current().yaml_expansion
        if root is not None and expandable:
            limits.check_yaml_expansion(root)
        if root is None:
            data = None
        elif loader_class is _ReferenceLoader or aliases:
            data = loader.construct_document(root)  # the old path; or aliases, which share one object per anchor
        else:
            data = plain_data(loader, root)
        if measure_after and root is not None and limits.node_depth(root, stop=cap) > cap:
            limits.check_yaml_depth(text, loader_class)  # too deep: the event pass says so, naming the line
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise CassetteError(f"not a safe YAML document: {exc.problem or exc}", line) from None
    except yaml.reader.ReaderError as exc:
        raise CassetteError(f"not a YAML document: {_reader_problem(exc, text)}", _line_at(text, exc.position)) from None
    except yaml.YAMLError as exc:
        raise CassetteError(f"not a YAML document: {exc}") from None
    except limits.LimitError as exc:
        raise CassetteError(exc.message, over_limit=True) from None
    except RecursionError:  # a composer or constructor deeper than Python allows, under the YAML depth limit
        raise CassetteError("not a readable YAML document: nested too deeply to read") from None
    finally:
        if loader is not None:
            loader.dispose()
    return root, data


def _depth_measured_on_data(text: str, loader_class: type[yaml.SafeLoader] | type[yaml.CSafeLoader]) -> bool:
    """For a text past the depth bound: whether the limit may be judged on the composed tree rather than by
    an event pass before composing."""
    if loader_class is not _CassetteLoader:
        return False  # the old path
    if limits.may_have_aliases(text):
        return False  # shared subtrees: walked once per use, a "billion laughs" would be walked in full
    return limits.libyaml_caps_nesting() or limits.yaml_depth_within(text, limits.COMPOSE_SAFE_DEPTH)


def _cassette(path: Path, root: yaml.Node | None, data: Any) -> Cassette:
    if not isinstance(data, dict) or not isinstance(data.get("interactions"), list):
        raise CassetteError("not a vcrpy cassette: no top-level `interactions` list", 1)
    nodes = _interaction_nodes(root) if root is not None else []
    cassette = Cassette(path)
    for i, raw in enumerate(data["interactions"]):
        node = nodes[i] if i < len(nodes) else None
        line = node.start_mark.line + 1 if node is not None else None
        try:
            exchange = _exchange(raw)
        except CassetteError as exc:
            cassette.broken.append(BrokenInteraction(i, exc.message, line, exc.over_limit))
            continue
        cassette.interactions.append(
            RecordedExchange(
                i,
                exchange,
                line,
                _body_line(node, "request"),
                _body_line(node, "response"),
                _literal_body(node, exchange.response_body),
            )
        )
    return cassette


def _exchange(raw: Any) -> Exchange:
    if not isinstance(raw, dict) or not isinstance(raw.get("request"), dict) or not isinstance(raw.get("response"), dict):
        raise CassetteError("not a vcrpy interaction: needs `request` and `response` mappings")
    request, response = raw["request"], raw["response"]
    method, uri = request.get("method"), request.get("uri")
    if not isinstance(method, str) or not isinstance(uri, str):
        raise CassetteError("the request needs a `method` and a `uri`")
    status = response.get("status")
    code = status.get("code") if isinstance(status, dict) else status
    if not isinstance(code, int) or isinstance(code, bool):  # YAML `true` is a bool, and bool is an int
        raise CassetteError(f"the response status code is {code!r}, not an integer")
    try:
        urlsplit(uri)
    except ValueError as exc:  # e.g. `http://[::1/v1/...`: an unclosed IPv6 bracket
        raise CassetteError(f"the request uri {uri!r} is not a URL ({exc})") from None
    response_headers = _headers(response.get("headers"))
    body = response.get("body")
    response_body = _bytes(body.get("string") if isinstance(body, dict) else body)
    return Exchange(
        method=method.upper(),
        url=uri,
        request_headers=_headers(request.get("headers")),
        request_body=_bytes(request.get("body")),
        status=code,
        response_headers=response_headers,
        response_body=_decompressed(response_body, response_headers),
    )


def _headers(raw: Any) -> dict[str, list[str]]:
    if not isinstance(raw, Mapping):
        return {}
    out: dict[str, list[str]] = {}
    for name, value in raw.items():
        values = value if isinstance(value, list | tuple) else [value]
        out.setdefault(str(name).lower(), []).extend(str(v) for v in values)
    return out


def _bytes(value: Any) -> bytes:
    if value is None:
        return b""
    if isinstance(value, bytes):
        return value
    if isinstance(value, dict) and "string" in value:  # a request body recorded as {string: ...}
        return _bytes(value["string"])
    return str(value).encode("utf-8")


def _decompressed(body: bytes, headers: Mapping[str, list[str]]) -> bytes:
    """vcrpy keeps gzip/deflate bodies as recorded unless `decode_compressed_response` was set."""
    encoding = (headers.get("content-encoding") or [""])[0].strip().lower()
    if encoding in ("gzip", "deflate") and body:
        try:
            return limits.inflate(body, 47)  # 47: auto-detect gzip or zlib header; capped, never a bomb in full
        except zlib.error:
            return body  # already decoded, or corrupt: the JSON check reports it
        except limits.LimitError as exc:
            raise CassetteError(f"the response body: {exc.message}", over_limit=True) from None
    return body


def _interaction_nodes(root: yaml.Node) -> list[yaml.Node]:
    value = _child(root, "interactions")
    return list(value.value) if isinstance(value, yaml.SequenceNode) else []


def _child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key and isinstance(v, yaml.Node):
                return v
    return None


def _body_node(interaction: yaml.Node | None, part: str) -> yaml.Node | None:
    body = _child(_child(interaction, part), "body")
    return _child(body, "string") if isinstance(body, yaml.MappingNode) else body


def _body_line(interaction: yaml.Node | None, part: str) -> int | None:
    string = _body_node(interaction, part)
    return string.start_mark.line + 1 if string is not None else None


_STR_TAGS = ("tag:yaml.org,2002:str", "tag:yaml.org,2002:python/str", "tag:yaml.org,2002:python/unicode")


def _literal_body(interaction: yaml.Node | None, body: bytes) -> bool:
    """Whether the response body's lines are the file's lines: a literal block of text, kept as read.

    Quoted and folded scalars fold line breaks, and !!binary or compressed bodies are not the text
    shown, so for those no line of the body can be placed in the file exactly."""
    node = _body_node(interaction, "response")
    return (
        isinstance(node, yaml.ScalarNode) and node.style == "|" and node.tag in _STR_TAGS
        and node.value.encode("utf-8") == body
        and not any(c in node.value for c in "\u2028\u2029")  # line breaks to YAML, not to SSE
    )


def iter_cassettes(directory: Path, *, reference: bool = False) -> Iterator[tuple[Path, Cassette | CassetteError]]:
    """Each cassette under `directory` with what loading it gave: the cassette or the error."""
    for path in cassette_files(directory):
        try:
            yield path, read_cassette(path, reference=reference)
        except CassetteError as exc:
            yield path, exc


def _line_at(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def _reader_problem(exc: yaml.reader.ReaderError, text: str) -> str:
    """PyYAML's ReaderError as one line: which character, where (it is unprintable, so never shown raw)."""
    char = exc.character if isinstance(exc.character, str) else chr(exc.character)
    return f"unacceptable character U+{ord(char):04X} at line {_line_at(text, exc.position)} (YAML allows no control characters)"
