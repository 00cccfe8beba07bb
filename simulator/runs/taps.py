"""Observed delivery: a tap queue of tidings' own beside each subscribed queue, subscribed to the same topic
with the same filter policy and scope, so the *engine's own* filter matcher decides what each subscription
admits and tidings counts what the taps receive. A live consumer draining its queue changes nothing.

Taps are named `tidings-tap-<run>-<queue>`, never counted as subscriptions themselves, and deleted (queue and
subscription) by `close()`. They are delivered raw=False whatever the subscription's raw setting: the raw
setting does not change what a filter admits (SNS filters before it formats the message), and the envelope
carries the SNS MessageId that tells a republished duplicate (same requestId) from its original.

    taps = Taps.create(engine, topic_arn, tracker.subscriptions, run_id)
    try:
        ...publish..., taps.published(n) after each batch   # every DRAIN_EVERY messages, the taps are drained
        seen = taps.collect(expected, timeout=10)    # {queue: [MessageId, ...]}
    finally:
        taps.close()
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tidings.simulator.runs.delivery import TAP_PREFIX, Subscription

__all__ = ["DRAIN_EVERY", "TAP_PREFIX", "Taps", "is_tap"]

_QUIET = 0.3  # seconds without a delivery after which a run with unevaluable filters counts as delivered
# Published messages after which the taps are drained during a play: each tap held a copy of every message until
# `collect`, now at most this many and a batch. With the timeline's kept-rows-only map, a 99,988-event `caseload`
# play (bench/engines.py --only memory) went 667.5 -> 516.5 MB peak RSS.
DRAIN_EVERY = 500


def is_tap(queue_name: str) -> bool:
    """Whether a queue is one of tidings' taps (never a consumer's)."""
    return queue_name.startswith(TAP_PREFIX)


@dataclass
class _Tap:
    queue: str
    url: str
    subscription_arn: str
    seen: list[str] = field(default_factory=list)


class Taps:
    """One tap per subscribed queue; `collect` receives (and deletes) what reached them."""

    def __init__(self, sqs: Any, sns: Any, taps: list[_Tap]) -> None:
        self.sqs = sqs
        self.sns = sns
        self.taps = taps
        self._since_drain = 0

    @classmethod
    def create(cls, engine: Any, topic_arn: str, subscriptions: list[Subscription], run_id: str) -> Taps:
        sqs, sns = engine.client("sqs"), engine.client("sns")
        made = cls(sqs, sns, [])
        try:
            for subscription in subscriptions:
                made.taps.append(_make_tap(sqs, sns, topic_arn, subscription, run_id))
        except BaseException:
            made.close()
            raise
        return made

    def collect(self, expected: Mapping[str, int], *, timeout: float, exact: bool = True) -> dict[str, list[str]]:
        """Receive from the taps until each has what `expected` says (with `exact` False, until no delivery
        came for a moment) or `timeout` passes; returns the MessageIds each queue's subscription admitted."""
        deadline = time.monotonic() + timeout
        quiet_since = time.monotonic()
        while True:
            got_any = False
            for tap in self.taps:
                got_any = self._drain(tap) or got_any
            now = time.monotonic()
            if got_any:
                quiet_since = now
            done = all(len(tap.seen) >= expected.get(tap.queue, 0) for tap in self.taps)
            if (done and (exact or now - quiet_since >= _QUIET)) or now >= deadline:
                return {tap.queue: list(tap.seen) for tap in self.taps}
            if not got_any:
                time.sleep(0.02)

    def published(self, count: int) -> None:
        """`count` more messages were published: every DRAIN_EVERY of them, take (count and delete) what reached
        the taps so far, so that they never hold more than that many messages and a batch."""
        self._since_drain += count
        if self._since_drain < DRAIN_EVERY:
            return
        self._since_drain = 0
        for tap in self.taps:
            while self._drain(tap):
                pass

    def _drain(self, tap: _Tap) -> bool:
        messages = self.sqs.receive_message(QueueUrl=tap.url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get(
            "Messages", []
        )
        if not messages:
            return False
        for message in messages:
            try:
                tap.seen.append(str(json.loads(message["Body"])["MessageId"]))
            except (ValueError, KeyError, TypeError):
                tap.seen.append(message.get("MessageId", "?"))
        entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)]
        self.sqs.delete_message_batch(QueueUrl=tap.url, Entries=entries)
        return True

    def close(self) -> None:
        """Unsubscribe and delete every tap (errors ignored: a tap already gone is fine)."""
        for tap in self.taps:
            with contextlib.suppress(Exception):
                self.sns.unsubscribe(SubscriptionArn=tap.subscription_arn)
            with contextlib.suppress(Exception):
                self.sqs.delete_queue(QueueUrl=tap.url)
        self.taps = []


def _make_tap(sqs: Any, sns: Any, topic_arn: str, subscription: Subscription, run_id: str) -> _Tap:
    name = f"{TAP_PREFIX}{run_id[:12]}-{subscription.queue}"[:80]
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": "*",
                "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}},
            }
        ],
    }
    url = sqs.create_queue(QueueName=name, Attributes={"Policy": json.dumps(policy)})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    attributes: dict[str, str] = {}
    if subscription.filter_policy:
        attributes["FilterPolicy"] = json.dumps(subscription.filter_policy)
        if subscription.body_scope:
            attributes["FilterPolicyScope"] = "MessageBody"
    try:
        answer = sns.subscribe(
            TopicArn=topic_arn, Protocol="sqs", Endpoint=arn, Attributes=attributes, ReturnSubscriptionArn=True
        )
    except BaseException:
        sqs.delete_queue(QueueUrl=url)
        raise
    return _Tap(subscription.queue, url, str(answer["SubscriptionArn"]))
