"""Topology as code: loading and checking YAML, applying it idempotently, reading back what the engine holds."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tidings.contracts.errors import InputFileError
from tidings.simulator.engine.engines import Engine
from tidings.simulator.topology import Topology, apply_topology, read_state


def _topology(unique: Callable[[str], str], **subscription: Any) -> Topology:
    topic, queue = unique("topic"), unique("queue")
    return Topology.from_dict(
        {
            "topics": [{"name": topic}],
            "queues": [{"name": queue, "visibility_timeout": 20, "dead_letter": {"max_receive_count": 3}}],
            "subscriptions": [{"topic": topic, "queue": queue, **subscription}],
        }
    )


def test_the_default_topology_is_the_hmpps_topic_and_a_sample_consumer_queue() -> None:
    topology = Topology.load()
    assert topology.topic_names == ["hmpps-domain-events"]
    assert topology.queue_names == ["intervention-events-dlq", "intervention-events"]  # the DLQ first
    queue = topology.queue("intervention-events")
    assert queue is not None and queue.dead_letter is not None
    assert (queue.dead_letter.queue, queue.dead_letter.max_receive_count) == ("intervention-events-dlq", 3)
    (subscription,) = topology.subscriptions
    assert subscription.filter_policy == {"eventType": [{"prefix": "intervention."}]}
    assert (subscription.filter_scope, subscription.raw_delivery) == ("MessageAttributes", False)


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        ("topics:\n  - name: t\n    colour: blue\n", 2, "unknown key 'colour' in a topic"),
        (
            "topics:\n  - name: t\nqueues:\n  - name: q\nsubscriptions:\n  - topic: t\n    queue: nope\n",
            6,
            "unknown queue",
        ),
        ("queues:\n  - name: 'has space'\n", 2, "is not a valid SNS/SQS name"),
        ("queues:\n  - name: q\n    dead_letter: {max_receive_count: 0}\n", 3, "max_receive_count must be"),
        ("topics: [\n", 2, "not valid YAML"),
    ],
)
def test_mistakes_are_reported_with_file_and_line(tmp_path: Path, text: str, line: int, says: str) -> None:
    path = tmp_path / "topology.yaml"
    path.write_text(text)
    with pytest.raises(InputFileError) as raised:
        Topology.load(path)
    assert str(raised.value).startswith(f"{path}:{line}: ")
    assert says in str(raised.value)


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"nope.yaml: no such file"):
        Topology.load(tmp_path / "nope.yaml")


def test_applying_twice_changes_nothing_the_second_time(engine: Engine, unique: Callable[[str], str]) -> None:
    topology = _topology(unique, filter_policy={"eventType": [{"prefix": "intervention."}]})
    first = apply_topology(engine, topology)
    assert len(first.changes) == 4  # topic, DLQ, queue, subscription
    second = apply_topology(engine, topology)
    assert second.changes == []
    assert second.topic_arns == first.topic_arns and second.queue_urls == first.queue_urls


def test_apply_corrects_what_differs(engine: Engine, unique: Callable[[str], str]) -> None:
    topology = _topology(unique, raw_delivery=False, filter_policy={"eventType": ["a"]})
    applied = apply_topology(engine, topology)
    (queue,) = [q for q in topology.queue_names if not q.endswith("-dlq")]
    (subscription_arn,) = applied.subscription_arns.values()
    sqs, sns = engine.client("sqs"), engine.client("sns")
    sqs.set_queue_attributes(QueueUrl=applied.queue_urls[queue], Attributes={"VisibilityTimeout": "99"})
    sns.set_subscription_attributes(
        SubscriptionArn=subscription_arn, AttributeName="RawMessageDelivery", AttributeValue="true"
    )
    queue_change, subscription_change = apply_topology(engine, topology).changes
    # moto also drops the queue policy when another attribute is set, so the apply may restore that too.
    assert queue_change.startswith(f"updated queue {queue}: ") and "VisibilityTimeout" in queue_change
    assert (
        subscription_change == f"updated subscription {topology.subscriptions[0].topic} -> {queue}: RawMessageDelivery"
    )
    assert apply_topology(engine, topology).changes == []
    attributes = sqs.get_queue_attributes(QueueUrl=applied.queue_urls[queue], AttributeNames=["All"])["Attributes"]
    assert attributes["VisibilityTimeout"] == "20"
    assert json.loads(attributes["RedrivePolicy"])["maxReceiveCount"] in (3, "3")
    raw = sns.get_subscription_attributes(SubscriptionArn=subscription_arn)["Attributes"]["RawMessageDelivery"]
    assert raw == "false"


def test_a_changed_or_removed_filter_policy_is_applied(engine: Engine, unique: Callable[[str], str]) -> None:
    topology = _topology(unique, filter_policy={"eventType": ["a"]})
    (subscription_arn,) = apply_topology(engine, topology).subscription_arns.values()
    sns = engine.client("sns")

    def policy() -> Any:
        found = sns.get_subscription_attributes(SubscriptionArn=subscription_arn)["Attributes"].get("FilterPolicy")
        return json.loads(found) if found else None

    changed = Topology.from_dict(_as_dict(topology, filter_policy={"eventType": ["b"]}))
    assert apply_topology(engine, changed).changes != []
    assert policy() == {"eventType": ["b"]}
    removed = Topology.from_dict(_as_dict(topology, filter_policy=None))
    assert apply_topology(engine, removed).changes != []
    assert policy() in (None, {})
    assert apply_topology(engine, removed).changes == []


def _as_dict(topology: Topology, **subscription: Any) -> dict[str, Any]:
    (spec,) = topology.subscriptions
    queue = next(q for q in topology.queues if q.dead_letter)
    return {
        "topics": [{"name": spec.topic}],
        "queues": [{"name": queue.name, "visibility_timeout": 20, "dead_letter": {"max_receive_count": 3}}],
        "subscriptions": [{"topic": spec.topic, "queue": spec.queue, **subscription}],
    }


def test_read_state_shows_depths_and_what_is_missing(engine: Engine, unique: Callable[[str], str]) -> None:
    topology = _topology(unique)
    applied = apply_topology(engine, topology)
    (queue,) = [q for q in topology.queue_names if not q.endswith("-dlq")]
    engine.client("sqs").send_message(QueueUrl=applied.queue_urls[queue], MessageBody="{}")
    declared_elsewhere = Topology.from_dict(
        {**_as_dict(topology), "topics": [{"name": topology.topic_names[0]}, {"name": unique("absent")}]}
    )
    state = read_state(engine, declared_elsewhere)
    found = {q.name: q for q in state.queues}
    assert found[queue].visible == 1 and found[queue].depth == 1
    assert found[queue].dead_letter_queue == f"{queue}-dlq" and found[queue].max_receive_count == 3
    assert found[queue].declared
    assert state.missing == (f"topic {unique('absent')}",)
    (topic,) = [t for t in state.topics if t.name == topology.topic_names[0]]
    assert [s.queue for s in topic.subscriptions] == [queue]
