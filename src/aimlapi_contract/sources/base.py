"""Where the published documents live: the docs base (upstream URL or a mirror) and the manifest of tracked pages."""

from __future__ import annotations

import json
import os
import posixpath
from dataclasses import dataclass
from pathlib import Path
import re
from urllib.parse import unquote, urlsplit

from ..errors import UsageError

DEFAULT_DOCS_BASE = "https://raw.githubusercontent.com/aimlapi/api-docs/refs/heads/main/"
DEFAULT_PAGE = "docs/api-references/text-models-llm/openai/gpt-4.1-nano.md"
DOCS_BASE_ENV = "AIMLAPI_DOCS_BASE"
MANIFEST_PATH = Path("specs/manifest.json")


@dataclass(frozen=True, slots=True)
class DocsBase:
    """The root the published files are read from: an http(s) URL or a local directory, upstream layout."""

    location: str  # URL ending in "/" or an absolute directory path

    @property
    def is_remote(self) -> bool:
        return self.location.startswith(("http://", "https://"))

    @classmethod
    def from_setting(cls, value: str | None) -> DocsBase:
        """The flag's value, else $AIMLAPI_DOCS_BASE, else the published upstream."""
        raw = value or os.environ.get(DOCS_BASE_ENV) or DEFAULT_DOCS_BASE
        if raw.startswith(("http://", "https://")):
            return cls(raw if raw.endswith("/") else raw + "/")
        if "://" in raw:
            raise UsageError(f"docs base `{raw}` is neither an http(s) URL nor a directory")
        path = Path(raw).expanduser().resolve()
        if not path.is_dir():
            shown = f"`{raw}`" if Path(raw).is_absolute() else f"`{raw}` (= {path})"
            raise UsageError(
                f"docs base {shown} is not a directory",
                tip="pass an http(s) URL or a directory laid out like upstream, e.g. ../shared/aimlapi-docs",
            )
        return cls(str(path))

    def url_for(self, rel: str) -> str:
        """Where `rel` (a path relative to the docs root) is read from."""
        if self.is_remote:
            return self.location + rel
        return str(Path(self.location, rel))

    def upstream_url_for(self, rel: str) -> str:
        """Where `rel` is published upstream, whatever base is in use (for reports and lock files)."""
        return DEFAULT_DOCS_BASE + rel


# Every URL form GitHub serves a file of the docs repository under, at the branch the docs base mirrors:
# raw.githubusercontent.com/aimlapi/api-docs/{refs/heads/main|main}/PATH and
# github.com/aimlapi/api-docs/{raw|blob}/{refs/heads/main|main}/PATH (`?raw=true` allowed).
_REPO_URL = re.compile(
    r"https?://(?:raw\.githubusercontent\.com/aimlapi/api-docs|(?:www\.)?github\.com/aimlapi/api-docs/(?:raw|blob))"
    r"/(?:refs/heads/)?(?P<ref>[^/]+)/(?P<path>[^?#]*)",
    re.IGNORECASE,
)
DOCS_BRANCH = "main"
# GitBook writes this where a page's embedded spec was deleted or never synced: a placeholder, not a URL.
PLACEHOLDER_PREFIX = "/broken/openapi/"


def is_placeholder(link: str) -> bool:
    """Whether `link` is GitBook's placeholder for a spec it lost (`/broken/openapi/<name>`)."""
    return link.startswith(PLACEHOLDER_PREFIX)


def repository_ref(link: str) -> str | None:
    """The branch (or commit) a link into the docs repository on GitHub names; None for any other link."""
    match = _REPO_URL.match(link)
    return match.group("ref") if match else None


def relative_link(link: str, page_rel: str) -> str | None:
    """The docs-root-relative path a link on `page_rel` points at, or None if it leaves the docs repo.

    Absolute links into the docs repository at its main branch (any of GitHub's URL forms) resolve
    against whatever base is in use, so a mirror serves the specs the page links to. A link to another
    branch or commit is not what the base serves, so it is None too (see `repository_ref`).
    """
    match = _REPO_URL.match(link)
    if match:
        if match.group("ref") != DOCS_BRANCH:
            return None
        joined = posixpath.normpath(unquote(match.group("path")))
    else:
        parts = urlsplit(link)
        if parts.scheme or parts.netloc or link.startswith("/"):
            return None
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(page_rel), unquote(parts.path)))
    # `..` past the root would read (or, through the cache, write) outside the docs tree.
    return None if joined.startswith(("..", "/")) or joined == "." else joined


def project_root(start: Path) -> Path | None:
    """The nearest directory at or above `start` holding specs/manifest.json, as git finds its top level."""
    for directory in (start, *start.parents):
        if (directory / MANIFEST_PATH).is_file():
            return directory
    return None


@dataclass(frozen=True, slots=True)
class TrackedPage:
    """One page in specs/manifest.json: `path` may be a glob or a folder (sources/catalogue.py).

    `model`, when given, is the model the page is tracked for: page/coverage.py warns (CT116) when the
    page's specs do not document it."""

    path: str
    model: str = ""


def load_manifest(path: Path = MANIFEST_PATH) -> list[TrackedPage]:
    """The tracked pages; the default page when the project has no manifest (e.g. run from elsewhere)."""
    if not path.exists():
        return [TrackedPage(DEFAULT_PAGE)]
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [TrackedPage(p["path"], p.get("model", "")) for p in data["pages"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise UsageError(
            f"{path}: not a valid manifest ({exc})",
            tip='expected {"pages": [{"path": "docs/...md", "model": "..."}]}',
        ) from None


def load_manifest_specs(path: Path = MANIFEST_PATH) -> list[str]:
    """The manifest's optional `specs`: globs or paths of specs to check even when no page links them."""
    if not path.exists():
        return []
    try:
        specs = json.loads(path.read_text(encoding="utf-8")).get("specs", [])
        if not isinstance(specs, list) or not all(isinstance(s, str) for s in specs):
            raise TypeError("`specs` must be a list of paths or globs")
        return list(specs)
    except (ValueError, TypeError, AttributeError) as exc:
        raise UsageError(f"{path}: not a valid manifest ({exc})", tip='expected {"pages": [...], "specs": ["docs/**/*.json"]}') from None
