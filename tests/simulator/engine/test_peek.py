"""Peeking is not receiving: looking at a queue any number of times leaves its messages' receive counts at 0 (so
nothing is dead-lettered), on the embedded engine in this process and through the developer endpoint
`/_aws/sqs/messages` (what LocalStack and a `tidings up` in another process answer); on AWS it is refused."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tidings.contracts import load_catalog
from tidings.contracts.errors import UsageError
from tidings.simulator.engine.engines import Engine
from tidings.simulator.engine.publisher import Publisher
from tidings.simulator.engine.queues import QueueTools
from tidings.simulator.topology import Topology, apply_topology


def _queue(engine: Engine, unique: Callable[[str], str]) -> tuple[str, Publisher]:
    topic, queue = unique("peek-topic"), unique("peek-queue")
    topology = Topology.from_dict(
        {
            "topics": [{"name": topic}],
            "queues": [{"name": queue, "visibility_timeout": 0, "dead_letter": {"max_receive_count": 1}}],
            "subscriptions": [{"topic": topic, "queue": queue}],
        }
    )
    return queue, Publisher(engine, load_catalog(), apply_topology(engine, topology).topic_arns[topic])


def _look_four_times_then_receive(tools: QueueTools, queue: str, publisher: Publisher) -> None:
    published = publisher.publish(publisher.build("intervention.referral.sent", crn="X100001"))
    for _ in range(4):
        (seen,) = tools.peek(queue)
        assert seen.sns_message_id == published.message_id and seen.receive_count == 0
    (received,) = tools.receive(queue, 1, delete=False)  # maxReceiveCount 1: a peek that received would have
    assert received.sns_message_id == published.message_id  # dead-lettered it at the second look
    assert tools.dlq(queue) == []


def test_peeking_on_the_embedded_engine_reads_its_state(engine: Engine, unique: Callable[[str], str]) -> None:
    if engine.sqs_state() is None:
        pytest.skip("the embedded engine of this process")
    queue, publisher = _queue(engine, unique)
    _look_four_times_then_receive(QueueTools(engine), queue, publisher)


def test_peeking_through_the_developer_endpoint(engine: Engine, unique: Callable[[str], str]) -> None:
    if engine.sqs_state() is None:
        pytest.skip("needs the embedded engine's developer endpoint (LocalStack has its own)")
    # The same server reached as another process reaches a `tidings up`: only over HTTP.
    elsewhere = Engine("localstack", engine.endpoint_url, engine.region, "another process's engine")
    queue, publisher = _queue(engine, unique)
    try:
        _look_four_times_then_receive(QueueTools(elsewhere), queue, publisher)
    finally:
        elsewhere.stop()


def test_peeking_on_aws_is_refused_with_receive_as_the_way_to_look() -> None:
    aws = Engine("aws", None, "eu-west-2", "AWS")
    with pytest.raises(UsageError, match="cannot peek at orders on AWS") as caught:
        QueueTools(aws).peek("orders")
    assert "tidings queue receive orders" in (caught.value.hint or "")
