"""One HTTP download with a total deadline and a size cap: a server that trickles, stalls or never stops costs
at most the deadline and the cap, never a hang or the machine's memory.

The body is read raw and decoded here (gzip/deflate through limits.inflate, capped), so a compression bomb
served with `Content-Encoding: gzip` is stopped at the cap, not inflated in full. The request runs in a
worker thread the caller waits on with the deadline: per-read socket timeouts alone cannot bound a
server sending one byte every 20 s.
"""

from __future__ import annotations

import socket
import threading
import time
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .. import limits

if TYPE_CHECKING:
    import requests

CHUNK = 64 * 1024


class DownloadTimeout(Exception):
    """The deadline passed before the whole body arrived."""


class DownloadBroken(Exception):
    """The server answered, but the body broke off, was undecodable or too large: `reason` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(slots=True)
class Download:
    """What the server sent: status, headers, the decoded body."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    data: bytes = b""


def download(session: requests.Session, url: str, *, deadline: float, timeout: tuple[float, float]) -> Download:
    """GET `url`, whole, before `deadline` (time.monotonic()); DownloadTimeout, DownloadBroken, or requests' errors."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise DownloadTimeout("no time left")
    box: dict[str, Any] = {}
    cap = limits.current()  # the worker thread has its own (default) limits: hand it the caller's

    def work() -> None:
        try:
            with limits.applied(cap):
                box["result"] = _get(session, url, (timeout[0], min(timeout[1], remaining)), box)
        except BaseException as exc:  # noqa: BLE001  (handed to the waiting thread, which re-raises it)
            box["error"] = exc

    worker = threading.Thread(target=work, name=f"download {url}", daemon=True)
    worker.start()
    worker.join(remaining)
    if worker.is_alive():
        _abort(box)
        raise DownloadTimeout(f"no complete answer within {remaining:.0f} s")
    if "error" in box:
        raise box["error"]
    result: Download = box["result"]
    return result


def _get(session: requests.Session, url: str, timeout: tuple[float, float], box: dict[str, Any]) -> Download:
    import urllib3

    resp = session.get(url, timeout=timeout, stream=True, headers={"Accept-Encoding": "gzip, deflate"})
    box["response"] = resp
    try:
        cap = limits.current().file_bytes
        raw = bytearray()
        try:
            for chunk in resp.raw.stream(CHUNK, decode_content=False):
                raw += chunk
                if len(raw) > cap:
                    raise DownloadBroken(f"body larger than {cap:,} bytes (raise the limit with `{limits.FLAGS['file_bytes'][0]}`)")
        except urllib3.exceptions.HTTPError as exc:
            # A body cut short of its Content-Length, or a connection dropped mid-body.
            raise DownloadBroken(f"download broken off ({type(exc).__name__}: {str(exc).splitlines()[0][:160]})") from None
        headers = dict(resp.headers)
        return Download(resp.status_code, headers, _decoded(bytes(raw), resp.headers.get("Content-Encoding", "")))
    finally:
        resp.close()


def _decoded(raw: bytes, encoding: str) -> bytes:
    encoding = encoding.strip().lower()
    if encoding not in ("gzip", "x-gzip", "deflate") or not raw:
        return raw
    try:
        return limits.inflate(raw, 47, limit="file_bytes")  # a document, decoded, is held to the file limit
    except limits.LimitError as exc:
        raise DownloadBroken(f"body once decompressed: {exc}") from None
    except zlib.error as exc:
        raise DownloadBroken(f"undecodable {encoding} body ({exc})") from None


def _abort(box: dict[str, Any]) -> None:
    """Best effort: shut the stalled connection's socket so its worker thread ends instead of lingering.

    Not `response.close()`: that waits for the buffered reader's lock, which the blocked worker holds."""
    resp = box.get("response")
    sock = getattr(getattr(getattr(getattr(getattr(resp, "raw", None), "_fp", None), "fp", None), "raw", None), "_sock", None)
    if isinstance(sock, socket.socket):
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already closed by the other side: nothing left to stop
