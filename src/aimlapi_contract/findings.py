"""The one findings model every check reports through: no I/O here.

Each code is documented (meaning, example, fix) in docs/findings.md, and only there.
Codes are stable: never rename or reuse one; a retired code stays in the enum, commented.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any


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

    # 2xx: recorded and live traffic against the specs (added by the traffic checks)

    # 3xx: the documentation page and spec-internal examples (added by the docs-drift lint)
    DOC_PAGE_UNREADABLE = "CT301"

    # 4xx: live runs (added by live mode)

    # 5xx: what changed between two versions of a spec (added by the spec diff)
    SPEC_CHANGE_BREAKING = "CT501"
    SPEC_CHANGE_COMPATIBLE = "CT502"
    SPEC_CHANGE_UNKNOWN = "CT503"

    # 9xx: the suite's own bookkeeping
    BASELINE_STALE = "CT901"


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
        return (self.code.value, self.source, self.endpoint, self.pointer, self.anchor)

    @property
    def fingerprint(self) -> str:
        """A short stable hash of `key`, for the baseline file and SARIF."""
        return hashlib.sha256("\x1f".join(self.key).encode()).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["code"] = self.code.value
        data["severity"] = self.severity.label
        data["fingerprint"] = self.fingerprint
        if not data["extra"]:
            del data["extra"]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        fields = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        fields["code"] = Code(fields["code"])
        fields["severity"] = Severity.from_label(fields["severity"])
        return cls(**fields)


def sort_key(finding: Finding) -> tuple[Any, ...]:
    """Report order: by source, then line, then most severe first."""
    return (finding.source, finding.line or 0, -finding.severity, finding.code.value, finding.pointer)


def pointer_from_path(path: Any) -> str:
    """A JSON pointer (RFC 6901) from a sequence of keys and indexes, e.g. jsonschema's `error.path`."""
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in path]
    return "".join("/" + p for p in parts)
