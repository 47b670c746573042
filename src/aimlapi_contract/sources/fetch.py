"""Read published documents from the docs base: a directory directly, a URL through a local cache.

A download replaces the cached copy only once it is complete and is what it should be (an OpenAPI 3.x
object for a spec, UTF-8 text for a page; atomic rename), so a failed, truncated or wrong answer never
destroys a good copy. Copies are kept per docs base. Each download has a deadline, and so does the run;
when the network fails or stalls, the cached copy is used and the caller is told so.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .. import limits
from ..errors import MIRROR_TIP, SourceError
from ..files import atomic_write
from .base import DocsBase
from .download import DownloadBroken, DownloadTimeout, download

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
        self.run_deadline = time.monotonic() + limits.current().run_seconds  # every download of this run together
        self._unresponsive = ""  # why the base is no longer asked in this run (it stalled once)

    @property
    def session(self) -> requests.Session:
        """The HTTP session, made on first use: `requests` is slow to import and a directory base never needs it."""
        if self._session is None:
            import requests

            self._session = requests.Session()
        return self._session

    def turn(self) -> contextlib.AbstractContextManager[None]:
        """The cache's file lock for a remote base (concurrent `fetch` runs take turns); nothing for a directory."""
        return cache_lock(self.cache) if self.base.is_remote else contextlib.nullcontext()

    @property
    def base_key(self) -> str:
        """The cache folder of this docs base: copies from one base are never served as another's."""
        return base_key(self.base)

    def cache_path(self, rel: str) -> Path:
        return _inside(self.cache / "files" / self.base_key, rel)

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
        return _inside(self.cache / "meta" / self.base_key, rel + ".json")

    def get(self, rel: str, *, offline: bool = False) -> Fetched:
        """The document at `rel`: read from a directory base, downloaded, or from the cache when the network fails."""
        url = self.base.url_for(rel)
        if not self.base.is_remote:
            try:
                return Fetched(rel, url, limits.read_file(Path(url), "the document"))
            except OSError as exc:
                raise FetchError(f"{url}: cannot read ({exc.strerror or exc})") from None
            except limits.LimitError as exc:
                raise FetchError(f"{url}: not read: {exc}") from None
        if offline:
            return self._from_cache(rel, url, "offline mode")
        if self._unresponsive:
            # One stalled answer per run is enough: the next documents go to the cache at once.
            return self._from_cache(rel, url, f"skipped: {self._unresponsive}")
        import requests

        now = time.monotonic()
        if now >= self.run_deadline:
            self._unresponsive = f"the run's download deadline ({limits.current().run_seconds:g} s) had passed"
            return self._from_cache(rel, url, self._unresponsive)
        deadline = min(now + limits.current().fetch_seconds, self.run_deadline)
        try:
            resp = download(self.session, url, deadline=deadline, timeout=self.timeout)
        except (requests.Timeout, DownloadTimeout):
            self._unresponsive = f"{self.base.location} did not answer in time earlier in this run"
            return self._from_cache(rel, url, "timed out")
        except requests.ConnectionError:
            return self._from_cache(rel, url, "network unreachable")
        except DownloadBroken as exc:
            return self._from_cache(rel, url, exc.reason, hard=True)
        except requests.RequestException as exc:
            # The server answered, but the body broke off (ChunkedEncodingError on a short read) or
            # could not be decoded: a real error, not an outage.
            reason = f"download broken off or undecodable ({type(exc).__name__}: {str(exc).splitlines()[0][:160]})"
            return self._from_cache(rel, url, reason, hard=True)
        if resp.status >= 400:
            # A server that answers 404/500 is not "offline": the error is real and is reported,
            # but a good cached copy still serves the checks.
            return self._from_cache(rel, url, f"HTTP {resp.status}", hard=True)
        data = resp.data
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
        # The object first: a copy in files/ (and a lock naming it) never points at content not kept.
        self._store_object(fetched)
        atomic_write(self.cache_path(rel), data)
        meta = {"url": url, "sha256": fetched.sha256, "etag": fetched.etag, "last_modified": fetched.last_modified}
        atomic_write(self._meta_path(rel), json.dumps(meta, indent=2).encode())
        return fetched

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


def base_key(base: DocsBase) -> str:
    """A folder name for a docs base: readable host part plus a hash of the whole location."""
    host = re.sub(r"[^A-Za-z0-9.-]+", "_", base.location.split("://", 1)[-1].split("/", 1)[0])[:40]
    return f"{host}-{hashlib.sha256(base.location.encode()).hexdigest()[:12]}"


def _body_problem(rel: str, data: bytes) -> str:
    """Why a downloaded body must not replace the cache ('' when it may): a spec must be an OpenAPI 3.x
    object, anything else non-empty UTF-8 text."""
    if rel.endswith(".json"):
        try:
            value = limits.loads_json(data)
        except limits.LimitError as exc:
            return f"body is not read: {exc}"
        except ValueError as exc:
            return f"body is not valid JSON ({exc}); truncated or not a spec"
        version = value.get("openapi") if isinstance(value, dict) else None
        if not (isinstance(version, str) and version.startswith("3.")):
            top = f"an object with keys {', '.join(sorted(value)[:5]) or '(none)'}" if isinstance(value, dict) else f"a JSON {type(value).__name__}"
            return f"body is JSON but not an OpenAPI 3.x document (no `openapi: 3.x`; {top})"
        return ""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return f"body is not UTF-8 text (byte {exc.start})"
    if not text.strip():
        return "empty body"
    return ""


@contextmanager
def cache_lock(cache: Path) -> Iterator[None]:
    """Hold the cache's file lock for the block: concurrent `fetch` runs take turns, so the lock file and the
    cache they write are one consistent set."""
    import fcntl

    cache.mkdir(parents=True, exist_ok=True)
    with (cache / ".fetch.lock").open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)  # released when the handle closes
        yield
