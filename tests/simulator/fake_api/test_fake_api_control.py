"""The control API under /_tidings/: a tester with curl (here httpx) lists scenarios, starts a run, reads its
timeline, emits one event and resets state; mistakes come back as problem+json with the CLI's message."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tidings.contracts import load_catalog
from tidings.simulator.engine.engines import Engine
from tidings.simulator.scenarios.loader import ScenarioLibrary
from tidings.simulator.session import PlaySession, start_fake_api
from tidings.simulator.topology import Topology, apply_topology


@pytest.fixture(scope="module")
def session(engine: Engine) -> Iterator[PlaySession]:
    """The shared engine (embedded, or TIDINGS_ENDPOINT's) with the default topology, and a fake API on it."""
    catalog = load_catalog()
    topic_arn = apply_topology(engine, Topology.load()).topic_arns[catalog.topic]
    api = start_fake_api(catalog, ScenarioLibrary(), engine=engine, topic_arn=topic_arn, port=0)
    assert api.player is not None
    yield PlaySession(engine, topic_arn, api.player, api)
    api.stop()


@pytest.fixture
def api(session: PlaySession) -> Iterator[httpx.Client]:
    assert session.api is not None
    with httpx.Client(base_url=session.api.base_url, timeout=10) as client:
        client.post("/_tidings/reset")
        yield client


def finished(api: httpx.Client, url: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        body = api.get(url).json()
        if body["status"] in ("finished", "failed"):
            return body  # type: ignore[no-any-return]
        time.sleep(0.05)
    raise AssertionError(f"run {url} did not finish")


def test_health_and_scenarios(api: httpx.Client) -> None:
    assert api.get("/_tidings/health").json()["status"] == "ok"
    names = {s["name"] for s in api.get("/_tidings/scenarios").json()}
    assert {"referral-lifecycle", "referral-withdrawn", "caseload"} <= names
    one = api.get("/_tidings/scenarios/caseload").json()
    assert one["params"]["count"]["type"] == "integer" and "intervention.referral.sent" in one["eventTypes"]


def test_a_run_started_over_http_plays_and_builds_the_state_its_urls_point_at(api: httpx.Client) -> None:
    response = api.post(
        "/_tidings/runs",
        json={"scenario": "referral-lifecycle", "params": {"crn": "X246810"}, "seed": 4, "faults": ["duplicate=0.5"]},
    )
    assert response.status_code == 202 and response.headers["location"] == response.json()["url"]
    run = finished(api, response.json()["url"])
    assert run["status"] == "finished" and run["error"] is None and run["seed"] == 4
    timeline = run["timeline"]
    assert timeline["summary"]["emitted"] == 14 and timeline["summary"]["delivery_complete"] is True
    rows = timeline["rows"]
    assert len(rows) == timeline["summary"]["published"] > 14  # duplicates are rows too
    assert {row["crn"] for row in rows} == {"X246810"}
    referral_id = timeline["run"]["params"]["referralId"]
    referral = api.get(f"/sent-referral/{referral_id}").json()
    assert referral["concludedAt"] and referral["assignedTo"]["username"]
    assert api.get("/_tidings/runs").json()[0]["id"] == run["id"]


@pytest.mark.parametrize("taps", [True, False])
def test_taps_true_observes_each_delivery_and_leaves_no_tap_behind(
    api: httpx.Client, session: PlaySession, taps: bool
) -> None:
    body = {"scenario": "referral-sent", "params": {"crn": "X135790"}, "seed": 2, "taps": taps}
    run = finished(api, api.post("/_tidings/runs", json=body).json()["url"])
    assert run["status"] == "finished", run
    published = [row["messageId"] for row in run["timeline"]["rows"]]
    deliveries = {d["queue"]: d for d in run["timeline"]["deliveries"]}
    consumer = deliveries["intervention-events"]
    assert consumer["observed"] is taps and consumer["complete"] is True
    # Observed: the tap's own MessageIds, exactly what was published; inferred from depth: none to show.
    assert sorted(consumer["message_ids"]) == (sorted(published) if taps else [])
    queues = session.engine.client("sqs").list_queues().get("QueueUrls", [])
    assert not [url for url in queues if "tidings-tap-" in url]  # taps are deleted after the run


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({"scenario": "referal-lifecycle"}, 404, "unknown scenario"),
        ({"scenario": "referral-lifecycle", "params": {"crm": "X1"}}, 400, "no parameter 'crm'"),
        ({"scenario": "referral-lifecycle", "faults": ["duplicate=2"]}, 400, "not between 0 and 1"),
        ({"scenario": "caseload", "params": {"count": "many"}}, 400, "is an integer"),
    ],
)
def test_a_run_that_cannot_start_is_a_problem(
    api: httpx.Client, body: dict[str, Any], status: int, detail: str
) -> None:
    response = api.post("/_tidings/runs", json=body)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert detail in response.json()["detail"] and response.json()["hint"]


