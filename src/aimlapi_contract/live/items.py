"""What a live pytest item does: send its scenario (with --live) or replay its cassette, then fail once.

The plugin builds one `LiveState` per run (settings, budget, redactor) and one `LiveRun` per item;
everything deciding skip / replay / send, and turning errors into one-line failures, lives here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ..baseline import BaselineEntry, triage
from ..errors import ContractError
from ..findings import Severity
from ..redact import KEY_ENV, Redactor
from ..reports import render_finding
from ..sources import Spec
from ..traffic import display_path
from .client import LiveClient, run_scenario
from .recording import REPLAY_MODES, effective_record_mode
from .scenarios import Scenario
from .settings import PYTEST_FLAGS, Budget, BudgetExhausted, LiveError, LiveSettings


@dataclass(slots=True)
class LiveState:
    """One run's live settings: where to send, what may be spent, what to scrub, how cassettes are kept."""

    live: bool
    mode: str  # effective record mode: a vcrpy mode, or "live-only" (send, record nothing)
    settings: LiveSettings
    budget: Budget
    redactor: Redactor
    cli_record_mode: str | None = None  # --record-mode as given
    refusals: list[str] = field(default_factory=list)  # cassettes not written, and why (the terminal summary lists them)
    undo: Callable[[], None] = lambda: None


def live_state_for(config: pytest.Config, *, overrides: dict[str, Any]) -> LiveState:
    """Settings from the command line and environment; pytest.UsageError (one line) when --live cannot run."""
    live = bool(config.getoption("--live"))
    try:
        settings = LiveSettings.from_env(flags=PYTEST_FLAGS, **overrides)
    except ContractError as exc:
        raise pytest.UsageError(f"{exc.message}{'; ' + exc.tip if exc.tip else ''}") from None
    if live and not settings.key:
        raise pytest.UsageError(
            f"--live needs the API key in ${KEY_ENV}: set it (the key never reaches cassettes or output), "
            "or drop --live to replay the recorded cassettes"
        )
    cli_mode = config.getoption("--record-mode", None)
    mode = effective_record_mode(cli_mode, live)
    return LiveState(live, mode, settings, Budget.for_settings(settings), Redactor([settings.key]), cli_record_mode=cli_mode)


class LiveRun:
    """One live item: its client (live or replaying), the specs, the baseline and the cassette it records to."""

    def __init__(
        self, client: LiveClient, specs: Sequence[Spec], baseline: list[BaselineEntry], *, cassette: Any, source: str, state: LiveState, session: pytest.Session
    ) -> None:
        self.client = client
        self.specs = specs
        self.baseline = baseline
        self.cassette = cassette
        self.source = source
        self.state = state
        self.session = session

    def check(self, scenario: Scenario) -> None:
        """Run the scenario; fail once listing every new finding at error level, or with one line on an error."""
        __tracebackhide__ = True
        from vcr.errors import CannotOverwriteExistingCassetteException

        if not self.specs:
            pytest.fail("no tracked spec could be loaded, so nothing can be validated; see test_page_and_specs_load", pytrace=False)
        before = (len(self.cassette.data), Counter(self.cassette.play_counts)) if self.cassette is not None else None
        try:
            result = run_scenario(self.client, scenario, self.specs, source=self.source, index=lambda: self._index(before))
        except BudgetExhausted as exc:
            self.session.shouldstop = exc.message  # stop the run after this item, as -x does
            pytest.fail(f"{exc.message} ({exc.tip})", pytrace=False)
        except LiveError as exc:
            pytest.fail(exc.message + (f" ({exc.tip})" if exc.tip else ""), pytrace=False)
        except CannotOverwriteExistingCassetteException:
            pytest.fail(
                f"{self.source} holds no recording of this request (the scenario changed?); "
                f"re-record it: {KEY_ENV}=... pytest --live --record-mode=rewrite -k '{scenario.id}'",
                pytrace=False,
            )
        self._keep_final_attempt(before, result.attempts)
        new = triage(result.findings, self.baseline).new
        failing = [f for f in new if f.severity >= Severity.ERROR]
        if failing:
            recorded_now = before is None or len(self.cassette.data) > before[0]
            how = "live" if self.state.live and recorded_now else "replayed from its cassette"
            body = "\n".join(render_finding(f) for f in failing)
            pytest.fail(f"{scenario.id} ({how}): {len(failing)} new finding(s):\n{body}", pytrace=False)

    def _index(self, before: tuple[int, Counter[int]] | None) -> int:
        """Where the final reply sits in the cassette as it will be saved (as the offline check numbers it)."""
        if self.cassette is None or before is None:
            return 0
        count, played = before
        if len(self.cassette.data) > count:  # recorded now; only the final attempt is kept (below)
            # once/new_episodes append after what was there; all/rewrite/live-only replace the recording.
            return count if self.state.mode in ("once", "new_episodes") else 0
        replayed = [i for i, n in self.cassette.play_counts.items() if n > played.get(i, 0)]
        return max(replayed) if replayed else 0

    def _keep_final_attempt(self, before: tuple[int, Counter[int]] | None, attempts: int) -> None:
        """Drop retried attempts (a 429 before the reply) from the recording.

        The cassette holds the reply the scenario got, so interaction indexes, and with them the
        baseline keys, do not shift with rate limits; replaying it gives the same result.
        """
        if self.cassette is None or before is None or attempts < 2:
            return
        if len(self.cassette.data) - before[0] == attempts:
            del self.cassette.data[before[0] : -1]


def live_run_for(request: pytest.FixtureRequest, state: LiveState, specs: Sequence[Spec], baseline: list[BaselineEntry], cassette: Any, cassette_path: Path) -> LiveRun:
    """The LiveRun for this item, or a skip that says how to run it."""
    source = display_path(cassette_path, Path(request.config.rootpath))  # baseline keys: project-relative, whatever the cwd
    mode = state.mode
    if state.live:
        return LiveRun(LiveClient(state.settings, state.budget), specs, baseline, cassette=cassette, source=source, state=state, session=request.session)
    # One reason for every item of the module, so pytest's -ra summary shows it once.
    how = f"{KEY_ENV}=... pytest --live --record-mode=once {request.node.nodeid.split('::')[0]}"
    if cassette is None:
        pytest.skip(f"recording is disabled (--disable-recording); send it live: {how}")
    if mode not in REPLAY_MODES:
        pytest.skip(f"--record-mode={mode} sends real requests, which needs --live; run: {how}")
    if not cassette.data and cassette_path.is_file() and cassette_path.read_bytes().strip():
        pytest.fail(f"{source} is not a readable vcrpy cassette; re-record it: {how.replace('once', 'rewrite')}", pytrace=False)
    if not cassette.data:
        pytest.skip(f"no recording in {display_path(cassette_path.parent, Path(request.config.rootpath))}/; record: {how}")
    replay = LiveSettings(api_base=state.settings.api_base)  # no key: the cassette answers
    return LiveRun(LiveClient(replay, replay=True), specs, baseline, cassette=cassette, source=source, state=state, session=request.session)
