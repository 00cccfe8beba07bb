"""Numbers a run is given are finite and within bounds, or one UsageError naming the option."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tidings.contracts.errors import UsageError
from tidings.simulator.runs.numbers import check_number
from tidings.simulator.runs.player import PlayOptions
from tidings.simulator.scenarios.clock import MAX_DURATION, SimulatedClock, parse_duration


@pytest.mark.parametrize(
    ("value", "says"),
    [
        (float("nan"), "nan is not a finite number"),
        (float("inf"), "inf is not a finite number"),
        (-1, "-1 is outside 0..10"),
        (11, "11 is outside 0..10"),
        ("3", "must be a number, not '3'"),
        (True, "must be a number"),
    ],
)
def test_bad_numbers_are_named(value: object, says: str) -> None:
    with pytest.raises(UsageError, match=f"--x {says}") as raised:
        check_number("--x", value, low=0, high=10, example="--x 3")
    assert raised.value.hint == "e.g. --x 3"


def test_a_whole_number_is_asked_for_where_it_must_be() -> None:
    with pytest.raises(UsageError, match=r"must be a whole number, not 2\.5"):
        check_number("count", 2.5, low=0, high=10, example="count 3", whole=True)
    assert check_number("count", 3, low=0, high=10, example="count 3", whole=True) == 3


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"speed": float("nan")}, "--speed nan"),
        ({"speed": 1e-300}, "--speed 1e-300 is outside"),
        ({"speed": 1e300}, "--speed 1e"),
        ({"delivery_timeout": -1.0}, "--delivery-timeout -1"),
        ({"batch_size": 0}, "batch_size 0"),
    ],
)
def test_play_options_refuse_nonsense(options: dict[str, float], says: str) -> None:
    with pytest.raises(UsageError, match=says):
        PlayOptions(**options)  # type: ignore[arg-type]


def test_durations_are_bounded() -> None:
    assert parse_duration("3650d") == MAX_DURATION
    for text in ("3651d", "99999999999d", float("inf"), float("nan"), 1e300):
        with pytest.raises(UsageError, match=r"longer than the limit|not a duration"):
            parse_duration(text)


def test_the_clock_refuses_to_run_past_the_year_9999() -> None:
    clock = SimulatedClock()
    with pytest.raises(UsageError, match="past the year 9999"):
        for _ in range(1_000):
            clock.advance(timedelta(days=3650))
