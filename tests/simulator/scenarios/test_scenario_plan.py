"""Resolving scenarios into events: consistent ids, simulated time, determinism, streaming, and errors that name
file:line, the step and the JSON pointer before anything could be published."""

from __future__ import annotations

import itertools
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tidings.contracts import Catalog, load_catalog
from tidings.contracts.errors import UsageError
from tidings.simulator.scenarios.loader import ScenarioLibrary
from tidings.simulator.scenarios.model import ScenarioError
from tidings.simulator.scenarios.plan import Plan

START = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)
BASE = "http://127.0.0.1:9999"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def shipped() -> ScenarioLibrary:
    return ScenarioLibrary()


def plan(lib: ScenarioLibrary, catalog: Catalog, name: str, **params: object) -> Plan:
    return Plan(lib.load(name), catalog, params=params, seed=42, base_url=BASE, start=START)


def user_library(tmp_path: Path, text: str) -> ScenarioLibrary:
    (tmp_path / "mine.yaml").write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return ScenarioLibrary([tmp_path])


def test_the_lifecycle_is_one_referral_from_sent_to_concluded(shipped: ScenarioLibrary, catalog: Catalog) -> None:
    p = plan(shipped, catalog, "referral-lifecycle", crn="X123456")
    assert p.preflight() == 14
    events = list(p.events())
    types = [e.event_type for e in events]
    assert types[0] == "intervention.referral.sent" and types[-1] == "intervention.referral.concluded"
    assert events[-1].event["additionalInformation"]["deliveryState"] == "COMPLETED"
    referral_ids = {e.event["additionalInformation"].get("referralId") for e in events} - {None}
    assert referral_ids == {p.params["referralId"]}
    assert {e.crn for e in events} == {"X123456"}
    assert all(catalog.validate(e.event) == [] for e in events)
    assert all(e.event["detailUrl"].startswith(BASE + "/") for e in events)


def test_delays_advance_simulated_time_which_sets_occurred_at(shipped: ScenarioLibrary, catalog: Catalog) -> None:
    events = list(plan(shipped, catalog, "referral-lifecycle").events())
    assert events[0].occurred_at == START
    assert events[1].occurred_at == START + timedelta(hours=2)  # assigned: after 2h
    assert events[1].event["occurredAt"] == "2024-01-01T11:00:00+00:00"
    times = [e.occurred_at for e in events]
    assert times == sorted(times)


def test_the_same_seed_gives_the_same_events(shipped: ScenarioLibrary, catalog: Catalog) -> None:
    first = [e.event for e in plan(shipped, catalog, "referral-withdrawn").events()]
    again = [e.event for e in plan(shipped, catalog, "referral-withdrawn").events()]
    other = Plan(shipped.load("referral-withdrawn"), catalog, seed=43, base_url=BASE, start=START)
    assert first == again
    assert first != [e.event for e in other.events()]


def test_withdrawn_ends_cancelled_with_a_withdrawal_code(shipped: ScenarioLibrary, catalog: Catalog) -> None:
    events = list(plan(shipped, catalog, "referral-withdrawn", withdrawalCode="MIS").events())
    ended = next(e for e in events if e.event_type == "intervention.referral.ended")
    assert ended.event["additionalInformation"]["deliveryState"] == "CANCELLED"
    assert ended.event["additionalInformation"]["withdrawalCode"] == "MIS"


def test_repeat_numbers_the_sessions(shipped: ScenarioLibrary, catalog: Catalog) -> None:
    events = list(plan(shipped, catalog, "missed-sessions", missed="4").events())
    missed = [e for e in events if e.event_type == "intervention.session-appointment.missed"]
    assert [e.event["detailUrl"].rsplit("/", 1)[1] for e in missed] == ["1", "2", "3", "4"]
    assert [e.index for e in missed] == [0, 1, 2, 3]
    assert missed[1].occurred_at - missed[0].occurred_at == timedelta(days=7)


def test_caseload_interleaves_people_in_time_order_and_counts_without_materialising(
    shipped: ScenarioLibrary, catalog: Catalog
) -> None:
    small = plan(shipped, catalog, "caseload", count=3)
    events = list(small.events())
    assert small.preflight() == len(events) == 3 * 14
    assert len({e.crn for e in events}) == 3
    assert [e.crn for e in events[:3]] != [events[0].crn] * 3  # interleaved, not one person after another
    assert [e.occurred_at for e in events] == sorted(e.occurred_at for e in events)
    # 10,000 people: validated whole by a lazy pass (memory flat; since issue 14 every event is checked, so the
    # count is kept where that pass stays a few seconds), streamed lazily (taking the first events resolves only those).
    huge = plan(shipped, catalog, "caseload", count=10_000)
    assert huge.preflight() == 140_000
    first = list(itertools.islice(huge.events(), 50))
    assert len(first) == 50 and first[0].seq == 1


