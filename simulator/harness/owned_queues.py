"""Queues a test owns: created fresh on an engine, subscribed to a topic the way production subscribes (filter
policy and its scope, raw delivery, a dead-letter queue with maxReceiveCount), read with waits, and deleted
again. What the pytest plugin's `tidings.queue()` stands on; it has no pytest in it.

    setup = QueueSetup("orders-gw0-1a2b3c-1", filter_policy={"eventType": [{"prefix": "intervention."}]})
    queue = create_owned_queue(engine, topic_arn, setup)     # .url, .arn, .dlq
    reader = QueueReader(engine, queue)                      # in harness.queue_reader
    messages = reader.receive(5, deadline=time.monotonic() + 5)   # up to 5, deleted as they come
    delete_owned_queue(engine, queue)                        # unsubscribes, deletes it and its DLQ

Names are the caller's: unique names are what keep parallel tests apart (see `unique_queue_name`).
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from botocore.exceptions import BotoCoreError, ClientError

from tidings.contracts.errors import EngineError, TidingsError, UsageError
from tidings.simulator.engine.engines import START_HINT, Engine
from tidings.simulator.topology.model import DEFAULT_MAX_RECEIVE_COUNT

__all__ = [
    "OwnedQueue",
    "QueueSetup",
    "call_engine",
    "create_owned_queue",
    "delete_owned_queue",
    "filter_policy_of",
    "unique_queue_name",
]

_MAX_NAME = 80  # SQS's limit
_DLQ_SUFFIX = "-dlq"
_NOT_NAME = re.compile(r"[^A-Za-z0-9_-]+")
_MISSING_QUEUE_CODES = {"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"}
_SCOPES: dict[str, Literal["MessageAttributes", "MessageBody"]] = {
    "attributes": "MessageAttributes",
    "body": "MessageBody",
}


@dataclass(frozen=True)
class QueueSetup:
    """How to create a queue and subscribe it: what `tidings.queue(...)` was asked for."""

    name: str
    filter_policy: dict[str, Any] | None = None
    filter_scope: str = "attributes"
    raw_delivery: bool = False
    dead_letter: bool = True
    max_receive_count: int = DEFAULT_MAX_RECEIVE_COUNT
    visibility_timeout: int = 30

    def __post_init__(self) -> None:
        if self.filter_scope not in _SCOPES:
            raise UsageError(
                f"filter_scope {self.filter_scope!r} is not attributes or body",
                hint='e.g. filter_scope="body" matches the policy against the event JSON',
            )
        if not _whole(self.max_receive_count, 1, 1000):
            raise UsageError(f"max_receive_count {self.max_receive_count!r} must be from 1 to 1000", hint="e.g. 3")
        if not _whole(self.visibility_timeout, 0, 43200):
            raise UsageError(
                f"visibility_timeout {self.visibility_timeout!r} must be 0 to 43200 seconds", hint="e.g. 30"
            )


def _whole(value: object, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


@dataclass(frozen=True)
class OwnedQueue:
    """A created queue. `subscription_arn` is None for a dead-letter queue (nothing subscribes it)."""

    name: str
    url: str
    arn: str
    subscription_arn: str | None
    setup: QueueSetup
    dlq: OwnedQueue | None = None


def unique_queue_name(base: str, suffix: str) -> str:
    """`base-suffix` as a valid SQS name that leaves room for `-dlq`: other characters become `-`, and `base`
    is shortened rather than `suffix` (which is what makes the name unique)."""
    cleaned = _NOT_NAME.sub("-", base).strip("-") or "queue"
    room = _MAX_NAME - len(_DLQ_SUFFIX) - len(suffix) - 1
    return f"{cleaned[:room].rstrip('-')}-{suffix}"


def filter_policy_of(given: object) -> dict[str, Any] | None:
    """A filter policy from what a test wrote: a full policy (`{"eventType": [...]}`), or the conditions on
    `eventType` alone (`[{"prefix": "intervention."}]`, `["intervention.referral.sent"]` or one event type)."""
    if given is None:
        return None
    if isinstance(given, str):
        return {"eventType": [given]}
    if isinstance(given, list | tuple) and given:
        return {"eventType": list(given)}
    if isinstance(given, Mapping) and given:
        return json.loads(json.dumps(given))  # a private, plain copy
    raise UsageError(
        f"filter {given!r} is not a filter policy",
        hint='e.g. filter={"eventType": ["intervention.referral.sent"]} or filter=[{"prefix": "intervention."}]',
    )


def create_owned_queue(engine: Engine, topic_arn: str, setup: QueueSetup) -> OwnedQueue:
    """Create the queue (and its dead-letter queue first), allow the topic to send to it, and subscribe it."""
    calls = _LifecycleCalls(engine)
    dlq: OwnedQueue | None = None
    attributes = {"VisibilityTimeout": str(setup.visibility_timeout)}
    if setup.dead_letter:
        dlq_name = setup.name + _DLQ_SUFFIX
        dlq_url = calls.create_queue(dlq_name, {})
        dlq = OwnedQueue(dlq_name, dlq_url, _queue_arn(topic_arn, dlq_name), None, QueueSetup(dlq_name))
        attributes["RedrivePolicy"] = json.dumps(
            {"deadLetterTargetArn": dlq.arn, "maxReceiveCount": setup.max_receive_count}
        )
    arn = _queue_arn(topic_arn, setup.name)
    attributes["Policy"] = _send_policy(arn, topic_arn)
    url = calls.create_queue(setup.name, attributes)
    subscription = {"RawMessageDelivery": "true" if setup.raw_delivery else "false"}
    if setup.filter_policy is not None:
        subscription["FilterPolicyScope"] = _SCOPES[setup.filter_scope]
        subscription["FilterPolicy"] = json.dumps(setup.filter_policy)
    try:
        subscription_arn = calls.subscribe(topic_arn, arn, setup.name, subscription)
    except TidingsError:  # e.g. a filter policy the engine refuses: leave nothing half-made behind
        _undo(engine, topic_arn, OwnedQueue(setup.name, url, arn, None, setup, dlq))
        raise
    return OwnedQueue(setup.name, url, arn, subscription_arn, setup, dlq)


def _undo(engine: Engine, topic_arn: str, queue: OwnedQueue) -> None:
    """Remove a queue whose subscribing failed, and the subscription an engine may have made before refusing
    its attributes (moto creates it, then rejects the filter policy)."""
    with contextlib.suppress(ClientError, BotoCoreError):
        pages = engine.client("sns").get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic_arn)
        for page in pages:
            for found in page.get("Subscriptions", []):
                if found.get("Endpoint") == queue.arn:
                    _forgiving(engine.client("sns").unsubscribe, SubscriptionArn=found["SubscriptionArn"])
    delete_owned_queue(engine, queue)


def delete_owned_queue(engine: Engine, queue: OwnedQueue) -> None:
    """Unsubscribe, then delete the queue and its dead-letter queue; what is already gone is not an error."""
    handoff = engine.queue_handoff()
    if queue.subscription_arn is not None and not (handoff and handoff.unsubscribe(queue.subscription_arn)):
        _forgiving(engine.client("sns").unsubscribe, SubscriptionArn=queue.subscription_arn)
    for url in [queue.url] + ([queue.dlq.url] if queue.dlq is not None else []):
        if not (handoff and handoff.delete_queue(url)):
            _forgiving(engine.client("sqs").delete_queue, QueueUrl=url)


class _LifecycleCalls:
    """CreateQueue and Subscribe handed to moto's backends on this process's embedded engine (a third of a
    plugin test's time was botocore and moto serialising them), else through boto3; whatever the hand-off
    declines goes through boto3 too, so errors are the engine's own answers."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._handoff = engine.queue_handoff()

    def create_queue(self, name: str, attributes: dict[str, str]) -> str:
        url = self._handoff.create_queue(name, attributes) if self._handoff is not None else None
        if url is not None:
            return url
        extra = {"Attributes": attributes} if attributes else {}
        return str(
            call_engine(self._engine.client("sqs").create_queue, "CreateQueue", name, QueueName=name, **extra)[
                "QueueUrl"
            ]
        )

    def subscribe(self, topic_arn: str, queue_arn: str, name: str, attributes: dict[str, str]) -> str:
        arn = self._handoff.subscribe(topic_arn, queue_arn, attributes) if self._handoff is not None else None
        if arn is not None:
            return arn
        answer = call_engine(
            self._engine.client("sns").subscribe,
            "Subscribe",
            name,
            TopicArn=topic_arn,
            Protocol="sqs",
            Endpoint=queue_arn,
            Attributes=attributes,
            ReturnSubscriptionArn=True,
        )
        return str(answer["SubscriptionArn"])


def _queue_arn(topic_arn: str, name: str) -> str:
    """The ARN a queue gets: same partition, region and account as the topic (saves a GetQueueAttributes)."""
    parts = topic_arn.split(":")
    if len(parts) < 6:
        raise EngineError(f"{topic_arn!r} is not a topic ARN", hint="e.g. arn:aws:sns:eu-west-2:000000000000:topic")
    return ":".join([parts[0], parts[1], "sqs", parts[3], parts[4], name])


def _send_policy(queue_arn: str, topic_arn: str) -> str:
    """The queue policy that lets the topic deliver (AWS needs it; local engines keep it)."""
    statement = {
        "Sid": "tidings-topic",
        "Effect": "Allow",
        "Principal": {"Service": "sns.amazonaws.com"},
        "Action": "sqs:SendMessage",
        "Resource": queue_arn,
        "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}},
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


# --- engine calls ---------------------------------------------------------------------------------------------


def call_engine(method: Callable[..., Any], operation: str, subject: str, **kwargs: Any) -> Any:
    try:
        return method(**kwargs)
    except ClientError as error:
        answer = error.response.get("Error", {})
        raise EngineError(
            f"the engine refused {operation} {subject}: {answer.get('Code')}: {answer.get('Message')}"
        ) from None
    except BotoCoreError as error:
        raise EngineError(f"{operation} {subject} failed: {error}", hint=START_HINT) from None


def _forgiving(method: Callable[..., Any], **kwargs: Any) -> None:
    """Clean-up calls: a queue or subscription that is already gone is fine; anything else is reported."""
    try:
        method(**kwargs)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") not in {*_MISSING_QUEUE_CODES, "NotFound"}:
            raise EngineError(f"clean-up failed: {error}") from None
    except BotoCoreError as error:
        raise EngineError(f"clean-up failed: {error}", hint=START_HINT) from None
