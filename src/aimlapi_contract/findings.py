"""The one findings model every check reports through: no I/O here.

Each code is documented (meaning, example, fix) in docs/findings.md, and only there.
Codes are stable: never rename or reuse one; a retired code stays in the enum, commented.
"""

from __future__ import annotations

import enum
import functools
import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from .errors import ContractError


class Severity(enum.IntEnum):
    """How sure and how bad: ordered so that `>=` compares with --fail-on."""

    INFO = 10
    WARNING = 20
    ERROR = 30

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def from_label(cls, label: str) -> Severity:
        try:
            return cls[label.upper()]
        except KeyError:
            allowed = ", ".join(s.label for s in cls)
            raise ValueError(f"unknown severity `{label}`; use one of: {allowed}") from None


@enum.unique
class Code(str, enum.Enum):
    """Stable finding codes: 1xx sources and specs, 2xx traffic, 3xx docs page, 4xx live, 5xx spec changes."""

    # 1xx: published sources and the specs themselves
    SOURCE_UNREACHABLE = "CT101"
    SOURCE_NOT_JSON = "CT102"
    SOURCE_CHANGED = "CT103"
    SOURCE_FROM_CACHE = "CT104"
    SPEC_INVALID_OPENAPI = "CT110"
    SPEC_NULLABLE_WITHOUT_TYPE = "CT111"
    SPEC_SECURITY_UNAPPLIED = "CT112"
    SPEC_NULLABLE_ENUM_WITHOUT_NULL = "CT113"
    # catalogue discovery (sources/catalogue.py, check.py): pages whose specs cannot be found
    DOC_PAGE_NO_SPEC_LINK = "CT114"
    DOC_SPEC_LINK_PLACEHOLDER = "CT115"
    TRACKED_MODEL_UNDOCUMENTED = "CT116"
    SPEC_UNREFERENCED_COMPONENTS = "CT117"

    # 2xx: recorded and live traffic against the specs (added by the traffic checks)
    UNDOCUMENTED_PATH = "CT201"
    UNDOCUMENTED_STATUS = "CT202"
    UNDOCUMENTED_CONTENT_TYPE = "CT203"
    REQUEST_SCHEMA_MISMATCH = "CT204"
    RESPONSE_SCHEMA_MISMATCH = "CT205"
    NULL_NOT_ALLOWED = "CT206"
    UNDOCUMENTED_FIELD = "CT207"
    BODY_NOT_JSON = "CT208"
    CASSETTE_UNREADABLE = "CT209"
    SSE_MALFORMED_EVENT = "CT210"
    SSE_EVENT_SCHEMA_MISMATCH = "CT211"
    SSE_UNTERMINATED = "CT212"
    SSE_INCONSISTENT = "CT213"
    TRAFFIC_ROOT_CAUSE = "CT220"
    INPUT_OVER_LIMIT = "CT230"
    FINDINGS_TRUNCATED = "CT231"
    RECORDING_OTHER_MODEL = "CT250"

    # 3xx: the documentation page and spec-internal examples (added by the docs-drift lint)
    DOC_PAGE_UNREADABLE = "CT301"
    DOC_SPEC_LINK_BROKEN = "CT302"
    DOC_LINKED_OPERATION_MISSING = "CT303"
    DOC_FENCE_UNTERMINATED = "CT304"
    DOC_ENDPOINT_UNKNOWN = "CT305"
    DOC_SCHEMA_UNUSABLE = "CT306"
    DOC_EXAMPLE_NOT_JSON = "CT310"
    DOC_EXAMPLE_JSON5_ONLY = "CT311"
    DOC_EXAMPLE_SCHEMA_MISMATCH = "CT312"
    DOC_SAMPLE_UNPARSABLE = "CT320"
    DOC_SAMPLE_WRONG_HOST = "CT321"
    DOC_SAMPLE_UNDOCUMENTED_PATH = "CT322"
    DOC_SAMPLE_DUPLICATE_HEADER = "CT323"
    DOC_SAMPLE_MISSING_HEADER = "CT324"
    DOC_SAMPLE_SCHEMA_MISMATCH = "CT325"
    DOC_SAMPLES_DIFFER = "CT326"
    DOC_SAMPLE_DUPLICATE_KEY = "CT327"
    DOC_SAMPLE_CONTENT_LENGTH = "CT328"
    DOC_LINK_BROKEN = "CT329"
    SPEC_EXAMPLE_SCHEMA_MISMATCH = "CT330"
    DOC_SAMPLE_UNDOCUMENTED_QUERY = "CT360"
    DOC_SAMPLE_MISSING_QUERY = "CT361"
    DOC_SAMPLE_UNDOCUMENTED_MEDIA_TYPE = "CT362"
    # Semantic rules (validation/semantics.py), shared with recorded traffic and live runs
    SEMANTIC_USAGE_SUM = "CT340"
    SEMANTIC_OUTPUT_OVER_LIMIT = "CT341"
    SEMANTIC_IN_PROGRESS = "CT342"
    SEMANTIC_OBJECT_MISMATCH = "CT343"
    SEMANTIC_MODEL_MISMATCH = "CT344"
    SEMANTIC_TIMESTAMP = "CT345"

    # 4xx: live runs (added by live mode)
    LIVE_REQUEST_INVALID = "CT401"
    LIVE_UNEXPECTED_STATUS = "CT402"

    # 5xx: what changed between two versions of a spec (added by the spec diff)
    SPEC_CHANGE_BREAKING = "CT501"
    SPEC_CHANGE_COMPATIBLE = "CT502"
    SPEC_CHANGE_UNKNOWN = "CT503"

    # 9xx: the suite's own bookkeeping
    BASELINE_STALE = "CT901"
    CHECK_CRASHED = "CT910"
    CATALOGUE_GROUP = "CT920"  # one defect on N pages (reports/groups.py): a cause, like CT220


