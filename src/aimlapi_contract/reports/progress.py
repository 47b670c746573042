"""Progress of a long run on stderr, drawn by rich: only on a terminal, never in CI or with --quiet."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TextIO

# (what is being done, steps done, steps in all): what check.run_checks reports as it goes.
ProgressCallback = Callable[[str, int, int], None]


def wants_progress(stream: TextIO, *, quiet: bool = False, env: Mapping[str, str] | None = None) -> bool:
    """Draw progress? Only on an interactive terminal, not under CI (`CI` set), not with --quiet or TERM=dumb."""
    env = os.environ if env is None else env
    if quiet or env.get("CI", "").lower() not in ("", "0", "false") or env.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or replaced stream
        return False


@contextmanager
def progress_on(stream: TextIO, enabled: bool) -> Iterator[ProgressCallback | None]:
    """A callback drawing a transient progress bar on `stream` while the block runs; None when not `enabled`."""
    if not enabled:
        yield None
        return
    from rich.console import Console  # imported only when drawing: rich is not needed for a quiet run
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    console = Console(file=stream, stderr=True)
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("starting", total=None)

        def update(what: str, done: int, total: int) -> None:
            bar.update(task, description=what, completed=done, total=total)

        yield update