def test_an_unknown_param_names_the_closest(shipped: ScenarioLibrary, catalog: Catalog) -> None:
    with pytest.raises(UsageError) as caught:
        plan(shipped, catalog, "referral-lifecycle", crm="X123456")
    assert "has no parameter 'crm'" in caught.value.message and caught.value.hint == "did you mean crn?"


def test_a_param_of_the_wrong_type(shipped: ScenarioLibrary, catalog: Catalog) -> None:
    with pytest.raises(UsageError) as caught:
        plan(shipped, catalog, "caseload", count="lots")
    assert "is an integer, not 'lots'" in caught.value.message and "count=100" in (caught.value.hint or "")


def test_a_required_param(tmp_path: Path, catalog: Catalog) -> None:
    lib = user_library(tmp_path, "name: mine\nparams:\n  crn: {required: true}\nsteps:\n  - emit: x\n")
    with pytest.raises(UsageError, match="needs parameter 'crn'"):
        Plan(lib.load("mine"), catalog, seed=1)


def test_an_unknown_event_type_in_a_step(tmp_path: Path, catalog: Catalog) -> None:
    lib = user_library(
        tmp_path,
        """
        name: mine
        steps:
          - emit: intervention.referral.sent
          - emit: intervention.referal.assigned
        """,
    )
    with pytest.raises(ScenarioError) as caught:
        Plan(lib.load("mine"), catalog, seed=1)
    error = caught.value
    assert error.line == 4 and "unknown event type 'intervention.referal.assigned'" in str(error)
    assert "intervention.referral.assigned" in (error.hint or "")


def test_a_value_failing_its_schema_names_file_line_step_and_pointer(tmp_path: Path, catalog: Catalog) -> None:
    lib = user_library(
        tmp_path,
        """
        name: mine
        steps:
          - emit: intervention.referral.sent
            as: sent
            data:
              additionalInformation.referralId: not-a-uuid
        """,
    )
    p = Plan(lib.load("mine"), catalog, seed=1)
    with pytest.raises(ScenarioError) as caught:
        p.preflight()
    error = caught.value
    assert str(error).startswith(f"{tmp_path / 'mine.yaml'}:3: step sent (intervention.referral.sent): ")
    assert error.pointer == "/additionalInformation/referralId"
    assert "contracts show intervention.referral.sent" in (error.hint or "")


def test_a_bad_value_in_a_late_repetition_is_caught_by_the_preflight(tmp_path: Path, catalog: Catalog) -> None:
    # Only the last of 1,000 repetitions is bad: the preflight samples first and last, so it is still caught.
    lib = user_library(
        tmp_path,
        """
        name: mine
        params: {n: 1000}
        steps:
          - emit: intervention.session-appointment.missed
            repeat: "{{ params.n }}"
            data:
              sessionNumber: "{{ number }}"
              additionalInformation.serviceUserCRN: "X12345{{ index }}"
        """,
    )
    with pytest.raises(ScenarioError) as caught:
        Plan(lib.load("mine"), catalog, seed=1).preflight()
    assert caught.value.pointer == "/additionalInformation/serviceUserCRN"


def test_include_params_are_rendered_in_the_including_scope(tmp_path: Path, catalog: Catalog) -> None:
    lib = user_library(
        tmp_path,
        """
        name: mine
        params: {person: X111111}
        steps:
          - include: referral-sent
            params: {crn: "{{ params.person }}"}
          - emit: intervention.referral.assigned
            after: 1d
            data:
              crn: "{{ steps.sent.crn }}"
              additionalInformation.referralId: "{{ steps.sent.referralId }}"
        """,
    )
    events = list(Plan(lib.load("mine"), catalog, seed=5, start=START).events())
    assert [e.crn for e in events] == ["X111111", "X111111"]
    assert (
        events[1].event["additionalInformation"]["referralId"] == events[0].event["additionalInformation"]["referralId"]
    )
    assert events[1].occurred_at == START + timedelta(days=1)


def test_step_faults_and_state_travel_with_the_event(tmp_path: Path, catalog: Catalog) -> None:
    lib = user_library(
        tmp_path,
        """
        name: mine
        steps:
          - emit: intervention.referral.sent
            faults: [duplicate]
            state: {note: "{{ faker.word() }}"}
        """,
    )
    (event,) = Plan(lib.load("mine"), catalog, seed=5).events()
    assert event.faults is not None and event.faults.rate("duplicate") == 1.0
    assert isinstance(event.state, dict) and isinstance(event.state["note"], str)


def test_a_seed_is_chosen_when_none_is_given(shipped: ScenarioLibrary, catalog: Catalog) -> None:
    p = Plan(shipped.load("referral-sent"), catalog)
    assert isinstance(p.seed, int) and p.seed > 0
