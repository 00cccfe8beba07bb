"""`Plan(skip=N)` (`tidings play --from N`): the same seed and start give the same events, so skipping the first
N leaves exactly the rest, numbered as in the full plan; a skip beyond the plan is refused before anything."""

from __future__ import annotations

import pytest

from tidings.contracts import load_catalog
from tidings.contracts.errors import UsageError
from tidings.simulator.scenarios.clock import parse_start
from tidings.simulator.scenarios.loader import ScenarioLibrary
from tidings.simulator.scenarios.plan import Plan, PlannedEvent

START = parse_start("2024-01-01T09:00Z")


def _plan(skip: int = 0, count: int = 3) -> Plan:
    scenario = ScenarioLibrary.from_setting(None).load("caseload")  # interleaved: made ahead, yielded in time order
    return Plan(scenario, load_catalog(None), params={"count": count}, seed=5, start=START, skip=skip)


def _facts(events: list[PlannedEvent]) -> list[tuple[int, str, dict[str, object]]]:
    return [(e.seq, e.occurred_at.isoformat(), e.event) for e in events]


def test_a_plan_from_event_n_is_the_full_plan_less_its_first_n_numbered_as_in_the_full_one() -> None:
    full = list(_plan().events())
    assert [e.seq for e in full] == list(range(1, len(full) + 1))  # positions in the stream, not creation order
    for skip in (1, 17, len(full) - 1, len(full)):
        plan = _plan(skip)
        assert plan.remaining == len(full) - skip
        assert _facts(list(plan.events())) == _facts(full[skip:])


def test_the_skipped_events_go_to_on_skipped_before_the_first_is_yielded() -> None:
    full = list(_plan().events())
    skipped: list[PlannedEvent] = []
    events = _plan(5).events(on_skipped=skipped.append)
    first = next(events)
    assert _facts(skipped) == _facts(full[:5]) and first.seq == 6


@pytest.mark.parametrize("skip", [-1, True, 2.5])
def test_a_skip_that_is_not_a_whole_number_from_0_is_refused(skip: object) -> None:
    with pytest.raises(UsageError, match=r"--from .*whole number ≥ 0"):
        _plan(skip)  # type: ignore[arg-type]


def test_a_skip_beyond_the_plan_is_refused_at_preflight_naming_its_length() -> None:
    total = _plan().preflight()
    with pytest.raises(UsageError, match=rf"--from {total + 1}: scenario 'caseload' has only {total} events") as error:
        _plan(total + 1).preflight()
    assert error.value.hint and "--seed" in error.value.hint
