"""Queues a test owns: created fresh on an engine, subscribed to a topic the way production subscribes (filter
policy and its scope, raw delivery, a dead-letter queue with maxReceiveCount), read with waits, and deleted
again. What the pytest plugin's `tidings.queue()` stands on; it has no pytest in it.

    setup = QueueSetup("orders-gw0-1a2b3c-1", filter_policy={"eventType": [{"prefix": "intervention."}]})
    queue = create_owned_queue(engine, topic_arn, setup)     # .url, .arn, .dlq
    reader = QueueReader(engine, queue)
    messages = reader.receive(5, deadline=time.monotonic() + 5)   # up to 5, deleted as they come
    delete_owned_queue(engine, queue)                        # unsubscribes, deletes it and its DLQ

Names are the caller's: unique names are what keep parallel tests apart (see `unique_queue_name`).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from botocore.exceptions import BotoCoreError, ClientError

from tidings.contracts import Catalog
from tidings.contracts.errors import EngineError, UsageError
from tidings.simulator.engine.engines import START_HINT, Engine
from tidings.simulator.engine.peek import peek_messages
from tidings.simulator.harness.received import Received, decode, event_matches
from tidings.simulator.topology.model import DEFAULT_MAX_RECEIVE_COUNT

__all__ = [
    "OwnedQueue",
    "QueueReader",
    "QueueSetup",
    "Received",
    "create_owned_queue",
    "delete_owned_queue",
    "event_matches",
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
    sqs, sns = engine.client("sqs"), engine.client("sns")
    dlq: OwnedQueue | None = None
    attributes = {"VisibilityTimeout": str(setup.visibility_timeout)}
    if setup.dead_letter:
        dlq_name = setup.name + _DLQ_SUFFIX
        dlq_url = _call(sqs.create_queue, "CreateQueue", dlq_name, QueueName=dlq_name)["QueueUrl"]
        dlq = OwnedQueue(dlq_name, dlq_url, _queue_arn(topic_arn, dlq_name), None, QueueSetup(dlq_name))
        attributes["RedrivePolicy"] = json.dumps(
            {"deadLetterTargetArn": dlq.arn, "maxReceiveCount": setup.max_receive_count}
        )
    arn = _queue_arn(topic_arn, setup.name)
    attributes["Policy"] = _send_policy(arn, topic_arn)
    url = _call(sqs.create_queue, "CreateQueue", setup.name, QueueName=setup.name, Attributes=attributes)["QueueUrl"]
    subscription = {"RawMessageDelivery": "true" if setup.raw_delivery else "false"}
    if setup.filter_policy is not None:
        subscription["FilterPolicyScope"] = _SCOPES[setup.filter_scope]
        subscription["FilterPolicy"] = json.dumps(setup.filter_policy)
    subscription_arn = _call(
        sns.subscribe,
        "Subscribe",
        setup.name,
        TopicArn=topic_arn,
        Protocol="sqs",
        Endpoint=arn,
        Attributes=subscription,
        ReturnSubscriptionArn=True,
    )["SubscriptionArn"]
    return OwnedQueue(setup.name, url, arn, subscription_arn, setup, dlq)


def delete_owned_queue(engine: Engine, queue: OwnedQueue) -> None:
    """Unsubscribe, then delete the queue and its dead-letter queue; what is already gone is not an error."""
    if queue.subscription_arn is not None:
        _forgiving(engine.client("sns").unsubscribe, SubscriptionArn=queue.subscription_arn)
    sqs = engine.client("sqs")
    _forgiving(sqs.delete_queue, QueueUrl=queue.url)
    if queue.dlq is not None:
        _forgiving(sqs.delete_queue, QueueUrl=queue.dlq.url)


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


# --- reading --------------------------------------------------------------------------------------------------


class QueueReader:
    """Receives from one queue with waits, deleting what it hands out (so nothing is redelivered later)."""

    def __init__(
        self,
        engine: Engine,
        queue: OwnedQueue,
        *,
        sleep: Callable[[float], None] = time.sleep,
        catalog: Catalog | None = None,
    ) -> None:
        self.queue = queue
        self._engine = engine
        self._catalog = catalog  # judges each received event (Received.problem)
        self._sqs = engine.client("sqs")
        self._sleep = sleep

    def receive(
        self, limit: int, *, deadline: float, minimum: int | None = None, delete: bool = True
    ) -> list[Received]:
        """Up to `limit` messages, waiting (long polling) until that many (or `minimum`) came or `deadline` (a
        `time.monotonic()` value) passed. At least one ReceiveMessage is made, even past the deadline."""
        got: list[Received] = []
        enough = limit if minimum is None else min(minimum, limit)
        while len(got) < enough:
            remaining = deadline - time.monotonic()
            # SQS waits whole seconds: long-poll while a second is left, then poll briefly to the deadline.
            wait = min(20, int(remaining)) if remaining >= 1 else 0
            batch = self._receive(min(10, limit - len(got)), wait)
            if batch and delete:
                self._delete(batch)
            got.extend(decode(raw, self._catalog) for raw in batch)
            if not batch:
                if remaining <= 0:
                    break
                if wait == 0:
                    self._sleep(min(0.02, remaining))
        return got

    def drain(self) -> list[Received]:
        """Receive and delete until the queue answers empty."""
        got: list[Received] = []
        while batch := self._receive(10, 0):
            self._delete(batch)
            got.extend(decode(raw, self._catalog) for raw in batch)
        return got

    def peek(self) -> list[Received]:
        """What the queue holds, left there and not received (engine.peek); on AWS, where only a receive can
        look, received with visibility timeout 0 (each counts as a receive: meant for dead-letter queues)."""
        if self._engine.kind != "aws":
            return [decode(raw, self._catalog) for raw in peek_messages(self._engine, self.queue.name, self.queue.url)]
        seen: dict[str, Received] = {}
        while True:
            batch = [raw for raw in self._receive(10, 0, visibility=0) if raw["MessageId"] not in seen]
            for raw in batch:
                seen[raw["MessageId"]] = decode(raw, self._catalog)
            if len(batch) < 10:
                return list(seen.values())

    def depth(self) -> int:
        """Messages in the queue: visible, in flight (received, not yet deleted) and delayed."""
        names = [
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
        ]
        found = _call(
            self._sqs.get_queue_attributes,
            "GetQueueAttributes",
            self.queue.name,
            QueueUrl=self.queue.url,
            AttributeNames=names,
        )
        return sum(int(value) for value in found.get("Attributes", {}).values())

    def _receive(self, limit: int, wait: int, *, visibility: int | None = None) -> list[dict[str, Any]]:
        kwargs: dict[str, Any] = {
            "QueueUrl": self.queue.url,
            "MaxNumberOfMessages": limit,
            "WaitTimeSeconds": wait,
            "MessageAttributeNames": ["All"],
            "MessageSystemAttributeNames": ["All"],
        }
        if visibility is not None:
            kwargs["VisibilityTimeout"] = visibility
        answer = _call(self._sqs.receive_message, "ReceiveMessage", self.queue.name, **kwargs)
        return list(answer.get("Messages", []))

    def _delete(self, batch: list[dict[str, Any]]) -> None:
        entries = [{"Id": str(i), "ReceiptHandle": raw["ReceiptHandle"]} for i, raw in enumerate(batch)]
        _call(
            self._sqs.delete_message_batch,
            "DeleteMessageBatch",
            self.queue.name,
            QueueUrl=self.queue.url,
            Entries=entries,
        )


# --- engine calls ---------------------------------------------------------------------------------------------


def _call(method: Callable[..., Any], operation: str, subject: str, **kwargs: Any) -> Any:
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
