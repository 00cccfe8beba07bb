"""Making an engine match a topology, and reading back what an engine holds.

`apply_topology` creates what is missing and corrects what differs (visibility timeout, retention, redrive
policy, the queue policy that lets the topic send, raw delivery, filter policy and its scope). It never deletes:
topics, queues and subscriptions that the topology does not mention are left alone. Applying twice changes
nothing the second time (`AppliedTopology.changes` is empty).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from tidings.contracts.errors import EngineError
from tidings.simulator.engine.engines import Engine
from tidings.simulator.topology.applied import AppliedTopology
from tidings.simulator.topology.calls import call as _call
from tidings.simulator.topology.calls import pages as _pages
from tidings.simulator.topology.calls import refused as _refused
from tidings.simulator.topology.model import QueueSpec, Topology
from tidings.simulator.topology.subscriptions import apply_subscriptions, subscriptions_of

__all__ = [
    "AppliedTopology",
    "EngineState",
    "QueueState",
    "SubscriptionState",
    "TopicState",
    "apply_topology",
    "find_topic_arn",
    "read_state",
]

_MISSING_QUEUE_CODES = {"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"}
DEPTH_ATTRIBUTES = [
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
]


def apply_topology(engine: Engine, topology: Topology) -> AppliedTopology:
    """Create what is missing and correct what differs; see the module docstring."""
    sns, sqs = engine.client("sns"), engine.client("sqs")
    applied = AppliedTopology()
    existing_topics = _topic_arns(sns)
    for topic in topology.topics:
        arn = existing_topics.get(topic.name)
        if arn is None:
            arn = _call(sns.create_topic, "CreateTopic", topic.name, Name=topic.name)["TopicArn"]
            applied.changes.append(f"created topic {topic.name}")
        applied.topic_arns[topic.name] = arn
    for queue in topology.queues:  # dead-letter queues first
        _apply_queue(sqs, queue, topology, applied)
    apply_subscriptions(sns, topology, applied)  # all or nothing
    return applied


def _apply_queue(sqs: Any, queue: QueueSpec, topology: Topology, applied: AppliedTopology) -> None:
    wanted = _queue_attributes(queue, applied)
    created = False
    try:
        url = sqs.get_queue_url(QueueName=queue.name)["QueueUrl"]
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") not in _MISSING_QUEUE_CODES:
            raise _refused("GetQueueUrl", queue.name, error) from None
        url = _call(sqs.create_queue, "CreateQueue", queue.name, QueueName=queue.name, Attributes=wanted)["QueueUrl"]
        applied.changes.append(f"created queue {queue.name}")
        created, wanted = True, {}
    current = _call(sqs.get_queue_attributes, "GetQueueAttributes", queue.name, QueueUrl=url, AttributeNames=["All"])
    attributes = current.get("Attributes", {})
    applied.queue_urls[queue.name] = url
    applied.queue_arns[queue.name] = attributes["QueueArn"]
    policy = _queue_policy(
        attributes["QueueArn"], [applied.topic_arns[t] for t in topology.subscribed_topics(queue.name)]
    )
    if policy is not None:
        wanted["Policy"] = policy
    differing = {
        name: value for name, value in wanted.items() if not _same_attribute(name, attributes.get(name), value)
    }
    if not queue.dead_letter and attributes.get("RedrivePolicy"):
        differing["RedrivePolicy"] = ""  # the topology says no dead-letter queue
    if differing:
        # moto forgets a queue's policy when other attributes are set without it, so it always goes along.
        sent = {**differing, **({"Policy": wanted["Policy"]} if "Policy" in wanted else {})}
        _call(sqs.set_queue_attributes, "SetQueueAttributes", queue.name, QueueUrl=url, Attributes=sent)
        if not created:  # a new queue gets its policy once its ARN is known: part of "created"
            applied.changes.append(f"updated queue {queue.name}: {', '.join(sorted(differing))}")


def _queue_attributes(queue: QueueSpec, applied: AppliedTopology) -> dict[str, str]:
    attributes = {"VisibilityTimeout": str(queue.visibility_timeout)}
    if queue.message_retention is not None:
        attributes["MessageRetentionPeriod"] = str(queue.message_retention)
    if queue.dead_letter is not None:
        target = applied.queue_arns[queue.dead_letter.queue]
        attributes["RedrivePolicy"] = json.dumps(
            {"deadLetterTargetArn": target, "maxReceiveCount": queue.dead_letter.max_receive_count}
        )
    return attributes


def _queue_policy(queue_arn: str, topic_arns: list[str]) -> str | None:
    """The policy that lets the subscribed topics send to the queue (AWS needs it; local engines keep it)."""
    if not topic_arns:
        return None
    statements = [
        {
            "Sid": f"tidings-{arn.rsplit(':', 1)[-1]}",
            "Effect": "Allow",
            "Principal": {"Service": "sns.amazonaws.com"},
            "Action": "sqs:SendMessage",
            "Resource": queue_arn,
            "Condition": {"ArnEquals": {"aws:SourceArn": arn}},
        }
        for arn in topic_arns
    ]
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def _same_attribute(name: str, current: Any, wanted: str) -> bool:
    if name in ("RedrivePolicy", "Policy"):
        if not current:
            return False
        try:
            parsed, expected = json.loads(current), json.loads(wanted)
        except (TypeError, ValueError):
            return False
        if name == "RedrivePolicy":  # engines give maxReceiveCount as a number or a string
            parsed["maxReceiveCount"] = int(parsed.get("maxReceiveCount", 0))
        return bool(parsed == expected)
    return str(current) == wanted


# --- reading what an engine holds -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubscriptionState:
    arn: str
    topic: str
    protocol: str
    endpoint: str
    raw_delivery: bool
    filter_policy: dict[str, Any] | None
    filter_scope: str

    @property
    def queue(self) -> str:
        """The queue name for an SQS subscription (the endpoint's last ARN part)."""
        return self.endpoint.rsplit(":", 1)[-1]


@dataclass(frozen=True)
class TopicState:
    name: str
    arn: str
    subscriptions: tuple[SubscriptionState, ...]
    declared: bool


@dataclass(frozen=True)
class QueueState:
    name: str
    url: str
    arn: str
    visible: int
    in_flight: int
    delayed: int
    dead_letter_queue: str | None
    max_receive_count: int | None
    declared: bool

    @property
    def depth(self) -> int:
        return self.visible + self.in_flight + self.delayed


@dataclass(frozen=True)
class EngineState:
    """Everything on the engine (topics with their subscriptions, queues with depths), and what `topology`
    declares that the engine does not have."""

    topics: tuple[TopicState, ...]
    queues: tuple[QueueState, ...]
    missing: tuple[str, ...]


def read_state(engine: Engine, topology: Topology | None = None) -> EngineState:
    """What exists on the engine now, marked against `topology` (declared or not; declared but missing)."""
    sns, sqs = engine.client("sns"), engine.client("sqs")
    declared_topics = set(topology.topic_names) if topology else set()
    declared_queues = set(topology.queue_names) if topology else set()
    topics = []
    for name, arn in sorted(_topic_arns(sns).items()):
        subscriptions = tuple(_subscription_state(sns, name, entry) for entry in subscriptions_of(sns, arn))
        topics.append(TopicState(name, arn, subscriptions, name in declared_topics))
    queues = []
    for url in sorted(_queue_urls(sqs)):
        name = url.rstrip("/").rsplit("/", 1)[-1]
        attributes = _call(
            sqs.get_queue_attributes,
            "GetQueueAttributes",
            name,
            QueueUrl=url,
            AttributeNames=[*DEPTH_ATTRIBUTES, "QueueArn", "RedrivePolicy"],
        ).get("Attributes", {})
        redrive = json.loads(attributes["RedrivePolicy"]) if attributes.get("RedrivePolicy") else None
        queues.append(
            QueueState(
                name,
                url,
                attributes.get("QueueArn", ""),
                int(attributes.get("ApproximateNumberOfMessages", 0)),
                int(attributes.get("ApproximateNumberOfMessagesNotVisible", 0)),
                int(attributes.get("ApproximateNumberOfMessagesDelayed", 0)),
                redrive["deadLetterTargetArn"].rsplit(":", 1)[-1] if redrive else None,
                int(redrive["maxReceiveCount"]) if redrive else None,
                name in declared_queues,
            )
        )
    present = {t.name for t in topics} | {q.name for q in queues}
    missing = [f"topic {n}" for n in sorted(declared_topics - present)]
    missing += [f"queue {n}" for n in sorted(declared_queues - present)]
    if topology is not None:
        subscribed = {(t.name, s.queue) for t in topics for s in t.subscriptions if s.protocol == "sqs"}
        missing += [
            f"subscription {s.topic} -> {s.queue}"
            for s in topology.subscriptions
            if (s.topic, s.queue) not in subscribed
        ]
    return EngineState(tuple(topics), tuple(queues), tuple(missing))


def find_topic_arn(engine: Engine, name: str) -> str:
    """The ARN of topic `name` on the engine; EngineError (with what exists) when there is none."""
    found = _topic_arns(engine.client("sns"))
    if name not in found:
        present = ", ".join(sorted(found)) or "none"
        raise EngineError(
            f"no topic named {name!r} on the {engine.description} (topics there: {present})",
            hint="create it with `tidings topology apply` (or `tidings up`), or pass --topic NAME",
        )
    return found[name]


def _subscription_state(sns: Any, topic: str, entry: dict[str, Any]) -> SubscriptionState:
    arn = entry["SubscriptionArn"]
    attributes: dict[str, Any] = {}
    if arn.startswith("arn:"):  # a pending confirmation has no ARN yet
        attributes = _call(sns.get_subscription_attributes, "GetSubscriptionAttributes", topic, SubscriptionArn=arn)[
            "Attributes"
        ]
    policy = attributes.get("FilterPolicy")
    return SubscriptionState(
        arn,
        topic,
        entry.get("Protocol", ""),
        entry.get("Endpoint", ""),
        str(attributes.get("RawMessageDelivery", "false")).lower() == "true",
        json.loads(policy) if policy else None,
        attributes.get("FilterPolicyScope", "MessageAttributes"),
    )


# --- engine calls -----------------------------------------------------------------------------------------------


def _topic_arns(sns: Any) -> dict[str, str]:
    arns: dict[str, str] = {}
    for page in _pages(sns, "list_topics", "ListTopics"):
        for topic in page.get("Topics", []):
            arns[topic["TopicArn"].rsplit(":", 1)[-1]] = topic["TopicArn"]
    return arns


def _queue_urls(sqs: Any) -> list[str]:
    return [url for page in _pages(sqs, "list_queues", "ListQueues") for url in page.get("QueueUrls", [])]