# A source that could not be loaded at all: nothing on it was checked.
LOAD_CODES = frozenset({Code.SOURCE_UNREACHABLE, Code.SOURCE_NOT_JSON, Code.DOC_PAGE_UNREADABLE})


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem, pinned to where a person fixes it.

    `source` is a path relative to the docs base (page, spec) or to the project (cassette);
    `line`/`column` are 1-based where the source is a text file; `pointer` is a JSON pointer into
    the spec or the payload; `anchor` disambiguates findings that share code, source and pointer
    (e.g. "interaction:3" or "example@/v1/responses") and, unlike `line`, survives unrelated edits.
    """

    code: Code
    severity: Severity
    source: str
    message: str
    line: int | None = None
    column: int | None = None
    pointer: str = ""
    endpoint: str = ""
    fix: str = ""
    detail: str = ""
    anchor: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        """What identifies this finding across runs: never the message text or the line."""
        return (self.code._value_, self.source, self.endpoint, self.pointer, self.anchor)  # _value_: enum's .value is a slow descriptor

    @property
    def fingerprint(self) -> str:
        """A short stable hash of `key`, for the baseline file and SARIF."""
        return hashlib.sha256("\x1f".join(self.key).encode()).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        # Not dataclasses.asdict: its deep copy of `extra` dominated rendering a large JSON report. The
        # copy is shallow: nested values are shared with the finding, for serialising, not for editing.
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["extra"] = dict(self.extra)
        data["code"] = self.code.value
        data["severity"] = self.severity.label
        data["fingerprint"] = self.fingerprint
        if not data["extra"]:
            del data["extra"]
        return data

    def __reduce__(self) -> tuple[type[Finding], tuple[Any, ...]]:
        # Pickled as its fields in order (workers send findings back by the ten thousand): a third less
        # to load than the dataclass' default of a state mapping set field by field.
        return (Finding, tuple(getattr(self, name) for name in _FIELDS))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        fields = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        fields["code"] = Code(fields["code"])
        fields["severity"] = Severity.from_label(fields["severity"])
        return cls(**fields)


_FIELDS = tuple(Finding.__dataclass_fields__)


def _finding_setters() -> tuple[Callable[[Finding, Any], None], ...]:
    """Each field's slot store, which a frozen instance's __setattr__ refuses and its __init__ alone may use."""
    if _FIELDS != ("code", "severity", "source", "message", "line", "column", "pointer", "endpoint", "fix", "detail",
                   "anchor", "extra"):
        raise RuntimeError("Finding's fields changed: _fast_init below names them in order, and must follow")
    return tuple(Finding.__dict__[name].__set__ for name in _FIELDS)


(_set_code, _set_severity, _set_source, _set_message, _set_line, _set_column, _set_pointer, _set_endpoint,
 _set_fix, _set_detail, _set_anchor, _set_extra) = _finding_setters()


class _Factory:
    """`extra` not given (a new dict each time): shown as dataclasses shows a default_factory."""

    def __repr__(self) -> str:
        return "<factory>"


_NEW_DICT: Any = _Factory()


def _fast_init(self: Finding, code: Code, severity: Severity, source: str, message: str, line: int | None = None,
               column: int | None = None, pointer: str = "", endpoint: str = "", fix: str = "", detail: str = "",
               anchor: str = "", extra: dict[str, Any] = _NEW_DICT) -> None:
    # The dataclass' own __init__ stores each field through object.__setattr__ (a look-up by name per field):
    # 2.2 us a finding, and a run makes one per payload problem, 100,000 for 100 long answers, plus one more per
    # finding a worker sends back. Storing through the slots' descriptors is the same object in 1.3 us.
    _set_code(self, code)
    _set_severity(self, severity)
    _set_source(self, source)
    _set_message(self, message)
    _set_line(self, line)
    _set_column(self, column)
    _set_pointer(self, pointer)
    _set_endpoint(self, endpoint)
    _set_fix(self, fix)
    _set_detail(self, detail)
    _set_anchor(self, anchor)
    _set_extra(self, {} if extra is _NEW_DICT else extra)  # the field's default_factory: a new dict each


_fast_init.__name__, _fast_init.__qualname__ = "__init__", "Finding.__init__"  # as errors and signatures name it
Finding.__init__ = _fast_init  # type: ignore[method-assign]


def with_unique_keys(findings: list[Finding]) -> list[Finding]:
    """`findings` with exact repeats dropped and no two sharing a key: a later namesake gets its message's digest in `anchor`.

    Checks key their findings on what is wrong; this is the last guard, so the baseline and SARIF
    never merge two different problems into one fingerprint.
    """
    # A key's one message is kept as itself, its messages as a set only once a namesake differs: a large run
    # has 40,000 findings and almost no namesakes, so a set per finding was most of this function's time.
    seen: dict[tuple[str, ...], str | set[str]] = {}
    out: list[Finding] = []
    for f in findings:
        key = (f.code._value_, f.source, f.endpoint, f.pointer, f.anchor)  # f.key, inlined: asked per finding of a large run
        messages = seen.get(key)
        if messages is None:
            seen[key] = f.message
            out.append(f)
            continue
        if isinstance(messages, str):
            if messages == f.message:
                continue
            messages = seen[key] = {messages}
        if f.message not in messages:
            messages.add(f.message)
            digest = hashlib.sha256(f.message.encode()).hexdigest()[:8]
            out.append(replace(f, anchor=f"{f.anchor}#{digest}"))
    return out


def sort_key(finding: Finding) -> tuple[Any, ...]:
    """Report order: by source, then line, then most severe first."""
    return (finding.source, finding.line or 0, -finding.severity._value_, finding.code._value_, finding.pointer)


def pointer_from_path(path: Any) -> str:
    """A JSON pointer (RFC 6901) from a sequence of keys and indexes, e.g. jsonschema's `error.path`."""
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in path]
    return "".join("/" + p for p in parts)


