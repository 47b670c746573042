"""How live exchanges become cassettes: record modes, redaction hooks, matching and atomic saves.

pytest-recording drives vcrpy; this module supplies its settings. Two of its defaults are unsafe
here and are replaced: `rewrite` deletes the cassette *before* the test runs (so a failed run
leaves none), and vcrpy's filesystem persister writes in place (so an interrupted save leaves
half a file). `rewrite` becomes vcrpy's `all` with unused interactions dropped, which replaces
the cassette only once there is something new to write; saves go through `files.atomic_write`.
Under --live nothing is replayed (vcrpy `all`, `SafePersister` reads nothing); the record mode
only decides what `SafePersister` writes (`write_policy`). The plugin merges all of this over any
project's own options (`safe_cassette_options`), so safety never depends on a conftest.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..files import atomic_write
from ..redact import Redactor
from ..traffic import INTENT_HEADER
from .scenarios import SCENARIOS, Scenario

RECORD_MODES = ("none", "once", "new_episodes", "all", "rewrite")
# Modes in which a live item may send nothing new, so it can run offline from its cassette.
REPLAY_MODES = ("none", "once")
# Host, scheme and port are not matched: a cassette recorded against a stand-in or a staging
# host replays whatever --api-base says. The body is: a changed scenario must not replay old traffic.
MATCH_ON = ("method", "path", "query", "body")
# Where tests/contract/test_live.py records each scenario (conftest.py: cassettes/<test module>/).
LIVE_CASSETTES = "cassettes/test_live"


def live_cassette_source(scenario_id: str) -> str:
    """The cassette a scenario is recorded to, as findings name it: `aimlapi-contract live` keys its findings the same way."""
    return f"{LIVE_CASSETTES}/test_scenario[{scenario_id}].yaml"


class AtomicPersister:
    """vcrpy persister: reads like vcrpy's own, writes whole files or nothing, never an empty cassette."""

    @staticmethod
    def load_cassette(cassette_path: str | Path, serializer: Any) -> tuple[list[Any], list[Any]]:
        # vcr is imported late: pytest-recording must register its assert rewriting before vcr loads.
        from vcr.persisters.filesystem import CassetteDecodeError, CassetteNotFoundError
        from vcr.serialize import deserialize

        path = Path(cassette_path)
        if not path.is_file():
            raise CassetteNotFoundError()
        try:
            data = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise CassetteDecodeError(f"{path}: not UTF-8 text") from exc
        if not data.strip():
            raise CassetteNotFoundError()
        try:
            return deserialize(data, serializer)  # type: ignore[no-any-return]
        except Exception as exc:  # vcrpy then treats it as no cassette; the live item says it is unreadable
            raise CassetteDecodeError(f"{path}: not a readable vcrpy cassette ({type(exc).__name__})") from exc

    @staticmethod
    def save_cassette(cassette_path: str | Path, cassette_dict: dict[str, Any], serializer: Any) -> None:
        from vcr.serialize import serialize

        if not cassette_dict.get("requests"):
            return  # nothing recorded: keep whatever is there rather than write an empty cassette
        atomic_write(Path(cassette_path), serialize(cassette_dict, serializer).encode("utf-8"))


class DiscardingPersister:
    """vcrpy persister for `--live` without `--record-mode`: nothing is replayed and nothing is written."""

    @staticmethod
    def load_cassette(cassette_path: str | Path, serializer: Any) -> tuple[list[Any], list[Any]]:
        from vcr.persisters.filesystem import CassetteNotFoundError

        raise CassetteNotFoundError()

    @staticmethod
    def save_cassette(cassette_path: str | Path, cassette_dict: dict[str, Any], serializer: Any) -> None:
        return None


# What a live run writes, by record mode: it always sends, so the mode only decides this.
WRITE_NEVER, WRITE_MISSING, WRITE_REPLACE = "never", "missing", "replace"


def write_policy(mode: str) -> str:
    """Under --live: `none` writes nothing, `once`/`new_episodes` only cassettes that did not exist, `all`/`rewrite` replace."""
    if mode == "live-only":
        return WRITE_NEVER
    return WRITE_MISSING if mode in ("once", "new_episodes") else WRITE_REPLACE


class SafePersister:
    """The plugin's persister for every cassette: scrubs the key in any form, then writes whole files or nothing.

    Whatever hooks a project configures, this is the last step before disk, so it redacts again and
    refuses a cassette that still holds the key in a form that cannot be cut out in place (a key
    split across SSE events), saying why in `refusals`. Live items (`live=True`) read nothing, so
    every request is sent, and write as `policy` says.
    """

    def __init__(self, redactor: Redactor, refusals: list[str], *, live: bool = False, policy: str = WRITE_REPLACE) -> None:
        self.redactor = redactor
        self.refusals = refusals
        self.live = live
        self.policy = policy

    def load_cassette(self, cassette_path: str | Path, serializer: Any) -> tuple[list[Any], list[Any]]:
        if self.live:
            return DiscardingPersister.load_cassette(cassette_path, serializer)
        return AtomicPersister.load_cassette(cassette_path, serializer)

    def save_cassette(self, cassette_path: str | Path, cassette_dict: dict[str, Any], serializer: Any) -> None:
        from vcr.serialize import serialize

        path = Path(cassette_path)
        if self.live and (self.policy == WRITE_NEVER or (self.policy == WRITE_MISSING and path.is_file() and path.stat().st_size)):
            return
        if not cassette_dict.get("requests"):
            return
        for request in cassette_dict["requests"]:
            self.redactor.before_record_request(request)
        for response in cassette_dict.get("responses", []):
            self.redactor.before_record_response(response)
        reason = self.unredactable(cassette_dict)
        text = serialize(cassette_dict, serializer)
        if reason is None and self.redactor.leaks(text):
            reason = "the serialized cassette still holds the API key"
        if reason is not None:
            self.refusals.append(f"{path}: not written: {reason}")
            return
        atomic_write(path, text.encode("utf-8"))

    def unredactable(self, cassette_dict: dict[str, Any]) -> str | None:
        """Why the scrubbed cassette still leaks the key (it is pieced together across events or strings), else None."""
        bodies = [(f"request {i}", getattr(r, "body", None)) for i, r in enumerate(cassette_dict["requests"])]
        bodies += [(f"response {i}", (r.get("body") or {}).get("string")) for i, r in enumerate(cassette_dict.get("responses", []))]
        for where, body in bodies:
            if isinstance(body, bytes):
                body = body.decode("utf-8", "replace")
            if isinstance(body, str) and self.redactor.leaks(joined_strings(body)):
                return f"the {where} body spells out the API key across SSE events or JSON strings, which cannot be redacted in place"
        return None


