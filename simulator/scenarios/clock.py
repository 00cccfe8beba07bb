"""Simulated time: scenario delays (`after: 2s`, `1d`) advance a clock that stamps `occurredAt`; real waiting
is a separate choice of the runner (`--no-wait`, the default, or `--speed X`)."""

from __future__ import annotations

import heapq
import re
from datetime import UTC, date, datetime, timedelta

from tidings.contracts.errors import UsageError

__all__ = ["MAX_DURATION", "SimulatedClock", "format_offset", "interleaved_end", "parse_duration", "parse_start"]

_UNITS = {"ms": timedelta(milliseconds=1), "s": timedelta(seconds=1), "m": timedelta(minutes=1)}
_UNITS |= {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")
_EXAMPLE = "durations look like 500ms, 2s, 5m, 1h30m, 1d or 2w"


MAX_DURATION = timedelta(days=3650)
"""The longest one delay may be (about ten years): longer ones overflow dates and sleeps."""


def parse_duration(text: object) -> timedelta:
    """`"1h30m"` → timedelta(hours=1, minutes=30). A bare number is seconds. Raises UsageError otherwise (also
    for NaN, infinity and anything over MAX_DURATION)."""
    if isinstance(text, int | float) and not isinstance(text, bool) and text >= 0:
        seconds = float(text)
    else:
        raw = str(text).strip().replace(" ", "")
        parts = list(_PART.finditer(raw))
        if not raw or not parts or "".join(part.group(0) for part in parts) != raw:
            raise UsageError(f"not a duration: {text!r}", hint=_EXAMPLE)
        seconds = sum(float(part.group(1)) * _UNITS[part.group(2)].total_seconds() for part in parts)
    if not seconds <= MAX_DURATION.total_seconds():  # NaN and inf fail this too
        raise UsageError(f"the duration {text!r} is longer than the limit of {MAX_DURATION.days:,}d", hint=_EXAMPLE)
    return timedelta(seconds=seconds)


def parse_start(value: object) -> datetime:
    """A run's start time: an ISO-8601 date-time with a UTC offset (`2024-01-01T09:00Z`, `…+01:00`), a date
    (midnight UTC), or a timezone-aware datetime. Raises UsageError otherwise."""
    if isinstance(value, datetime):
        found = value
    elif isinstance(value, date):
        found = datetime(value.year, value.month, value.day, tzinfo=UTC)
    else:
        text = str(value).strip()
        try:
            found = datetime.fromisoformat(text)
        except ValueError:
            raise UsageError(
                f"start time {text!r} is not an ISO-8601 date-time", hint="e.g. --start-at 2024-01-01T09:00Z"
            ) from None
        if len(text) == 10:  # a date alone
            found = found.replace(tzinfo=UTC)
    if found.tzinfo is None:
        raise UsageError(f"the start time {found.isoformat()} has no UTC offset", hint="e.g. 2024-01-01T09:00Z")
    return found


def interleaved_end(start: datetime, after: timedelta, span: timedelta, count: int, slots: int) -> datetime:
    """When `count` repetitions of `span` each end, `slots` at a time, a new one starting `after` the previous
    one started once a slot is free (how scenarios.plan interleaves an include): the estimate a run is placed
    by, as the sample pass plays only the first and last repetition."""
    finishes: list[datetime] = []
    next_start = start
    for index in range(count):
        next_start = next_start + after if index < slots else max(next_start + after, heapq.heappop(finishes))
        heapq.heappush(finishes, next_start + span)
    return max(finishes, default=start)


def format_offset(offset: timedelta) -> str:
    """`+1d 02:00:05` style: how far into the run, in simulated time."""
    total = int(offset.total_seconds())
    sign = "-" if total < 0 else "+"
    days, rest = divmod(abs(total), 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, seconds = divmod(rest, 60)
    clock = f"{hours:02d}:{minutes:02d}:{seconds:02d}"
    return f"{sign}{days}d {clock}" if days else f"{sign}{clock}"


class SimulatedClock:
    """A clock that only moves when told to. `now` is timezone-aware (occurredAt needs an offset)."""

    def __init__(self, start: datetime | None = None) -> None:
        start = start or datetime.now(UTC).replace(microsecond=0)
        if start.tzinfo is None:
            raise UsageError(f"the start time {start.isoformat()} has no UTC offset", hint="e.g. 2024-01-01T09:00Z")
        self.start = start
        self.now = start

    def advance(self, delay: timedelta) -> datetime:
        """Move forward by `delay` and return the new time (UsageError past the year 9999)."""
        try:
            self.now += delay
        except OverflowError:
            raise UsageError(
                f"the simulated clock runs past the year 9999 ({format_offset(self.elapsed)} after the start)",
                hint="shorten the delays (after:) or the repeats of the scenario",
            ) from None
        return self.now

    @property
    def elapsed(self) -> timedelta:
        """Simulated time since the start."""
        return self.now - self.start
