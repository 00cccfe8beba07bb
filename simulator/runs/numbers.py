"""Numbers a run is given (speed, timeouts, counts): finite and within bounds, or one UsageError saying so.

NaN passes every `<` and `>` comparison, and `inf` or `1e-300` turn into sleeps no clock can hold, so each number
is checked for what it is before it is used (the CLI, the control API and the test harness share these checks)."""

from __future__ import annotations

import math

from tidings.contracts.errors import UsageError

__all__ = ["SPEED_RANGE", "check_number"]

SPEED_RANGE = (0.001, 1_000_000.0)
"""--speed: from a thousandth of real time (a second of delay takes ~17 minutes) to a million times it."""


def check_number(name: str, value: object, *, low: float, high: float, example: str, whole: bool = False) -> float:
    """`value` as a number in [low, high] (a whole one if `whole`); UsageError naming `name` otherwise."""
    kind = "a whole number" if whole else "a number"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UsageError(f"{name} must be {kind}, not {value!r}", hint=f"e.g. {example}")
    if isinstance(value, float) and not math.isfinite(value):
        raise UsageError(f"{name} {value} is not a finite number", hint=f"e.g. {example}")
    if whole and value != int(value):
        raise UsageError(f"{name} must be {kind}, not {value:g}", hint=f"e.g. {example}")
    if not low <= value <= high:
        raise UsageError(f"{name} {value:,.10g} is outside {low:,.10g}..{high:,.10g}", hint=f"e.g. {example}")
    return float(value)
