"""Where documents come from and how they are pinned: the docs base and manifest, spec links on a page,
downloads and the cache, the lock, and a page loaded with its specs (a DocSet). Imports only the core.
"""

from __future__ import annotations

from .base import DEFAULT_DOCS_BASE, DOCS_BASE_ENV, MANIFEST_PATH, DocsBase, load_manifest, load_manifest_specs, project_root, relative_link
from .docset import DocSet, load_docset, reached_operation
from .download import DownloadBroken, DownloadTimeout, download
from .fetch import CACHE_ENV, CONNECT_TIMEOUT, DEFAULT_CACHE, READ_TIMEOUT, Fetched, Fetcher, cache_dir, cache_lock, object_path
from .locate import JsonLocator, nearest_line
from .lock import LOCK_PATH, LockEntry, entry_for, lock_findings, read_lock, write_lock
from .specs import HTTP_METHODS, Operation, Spec, SpecParseError, documenting_operation, load_spec

__all__ = [
    "cache_dir",
    "cache_lock",
    "download",
    "DownloadBroken",
    "DownloadTimeout",
    "CACHE_ENV",
    "CONNECT_TIMEOUT",
    "DEFAULT_CACHE",
    "DEFAULT_DOCS_BASE",
    "DOCS_BASE_ENV",
    "DocsBase",
    "DocSet",
    "documenting_operation",
    "entry_for",
    "Fetched",
    "Fetcher",
    "HTTP_METHODS",
    "JsonLocator",
    "load_docset",
    "load_manifest",
    "load_manifest_specs",
    "load_spec",
    "lock_findings",
    "LOCK_PATH",
    "LockEntry",
    "MANIFEST_PATH",
    "nearest_line",
    "object_path",
    "Operation",
    "project_root",
    "reached_operation",
    "read_lock",
    "READ_TIMEOUT",
    "relative_link",
    "Spec",
    "SpecParseError",
    "write_lock",
]