def joined_strings(body: str) -> str:
    """The texts a reader would piece together from a body: per JSON path, its strings across SSE events, joined.

    A stream delivers text as deltas at one path (`/choices/0/delta/content`, `/delta`), so a key
    split over events is whole again in the join of that path; one line per path.
    """
    by_path: dict[str, list[str]] = {}
    lines = [ln[5:].strip() for ln in body.splitlines() if ln.startswith("data:")] or [body]
    for line in lines:
        try:
            _collect_strings(json.loads(line), "", by_path)
        except (ValueError, RecursionError):  # not JSON, or deeper than Python recurses: the line as it is
            by_path.setdefault("", []).append(line)
    return "\n".join("".join(parts) for parts in by_path.values())


def _collect_strings(value: Any, path: str, by_path: dict[str, list[str]]) -> None:
    if isinstance(value, str):
        by_path.setdefault(path, []).append(value)
    elif isinstance(value, dict):
        for name, item in value.items():
            _collect_strings(item, f"{path}/{name}", by_path)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _collect_strings(item, f"{path}/{index}", by_path)


def stamp_intent(request: Any, scenarios: Sequence[Scenario] = SCENARIOS) -> Any:
    """vcrpy hook: a negative scenario's recorded request carries its intent marker (intent.py).

    vcrpy hands hooks a copy of the request after it is sent, so the marker reaches the cassette only.
    The scenario is found by what was sent (path and JSON body), the same way a replay matches it.
    """
    try:
        sent = json.loads(request.body or b"")
    except ValueError:
        return request
    for scenario in scenarios:
        marker = scenario.intent_marker()
        if marker and scenario.path == request.path and scenario.body == sent:
            request.headers[INTENT_HEADER] = marker
            break
    return request


def effective_record_mode(cli_mode: str | None, live: bool) -> str:
    """The mode live items run in: `--record-mode` as given; under --live, none given (or `none`) means send, don't record."""
    if live and cli_mode in (None, "none"):
        return "live-only"
    return cli_mode or "none"


def vcr_settings(mode: str, redactor: Redactor, *, live: bool = False) -> dict[str, Any]:
    """vcrpy settings for live items: the vcrpy mode for `mode` (`all` under --live: always send), redaction hooks, matching."""
    settings: dict[str, Any] = {
        "before_record_request": [redactor.before_record_request, stamp_intent],
        "before_record_response": redactor.before_record_response,
        # Bodies are stored decoded, so a cassette reads the same as the reply the live run validated.
        "decode_compressed_response": True,
        "match_on": MATCH_ON,
    }
    if live or mode == "live-only":
        settings["record_mode"] = "all"  # nothing is replayed: SafePersister reads nothing and writes by policy
    elif mode == "rewrite":
        # Set here, so pytest-recording never sees `rewrite` (and never deletes the cassette up front).
        settings["record_mode"] = "all"
        settings["drop_unused_requests"] = True
    else:
        settings["record_mode"] = mode
    return settings


def _hooks(value: Any) -> list[Any]:
    if not value:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def safe_cassette_options(options: dict[str, Any], persister: SafePersister, ours: dict[str, Any]) -> dict[str, Any]:
    """A project's `use_cassette` options with the plugin's safety merged over them: theirs may add, never remove.

    Their hooks run first and ours last (so nothing after us puts the key back); compressed bodies
    are decoded (the key cannot hide in gzip); the persister is always ours. `ours` is
    `vcr_settings(...)`; for a live item its record mode and matching win too.
    """
    merged = dict(options)
    before = options.get("before_record_request") or options.get("before_record")
    merged.pop("before_record", None)
    merged["before_record_request"] = [*_hooks(before), *_hooks(ours["before_record_request"])]
    merged["before_record_response"] = [*_hooks(options.get("before_record_response")), *_hooks(ours["before_record_response"])]
    merged["decode_compressed_response"] = True
    merged["persister"] = persister
    for name in ("record_mode", "match_on", "drop_unused_requests"):
        if name in ours:
            merged[name] = ours[name]
    return merged


def project_vcr_settings(cli_mode: str | None, redactor: Redactor) -> dict[str, Any]:
    """What the plugin merges over any other vcr test's options: redaction, and `rewrite` that never deletes first."""
    settings: dict[str, Any] = {"before_record_request": redactor.before_record_request, "before_record_response": redactor.before_record_response}
    if cli_mode == "rewrite":  # the plugin turned pytest-recording's `rewrite` into `all` (plugin.py): drop what was not re-recorded
        settings.update(record_mode="all", drop_unused_requests=True)
    return settings
