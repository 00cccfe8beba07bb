"""How big one run may be: the cap on events per run (`TIDINGS_MAX_EVENTS`), and the size under which a plan is
resolved in full before its first publish (above it, events stream lazily, validated by a pass of their own)."""

from __future__ import annotations

from tidings.contracts.errors import UsageError
from tidings.contracts.settings import resolve_setting

__all__ = ["MATERIALISE_LIMIT", "MAX_EVENTS", "max_events"]

MATERIALISE_LIMIT = 10_000
MAX_EVENTS = 2_000_000
"""Default cap on the events of one run; `TIDINGS_MAX_EVENTS` raises it."""


def max_events() -> int:
    """The events-per-run cap: `TIDINGS_MAX_EVENTS` (or `[tool.tidings] max_events`), else `MAX_EVENTS`."""
    raw = resolve_setting("max_events")
    if raw is None:
        return MAX_EVENTS
    try:
        value = int(str(raw).replace("_", ""))
    except ValueError:
        value = 0
    if value <= 0:
        raise UsageError(
            f"TIDINGS_MAX_EVENTS={raw!r} is not a positive whole number",
            hint="e.g. TIDINGS_MAX_EVENTS=5000000, or unset it for the default (2,000,000)",
        )
    return value
