"""The fake API's state follows the events: a referral is created, assigned, planned, delivered, concluded."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest

from tidings.contracts import Catalog, load_catalog
from tidings.simulator.fake_api.state import FakeApiState
from tidings.simulator.scenarios.loader import ScenarioLibrary
from tidings.simulator.scenarios.plan import Plan

BASE = "http://127.0.0.1:8080"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def played(catalog: Catalog, name: str, **params: Any) -> tuple[FakeApiState, Plan]:
    state = FakeApiState(BASE, catalog=catalog)
    plan = Plan(
        ScenarioLibrary().load(name),
        catalog,
        params=params,
        seed=11,
        base_url=BASE,
        start=datetime(2024, 5, 1, tzinfo=UTC),
    )
    for planned in plan.events():
        state.apply(planned.event, planned.state)
    return state, plan


def test_after_the_lifecycle_the_referral_shows_assignee_plan_report_and_end_state(catalog: Catalog) -> None:
    state, plan = played(catalog, "referral-lifecycle", crn="X654321")
    referral = state.get(f"/sent-referral/{plan.params['referralId']}")
    assert referral is not None
    assert referral["serviceUserCRN"] == "X654321" == referral["referral"]["serviceUser"]["crn"]
    assert referral["referral"]["serviceUser"]["firstName"]
    assert referral["assignedTo"]["username"] == plan.params["caseworker"]
    assert referral["actionPlanId"] == referral["currentActionPlanId"] == plan.params["actionPlanId"]
    assert referral["approvedActionPlanIds"] == [plan.params["actionPlanId"]]
    assert referral["concludedAt"] and referral["referenceNumber"] == plan.params["referralReference"]
    intervention = state.get(f"/intervention/{referral['interventionId']}")
    assert intervention is not None and intervention["id"] == referral["interventionId"]
    assert intervention["serviceProvider"] == referral["referral"]["serviceProvider"]
    assert intervention["serviceProvider"]["name"] == plan.params["primeProviderName"]
    assert intervention["contractType"]["name"] == plan.params["contractTypeName"]


def test_action_plan_sessions_assessment_and_report(catalog: Catalog) -> None:
    state, plan = played(catalog, "referral-lifecycle")
    rid = plan.params["referralId"]
    action_plan = state.get(f"/action-plan/{plan.params['actionPlanId']}")
    assert action_plan and action_plan["approvedAt"] and action_plan["numberOfSessions"] == 3
    assert action_plan["referralId"] == rid and action_plan["approvedBy"]["authSource"] == "delius"
    sessions = [state.get(f"/referral/{rid}/sessions/{n}") for n in (1, 2, 3)]
    feedback = [s["appointmentFeedback"] for s in sessions if s]
    assert [f["attendanceFeedback"]["attended"] for f in feedback] == ["yes", "no", "yes"]
    assert all(f["submitted"] for f in feedback) and [s["sessionNumber"] for s in sessions if s] == [1, 2, 3]
    assessment = state.get(f"/sent-referral/{rid}/supplier-assessment")
    assert assessment and assessment["referralId"] == rid
    current = assessment["appointments"][0]
    assert current["id"] == assessment["currentAppointmentId"]
    assert current["appointmentFeedback"]["attendanceFeedback"]["attended"] == "yes"
    report = state.get(f"/end-of-service-report/{plan.params['endOfServiceReportId']}")
    assert report and report["referralId"] == rid


def test_a_withdrawn_referral_is_ended_and_concluded(catalog: Catalog) -> None:
    state, plan = played(catalog, "referral-withdrawn", withdrawalCode="ACQ")
    referral = state.get(f"/sent-referral/{plan.params['referralId']}")
    assert referral and referral["withdrawalCode"] == "ACQ"
    assert referral["endRequestedAt"] and referral["concludedAt"]


def test_state_before_assignment_has_no_assignee(catalog: Catalog) -> None:
    state = FakeApiState(BASE, catalog=catalog)
    event = catalog.example("intervention.referral.sent", base_url=BASE)
    path = state.apply(event)
    assert path == f"/sent-referral/{event['additionalInformation']['referralId']}"
    assert state.get(path)["assignedTo"] is None  # type: ignore[index]


def test_unknown_paths_and_reset(catalog: Catalog) -> None:
    state, _ = played(catalog, "referral-sent")
    assert state.get("/sent-referral/nope") is None
    assert len(state) == 2  # the referral and the intervention it names
    state.reset()
    assert len(state) == 0 and state.paths() == []


def test_an_event_type_it_does_not_model_gets_a_plain_resource() -> None:
    state = FakeApiState("http://api.example/base")
    event = {
        "eventType": "other.thing.happened",
        "detailUrl": "http://api.example/base/thing/7",
        "occurredAt": "2024-01-01T00:00:00Z",
        "additionalInformation": {"thingId": "7"},
    }
    assert state.apply(event, {"colour": "red"}) == "/thing/7"  # the base path prefix is stripped
    assert state.get("/thing/7") == {
        "thingId": "7",
        "lastEvent": {"eventType": "other.thing.happened", "occurredAt": "2024-01-01T00:00:00Z"},
        "colour": "red",
    }


def test_the_cached_json_follows_changes(catalog: Catalog) -> None:
    state = FakeApiState(BASE, catalog=catalog)
    sent = catalog.example("intervention.referral.sent", base_url=BASE)
    path = state.apply(sent)
    assert path and b'"assignedTo":null' in (state.get_json(path) or b"")
    state.apply(catalog.example("intervention.referral.assigned", base_url=BASE))
    assert b'"assignedTo":{"username"' in (state.get_json(path) or b"")


def test_concurrent_writers_and_readers_do_not_corrupt_it(catalog: Catalog) -> None:
    state = FakeApiState(BASE, catalog=catalog)
    events = [
        catalog.example(
            "intervention.referral.sent",
            base_url=BASE,
            **{"additionalInformation.referralId": f"00000000-0000-4000-8000-{i:012d}"},
        )
        for i in range(400)
    ]

    def write(part: list[dict[str, Any]]) -> None:
        for event in part:
            state.apply(event)

    def read() -> None:
        for event in events:
            state.get_json(state.path_of(event["detailUrl"]) or "")

    threads = [threading.Thread(target=write, args=(events[i::4],)) for i in range(4)]
    threads += [threading.Thread(target=read) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(state) == 800 and state.events_applied == 400  # each referral and its intervention
