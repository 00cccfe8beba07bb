"""The queue lifecycle hand-off (embedded/queue_handoff.py) and the single-event hand-off (`HandOff.publish`):
what a test's queue looks like and receives must be the same whether it was created through boto3 or handed to
moto's backends, and what the hand-off declines must fail as moto answers it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tidings.contracts.errors import TidingsError
from tidings.simulator.engine.embedded import patches as moto_patches
from tidings.simulator.engine.embedded.handoff import HandOff
from tidings.simulator.engine.embedded.queue_handoff import QueueHandOff
from tidings.simulator.engine.engines import Engine
from tidings.simulator.harness.owned_queues import (
    OwnedQueue,
    QueueSetup,
    create_owned_queue,
    delete_owned_queue,
)

_EVENT_ATTRIBUTES = {"eventType": {"DataType": "String", "StringValue": "intervention.referral.sent"}}
_SETUPS = {
    "default": {},
    "raw": {"raw_delivery": True},
    "attribute filter": {"filter_policy": {"eventType": ["intervention.referral.sent"]}},
    "body filter": {"filter_policy": {"eventType": [{"prefix": "intervention."}]}, "filter_scope": "body"},
    "no dead letter, short visibility": {"dead_letter": False, "visibility_timeout": 5, "max_receive_count": 2},
}


@pytest.fixture
def embedded(engine: Engine) -> Iterator[Engine]:
    if engine.kind != "embedded" or engine.queue_handoff() is None:
        pytest.skip("the hand-off concerns this process's embedded engine")
    yield engine
    moto_patches.revert()
    moto_patches.apply()


def _without_handoff(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "queue_handoff", lambda: None)


def _normalised(value: Any, name: str) -> Any:
    text = json.dumps(value, sort_keys=True).replace(name, "NAME")
    text = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "UUID", text)
    text = re.sub(r"\b\d{10,13}\b", "CLOCK", text)
    text = re.sub(r"\b[0-9a-f]{32}\b", "MD5", text)
    text = re.sub(r"\b[a-z]{185}\b", "RECEIPT", text)
    text = re.sub(r"\d{4}-\d\d-\d\dT[\d:.]+Z", "TIME", text)
    return json.loads(re.sub(r'Signature\\": \\"[^\\]+\\"', "SIGNATURE", text))


def _described(engine: Engine, topic: str, queue: OwnedQueue, name: str) -> dict[str, Any]:
    """Everything another process can learn of the queue: its attributes, its DLQ's, its subscription, and
    what a publish to the topic puts in it."""
    sqs, sns = engine.client("sqs"), engine.client("sns")
    found: dict[str, Any] = {"url": queue.url, "by_name": sqs.get_queue_url(QueueName=queue.name)["QueueUrl"]}
    found["attributes"] = sqs.get_queue_attributes(QueueUrl=queue.url, AttributeNames=["All"])["Attributes"]
    if queue.dlq is not None:
        found["dlq"] = sqs.get_queue_attributes(QueueUrl=queue.dlq.url, AttributeNames=["All"])["Attributes"]
    assert queue.subscription_arn is not None
    found["subscription"] = sns.get_subscription_attributes(SubscriptionArn=queue.subscription_arn)["Attributes"]
    body = json.dumps({"eventType": "intervention.referral.sent", "version": 1})
    sns.publish(TopicArn=topic, Message=body, MessageAttributes=_EVENT_ATTRIBUTES)
    messages = sqs.receive_message(
        QueueUrl=queue.url, MaxNumberOfMessages=10, WaitTimeSeconds=1, AttributeNames=["All"]
    ).get("Messages", [])
    found["received"] = [{key: m[key] for key in ("Body", "MD5OfBody")} for m in messages]
    for key in ("CreatedTimestamp", "LastModifiedTimestamp"):
        found["attributes"].pop(key, None)
        found.get("dlq", {}).pop(key, None)
    return _normalised(found, name)


@pytest.mark.parametrize("setup", list(_SETUPS), ids=list(_SETUPS))
def test_a_handed_off_queue_is_the_queue_boto3_makes(
    embedded: Engine, topic: str, unique: Callable[[str], str], monkeypatch: pytest.MonkeyPatch, setup: str
) -> None:
    name = unique("q")
    handed = create_owned_queue(embedded, topic, QueueSetup(name + "-h", **_SETUPS[setup]))
    handed_off = _described(embedded, topic, handed, name)
    delete_owned_queue(embedded, handed)
    _without_handoff(embedded, monkeypatch)
    made = create_owned_queue(embedded, topic, QueueSetup(name + "-b", **_SETUPS[setup]))
    through_boto3 = _described(embedded, topic, made, name)
    delete_owned_queue(embedded, made)
    assert json.dumps(handed_off).replace("NAME-h", "NAME-x") == json.dumps(through_boto3).replace("NAME-b", "NAME-x")
    assert len(handed_off["received"]) == 1


def test_a_handed_off_delete_removes_queue_dead_letter_queue_and_subscription(
    embedded: Engine, topic: str, unique: Callable[[str], str]
) -> None:
    queue = create_owned_queue(embedded, topic, QueueSetup(unique("gone")))
    delete_owned_queue(embedded, queue)
    sqs, sns = embedded.client("sqs"), embedded.client("sns")
    names = [url.rsplit("/", 1)[-1] for url in sqs.list_queues(QueueNamePrefix=queue.name).get("QueueUrls", [])]
    assert names == []
    assert queue.subscription_arn not in {
        s["SubscriptionArn"] for s in sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    }
    delete_owned_queue(embedded, queue)  # what is already gone is not an error


def test_what_the_handoff_declines_fails_as_moto_answers(
    embedded: Engine, topic: str, unique: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    handoff = embedded.queue_handoff()
    assert isinstance(handoff, QueueHandOff)
    bad = {"eventType": [{"no-such-operator": 1}]}
    assert handoff.subscribe(topic, "arn:aws:sqs:eu-west-2:123456789012:x", {"FilterPolicy": json.dumps(bad)}) is None
    with pytest.raises(TidingsError) as handed:
        create_owned_queue(embedded, topic, QueueSetup(unique("bad-h"), filter_policy=bad))
    _without_handoff(embedded, monkeypatch)
    with pytest.raises(TidingsError) as through_boto3:
        create_owned_queue(embedded, topic, QueueSetup(unique("bad-b"), filter_policy=bad))
    assert re.sub(r"bad-[hb]-\w+", "NAME", str(handed.value)) == re.sub(
        r"bad-[hb]-\w+", "NAME", str(through_boto3.value)
    )
    subscriptions = embedded.client("sns").list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert subscriptions == []  # the declined subscription was undone, not left half-made
    left = embedded.client("sqs").list_queues(QueueNamePrefix=unique("bad")[:-9]).get("QueueUrls", [])
    assert [url for url in left if unique("x")[-8:] in url] == []  # and so were the queue and its DLQ


def test_the_handoff_steps_aside_when_the_patches_are_off(embedded: Engine, topic: str) -> None:
    handoff = embedded.queue_handoff()
    assert handoff is not None
    moto_patches.revert()
    assert handoff.create_queue("never-made", {}) is None
    assert handoff.delete_queue("http://x/123456789012/never-made") is False


@pytest.mark.parametrize("raw", ["false", "true"])
def test_one_event_handed_off_lands_what_publish_lands(
    embedded: Engine, topic: str, unique: Callable[[str], str], raw: str
) -> None:
    sqs, sns = embedded.client("sqs"), embedded.client("sns")
    queue = create_owned_queue(embedded, topic, QueueSetup(unique("one"), raw_delivery=raw == "true"))
    handed = embedded.publishing_client()
    assert isinstance(handed, HandOff)
    body = json.dumps({"eventType": "intervention.referral.sent", "version": 1})
    landed = []
    for client in (sns, handed):
        answer = client.publish(TopicArn=topic, Message=body, MessageAttributes=_EVENT_ATTRIBUTES)
        (message,) = sqs.receive_message(
            QueueUrl=queue.url, WaitTimeSeconds=1, AttributeNames=["All"], MessageAttributeNames=["All"]
        )["Messages"]
        sqs.delete_message(QueueUrl=queue.url, ReceiptHandle=message["ReceiptHandle"])
        if raw == "false":
            assert json.loads(message["Body"])["MessageId"] == answer["MessageId"]
        message.pop("Attributes")
        landed.append(_normalised(message, queue.name))
    delete_owned_queue(embedded, queue)
    assert landed[0] == landed[1]


def test_a_publish_the_handoff_cannot_make_is_moto_s_refusal(embedded: Engine, topic: str) -> None:
    from botocore.exceptions import ClientError

    handed = embedded.publishing_client()
    with pytest.raises(ClientError, match="NotFound"):
        handed.publish(TopicArn=topic + "-missing", Message="m")
