"""One HTTP request/response pair, however it was obtained (a cassette, a live call), and which spec documents it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass(frozen=True, slots=True)
class Exchange:
    """A recorded or live pair, as plain data. Header names are lower-cased; values keep their order."""

    method: str
    url: str
    request_headers: Mapping[str, list[str]] = field(default_factory=dict)
    request_body: bytes = b""
    status: int = 0
    response_headers: Mapping[str, list[str]] = field(default_factory=dict)
    response_body: bytes = b""

    @property
    def path(self) -> str:
        return urlsplit(self.url).path or "/"

    def response_content_type(self) -> str:
        """The media type without parameters, e.g. `text/event-stream`; '' when absent."""
        values = self.response_headers.get("content-type") or [""]
        return values[0].split(";", 1)[0].strip().lower()
