"""Recorded exchanges: cassettes read safely, SSE parsed, every request, reply and event validated, undocumented
fields found, and the failures grouped into root causes with their spec fix.
"""

from __future__ import annotations

from .cassettes import display_path
from .exchange import Exchange
from .guard import skipped_note
from .intent import INTENT_HEADER, negative_marker, with_marker
from .payloads import engine_for, iter_exchange_findings
from .replay import interaction_items, iter_cassette_findings, require_directory

__all__ = [
    "display_path",
    "engine_for",
    "Exchange",
    "INTENT_HEADER",
    "interaction_items",
    "iter_cassette_findings",
    "iter_exchange_findings",
    "negative_marker",
    "require_directory",
    "skipped_note",
    "with_marker",
]
