"""Subscriptions of a topology, applied all or nothing: a subscription is never left without its declared filter.

Some engines (moto among them) create a subscription and only then refuse its filter policy, so a failed
Subscribe can leave a subscription that receives everything. And an existing subscription's attributes change one
call at a time (the scope before the policy). So every change of an apply is journalled with its undo, and when
one fails the journal is rolled back: subscriptions this apply created are removed (including the one a failed
Subscribe left behind), changed attributes get their old values back. The error says what was undone.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from tidings.contracts.errors import EngineError
from tidings.simulator.topology.applied import AppliedTopology
from tidings.simulator.topology.calls import call, pages
from tidings.simulator.topology.model import SubscriptionSpec, Topology

__all__ = ["apply_subscriptions", "subscriptions_of"]

_NO_FILTER = "{}"  # what the engines take for "no filter policy": everything is delivered


class _Journal:
    """The undo of each change made so far, run newest first on failure."""

    def __init__(self) -> None:
        self.undo: list[tuple[str, Callable[[], None]]] = []

    def add(self, what: str, undo: Callable[[], None]) -> None:
        self.undo.append((what, undo))

    def roll_back(self) -> tuple[list[str], list[str]]:
        undone, failed = [], []
        for what, undo in reversed(self.undo):
            try:
                undo()
                undone.append(what)
            except (ClientError, BotoCoreError, EngineError):
                failed.append(what)
        return undone, failed


def apply_subscriptions(sns: Any, topology: Topology, applied: AppliedTopology) -> None:
    """Subscribe and correct every subscription of `topology`; on a failure, undo them all and raise."""
    journal = _Journal()
    try:
        for spec in topology.subscriptions:
            _apply(sns, spec, applied, journal)
    except EngineError as error:
        undone, failed = journal.roll_back()
        said = f"; undone: {', '.join(undone)}" if undone else ""
        if failed:
            said += f"; could NOT undo: {', '.join(failed)} (check them with `tidings topology show`)"
        raise EngineError(
            f"{error.message}{said}",
            hint=error.hint or "fix the subscription (its filter policy?) in the topology and apply again",
        ) from None


def subscriptions_of(sns: Any, topic_arn: str) -> list[dict[str, Any]]:
    """Every subscription of a topic, as ListSubscriptionsByTopic gives them."""
    found = pages(sns, "list_subscriptions_by_topic", "ListSubscriptionsByTopic", TopicArn=topic_arn)
    return [entry for page in found for entry in page.get("Subscriptions", [])]


def _queue_subscriptions(sns: Any, topic_arn: str, queue_arn: str) -> list[str]:
    return [
        s["SubscriptionArn"]
        for s in subscriptions_of(sns, topic_arn)
        if s.get("Protocol") == "sqs" and s.get("Endpoint") == queue_arn
    ]


def _apply(sns: Any, spec: SubscriptionSpec, applied: AppliedTopology, journal: _Journal) -> None:
    topic_arn, queue_arn = applied.topic_arns[spec.topic], applied.queue_arns[spec.queue]
    label = f"{spec.topic} -> {spec.queue}"
    wanted = {"RawMessageDelivery": "true" if spec.raw_delivery else "false"}
    if spec.filter_policy is not None:
        wanted["FilterPolicyScope"] = spec.filter_scope
        wanted["FilterPolicy"] = json.dumps(spec.filter_policy)
    before = _queue_subscriptions(sns, topic_arn, queue_arn)
    if not before:
        arn = _subscribe(sns, topic_arn, queue_arn, label, wanted, journal)
        applied.changes.append(f"subscribed {label}")
        applied.subscription_arns[(spec.topic, spec.queue)] = arn
        return
    existing = before[0]
    applied.subscription_arns[(spec.topic, spec.queue)] = existing
    current = call(sns.get_subscription_attributes, "GetSubscriptionAttributes", label, SubscriptionArn=existing)
    attributes = current.get("Attributes", {})
    differing = [name for name, value in wanted.items() if not _same_attribute(name, attributes, value)]
    if spec.filter_policy is None and attributes.get("FilterPolicy") not in (None, "", _NO_FILTER):
        wanted["FilterPolicy"] = _NO_FILTER  # the topology says no filter: everything is delivered
        differing.append("FilterPolicy")
    for name in differing:  # the scope first: the filter policy is checked against it
        old = _old_value(name, attributes)
        _set(sns, existing, label, name, wanted[name])
        journal.add(f"{name} of {label}", partial(_set, sns, existing, label, name, old))
    if differing:
        applied.changes.append(f"updated subscription {label}: {', '.join(differing)}")


def _subscribe(
    sns: Any,
    topic_arn: str,
    queue_arn: str,
    label: str,
    wanted: dict[str, str],
    journal: _Journal,
) -> str:
    try:
        arn = call(
            sns.subscribe,
            "Subscribe",
            label,
            TopicArn=topic_arn,
            Protocol="sqs",
            Endpoint=queue_arn,
            Attributes=wanted,
            ReturnSubscriptionArn=True,
        )["SubscriptionArn"]
    except EngineError:
        for left in _queue_subscriptions(sns, topic_arn, queue_arn):  # made, then its attributes refused
            journal.add(f"the half-made subscription {label}", partial(_unsubscribe, sns, left, label))
        raise
    journal.add(f"the new subscription {label}", lambda: _unsubscribe(sns, arn, label))
    return str(arn)


def _set(sns: Any, arn: str, label: str, name: str, value: str) -> None:
    call(
        sns.set_subscription_attributes,
        "SetSubscriptionAttributes",
        label,
        SubscriptionArn=arn,
        AttributeName=name,
        AttributeValue=value,
    )


def _unsubscribe(sns: Any, arn: str, label: str) -> None:
    call(sns.unsubscribe, "Unsubscribe", label, SubscriptionArn=arn)


def _old_value(name: str, attributes: dict[str, Any]) -> str:
    current = attributes.get(name)
    if name == "RawMessageDelivery":
        return str(current or "false").lower()
    if name == "FilterPolicyScope":
        return str(current or "MessageAttributes")
    return str(current) if current else _NO_FILTER


def _same_attribute(name: str, attributes: dict[str, Any], wanted: str) -> bool:
    current = attributes.get(name)
    if name == "RawMessageDelivery":
        return str(current or "false").lower() == wanted
    if name == "FilterPolicyScope":
        return (current or "MessageAttributes") == wanted
    if not current:
        return False
    try:
        return bool(json.loads(current) == json.loads(wanted))
    except ValueError:
        return False
