"""Explicit limits on every reader of untrusted input, so a hostile file costs a finding, not the machine.

One `Limits` value holds them all (each with a CLI flag, see `FLAGS`); the readers ask `current()`, which
`applied(limits)` sets for the length of a run. The defaults are generous for real recordings (50 MB
cassettes, 200,000-event streams) and documented in docs/limits.md. Every check here is independent of
the parser used: sizes are checked on bytes before parsing, inflation is streamed with a cap, JSON and
YAML depth and YAML alias expansion are measured iteratively, never by recursion.
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

MiB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """The most any one input may use; a hit is a LimitError naming the limit and its flag."""

    file_bytes: int = 64 * MiB  # a cassette, page, spec or diff input, as read from disk or the network
    body_bytes: int = 128 * MiB  # one body after gzip/deflate decoding
    json_depth: int = 200  # nesting of a JSON value (payload, example, spec)
    yaml_depth: int = 200  # nesting of a cassette's YAML
    yaml_expansion: int = 256 * MiB  # nodes + scalar characters of a cassette once its aliases are expanded
    sse_events: int = 1_000_000  # events of one text/event-stream body that are checked
    findings_per_source: int = 1_000  # findings listed per cassette; the rest are counted per code (CT231)
    fetch_seconds: float = 60.0  # one document's download, connect to last byte
    run_seconds: float = 600.0  # every download of one run together


# field -> (flag, help). The CLI adds one flag per limit from this table.
FLAGS: dict[str, tuple[str, str]] = {
    "file_bytes": ("--max-file-bytes", "largest cassette, page or spec read, in bytes"),
    "body_bytes": ("--max-body-bytes", "largest body after gzip/deflate decoding, in bytes"),
    "json_depth": ("--max-json-depth", "deepest JSON nesting parsed"),
    "yaml_depth": ("--max-yaml-depth", "deepest YAML nesting in a cassette"),
    "yaml_expansion": ("--max-yaml-expansion", "largest cassette once YAML aliases are expanded (nodes + characters)"),
    "sse_events": ("--max-sse-events", "most events of one stream that are checked"),
    "findings_per_source": ("--max-findings-per-cassette", "most findings listed per cassette (the rest are counted)"),
    "fetch_seconds": ("--fetch-deadline", "seconds one document's download may take in all"),
    "run_seconds": ("--run-deadline", "seconds all downloads of one run may take in all"),
}

_state = threading.local()


class LimitError(ValueError):
    """An input exceeds one of the limits; the message names what, how much and the flag that raises it."""

    def __init__(self, what: str, limit: str, name: str) -> None:
        flag = FLAGS[name][0]
        super().__init__(f"{what} exceeds the limit of {limit} (raise it with `{flag}`)")
        self.message = str(self)
        self.name = name


def current() -> Limits:
    """The limits in force in this thread: the defaults unless `applied` set others."""
    limits: Limits | None = getattr(_state, "limits", None)
    return limits or Limits()


@contextmanager
def applied(limits: Limits) -> Iterator[Limits]:
    """Make `limits` current for the block (a run), then restore what was in force."""
    before = getattr(_state, "limits", None)
    _state.limits = limits
    try:
        yield limits
    finally:
        _state.limits = before


def with_overrides(**values: Any) -> Limits:
    """The defaults with the given (non-None) fields replaced, e.g. from command-line flags."""
    known = {f.name for f in fields(Limits)}
    return replace(Limits(), **{k: v for k, v in values.items() if k in known and v is not None})


def add_flags(parser: argparse.ArgumentParser) -> None:
    """One command-line flag per limit (dest `limit_<field>`), its default in the help."""
    defaults = Limits()
    for name, (flag, text) in FLAGS.items():
        default = getattr(defaults, name)
        parser.add_argument(flag, dest=f"limit_{name}", type=_positive(type(default)), metavar="N", help=f"{text} (default: {default:,})")


def from_namespace(args: argparse.Namespace) -> Limits:
    """The limits the flags of `args` ask for (defaults where a flag was not given or does not exist)."""
    return with_overrides(**{name: getattr(args, f"limit_{name}", None) for name in FLAGS})


def _positive(kind: type) -> Any:
    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"`{text}` is not a number") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"`{text}` must be above 0")
        return value

    return parse


def _size(n: float) -> str:
    return f"{n / MiB:g} MiB" if n >= MiB else f"{n:g} bytes"


def read_file(path: Path, what: str = "the file") -> bytes:
    """The bytes of `path`, reading at most the file limit plus one byte (so `/dev/zero` ends too)."""
    cap = current().file_bytes
    with path.open("rb") as fh:
        data = fh.read(cap + 1)
    if len(data) > cap:
        raise LimitError(f"{what} ({path})", _size(cap), "file_bytes")
    return data


def check_size(data: bytes, what: str) -> bytes:
    """`data` unless it is over the file limit."""
    cap = current().file_bytes
    if len(data) > cap:
        raise LimitError(what, _size(cap), "file_bytes")
    return data


def inflate(data: bytes, wbits: int = 47, *, limit: str = "body_bytes") -> bytes:
    """gzip/zlib-decode `data` in bounded steps, stopping at the limit named (never inflating a bomb in full).

    zlib.error propagates for a corrupt stream, as zlib.decompress would raise it."""
    cap: int = getattr(current(), limit)
    inflater = zlib.decompressobj(wbits)
    out = bytearray(inflater.decompress(data, cap + 1))
    while inflater.unconsumed_tail and len(out) <= cap:
        out += inflater.decompress(inflater.unconsumed_tail, cap + 1 - len(out))
    if len(out) > cap:
        raise LimitError("the body once decompressed", _size(cap), limit)
    if not inflater.eof:
        out += inflater.flush()
        if not inflater.eof:
            raise zlib.error("incomplete or truncated stream")
    return bytes(out)


_CONTAINERS = (dict, list)  # a tuple: isinstance with `dict | list` is a quarter slower, over millions of values


def json_depth(value: Any, stop: int | None = None) -> int:
    """How deeply `value` nests (a scalar is 0), measured level by level; stops counting past `stop`.

    Level by level, not node by node: a catalogue's specs are millions of nodes, and a list of the next
    level's containers costs far less than a (node, depth) pair and a max() per node."""
    level = [value] if isinstance(value, _CONTAINERS) else []
    depth = 0
    while level:
        depth += 1
        if stop is not None and depth > stop:
            return depth
        deeper: list[Any] = []
        for node in level:
            deeper += [c for c in (node.values() if isinstance(node, dict) else node) if isinstance(c, _CONTAINERS)]
        level = deeper
    return depth


