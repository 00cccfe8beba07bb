"""One fake API for several producers: each producer's resources under its base path, with its own shapes and
projections, and state consistent with the events a plan over the registry makes."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.multi_producer import BASE_PATHS, BOOKING, FIXTURES, MULTI, SENT
from tidings.contracts.registry.loader import load_registry
from tidings.contracts.registry.routed import RoutedCatalog
from tidings.simulator.fake_api.routed import RoutedFakeApiState
from tidings.simulator.scenarios.loader import ScenarioLibrary
from tidings.simulator.scenarios.plan import Plan
from tidings.simulator.session import FakeApi, start_fake_api

ROUTED = RoutedCatalog(load_registry(MULTI))
LIBRARY = ScenarioLibrary.from_setting(str(FIXTURES))
RESOURCE = {SENT: "sent-referral", BOOKING: "booking-made"}


@pytest.fixture(scope="module")
def api() -> Iterator[FakeApi]:
    served = start_fake_api(ROUTED, LIBRARY, port=0)  # no engine: nothing is created on one
    yield served
    served.stop()


@pytest.fixture
def client(api: FakeApi) -> Iterator[httpx.Client]:
    api.state.reset()
    with httpx.Client(base_url=api.base_url, timeout=10) as http:
        yield http


def _played(api: FakeApi, seed: int = 5) -> list[dict[str, object]]:
    plan = Plan(LIBRARY.load("referral-and-booking"), ROUTED, seed=seed, base_url=api.base_url)
    events = [planned.event for planned in plan.events()]
    for event in events:
        api.state.apply(event)
    return events


def test_every_detail_url_answers_its_producers_resource(api: FakeApi, client: httpx.Client) -> None:
    assert isinstance(api.state, RoutedFakeApiState)
    events = _played(api)
    assert [event["eventType"] for event in events] == [SENT, BOOKING]
    for event in events:
        event_type = str(event["eventType"])
        url = str(event["detailUrl"])
        assert url.startswith(api.base_url + BASE_PATHS[event_type] + "/")
        answer = client.get(url)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert ROUTED.owner(event_type).api.violations(RESOURCE[event_type], body) == []
    booking = client.get(str(events[1]["detailUrl"])).json()
    info = events[1]["additionalInformation"]
    assert isinstance(info, dict)
    assert booking["eventDetails"]["bookingId"] == info["bookingId"]
    crn = events[0]["personReference"]["identifiers"][0]["value"]  # type: ignore[index]
    assert booking["eventDetails"]["personReference"]["crn"] == crn
    paths = api.state.paths()  # the referral's intervention is projected too, on the same producer's base path
    assert {httpx.URL(str(event["detailUrl"])).path for event in events} < set(paths)
    assert all(path.startswith(tuple(BASE_PATHS.values())) for path in paths)
    assert all(client.get(path).status_code == 200 for path in paths)


def test_a_path_on_no_base_path_or_not_played_is_a_404_problem(api: FakeApi, client: httpx.Client) -> None:
    _played(api)
    for path in ("/sent-referral/68df9f6c-3fcb-4ec6-8fcf-96551cd9b080", "/approved-premises/events/booking-made/x"):
        answer = client.get(path)
        assert answer.status_code == 404 and answer.headers["content-type"] == "application/problem+json"


def test_the_openapi_document_has_each_producers_routes_under_its_base_path(client: httpx.Client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/approved-premises/events/booking-made/{bookingId}" in paths
    assert "/hmpps-interventions-service/sent-referral/{referralId}" in paths
    assert not any(path.startswith("/sent-referral") for path in paths)


def test_api_faults_apply_to_the_full_path(api: FakeApi, client: httpx.Client) -> None:
    events = _played(api)
    api.state.add_api_faults_for(events[1], ["api-error=1:502"], seed=1)
    assert client.get(str(events[1]["detailUrl"])).status_code == 502
    assert client.get(str(events[0]["detailUrl"])).status_code == 200
