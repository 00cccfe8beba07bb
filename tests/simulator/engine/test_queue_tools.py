"""Queue tools: peek, receive, drain, tail, the dead-letter queue, redrive and purge, with decoded messages."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tidings.contracts import load_catalog
from tidings.contracts.errors import EngineError, UsageError
from tidings.simulator.engine.engines import Engine
from tidings.simulator.engine.publisher import Published, Publisher
from tidings.simulator.engine.queues import QueueTools, decode
from tidings.simulator.topology import Topology, apply_topology

REFERRAL_SENT = "intervention.referral.sent"


def _setup(engine: Engine, unique: Callable[[str], str], *, raw: bool = False) -> tuple[str, Publisher]:
    topic, queue = unique("topic"), unique("queue")
    topology = Topology.from_dict(
        {
            "topics": [{"name": topic}],
            # visibility 0: a message received and not deleted is visible again at once, as after a timeout
            "queues": [{"name": queue, "visibility_timeout": 0, "dead_letter": {"max_receive_count": 3}}],
            "subscriptions": [{"topic": topic, "queue": queue, "raw_delivery": raw}],
        }
    )
    applied = apply_topology(engine, topology)
    return queue, Publisher(engine, load_catalog(), applied.topic_arns[topic])


def _publish(publisher: Publisher, crn: str = "X123456") -> Published:
    return publisher.publish(publisher.build(REFERRAL_SENT, crn=crn))


def test_peek_leaves_messages_and_decodes_the_envelope(engine: Engine, unique: Callable[[str], str]) -> None:
    queue, publisher = _setup(engine, unique)
    published = _publish(publisher)
    tools = QueueTools(engine)
    (peeked,) = tools.peek(queue)
    assert peeked.sns_message_id == published.message_id
    assert (peeked.event_type, peeked.crn) == (REFERRAL_SENT, "X123456")
    assert published.event is not None
    assert peeked.occurred_at == published.event["occurredAt"]
    assert peeked.detail_url == published.event["detailUrl"]
    assert peeked.tracking is not None and peeked.tracking.request_id == published.tracking_id
    assert peeked.receive_count == 0  # looked at, not received (SQS would count a receive)
    assert tools.depth(queue)["visible"] == 1


def test_receive_and_drain_consume(engine: Engine, unique: Callable[[str], str]) -> None:
    queue, publisher = _setup(engine, unique, raw=True)
    for n in range(3):
        _publish(publisher, f"X00000{n}")
    tools = QueueTools(engine)
    (first,) = tools.receive(queue, 1)
    assert first.event is not None and first.sns_message_id is None  # raw delivery: no envelope
    assert first.event_type == REFERRAL_SENT  # from the message attributes and the event alike
    assert len(tools.drain(queue)) == 2
    assert tools.drain(queue) == []


def test_a_message_received_three_times_without_delete_is_dead_lettered_and_redrive_brings_it_back(
    engine: Engine, unique: Callable[[str], str]
) -> None:
    queue, publisher = _setup(engine, unique)
    published = _publish(publisher)
    tools = QueueTools(engine)
    for _ in range(3):
        (received,) = tools.receive(queue, 1, delete=False)
        assert received.sns_message_id == published.message_id
    assert tools.receive(queue, 1, delete=False) == []  # the fourth receive finds it moved
    (dead,) = tools.dlq(queue)
    assert dead.sns_message_id == published.message_id
    assert tools.dead_letter_queue(queue) == f"{queue}-dlq"

    result = tools.redrive(queue)
    assert (result.moved, result.source, result.destination) == (1, f"{queue}-dlq", queue)
    (back,) = tools.receive(queue, 1)
    assert back.sns_message_id == published.message_id and back.event == published.event
    assert tools.dlq(queue) == []


def test_tail_follows_new_messages(engine: Engine, unique: Callable[[str], str]) -> None:
    queue, publisher = _setup(engine, unique)
    published = _publish(publisher)
    followed = QueueTools(engine).tail(queue, wait=1)
    assert next(followed).sns_message_id == published.message_id
    assert QueueTools(engine).depth(queue)["visible"] == 0  # tail consumed it


def test_purge_empties_a_local_queue(engine: Engine, unique: Callable[[str], str]) -> None:
    queue, publisher = _setup(engine, unique)
    _publish(publisher)
    tools = QueueTools(engine)
    if not engine.is_loopback:
        pytest.skip("purge is refused on remote engines (tested below)")
    tools.purge(queue)
    assert tools.depth(queue) == {"visible": 0, "in_flight": 0, "delayed": 0}


def test_purge_and_redrive_refuse_a_remote_engine_without_allow_remote() -> None:
    remote = Engine("localstack", "http://192.0.2.1:4566", "eu-west-2", "engine at http://192.0.2.1:4566")
    tools = QueueTools(remote)
    with pytest.raises(UsageError, match="refusing to purge q on the engine at"):
        tools.purge("q")
    with pytest.raises(UsageError, match="--allow-remote"):
        tools.redrive("q")


def test_an_unknown_queue_names_the_closest(engine: Engine, unique: Callable[[str], str]) -> None:
    queue, _ = _setup(engine, unique)
    with pytest.raises(EngineError) as raised:
        QueueTools(engine).peek(queue + "x")
    assert f"no queue named {queue + 'x'!r}" in str(raised.value)
    assert queue in str(raised.value)


def test_a_queue_without_dead_letter_queue_says_so(engine: Engine, unique: Callable[[str], str]) -> None:
    name = unique("plain")
    engine.client("sqs").create_queue(QueueName=name)
    with pytest.raises(EngineError, match="has no dead-letter queue"):
        QueueTools(engine).dlq(name)


def test_a_body_that_is_not_an_event_is_shown_with_the_reason() -> None:
    broken = decode("q", {"MessageId": "m", "ReceiptHandle": "r", "Body": '{"eventType": ', "MessageAttributes": {}})
    assert broken.event is None and broken.problem is not None and "not JSON" in broken.problem
    envelope = {"Type": "Notification", "MessageId": "sns-1", "Message": json.dumps([1, 2])}
    not_object = decode("q", {"MessageId": "m", "ReceiptHandle": "r", "Body": json.dumps(envelope)})
    assert not_object.sns_message_id == "sns-1" and not_object.event is None
    assert not_object.problem is not None and "must be a JSON object" in not_object.problem
    assert not_object.to_json()["body"] == json.dumps(envelope)
