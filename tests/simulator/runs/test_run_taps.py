"""Observed delivery: tap queues beside each subscription count what the engine's own filters admit, so a
consumer draining its queue during a run no longer makes the run report delivery as incomplete."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from tidings.contracts import Catalog, load_catalog
from tidings.simulator.engine.engines import Engine
from tidings.simulator.runs.delivery import DeliveryTracker
from tidings.simulator.runs.events import DeliveryChecked, EventPublished, RunFinished
from tidings.simulator.runs.player import Player, PlayOptions
from tidings.simulator.runs.taps import DRAIN_EVERY
from tidings.simulator.runs.timeline import Timeline
from tidings.simulator.scenarios.loader import ScenarioLibrary
from tidings.simulator.scenarios.plan import Plan
from tidings.simulator.topology import Topology, apply_topology

QUEUE = "intervention-events"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture
def player(engine: Engine, catalog: Catalog) -> Player:
    topic_arn = apply_topology(engine, Topology.load()).topic_arns[catalog.topic]
    return Player.for_engine(engine, catalog, topic_arn)


@pytest.fixture
def consumer(engine: Engine) -> Iterator[list[str]]:
    """A consumer draining the queue (receive, delete) in a thread for the whole test."""
    sqs = engine.client("sqs")
    url = sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"]
    got: list[str] = []
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get(
                "Messages", []
            ):
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                got.append(message["MessageId"])
            stop.wait(0.005)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield got
    stop.set()
    thread.join(timeout=5)


def _plan(player: Player, catalog: Catalog) -> Plan:
    return Plan(ScenarioLibrary().load("referral-lifecycle"), catalog, seed=3, base_url=player.base_url)


def _play(player: Player, catalog: Catalog, options: PlayOptions) -> list[Any]:
    return list(player.play(_plan(player, catalog), options))


def test_taps_report_the_true_delivery_while_a_consumer_drains_the_queue(
    player: Player, catalog: Catalog, consumer: list[str], engine: Engine
) -> None:
    events = _play(player, catalog, PlayOptions(delivery_timeout=5, observe=True))
    published = [e.message_id for e in events if isinstance(e, EventPublished)]
    (checked,) = [e for e in events if isinstance(e, DeliveryChecked) and e.queue == QUEUE]
    assert checked.observed and checked.complete
    assert sorted(checked.message_ids) == sorted(published)
    finished = events[-1]
    assert isinstance(finished, RunFinished) and finished.summary.delivery_complete
    timeline = Timeline()
    for event in events:
        timeline.add(event)
    assert all(row.queues == (QUEUE,) for row in timeline.rows)
    # The taps are gone, and never counted as a consumer's subscription.
    queues = engine.client("sqs").list_queues().get("QueueUrls", [])
    assert not [url for url in queues if "tidings-tap-" in url]
    assert QUEUE in DeliveryTracker.from_engine(engine, player.topic_arn or "").queues


def test_without_taps_a_draining_consumer_makes_depths_undercount(
    player: Player, catalog: Catalog, engine: Engine
) -> None:
    # The untruth taps remove: inferred from depth, a drained queue looks undelivered. The consumer here drains
    # synchronously after each publish (not in a thread), so the race with the depth check cannot hide it.
    sqs = engine.client("sqs")
    url = sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"]
    events: list[Any] = []
    drained = 0
    for event in player.play(_plan(player, catalog), PlayOptions(delivery_timeout=0.5, observe=False)):
        events.append(event)
        if isinstance(event, EventPublished):
            while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
                for message in messages:
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                    drained += 1
    assert drained > 0
    (checked,) = [e for e in events if isinstance(e, DeliveryChecked) and e.queue == QUEUE]
    assert not checked.observed and not checked.complete


def test_a_long_runs_taps_never_hold_more_than_a_drain_batch(player: Player, catalog: Catalog, engine: Engine) -> None:
    # Each tap held a copy of every message until the delivery check; now the play drains them as it goes.
    plan = Plan(ScenarioLibrary().load("caseload"), catalog, params={"count": 100}, seed=5, base_url=player.base_url)
    sqs = engine.client("sqs")
    deepest, published = 0, []
    events: list[Any] = []
    for event in player.play(plan, PlayOptions(delivery_timeout=5, observe=True)):
        events.append(event)
        if isinstance(event, EventPublished):
            published.append(event.message_id)
            if len(published) % 10 == 0:
                (tap,) = [url for url in sqs.list_queues().get("QueueUrls", []) if "tidings-tap-" in url]
                attributes = sqs.get_queue_attributes(QueueUrl=tap, AttributeNames=["ApproximateNumberOfMessages"])
                deepest = max(deepest, int(attributes["Attributes"]["ApproximateNumberOfMessages"]))
    assert len(published) > 2 * DRAIN_EVERY  # undrained, the tap would have held them all
    assert 0 < deepest <= DRAIN_EVERY + 10
    (checked,) = [e for e in events if isinstance(e, DeliveryChecked) and e.queue == QUEUE]
    assert checked.observed and checked.complete  # the counting stays exact
    assert sorted(checked.message_ids) == sorted(published)
    _drain_queue(sqs, QUEUE)


def _drain_queue(sqs: Any, name: str) -> None:
    sqs.purge_queue(QueueUrl=sqs.get_queue_url(QueueName=name)["QueueUrl"])