def test_a_malformed_request_is_a_problem_too(api: httpx.Client) -> None:
    response = api.post("/_tidings/runs", json={"params": {}})
    assert response.status_code == 422 and response.json()["errors"][0]["pointer"] == "/scenario"


def test_emit_one_event_then_reset(api: httpx.Client) -> None:
    referral_id = "5b0c1f9e-7d7a-4c55-9a0e-2f1d3c4b5a69"
    response = api.post(
        "/_tidings/events",
        json={
            "eventType": "intervention.referral.sent",
            "data": {"crn": "X135790", "additionalInformation.referralId": referral_id},
            "state": {"referenceNumber": "AB12345CD"},
        },
    )
    assert response.status_code == 201, response.text
    assert response.json()["messageId"] and response.json()["queues"] == ["intervention-events"]
    assert api.get(f"/sent-referral/{referral_id}").json()["referenceNumber"] == "AB12345CD"
    assert f"/sent-referral/{referral_id}" in api.get("/_tidings/state").json()["paths"]
    assert api.post("/_tidings/reset").status_code == 204
    assert api.get(f"/sent-referral/{referral_id}").status_code == 404


def test_emitting_an_invalid_event_is_refused_with_its_pointer(api: httpx.Client) -> None:
    response = api.post("/_tidings/events", json={"eventType": "intervention.referral.sent", "data": {"crn": "nope"}})
    assert response.status_code == 400
    assert "/personReference/identifiers/0/value" in response.json()["detail"]
    unknown = api.post("/_tidings/events", json={"eventType": "intervention.referal.sent"})
    assert unknown.status_code == 400 and "intervention.referral.sent" in unknown.json()["hint"]


def test_an_unknown_run_is_a_404(api: httpx.Client) -> None:
    response = api.get("/_tidings/runs/nope")
    assert response.status_code == 404 and response.headers["content-type"] == "application/problem+json"


def test_without_an_engine_runs_and_emits_answer_503() -> None:
    api = start_fake_api(load_catalog(), ScenarioLibrary(), port=0)
    try:
        with httpx.Client(base_url=api.base_url) as client:
            assert client.post("/_tidings/runs", json={"scenario": "referral-sent"}).status_code == 503
            response = client.post("/_tidings/events", json={"eventType": "intervention.referral.sent"})
            assert response.status_code == 503 and "tidings up" in response.json()["hint"]
            assert client.get("/_tidings/scenarios").status_code == 200
    finally:
        api.stop()


def test_tidings_up_serves_the_fake_api_as_a_service() -> None:
    from tidings.simulator.session import fake_api_service
    from tidings.simulator.up import start_up

    up = start_up(port=0, services=[fake_api_service(port=0)])
    try:
        url = up.environment()["TIDINGS_API_URL"]
        with httpx.Client(base_url=url, timeout=10) as client:
            started = client.post("/_tidings/runs", json={"scenario": "referral-sent", "seed": 1})
            assert started.status_code == 202
            run = finished(client, started.json()["url"])
            referral_id = run["timeline"]["run"]["params"]["referralId"]
            assert client.get(f"/sent-referral/{referral_id}").status_code == 200
    finally:
        up.stop()
