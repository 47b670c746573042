"""specs/lock.json: the sha256 of every published document the suite last accepted."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..files import atomic_write
from ..findings import Code, Finding, Severity
from .fetch import Fetched

LOCK_PATH = Path("specs/lock.json")
LOCK_VERSION = 1


@dataclass(frozen=True, slots=True)
class LockEntry:
    url: str
    sha256: str
    size: int
    etag: str = ""
    last_modified: str = ""

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"url": self.url, "sha256": self.sha256, "size": self.size}
        if self.etag:
            data["etag"] = self.etag
        if self.last_modified:
            data["last_modified"] = self.last_modified
        return data


def read_lock(path: Path = LOCK_PATH) -> dict[str, LockEntry]:
    """rel path -> entry; empty when there is no lock yet."""
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {
            rel: LockEntry(e["url"], e["sha256"], int(e["size"]), e.get("etag", ""), e.get("last_modified", ""))
            for rel, e in data["sources"].items()
        }
    except (ValueError, KeyError, TypeError) as exc:
        raise UsageError(f"{path}: not a valid lock file ({exc})", tip="rewrite it with `aimlapi-contract fetch --update-lock`") from None


def write_lock(entries: dict[str, LockEntry], path: Path = LOCK_PATH) -> None:
    body = {"version": LOCK_VERSION, "sources": {rel: entries[rel].to_dict() for rel in sorted(entries)}}
    atomic_write(path, (json.dumps(body, indent=2) + "\n").encode())


def entry_for(fetched: Fetched, upstream_url: str) -> LockEntry:
    return LockEntry(upstream_url, fetched.sha256, len(fetched.data), fetched.etag, fetched.last_modified)


def lock_findings(fetched: Fetched, lock: dict[str, LockEntry]) -> list[Finding]:
    """An info finding when a document's sha256 differs from the lock: the published docs changed."""
    entry = lock.get(fetched.rel)
    if entry is None or entry.sha256 == fetched.sha256:
        return []
    return [
        Finding(
            code=Code.SOURCE_CHANGED,
            severity=Severity.INFO,
            source=fetched.rel,
            message=f"published document changed: sha256 {fetched.sha256[:12]}… (size {len(fetched.data)}) "
            f"differs from the lock's {entry.sha256[:12]}… (size {entry.size})",
            fix="review the change (`aimlapi-contract diff`), then accept it with `aimlapi-contract fetch --update-lock`",
        )
    ]
