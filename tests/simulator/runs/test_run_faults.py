"""Redelivery and business-API faults in a run, on the embedded engine: the same SQS message comes back after
its delete, tap queues are not fooled by it, an engine that cannot redeliver is refused before anything is
published, and API faults reach a fake API in another process through the control API."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from tidings.contracts import Catalog
from tidings.contracts.errors import UsageError
from tidings.simulator.engine.engines import Engine
from tidings.simulator.fake_api.remote import RemoteFakeApiState
from tidings.simulator.runs.events import DeliveryChecked, EventPublished, RunEvent
from tidings.simulator.runs.player import Player, PlayOptions
from tidings.simulator.scenarios.faults import FaultSet
from tidings.simulator.scenarios.loader import ScenarioLibrary
from tidings.simulator.scenarios.plan import Plan
from tidings.simulator.session import PlaySession

QUEUE = "intervention-events"


@pytest.fixture(autouse=True)
def embedded(engine: Engine) -> None:
    if engine.sqs_state() is None:
        pytest.skip("redelivery needs the embedded engine of this process")


@pytest.fixture
def sqs(session: PlaySession) -> Any:
    client = session.engine.client("sqs")
    url = client.get_queue_url(QueueName=QUEUE)["QueueUrl"]
    while batch := client.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        for message in batch:
            client.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return client


def play(player: Player, library: ScenarioLibrary, catalog: Catalog, *faults: str, observe: bool = False) -> list[Any]:
    plan = Plan(library.load("referral-sent"), catalog, seed=2, base_url=player.base_url)
    return list(player.play(plan, PlayOptions(FaultSet.parse(faults), observe=observe, delivery_timeout=3)))


def receive(sqs: Any) -> list[dict[str, Any]]:
    url = sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"]
    answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"])
    for message in answer.get("Messages", []):
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return list(answer.get("Messages", []))


def test_a_redelivered_message_comes_back_after_its_delete_and_taps_count_it_once(
    session: PlaySession, library: ScenarioLibrary, catalog: Catalog, sqs: Any
) -> None:
    events: list[RunEvent] = play(session.player, library, catalog, "redeliver=1", observe=True)
    (published,) = [e for e in events if isinstance(e, EventPublished)]
    [checked] = [e for e in events if isinstance(e, DeliveryChecked) and e.queue == QUEUE]
    assert published.fault == "redeliver" and (checked.expected, checked.received, checked.observed) == (1, 1, True)
    (first,) = receive(sqs)
    (again,) = receive(sqs)
    assert (again["MessageId"], again["Body"]) == (first["MessageId"], first["Body"])
    assert json.loads(first["Body"])["MessageId"] == published.message_id
    assert again["ReceiptHandle"] != first["ReceiptHandle"]
    assert (first["Attributes"]["ApproximateReceiveCount"], again["Attributes"]["ApproximateReceiveCount"]) == (
        "1",
        "2",
    )
    assert receive(sqs) == []  # only the first delete is lost


def test_an_engine_that_cannot_redeliver_is_refused_before_publishing(
    session: PlaySession, library: ScenarioLibrary, catalog: Catalog, sqs: Any
) -> None:
    # The same moto server reached as another process would reach it: SQS's API alone cannot redeliver.
    elsewhere = Engine("localstack", session.engine.endpoint_url, session.engine.region, "another engine")
    player = Player.for_engine(elsewhere, catalog, session.topic_arn)
    with pytest.raises(UsageError, match="cannot be made to redeliver") as caught:
        play(player, library, catalog, "redeliver=0.5")
    assert "republish" in (caught.value.hint or "")
    with pytest.raises(UsageError, match="need a tidings fake API"):
        play(player, library, catalog, "api-lag=1s")
    assert receive(sqs) == []


def test_api_faults_reach_a_fake_api_in_another_process_through_the_control_api(
    session: PlaySession, catalog: Catalog
) -> None:
    assert session.api is not None
    remote = RemoteFakeApiState(session.api.base_url)
    event = catalog.example("intervention.referral.sent", base_url=session.api.base_url)
    remote.apply(event)
    remote.add_api_faults_for(event, ["api-lag=1req", "api-error=1:502"])
    remote.flush()
    answers = []
    for _ in range(2):
        try:
            with urllib.request.urlopen(event["detailUrl"]) as answer:
                answers.append(answer.status)
        except urllib.error.HTTPError as error:
            answers.append(error.code)
    assert answers == [404, 502]
    session.api.state.reset()  # faults go with the state
    remote.apply(event)
    remote.flush()
    with urllib.request.urlopen(event["detailUrl"]) as answer:
        assert answer.status == 200
