"""Which queues a published message reaches, and waiting until they have it.

The topic's subscriptions are read from the engine (so this works for any topology, applied by anyone); their
filter policies are evaluated here for each message (`admits`), which gives the timeline's "queues" column and
the count each queue should reach. After publishing, `DeliveryTracker.wait` polls the queues' depths until each
has grown by what its filter admits, or the timeout passes (a consumer draining a queue meanwhile makes its
depth an undercount; the run then reports delivery as incomplete rather than failing).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["TAP_PREFIX", "DeliveryTracker", "Subscription", "admits"]

TAP_PREFIX = "tidings-tap-"  # tidings' own tap queues (runs.taps): never a consumer's subscription

_UNKNOWN = object()


def admits(policy: Mapping[str, Any] | None, values: Mapping[str, Any]) -> bool | None:
    """Whether an SNS filter policy admits a message whose attributes (or body) are `values`.

    Supports exact strings and numbers, `prefix`, `suffix`, `anything-but`, `exists`, `equals-ignore-case`,
    `numeric` and `$or`, nested keys for MessageBody scope. Returns None for an operator it does not know, so
    the caller can fall back to watching depths rather than guess.
    """
    if not policy:
        return True
    result: bool | None = True
    for key, condition in policy.items():
        if key == "$or":
            options = [admits(option, values) for option in condition]
            verdict = True if True in options else (None if None in options else False)
        elif isinstance(condition, Mapping):
            inner = values.get(key, _UNKNOWN)
            verdict = admits(condition, inner) if isinstance(inner, Mapping) else False
        else:
            verdict = _matches_any(condition, values.get(key, _UNKNOWN))
        if verdict is False:
            return False
        if verdict is None:
            result = None
    return result


def _matches_any(conditions: Any, value: Any) -> bool | None:
    conditions = conditions if isinstance(conditions, list) else [conditions]
    values = value if isinstance(value, list) else [value]
    outcome: bool | None = False
    for condition in conditions:
        for candidate in values:
            verdict = _matches(condition, candidate)
            if verdict:
                return True
            if verdict is None:
                outcome = None
    return outcome


def _matches(condition: Any, value: Any) -> bool | None:
    present = value is not _UNKNOWN and value is not None
    if not isinstance(condition, Mapping):
        return present and (condition == value or (isinstance(condition, int | float) and _number(value) == condition))
    if len(condition) != 1:
        return None
    ((operator, operand),) = condition.items()
    if operator == "exists":
        return present == bool(operand)
    if not present:
        return False
    text = str(value)
    if operator == "prefix":
        return text.startswith(str(operand)) if not isinstance(operand, Mapping) else None
    if operator == "suffix":
        return text.endswith(str(operand)) if not isinstance(operand, Mapping) else None
    if operator == "equals-ignore-case":
        return text.lower() == str(operand).lower()
    if operator == "anything-but":
        if isinstance(operand, Mapping):
            inner = _matches(operand, value)
            return None if inner is None else not inner
        excluded = operand if isinstance(operand, list) else [operand]
        return value not in excluded
    if operator == "numeric":
        return _numeric(operand, _number(value))
    return None


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _numeric(operand: Any, number: float | None) -> bool | None:
    if number is None:
        return False
    checks: dict[str, Callable[[float, float], bool]] = {
        "=": lambda a, b: a == b,
        "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b,
    }
    pairs = list(zip(operand[::2], operand[1::2], strict=False)) if isinstance(operand, list) else []
    if not pairs or any(op not in checks for op, _ in pairs):
        return None
    return all(checks[op](number, float(bound)) for op, bound in pairs)


@dataclass(frozen=True, slots=True)
class Subscription:
    """One SQS subscription of the topic, as the engine reports it."""

    queue: str
    queue_url: str
    filter_policy: dict[str, Any] | None
    body_scope: bool


class DeliveryTracker:
    """The topic's SQS subscriptions, which of them each message reaches, and their depths."""

    def __init__(self, sqs: Any, subscriptions: list[Subscription]) -> None:
        self.sqs = sqs
        self.subscriptions = subscriptions
        self._by_type: dict[str, tuple[str, ...] | None] = {}

    @classmethod
    def from_engine(cls, engine: Any, topic_arn: str) -> DeliveryTracker:
        """Read the topic's subscriptions (and their filter policies) from the engine."""
        sns, sqs = engine.client("sns"), engine.client("sqs")
        subscriptions: list[Subscription] = []
        pages = sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic_arn)
        for page in pages:
            for entry in page.get("Subscriptions", []):
                if entry.get("Protocol") != "sqs" or entry["Endpoint"].rsplit(":", 1)[-1].startswith(TAP_PREFIX):
                    continue
                attributes = sns.get_subscription_attributes(SubscriptionArn=entry["SubscriptionArn"])["Attributes"]
                name = entry["Endpoint"].rsplit(":", 1)[-1]
                url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
                raw_policy = attributes.get("FilterPolicy")
                policy = json.loads(raw_policy) if raw_policy else None
                body_scope = attributes.get("FilterPolicyScope") == "MessageBody"
                subscriptions.append(Subscription(name, url, policy, body_scope))
        return cls(sqs, sorted(subscriptions, key=lambda s: s.queue))

    @property
    def queues(self) -> list[str]:
        return sorted({subscription.queue for subscription in self.subscriptions})

    def queues_for(self, event_type: str, body: Mapping[str, Any] | None) -> tuple[str, ...] | None:
        """The queues whose filters admit a message of `event_type` with `body` (None: a filter we cannot
        evaluate). Attribute-scoped verdicts are cached per event type."""
        cached = self._by_type.get(event_type, _UNKNOWN)
        if cached is not _UNKNOWN:
            return cached  # type: ignore[return-value]
        attributes = {"eventType": event_type}
        admitted: list[str] = []
        cacheable = True
        for subscription in self.subscriptions:
            if subscription.body_scope:
                cacheable = False
                verdict = admits(subscription.filter_policy, body) if isinstance(body, Mapping) else False
            else:
                verdict = admits(subscription.filter_policy, attributes)
            if verdict is None:
                return None
            if verdict:
                admitted.append(subscription.queue)
        result = tuple(admitted)
        if cacheable:
            self._by_type[event_type] = result
        return result

    def depths(self) -> dict[str, int]:
        """Messages in each subscribed queue now (visible + in flight + delayed)."""
        depths: dict[str, int] = {}
        for subscription in self.subscriptions:
            attributes = self.sqs.get_queue_attributes(
                QueueUrl=subscription.queue_url,
                AttributeNames=[
                    "ApproximateNumberOfMessages",
                    "ApproximateNumberOfMessagesNotVisible",
                    "ApproximateNumberOfMessagesDelayed",
                ],
            )["Attributes"]
            depths[subscription.queue] = sum(int(value) for value in attributes.values())
        return depths

    def wait(
        self, baseline: Mapping[str, int], expected: Mapping[str, int], *, timeout: float, poll: float = 0.05
    ) -> dict[str, int]:
        """Poll depths until each queue has grown by `expected` over `baseline`, or `timeout` seconds pass;
        return what each queue received (its growth, capped at nothing: a drained queue shows less)."""
        deadline = time.monotonic() + timeout
        while True:
            received = {queue: depth - baseline.get(queue, 0) for queue, depth in self.depths().items()}
            if all(received.get(queue, 0) >= count for queue, count in expected.items()):
                return received
            if time.monotonic() >= deadline:
                return received
            time.sleep(poll)
