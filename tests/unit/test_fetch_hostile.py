"""`fetch` against hostile servers: deadlines, caps, validated bodies, a cache per docs base, runs taking turns."""

from __future__ import annotations

import hashlib
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from aimlapi_contract import limits
from aimlapi_contract.cli import main
from aimlapi_contract.sources.base import DEFAULT_DOCS_BASE, DocsBase
from aimlapi_contract.sources.fetch import Fetcher
from hostile_cassettes import gzip_bomb

SPEC = (Path(__file__).parents[1] / "data" / "specs" / "minimal-valid.json").read_bytes()
PAGE = (
    '{% openapi-operation spec="echo" path="/v1/echo" method="post" %}\n'
    f"[OpenAPI echo]({DEFAULT_DOCS_BASE}docs/specs/echo.json)\n"
    "{% endopenapi-operation %}\n"
).encode()


def _serve(server: HTTPServer, spec: bytes = SPEC, **spec_headers: str) -> None:
    server.clear()
    server.expect_request("/docs/p.md").respond_with_data(PAGE, content_type="text/markdown")
    server.expect_request("/docs/specs/echo.json").respond_with_data(spec, content_type="application/json", headers=spec_headers)


def _fetch(base: str, work: Path, *extra: str) -> int:
    return main(["fetch", "--docs-base", base, "--page", "docs/p.md", "--cache-dir", str(work / "cache"),
                 "--lock", str(work / "lock.json"), *extra])


def _cached(base: str, work: Path, rel: str) -> bytes:
    return Fetcher(DocsBase(base), work / "cache").cache_path(rel).read_bytes()


class RawServer:
    """A loopback server with a scripted misbehaviour; every loop is bounded and ends when the test does."""

    def __init__(self, behaviour: str) -> None:
        self.behaviour = behaviour
        self.stop = threading.Event()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/"

    def _accept(self) -> None:
        for _ in range(3000):  # at most ~10 minutes of accepting
            if self.stop.is_set():
                return
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        try:
            conn.recv(65536)
            if self.behaviour == "silent":  # accepts, reads, never answers
                self.stop.wait(30)
            elif self.behaviour == "trickle":  # one byte at a time, far apart
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
                for _ in range(100):
                    if self.stop.wait(0.5):
                        break
                    conn.sendall(b" ")
            elif self.behaviour == "endless":  # a body that never ends
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/markdown\r\nConnection: close\r\n\r\n")
                chunk = b"x" * 65536
                for _ in range(20_000):  # 1.3 GB at most, if nobody hangs up
                    if self.stop.is_set():
                        break
                    conn.sendall(chunk)
        except OSError:
            pass  # the client hung up: what a bounded client does
        finally:
            conn.close()

    def close(self) -> None:
        self.stop.set()
        self.sock.close()
        self.thread.join(5)


@pytest.fixture
def raw_server(request: pytest.FixtureRequest) -> Iterator[RawServer]:
    server = RawServer(request.param)
    yield server
    server.close()