def pointer_parts(pointer: str) -> list[str]:
    """The keys and indexes a JSON pointer (RFC 6901) names, unescaped: '/a~1b/0' -> ['a/b', '0']; '//x' -> ['', 'x']."""
    return [raw.replace("~1", "/").replace("~0", "~") for raw in pointer.split("/")[1:]] if pointer else []


@functools.lru_cache(maxsize=4096)
def dotted(pointer: str, root: str = "(root)") -> str:
    """A JSON pointer as a readable path: /choices/0/finish_reason -> choices[0].finish_reason; `root` for ''."""
    if not pointer:
        return root
    out = ""
    for part in pointer_parts(pointer):
        out += f"[{part}]" if part.isdigit() else (f".{part}" if out else part)
    return out


def crash_finding(source: str, what: str, exc: BaseException, *, anchor: str = "") -> Finding:
    """CT910: a check failed on `source` with an exception it did not expect; the run goes on."""
    text = " ".join(str(exc).split())[:300] or "(no message)"
    return Finding(
        Code.CHECK_CRASHED, Severity.ERROR, source, f"{what} failed on this input: {type(exc).__name__}: {text}",
        anchor=anchor or "crash", fix="report it with this input attached; remove or repair the input meanwhile",
    )


def guarded(source: str, what: str, findings: Iterable[Finding]) -> Iterator[Finding]:
    """`findings` as they come; an unexpected exception ends them with one CT910 on `source`, and the run goes on."""
    try:
        yield from findings
    except ContractError:
        raise  # a usage or source error (e.g. a missing --cassettes directory) is exit 2, not a finding
    except Exception as exc:  # noqa: BLE001  (the one catch per input: no traceback reaches a user)
        yield crash_finding(source, what, exc)


def lazily(make: Callable[[], Iterable[Finding]]) -> Iterator[Finding]:
    """`make()`'s findings, computed only when iterated: inside `guarded`, so its exceptions are caught there."""
    yield from make()
