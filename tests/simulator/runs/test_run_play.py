"""Playing scenarios on the embedded engine: what the timeline says is exactly what the queue received, faults
included, and a scenario that cannot be played publishes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tidings.contracts import Catalog
from tidings.contracts.errors import UsageError
from tidings.simulator.runs.events import (
    DeliveryChecked,
    EventPublished,
    FaultInjected,
    RunEvent,
    RunFinished,
    RunStarted,
    StepStarted,
)
from tidings.simulator.runs.player import Player, PlayOptions
from tidings.simulator.scenarios.faults import FaultSet
from tidings.simulator.scenarios.loader import ScenarioLibrary
from tidings.simulator.scenarios.model import ScenarioError
from tidings.simulator.scenarios.plan import Plan
from tidings.simulator.session import PlaySession, play_session

QUEUE = "intervention-events"


@pytest.fixture
def sqs(session: PlaySession) -> Any:
    """The sample consumer queue, emptied before each test."""
    client = session.engine.client("sqs")
    drain(client)  # not PurgeQueue: SQS allows one a minute
    return client


def drain(sqs: Any) -> list[dict[str, Any]]:
    url = sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"]
    messages: list[dict[str, Any]] = []
    while True:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
        if not batch:
            return messages
        messages.extend(json.loads(m["Body"]) for m in batch)
        sqs.delete_message_batch(
            QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)]
        )


def play(
    session: PlaySession,
    library: ScenarioLibrary,
    catalog: Catalog,
    name: str,
    *faults: str,
    seed: int = 5,
    **params: Any,
) -> list[RunEvent]:
    plan = Plan(library.load(name), catalog, params=params, seed=seed, base_url=session.player.base_url)
    return list(session.player.play(plan, PlayOptions(FaultSet.parse(faults))))


def of(events: list[RunEvent], kind: type) -> list[Any]:
    return [event for event in events if isinstance(event, kind)]


def test_the_queue_receives_exactly_what_the_timeline_says(
    session: PlaySession, library: ScenarioLibrary, catalog: Catalog, sqs: Any
) -> None:
    events = play(session, library, catalog, "referral-lifecycle", crn="X123456")
    assert isinstance(events[0], RunStarted) and isinstance(events[-1], RunFinished)
    published = of(events, EventPublished)
    assert len(published) == 14 and len(of(events, StepStarted)) == 14
    assert all(p.queues == (QUEUE,) for p in published)
    received = drain(sqs)
    assert [m["MessageId"] for m in received] == [p.message_id for p in published]
    assert [m["MessageAttributes"]["requestId"]["Value"] for m in received] == [p.tracking_id for p in published]
    assert [json.loads(m["Message"])["eventType"] for m in received] == [p.event_type for p in published]
    summary = events[-1].summary
    assert (summary.emitted, summary.published, summary.delivered[QUEUE], summary.delivery_complete) == (
        14,
        14,
        14,
        True,
    )
    assert of(events, DeliveryChecked) == [DeliveryChecked(QUEUE, 14, 14, True)]


def test_a_duplicate_is_the_same_payload_with_the_same_tracking_id(
    session: PlaySession, library: ScenarioLibrary, catalog: Catalog, sqs: Any
) -> None:
    events = play(session, library, catalog, "referral-withdrawn", "duplicate=1", "reorder=3")
    published = of(events, EventPublished)
    assert len(published) == 8
    received = drain(sqs)
    assert [m["MessageId"] for m in received] == [p.message_id for p in published]
    by_tracking: dict[str, list[dict[str, Any]]] = {}
    for message in received:
        by_tracking.setdefault(message["MessageAttributes"]["requestId"]["Value"], []).append(message)
    assert len(by_tracking) == 4
    for copies in by_tracking.values():
        assert len(copies) == 2 and copies[0]["Message"] == copies[1]["Message"]
        assert copies[0]["MessageId"] != copies[1]["MessageId"]
    assert sum(1 for p in published if p.fault and "republish" in p.fault) == 4


def test_dropped_events_never_arrive_but_their_state_is_in_the_fake_api(
    session: PlaySession, library: ScenarioLibrary, catalog: Catalog, sqs: Any
) -> None:
    events = play(session, library, catalog, "referral-sent", "drop=1", seed=99)
    assert of(events, EventPublished) == []
    (dropped,) = of(events, FaultInjected)
    assert dropped.kind == "drop" and dropped.event_type == "intervention.referral.sent"
    assert drain(sqs) == []
    referral_id = events[0].params["referralId"]
    assert session.api is not None
    assert session.api.state.get(f"/sent-referral/{referral_id}") is not None


def test_poison_messages_arrive_broken_and_are_marked(
    session: PlaySession, library: ScenarioLibrary, catalog: Catalog, sqs: Any
) -> None:
    events = play(session, library, catalog, "referral-lifecycle", "poison=1")
    published = of(events, EventPublished)
    assert all(p.fault and p.fault.startswith("poison:") for p in published)
    bodies = {p.fault: m["Message"] for p, m in zip(published, drain(sqs), strict=True)}
    with pytest.raises(ValueError):
        json.loads(bodies["poison:malformed"])
    assert catalog.validate(bodies["poison:invalid"]) != []


def test_the_same_seed_replays_the_same_faults(
    session: PlaySession, library: ScenarioLibrary, catalog: Catalog, sqs: Any
) -> None:
    faults = ("duplicate=0.3", "drop=0.2", "reorder=4", "poison=0.1")
    first = play(session, library, catalog, "referral-lifecycle", *faults, seed=3)
    again = play(session, library, catalog, "referral-lifecycle", *faults, seed=3)

    def shape(events: list[RunEvent]) -> list[tuple[Any, ...]]:
        return [(e.seq, e.kind, e.detail) for e in of(events, FaultInjected)]

    assert shape(first) == shape(again) and shape(first)


def test_a_scenario_that_cannot_be_played_publishes_nothing(
    session: PlaySession, catalog: Catalog, sqs: Any, tmp_path: Any
) -> None:
    (tmp_path / "bad.yaml").write_text(
        "name: bad\nsteps:\n  - include: referral-sent\n"
        "  - emit: intervention.referral.assigned\n    data: {additionalInformation.assignedTo: ''}\n",
        encoding="utf-8",
    )
    plan = Plan(ScenarioLibrary([tmp_path]).load("bad"), catalog, seed=1)
    with pytest.raises(ScenarioError) as caught:
        list(session.player.play(plan))
    assert caught.value.pointer == "/additionalInformation/assignedTo" and caught.value.line == 4
    assert drain(sqs) == []


def test_speed_paces_publishing_by_simulated_time(
    session: PlaySession, library: ScenarioLibrary, catalog: Catalog, sqs: Any
) -> None:
    slept: list[float] = []
    clock = [0.0]

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += seconds

    player = Player(
        session.player.publisher,
        catalog,
        session.player.tracker,
        base_url=session.player.base_url,
        sleep=sleep,
        monotonic=lambda: clock[0],
    )
    plan = Plan(library.load("referral-withdrawn"), catalog, seed=2)  # 2d 04:01 of simulated time
    events = list(player.play(plan, PlayOptions(speed=3600)))
    assert len(of(events, EventPublished)) == 4
    simulated = (2 * 24 + 4) * 3600 + 60
    assert sum(slept) == pytest.approx(simulated / 3600)
    assert slept == pytest.approx([4.0, 48.0, 60 / 3600])  # assigned after 4h, ended after 2d, concluded after 1m
    drain(sqs)


def test_faults_on_a_remote_engine_need_allow_remote(
    session: PlaySession, library: ScenarioLibrary, catalog: Catalog
) -> None:
    remote = Player(
        session.player.publisher, catalog, session.player.tracker, endpoint="https://sns.example", loopback=False
    )
    plan = Plan(library.load("referral-sent"), catalog, seed=1)
    with pytest.raises(UsageError) as caught:
        list(remote.play(plan, PlayOptions(FaultSet.parse(["drop=0.5"]))))
    assert "not on this machine" in caught.value.message and "--allow-remote" in (caught.value.hint or "")


def test_emit_publishes_one_event_and_updates_the_fake_api(session: PlaySession, catalog: Catalog, sqs: Any) -> None:
    published = session.player.emit(
        "intervention.referral.sent",
        data={"crn": "X777777", "additionalInformation.referralId": "1c0f3d7e-3c55-4c25-9f0e-1b2a3c4d5e6f"},
    )
    assert published.crn == "X777777" and published.queues == (QUEUE,)
    (message,) = drain(sqs)
    assert message["MessageId"] == published.message_id
    assert session.api is not None
    assert session.api.state.get("/sent-referral/1c0f3d7e-3c55-4c25-9f0e-1b2a3c4d5e6f") is not None
    with pytest.raises(UsageError, match="/additionalInformation/referralId"):
        session.player.emit("intervention.referral.sent", data={"additionalInformation.referralId": "nope"})
    assert drain(sqs) == []


def test_playing_against_another_process_engine_sends_state_to_its_fake_api(
    session: PlaySession, library: ScenarioLibrary, catalog: Catalog, sqs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As with `tidings up` in another terminal: its engine and fake API, reached by URL only.
    assert session.api is not None
    monkeypatch.setenv("TIDINGS_API_URL", session.api.base_url)
    with play_session(catalog, library, endpoint=session.engine.endpoint_url) as remote:
        assert remote.api is None and remote.player.base_url == session.api.base_url
        events = play(remote, library, catalog, "referral-withdrawn", seed=8)
    referral_id = events[0].params["referralId"]
    referral = session.api.state.get(f"/sent-referral/{referral_id}")
    assert referral is not None and referral["concludedAt"] and referral["endRequestedAt"]
    assert len(drain(sqs)) == 4