def node_depth(root: Any, stop: int | None = None) -> int:
    """How deeply a composed YAML node tree nests (the event stream's depth), level by level; stops past `stop`.

    On the nodes, not the data: the data can lose levels (a repeated key keeps only its last value, a
    merge key lifts a mapping's keys). For a tree without aliases (a shared node would be walked again)."""
    import yaml

    level = [root] if isinstance(root, yaml.CollectionNode) else []
    depth = 0
    while level:
        depth += 1
        if stop is not None and depth > stop:
            return depth
        deeper: list[Any] = []
        for node in level:
            kids = [k for pair in node.value for k in pair] if isinstance(node, yaml.MappingNode) else node.value
            deeper += [k for k in kids if isinstance(k, yaml.CollectionNode)]
        level = deeper
    return depth


@functools.cache
def libyaml_caps_nesting() -> bool:
    """Whether libyaml refuses nesting past ~1,000 levels itself (0.2.5 does): its composer, which recurses in C,
    then cannot reach a depth that would overflow the C stack, and a document may be composed before it is measured."""
    import yaml

    try:
        yaml.compose("- " * 1100 + "x\n", Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return True
    except Exception:  # noqa: BLE001  (no libyaml at all: nothing is composed in C)
        return False
    return False


COMPOSE_SAFE_DEPTH = 2_000  # a nesting bound under which any libyaml composes without risk to the C stack


def loads_json(text: str | bytes, cap: int | None = None) -> Any:
    """json.loads, with nesting past the depth limit (`cap`: the current one) a LimitError (a ValueError, like
    a syntax error)."""
    if cap is None:
        cap = current().json_depth
    try:
        value = json.loads(text)
    except RecursionError:
        raise LimitError("JSON nesting", f"{cap} levels", "json_depth") from None
    # Every container opens with a bracket (some may sit in strings): few brackets, no walk (most payloads).
    brackets = text.count("[") + text.count("{") if isinstance(text, str) else text.count(b"[") + text.count(b"{")
    if brackets > cap and json_depth(value, stop=cap) > cap:
        raise LimitError("JSON nesting", f"{cap} levels", "json_depth")
    return value


# YAML nesting starts only at a flow indicator, at a block indicator (`-`, `?` followed by white space or
# the end), or at an implicit key, whose block mapping is one per indentation column or per block indicator
# before it on the line; in flow, `[a: [b: c]]` opens a sequence and a single-pair mapping per bracket.
# So twice the `[` and block indicators, plus the `{`, the deepest indentation and one, bound the depth
# from above, and most files need no event pass at all. (A `-` inside an id like `chatcmpl-x` is no indicator.)
_INDENT = re.compile(r"^ +", re.M)


def _odd_breaks(text: str) -> bool:
    """Line breaks other than \\n (a lone \\r, NEL, LS, PS) or a BOM: libyaml indents after them too, and the
    indentation measure below only looks after \\n."""
    return any(c in text for c in _ODD_BREAKS) or ("\r" in text and text.count("\r") != text.count("\r\n"))


_ODD_BREAKS = ("\x85", "\u2028", "\u2029", "\ufeff")


def yaml_depth_bound(text: str) -> int:
    """An upper bound on the nesting depth of the YAML in `text`, computed without parsing it."""
    if _odd_breaks(text):
        return len(text) + 1  # every level takes at least one character
    rest = _bound_without_indent(text)
    if rest >= 1_000_000:
        return rest
    return rest + max((len(m) for m in _INDENT.findall(text)), default=0)


def yaml_depth_within(text: str, cap: int) -> bool:
    """Whether yaml_depth_bound(text) <= cap, without measuring every line's indentation when it can be avoided."""
    if _odd_breaks(text):
        return len(text) + 1 <= cap
    rest = _bracket_bound(text)
    if rest > cap:
        return False  # a file of JSON bodies often ends here, before fourteen more scans of the text
    rest += 2 * _block_indicators(text)
    if rest > cap:
        return False
    deeper = " " * (cap - rest + 1)  # an indentation this deep would carry the bound past the cap
    return not (text.startswith(deeper) or "\n" + deeper in text)


def _bound_without_indent(text: str) -> int:
    """The bound's part from indicators: twice the `[` and the block indicators, the `{`, and one."""
    return _bracket_bound(text) + 2 * _block_indicators(text)


def _bracket_bound(text: str) -> int:
    return 2 * text.count("[") + text.count("{") + 1


def _block_indicators(text: str) -> int:
    """How many `-` and `?` are followed by white space or end the text (str.count: no regex over the file)."""
    count = sum(text.count(c + w) for c in "-?" for w in _WHITE)
    return count + (text.endswith(("-", "?")))


_WHITE = (" ", "\t", "\r", "\n", "\x85", "\u2028", "\u2029")


def may_have_aliases(text: str) -> bool:
    """False when the YAML in `text` cannot hold an alias: one needs an anchor (`&`) and a `*` to name it."""
    return "*" in text and "&" in text


def check_yaml_depth(text: str, loader_cls: Any) -> None:
    """LimitError when the YAML in `text` nests deeper than the limit, judged on its event stream.

    Composers (PyYAML's recursive one, libyaml's C one, which overflows the C stack at ~100,000
    levels) build nodes by recursion, so this runs before composing, iteratively over events."""
    import yaml

    cap = current().yaml_depth
    if yaml_depth_within(text, cap):
        return
    depth = 0
    # libyaml's parser when there is one (the same grammar, ~20x faster than PyYAML's); it is iterative.
    parser = (getattr(yaml, "CSafeLoader", None) or loader_cls)(text)
    try:
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > cap:
                    line = event.start_mark.line + 1 if event.start_mark else None
                    raise LimitError(f"YAML nesting (line {line})", f"{cap} levels", "yaml_depth")
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError as exc:
        if "maximum nesting depth" in str(exc):  # libyaml's own stop for flow nesting past 1,000 levels
            line = exc.problem_mark.line + 1 if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark else None
            raise LimitError(f"YAML nesting (line {line})", f"{min(cap, 1000)} levels", "yaml_depth") from None
        return  # not YAML up to here, and no deeper than the limit: the loader reports the error itself
    finally:
        parser.dispose()


def yaml_expansion_bound(text: str) -> int:
    """An upper bound on the expansion of alias-free YAML (see may_have_aliases): each character yields at most
    three units of it (a lone `?` makes a mapping with an empty key and an empty value), plus one for the root."""
    return 3 * len(text) + 1


def check_yaml_expansion(root: Any) -> None:
    """LimitError when the composed node graph, with every alias expanded, is over the expansion limit.

    An alias is the same node object in several places, so sizes are memoized per node: the count is
    linear in the file even when the expansion (a "billion laughs") is exponential."""
    import yaml

    cap = current().yaml_expansion
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()  # on the current path: meeting one again is a recursive alias
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        if not children_done and id(node) in open_nodes:
            raise LimitError("the cassette with its YAML aliases expanded (a recursive alias)", "any finite size", "yaml_expansion")
        if isinstance(node, yaml.ScalarNode):
            sizes[id(node)] = 1 + len(node.value)
            continue
        kids = [k for pair in node.value for k in pair] if isinstance(node, yaml.MappingNode) else list(node.value)
        if children_done:
            total = 1 + sum(sizes[id(k)] for k in kids)
            if total > cap:
                raise LimitError("the cassette with its YAML aliases expanded", f"{cap:,} nodes and characters", "yaml_expansion")
            sizes[id(node)] = total
            open_nodes.discard(id(node))
        else:
            open_nodes.add(id(node))
            stack.append((node, True))
            stack.extend((k, False) for k in kids if id(k) not in sizes)
