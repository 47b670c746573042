"""`aimlapi-contract fetch`: downloads, cache, lock, and every failure path, against a local server."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from aimlapi_contract.cli import main
from aimlapi_contract.sources.base import DEFAULT_DOCS_BASE, DocsBase
from aimlapi_contract.sources.fetch import Fetcher, FetchError

SPEC = (Path(__file__).parents[1] / "data" / "specs" / "minimal-valid.json").read_bytes()
PAGE = (
    '{% openapi-operation spec="echo" path="/v1/echo" method="post" %}\n'
    f"[OpenAPI echo]({DEFAULT_DOCS_BASE}docs/specs/echo.json)\n"
    "{% endopenapi-operation %}\n"
).encode()


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path


def _serve(server: HTTPServer, spec: bytes = SPEC, status: int = 200) -> None:
    server.clear()
    server.expect_request("/docs/p.md").respond_with_data(PAGE, content_type="text/markdown", headers={"ETag": '"page-1"'})
    server.expect_request("/docs/specs/echo.json").respond_with_data(spec, status=status, content_type="application/json")


def _fetch(server_or_base: HTTPServer | str, workdir: Path, *extra: str) -> int:
    base = server_or_base if isinstance(server_or_base, str) else server_or_base.url_for("/")
    return main(
        ["fetch", "--docs-base", base, "--page", "docs/p.md", "--cache-dir", str(workdir / "cache"), "--lock", str(workdir / "lock.json"), *extra]
    )


def _cached(server: HTTPServer, workdir: Path, rel: str) -> bytes:
    """The cached copy of `rel` from this server's docs base."""
    return Fetcher(DocsBase(server.url_for("/")), workdir / "cache").cache_path(rel).read_bytes()


def _lock(workdir: Path) -> dict[str, dict[str, object]]:
    return json.loads((workdir / "lock.json").read_text())["sources"]


def test_fetch_caches_page_and_linked_spec_and_pins_them(httpserver: HTTPServer, workdir: Path) -> None:
    _serve(httpserver)
    assert _fetch(httpserver, workdir) == 0
    assert _cached(httpserver, workdir, "docs/specs/echo.json") == SPEC
    lock = _lock(workdir)
    import hashlib

    assert lock["docs/specs/echo.json"]["sha256"] == hashlib.sha256(SPEC).hexdigest()
    assert lock["docs/specs/echo.json"]["size"] == len(SPEC)
    assert lock["docs/specs/echo.json"]["url"] == DEFAULT_DOCS_BASE + "docs/specs/echo.json"
    assert lock["docs/p.md"]["etag"] == '"page-1"'


