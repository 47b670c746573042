"""The request a code sample makes (URL, method, headers, payload), as the sample readers fill it in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .duplicates import DuplicateKey

NO_PAYLOAD = object()

# How a sample encodes its body: what the spec's requestBody.content must document for it.
JSON = "application/json"
MULTIPART = "multipart/form-data"
URLENCODED = "application/x-www-form-urlencoded"
# The value of a form field that uploads a file (`files=`, `-F a=@x.mp3`, `form.append("a", stream)`) or whose
# value the reader cannot know (a variable): a placeholder, so the schema checks its presence, never its value.
FILE_PLACEHOLDER = "<file>"
UNREAD_PLACEHOLDER = "<value>"


@dataclass(frozen=True, slots=True)
class Header:
    name: str
    value: str
    line: int | None


@dataclass(frozen=True, slots=True)
class Poll:
    """A further request of the sample, e.g. the GET that polls a generation: its URL and query parameter names."""

    method: str
    url: str
    line: int | None
    query: dict[str, int | None] = field(default_factory=dict)  # name -> line


@dataclass(slots=True)
class Sample:
    """The request a sample makes, as far as it can be read; `problems` say what could not be."""

    lang: str
    url: str = ""
    url_line: int | None = None
    method: str = ""  # upper case; "" when unknown
    headers: list[Header] = field(default_factory=list)
    headers_read: bool = False  # False: headers could not be read, so none can be called missing
    payload: Any = NO_PAYLOAD
    payload_line: int | None = None
    payload_lines: dict[str, int] = field(default_factory=dict)  # pointer -> line
    sets_json_content_type: bool = False  # the client adds Content-Type itself (requests' json=, curl --json)
    problems: list[tuple[str, int | None]] = field(default_factory=list)  # (what, line)
    duplicate_keys: list[DuplicateKey] = field(default_factory=list)  # payload keys set twice (the last wins)
    content_length: tuple[int, int, int] | None = None  # raw HTTP: (declared, body bytes, header line) when they differ
    polls: list[Poll] = field(default_factory=list)  # requests after the first (GET polling of a generation)
    media: str = JSON  # how the body is encoded: JSON, or a form (MULTIPART, URLENCODED) of field -> value

    @property
    def is_form(self) -> bool:
        return self.media != JSON

    @property
    def has_payload(self) -> bool:
        return self.payload is not NO_PAYLOAD
