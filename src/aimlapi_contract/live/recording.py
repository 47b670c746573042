"""How live exchanges become cassettes: record modes, redaction hooks, matching and atomic saves.

pytest-recording drives vcrpy; this module supplies its settings. Two of its defaults are unsafe
here and are replaced: `rewrite` deletes the cassette *before* the test runs (so a failed run
leaves none), and vcrpy's filesystem persister writes in place (so an interrupted save leaves
half a file). `rewrite` becomes vcrpy's `all` with unused interactions dropped, which replaces
the cassette only once there is something new to write; saves go through `files.atomic_write`.
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


def persister_for(mode: str) -> type[AtomicPersister] | type[DiscardingPersister]:
    return DiscardingPersister if mode == "live-only" else AtomicPersister


def vcr_settings(mode: str, redactor: Redactor) -> dict[str, Any]:
    """`vcr_config` for pytest-recording: the vcrpy mode for `mode`, redaction hooks, matching."""
    settings: dict[str, Any] = {
        "before_record_request": [redactor.before_record_request, stamp_intent],
        "before_record_response": redactor.before_record_response,
        # Bodies are stored decoded, so a cassette reads the same as the reply the live run validated.
        "decode_compressed_response": True,
        "match_on": MATCH_ON,
    }
    if mode == "live-only":
        settings["record_mode"] = "all"
    elif mode == "rewrite":
        # Set here, so pytest-recording never sees `rewrite` (and never deletes the cassette up front).
        settings["record_mode"] = "all"
        settings["drop_unused_requests"] = True
    else:
        settings["record_mode"] = mode
    return settings