def test_network_down_uses_the_cache_and_says_so(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    server = HTTPServer(host="127.0.0.1")  # its own server: stopping the shared one would break later tests
    server.start()
    _serve(server)
    assert _fetch(server, workdir) == 0
    base = server.url_for("/")
    server.stop()
    capsys.readouterr()
    assert _fetch(base, workdir) == 0
    err = capsys.readouterr().err
    assert "network unreachable; using the cached copy" in err
    assert "docs/specs/echo.json" in err


def test_no_cache_and_no_network_exits_2_with_a_mirror_tip(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _fetch("http://127.0.0.1:9/", workdir) == 2  # port 9 (discard): nothing listens
    err = capsys.readouterr().err
    assert "http://127.0.0.1:9/docs/p.md: network unreachable and no cached copy" in err
    assert "--docs-base" in err and "AIMLAPI_DOCS_BASE" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("status", "spec", "reason"),
    [
        pytest.param(404, b"not found", "HTTP 404", id="404"),
        pytest.param(500, b"oops", "HTTP 500", id="500"),
        pytest.param(200, SPEC[: len(SPEC) // 2], "body is not valid JSON", id="truncated-json"),
        pytest.param(200, b"<html>sign in</html>", "body is not valid JSON", id="html-instead-of-json"),
    ],
)
def test_bad_answer_exits_2_naming_the_url_and_keeps_the_good_copy(
    httpserver: HTTPServer, workdir: Path, capsys: pytest.CaptureFixture[str], status: int, spec: bytes, reason: str
) -> None:
    _serve(httpserver)
    assert _fetch(httpserver, workdir) == 0
    lock_before = (workdir / "lock.json").read_bytes()
    _serve(httpserver, spec=spec, status=status)
    capsys.readouterr()
    assert _fetch(httpserver, workdir) == 2
    err = capsys.readouterr().err
    assert f"{httpserver.url_for('/docs/specs/echo.json')}: {reason}" in err
    assert _cached(httpserver, workdir, "docs/specs/echo.json") == SPEC
    assert (workdir / "lock.json").read_bytes() == lock_before
    assert not list((workdir / "cache").rglob("*.part"))


def test_timeout_falls_back_to_the_cache(httpserver: HTTPServer, workdir: Path) -> None:
    _serve(httpserver)
    fetcher = Fetcher(DocsBase(httpserver.url_for("/")), workdir / "cache", timeout=(1.0, 0.2))
    fetcher.get("docs/specs/echo.json")

    def slow(request: Request) -> Response:
        time.sleep(1.0)
        return Response(SPEC, content_type="application/json")

    httpserver.clear()
    httpserver.expect_request("/docs/specs/echo.json").respond_with_handler(slow)
    fetched = fetcher.get("docs/specs/echo.json")
    assert fetched.from_cache and "timed out" in fetched.note
    assert fetched.data == SPEC


def test_timeout_without_cache_is_a_one_line_error(httpserver: HTTPServer, workdir: Path) -> None:
    def slow(request: Request) -> Response:
        time.sleep(1.0)
        return Response(SPEC, content_type="application/json")

    httpserver.expect_request("/docs/specs/echo.json").respond_with_handler(slow)
    fetcher = Fetcher(DocsBase(httpserver.url_for("/")), workdir / "cache", timeout=(1.0, 0.2))
    with pytest.raises(FetchError, match=r"echo\.json: timed out and no cached copy"):
        fetcher.get("docs/specs/echo.json")


def test_changed_spec_is_reported_not_silently_locked(httpserver: HTTPServer, workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _serve(httpserver)
    assert _fetch(httpserver, workdir) == 0
    old_sha = _lock(workdir)["docs/specs/echo.json"]["sha256"]
    changed = json.dumps({**json.loads(SPEC), "info": {"title": "changed", "version": "2"}}).encode()
    _serve(httpserver, spec=changed)
    capsys.readouterr()
    assert _fetch(httpserver, workdir) == 0
    out = capsys.readouterr().out
    assert "CT103 info: published document changed" in out
    assert _lock(workdir)["docs/specs/echo.json"]["sha256"] == old_sha

    assert _fetch(httpserver, workdir, "--update-lock") == 0
    assert _lock(workdir)["docs/specs/echo.json"]["sha256"] != old_sha


def test_directory_base_reads_files_directly(tmp_path: Path, workdir: Path) -> None:
    (tmp_path / "mirror" / "docs" / "specs").mkdir(parents=True)
    (tmp_path / "mirror" / "docs" / "p.md").write_bytes(PAGE)
    (tmp_path / "mirror" / "docs" / "specs" / "echo.json").write_bytes(SPEC)
    assert _fetch(str(tmp_path / "mirror"), workdir) == 0
    assert set(_lock(workdir)) == {"docs/p.md", "docs/specs/echo.json"}
    assert not (workdir / "cache").exists()  # a mirror directory needs no cache


def test_unknown_docs_base_is_a_usage_error(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _fetch(str(workdir / "nowhere"), workdir) == 2
    err = capsys.readouterr().err
    assert "is not a directory" in err and "tip:" in err


def test_check_on_a_cached_copy_says_so_in_the_report_and_never_baselines_it(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server = HTTPServer(host="127.0.0.1")
    server.start()
    _serve(server)
    assert _fetch(server, workdir) == 0
    base = server.url_for("/")
    server.stop()
    common = ["--docs-base", base, "--page", "docs/p.md", "--cache-dir", str(workdir / "cache"),
              "--lock", str(workdir / "lock.json"), "--baseline", str(workdir / "baseline.json"),
              "--cassettes", str(workdir)]
    capsys.readouterr()
    assert main(["check", *common, "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    cached = [f for f in report["findings"] if f["code"] == "CT104"]
    assert sorted(f["source"] for f in cached) == ["docs/p.md", "docs/specs/echo.json"]
    assert all(f["severity"] == "info" and "using the cached copy" in f["message"] for f in cached)
    assert main(["baseline", *common, "--reason", "fixture"]) == 0
    assert json.loads((workdir / "baseline.json").read_text())["accepted"] == []


def test_body_cut_short_mid_download_exits_2_and_keeps_the_good_copy(
    httpserver: HTTPServer, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A server that promises more bytes than it sends, then closes: the realistic truncated download."""
    import socket
    import threading

    _serve(httpserver)
    assert _fetch(httpserver, workdir) == 0
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def answer_twice() -> None:  # the page, then the spec cut short; bounded: two connections, then done
        for body in (PAGE, SPEC[:40]):
            conn, _ = listener.accept()
            with conn:
                conn.recv(65536)
                head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body) if body is PAGE else len(SPEC)}\r\nConnection: close\r\n\r\n"
                conn.sendall(head.encode() + body)
        listener.close()

    thread = threading.Thread(target=answer_twice, daemon=True)
    thread.start()
    capsys.readouterr()
    base = f"http://127.0.0.1:{port}/"
    assert main(["fetch", "--docs-base", base, "--page", "docs/p.md", "--cache-dir", str(workdir / "cache"), "--lock", str(workdir / "lock.json")]) == 2
    thread.join(timeout=5)
    err = capsys.readouterr().err
    assert f"{base}docs/specs/echo.json: download broken off" in err
    assert "Traceback" not in err
    assert _cached(httpserver, workdir, "docs/specs/echo.json") == SPEC


def test_a_link_that_climbs_out_of_the_docs_tree_is_never_followed(tmp_path: Path, workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "mirror" / "docs").mkdir(parents=True)
    (tmp_path / "escaped.json").write_bytes(SPEC)
    page = PAGE.replace(b"docs/specs/echo.json", b"../../escaped.json")
    (tmp_path / "mirror" / "docs" / "p.md").write_bytes(page)
    assert _fetch(str(tmp_path / "mirror"), workdir) == 0
    assert set(_lock(workdir)) == {"docs/p.md"}  # the escaping link is not a source (the docs lint reports it)


def test_cache_paths_never_leave_the_cache(workdir: Path) -> None:
    fetcher = Fetcher(DocsBase("http://127.0.0.1:9/"), workdir / "cache")
    assert fetcher.cache_path("docs/a.json") == workdir / "cache" / "files" / fetcher.base_key / "docs" / "a.json"
    for rel in ("../../escaped.json", "/etc/passwd", "docs/../../x.json"):
        with pytest.raises(FetchError, match="leaves the docs tree"):
            fetcher.cache_path(rel)


@pytest.mark.parametrize("etag", [None, '"page-2"'], ids=["validators-dropped", "validators-changed"])
def test_same_bytes_from_a_mirror_leave_the_lock_untouched(httpserver: HTTPServer, workdir: Path, etag: str | None) -> None:
    """A mirror's ETag/Last-Modified describe the mirror, not upstream: they never churn the committed lock."""
    _serve(httpserver)
    assert _fetch(httpserver, workdir) == 0
    before = (workdir / "lock.json").read_bytes()
    httpserver.clear()
    headers = {"ETag": etag} if etag else {}
    httpserver.expect_request("/docs/p.md").respond_with_data(PAGE, content_type="text/markdown", headers=headers)
    httpserver.expect_request("/docs/specs/echo.json").respond_with_data(SPEC, content_type="application/json")
    assert _fetch(httpserver, workdir) == 0
    assert (workdir / "lock.json").read_bytes() == before
