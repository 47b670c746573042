"""Read published documents from the docs base: a directory directly, a URL through a local cache.

A download replaces the cached copy only once it is complete and parses (atomic rename), so a
failed or truncated fetch never destroys a good copy. When the network fails, the cached copy is
used and the caller is told so.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import MIRROR_TIP, SourceError
from ..files import atomic_write
from .base import DocsBase

if TYPE_CHECKING:
    import requests

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 30.0
CACHE_ENV = "AIMLAPI_CONTRACT_CACHE"
DEFAULT_CACHE = Path(".cache/aimlapi-contract")


@dataclass(frozen=True, slots=True)
class Fetched:
    """The bytes of one published document and how they were obtained."""

    rel: str
    url: str
    data: bytes
    from_cache: bool = False
    etag: str = ""
    last_modified: str = ""
    note: str = ""  # why the cache was used, for the user

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


class FetchError(SourceError):
    """One document could not be had: names the URL; the caller turns it into a finding or exit 2."""


def cache_dir(value: str | os.PathLike[str] | None = None) -> Path:
    return Path(value or os.environ.get(CACHE_ENV) or DEFAULT_CACHE)


def object_path(cache: Path, sha256: str) -> Path:
    """Where the document with this sha256 is kept (content-addressed), e.g. the locked version of a spec."""
    return cache / "objects" / sha256


class Fetcher:
    """Reads documents relative to a docs base; remote ones are cached under `cache`."""

    def __init__(
        self,
        base: DocsBase,
        cache: Path | None = None,
        session: requests.Session | None = None,
        timeout: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT),
    ) -> None:
        self.base = base
        self.cache = cache_dir(cache)
        self._session = session
        self.timeout = timeout

    @property
    def session(self) -> requests.Session:
        """The HTTP session, made on first use: `requests` is slow to import and a directory base never needs it."""
        if self._session is None:
            import requests

            self._session = requests.Session()
        return self._session

    def cache_path(self, rel: str) -> Path:
        return _inside(self.cache / "files", rel)

    def object_path(self, sha256: str) -> Path:
        return object_path(self.cache, sha256)

    def _store_object(self, fetched: Fetched) -> Fetched:
        # Every good download is kept by content, so a later run can diff the locked version against a new one.
        path = self.object_path(fetched.sha256)
        if not path.exists():
            try:
                atomic_write(path, fetched.data)
            except OSError:
                pass  # a read-only cache costs only the change report, never the check
        return fetched

    def _meta_path(self, rel: str) -> Path:
        return _inside(self.cache / "meta", rel + ".json")

    def get(self, rel: str, *, offline: bool = False) -> Fetched:
        """The document at `rel`: read from a directory base, downloaded, or from the cache when the network fails."""
        url = self.base.url_for(rel)
        if not self.base.is_remote:
            try:
                return Fetched(rel, url, Path(url).read_bytes())
            except OSError as exc:
                raise FetchError(f"{url}: cannot read ({exc.strerror or exc})") from None
        if offline:
            return self._from_cache(rel, url, "offline mode")
        import requests

        try:
            # The body is read here too (no streaming); urllib3 enforces Content-Length, so a body cut
            # short raises instead of arriving truncated.
            resp = self.session.get(url, timeout=self.timeout)
        except requests.Timeout:
            return self._from_cache(rel, url, "timed out")
        except requests.ConnectionError:
            return self._from_cache(rel, url, "network unreachable")
        except requests.RequestException as exc:
            # The server answered, but the body broke off (ChunkedEncodingError on a short read) or
            # could not be decoded: a real error, not an outage.
            reason = f"download broken off or undecodable ({type(exc).__name__}: {str(exc).splitlines()[0][:160]})"
            return self._from_cache(rel, url, reason, hard=True)
        if resp.status_code >= 400:
            # A server that answers 404/500 is not "offline": the error is real and is reported,
            # but a good cached copy still serves the checks.
            return self._from_cache(rel, url, f"HTTP {resp.status_code}", hard=True)
        data = resp.content
        problem = _body_problem(rel, data)
        if problem:
            return self._from_cache(rel, url, problem, hard=True)
        fetched = Fetched(
            rel,
            url,
            data,
            etag=resp.headers.get("ETag", ""),
            last_modified=resp.headers.get("Last-Modified", ""),
        )
        atomic_write(self.cache_path(rel), data)
        meta = {"url": url, "sha256": fetched.sha256, "etag": fetched.etag, "last_modified": fetched.last_modified}
        atomic_write(self._meta_path(rel), json.dumps(meta, indent=2).encode())
        return self._store_object(fetched)

    def _from_cache(self, rel: str, url: str, reason: str, *, hard: bool = False) -> Fetched:
        path = self.cache_path(rel)
        if hard:
            # The server answered with something unusable: that is an error even if a cached copy exists.
            raise FetchError(f"{url}: {reason}; the cached copy (if any) was left as it was")
        if not path.exists():
            raise FetchError(f"{url}: {reason} and no cached copy in {self.cache}", tip=MIRROR_TIP)
        meta: dict[str, str] = {}
        try:
            meta = json.loads(self._meta_path(rel).read_text())
        except (OSError, ValueError):
            pass
        return Fetched(
            rel,
            url,
            path.read_bytes(),
            from_cache=True,
            etag=meta.get("etag", ""),
            last_modified=meta.get("last_modified", ""),
            note=f"{url}: {reason}; using the cached copy from {path}",
        )


def _inside(root: Path, rel: str) -> Path:
    """root/rel, refusing a `rel` that would leave root (a hostile link on a page must not write elsewhere)."""
    path = Path(os.path.normpath(root / rel))
    if rel.startswith("/") or not path.is_relative_to(os.path.normpath(root)):
        raise FetchError(f"`{rel}` leaves the docs tree; refusing to read or write it")
    return path


def _body_problem(rel: str, data: bytes) -> str:
    """Why a downloaded body must not replace the cache ('' when it may)."""
    if rel.endswith(".json"):
        try:
            json.loads(data)
        except ValueError as exc:
            return f"body is not valid JSON ({exc}); truncated or not a spec"
    elif not data.strip():
        return "empty body"
    return ""
