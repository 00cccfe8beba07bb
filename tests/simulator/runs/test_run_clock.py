"""Simulated time: durations as scenarios write them, and offsets as the timeline shows them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tidings.contracts.errors import UsageError
from tidings.simulator.scenarios.clock import SimulatedClock, format_offset, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2s", timedelta(seconds=2)),
        ("500ms", timedelta(milliseconds=500)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("1d", timedelta(days=1)),
        ("2w", timedelta(weeks=2)),
        ("1.5h", timedelta(minutes=90)),
        (3, timedelta(seconds=3)),
    ],
)
def test_durations(text: object, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "2", "soon", "1x", "-1s", "1d soon", True])
def test_bad_durations_say_what_good_ones_look_like(text: object) -> None:
    # A bare number in quotes is refused (a unit is required in text); a YAML number means seconds.
    with pytest.raises(UsageError, match="not a duration") as caught:
        parse_duration(text)
    assert "1d" in (caught.value.hint or "")


def test_offsets() -> None:
    assert format_offset(timedelta(seconds=5)) == "+00:00:05"
    assert format_offset(timedelta(days=1, hours=2)) == "+1d 02:00:00"


def test_the_clock_moves_only_when_advanced_and_needs_an_offset() -> None:
    clock = SimulatedClock(datetime(2024, 1, 1, tzinfo=UTC))
    assert clock.advance(timedelta(hours=2)) == datetime(2024, 1, 1, 2, tzinfo=UTC)
    assert clock.elapsed == timedelta(hours=2)
    with pytest.raises(UsageError, match="no UTC offset"):
        SimulatedClock(datetime(2024, 1, 1))