@pytest.mark.parametrize("raw_server", ["trickle", "silent"], indirect=True)
def test_a_stalling_server_costs_the_deadline_not_forever(raw_server: RawServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    start = time.monotonic()
    assert _fetch(raw_server.url, tmp_path, "--fetch-deadline", "1.5") == 2
    assert time.monotonic() - start < 6
    err = capsys.readouterr().err
    assert f"{raw_server.url}docs/p.md: timed out and no cached copy" in err and "Traceback" not in err


@pytest.mark.parametrize("raw_server", ["silent"], indirect=True)
def test_after_one_stalled_document_the_rest_of_the_run_uses_the_cache_at_once(raw_server: RawServer, tmp_path: Path) -> None:
    # Given cached copies of three documents from this base
    fetcher = Fetcher(DocsBase(raw_server.url), tmp_path / "cache")
    for rel in ("a.md", "b.md", "c.md"):
        fetcher.cache_path(rel).parent.mkdir(parents=True, exist_ok=True)
        fetcher.cache_path(rel).write_text(f"# {rel}\n")
    # When the server never answers
    start = time.monotonic()
    with limits.applied(limits.with_overrides(fetch_seconds=1.0)):
        got = [fetcher.get(rel) for rel in ("a.md", "b.md", "c.md")]
    # Then only the first costs the deadline; each is served from the cache, saying why
    assert time.monotonic() - start < 3
    assert all(g.from_cache for g in got) and "timed out" in got[0].note
    assert "did not answer in time earlier in this run" in got[2].note


def test_the_run_deadline_covers_every_download(httpserver: HTTPServer, tmp_path: Path) -> None:
    _serve(httpserver)
    with limits.applied(limits.with_overrides(run_seconds=0.001)):
        fetcher = Fetcher(DocsBase(httpserver.url_for("/")), tmp_path / "cache")
        time.sleep(0.01)
        with pytest.raises(Exception, match="run's download deadline"):
            fetcher.get("docs/p.md")


@pytest.mark.parametrize("raw_server", ["endless"], indirect=True)
def test_an_endless_body_stops_at_the_size_limit(raw_server: RawServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    start = time.monotonic()
    assert _fetch(raw_server.url, tmp_path, "--max-file-bytes", "2000000") == 2
    assert time.monotonic() - start < 20
    err = capsys.readouterr().err
    assert "body larger than 2,000,000 bytes" in err and "--max-file-bytes" in err
    assert not (tmp_path / "cache" / "files").exists()


def test_a_gzip_bomb_served_compressed_is_refused_and_never_cached(httpserver: HTTPServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = httpserver.url_for("/")
    _serve(httpserver)
    assert _fetch(base, tmp_path) == 0
    lock_before = (tmp_path / "lock.json").read_bytes()
    _serve(httpserver, spec=gzip_bomb(), **{"Content-Encoding": "gzip"})
    capsys.readouterr()
    assert _fetch(base, tmp_path, "--update-lock") == 2
    err = capsys.readouterr().err
    assert "once decompressed" in err and "exceeds the limit of 64 MiB" in err
    assert _cached(base, tmp_path, "docs/specs/echo.json") == SPEC
    assert (tmp_path / "lock.json").read_bytes() == lock_before
    assert sum(p.stat().st_size for p in (tmp_path / "cache").rglob("*") if p.is_file()) < 10_000_000


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        pytest.param(b'{"error": {"message": "rate limited"}}', "not an OpenAPI 3.x document", id="error-object"),
        pytest.param(b'{"swagger": "2.0", "paths": {}}', "not an OpenAPI 3.x document", id="swagger-2"),
        pytest.param(b"[1, 2]", "not an OpenAPI 3.x document", id="json-array"),
        pytest.param(b"[" * 5000 + b"]" * 5000, "JSON nesting exceeds the limit", id="nested-5000"),
    ],
)
def test_only_an_openapi_document_replaces_the_cached_spec_or_the_lock(
    httpserver: HTTPServer, tmp_path: Path, capsys: pytest.CaptureFixture[str], body: bytes, reason: str
) -> None:
    base = httpserver.url_for("/")
    _serve(httpserver)
    assert _fetch(base, tmp_path) == 0
    lock_before = (tmp_path / "lock.json").read_bytes()
    _serve(httpserver, spec=body)
    capsys.readouterr()
    assert _fetch(base, tmp_path, "--update-lock") == 2
    assert reason in capsys.readouterr().err
    assert _cached(base, tmp_path, "docs/specs/echo.json") == SPEC
    assert (tmp_path / "lock.json").read_bytes() == lock_before


def test_a_page_that_is_not_utf8_does_not_replace_the_cached_page(httpserver: HTTPServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = httpserver.url_for("/")
    _serve(httpserver)
    assert _fetch(base, tmp_path) == 0
    httpserver.clear()
    httpserver.expect_request("/docs/p.md").respond_with_data(b"\xff\xfe\x00garbage")
    assert _fetch(base, tmp_path) == 2
    assert "body is not UTF-8 text" in capsys.readouterr().err
    assert _cached(base, tmp_path, "docs/p.md") == PAGE


def test_the_cache_is_kept_per_docs_base(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Given a copy fetched from one base
    first = HTTPServer(host="127.0.0.1")
    first.start()
    try:
        _serve(first)
        assert _fetch(first.url_for("/"), tmp_path) == 0
    finally:
        first.stop()
    # When another base is down
    capsys.readouterr()
    assert _fetch("http://127.0.0.1:9/", tmp_path) == 2
    # Then the first base's copy is not served as the second's
    err = capsys.readouterr().err
    assert "http://127.0.0.1:9/docs/p.md: network unreachable and no cached copy" in err


def test_concurrent_fetches_against_two_bases_leave_lock_and_cache_as_one_set(tmp_path: Path) -> None:
    servers = [HTTPServer(host="127.0.0.1"), HTTPServer(host="127.0.0.1")]
    specs = []
    for n, server in enumerate(servers):
        server.start()
        spec = json.dumps({**json.loads(SPEC), "info": {"title": f"base {n}", "version": str(n)}}).encode()
        specs.append(spec)
        _serve(server, spec=spec)
    try:
        command = [sys.executable, "-m", "aimlapi_contract", "fetch", "--page", "docs/p.md", "--cache-dir", str(tmp_path / "cache"),
                   "--lock", str(tmp_path / "lock.json"), "--update-lock"]
        runs = [subprocess.Popen([*command, "--docs-base", s.url_for("/")], stdout=subprocess.PIPE, stderr=subprocess.PIPE) for s in servers]
        results = [r.communicate(timeout=120) for r in runs]
        assert [r.returncode for r in runs] == [0, 0], results
    finally:
        for server in servers:
            server.stop()
    lock = json.loads((tmp_path / "lock.json").read_text())["sources"]
    spec_sha = lock["docs/specs/echo.json"]["sha256"]
    assert spec_sha in {hashlib.sha256(s).hexdigest() for s in specs}
    # every pinned version is in the cache, so a later run can diff against it
    for entry in lock.values():
        assert (tmp_path / "cache" / "objects" / entry["sha256"]).is_file()
