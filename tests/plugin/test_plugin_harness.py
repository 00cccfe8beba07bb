"""What the pytest plugin stands on, tested directly: queues a test owns (simulator.owned_queues) and the session
harness (simulator.harness), on the session's engine."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tidings.contracts.errors import EngineError, UsageError
from tidings.simulator.engine.engines import Engine
from tidings.simulator.harness.harness import HarnessEngine, HarnessSettings, _fault_set
from tidings.simulator.harness.owned_queues import (
    OwnedQueue,
    QueueSetup,
    create_owned_queue,
    delete_owned_queue,
    filter_policy_of,
    unique_queue_name,
)
from tidings.simulator.harness.queue_reader import QueueReader, decode, event_matches
from tidings.simulator.scenarios.faults import FaultSet

EVENT = {
    "eventType": "intervention.referral.sent",
    "version": 1,
    "detailUrl": "http://api/sent-referral/r1",
    "additionalInformation": {"referralId": "r1", "serviceUserCRN": "X000009"},
    "personReference": {"identifiers": [{"type": "CRN", "value": "X123456"}]},
}


@pytest.mark.parametrize(
    ("given", "policy"),
    [
        (None, None),
        ("intervention.referral.sent", {"eventType": ["intervention.referral.sent"]}),
        ([{"prefix": "intervention."}], {"eventType": [{"prefix": "intervention."}]}),
        ({"eventType": [{"anything-but": "x"}]}, {"eventType": [{"anything-but": "x"}]}),
    ],
)
def test_filters_are_written_as_a_policy_or_as_conditions_on_event_type(given: Any, policy: Any) -> None:
    assert filter_policy_of(given) == policy


@pytest.mark.parametrize("bad", [{}, [], 3])
def test_a_filter_that_is_no_policy_is_refused_with_an_example(bad: Any) -> None:
    with pytest.raises(UsageError, match="is not a filter policy") as caught:
        filter_policy_of(bad)
    assert caught.value.hint is not None and '{"eventType":' in caught.value.hint


def test_unique_names_are_valid_sqs_names_with_room_for_the_dead_letter_queue() -> None:
    assert unique_queue_name("test_x[a b]", "gw0-abc-1") == "test_x-a-b-gw0-abc-1"
    long = unique_queue_name("t" * 200, "gw0-abc-12")
    assert long.endswith("-gw0-abc-12") and len(long + "-dlq") == 80
    assert unique_queue_name("!!!", "s") == "queue-s"


@pytest.mark.parametrize(
    ("match", "expected"),
    [
        ({}, True),
        ({"crn": "X123456"}, True),
        ({"crn": "X000009"}, False),  # personReference wins over serviceUserCRN
        ({"referralId": "r1"}, True),  # a field of additionalInformation
        ({"eventType": "intervention.referral.sent", "version": 1}, True),
        ({"additionalInformation.referralId": "r1"}, True),
        ({"additionalInformation.referralId": "r2"}, False),
        ({"nowhere.at.all": None}, False),
        ({"assignedTo": None}, False),  # absent is not None
    ],
)
def test_events_match_by_crn_field_or_dotted_path(match: dict[str, Any], expected: bool) -> None:
    assert event_matches(EVENT, match) is expected


def test_a_notification_is_unwrapped_and_keeps_the_sns_message_id() -> None:
    notification = {
        "Type": "Notification",
        "MessageId": "sns-1",
        "Message": json.dumps(EVENT),
        "MessageAttributes": {"eventType": {"Type": "String", "Value": "intervention.referral.sent"}},
    }
    received = decode({"MessageId": "sqs-1", "ReceiptHandle": "rh", "Body": json.dumps(notification)})
    assert (received.event, received.message_id, received.sqs_message_id) == (EVENT, "sns-1", "sqs-1")
    assert received.attributes == {"eventType": "intervention.referral.sent"} and received.problem is None


def test_a_poison_body_is_received_with_what_is_wrong_with_it() -> None:
    attributes = {"eventType": {"DataType": "String", "StringValue": "intervention.referral.sent"}}
    received = decode(
        {"MessageId": "sqs-2", "ReceiptHandle": "rh", "Body": '{"eventType": ', "MessageAttributes": attributes}
    )
    assert received.event is None and received.message_id == "sqs-2"
    assert received.event_type == "intervention.referral.sent"  # from the message attribute
    assert received.problem is not None and "not JSON" in received.problem
    assert "not an event" in received.describe()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"filter_scope": "headers"}, "filter_scope 'headers' is not attributes or body"),
        ({"max_receive_count": 0}, "max_receive_count 0 must be from 1 to 1000"),
        ({"max_receive_count": "3"}, "max_receive_count '3' must be from 1 to 1000"),
        ({"visibility_timeout": -1}, "visibility_timeout -1 must be 0 to 43200 seconds"),
    ],
)
def test_a_bad_queue_setup_is_refused(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        QueueSetup("q", **fields)


@pytest.mark.parametrize(
    ("faults", "expected"),
    [(None, ""), ("duplicate=1", "republish=1"), (["drop=0.5", "reorder=3"], "drop=0.5, reorder=3")],
)
def test_faults_are_written_as_one_spec_a_list_or_a_fault_set(faults: Any, expected: str) -> None:
    assert str(_fault_set(faults)) == (expected or "none")
    assert _fault_set(FaultSet.parse(["delay=1s"])).specs.keys() == {"delay"}
    with pytest.raises(UsageError, match="is not a fault spec"):
        _fault_set(0.5)


def test_an_owned_queue_is_subscribed_as_asked_and_deleted_without_a_trace(
    engine: Engine, topic: str, unique: Callable[[str], str]
) -> None:
    setup = QueueSetup(unique("owned"), {"eventType": ["intervention.referral.sent"]}, "attributes", True, True, 2, 5)
    queue = create_owned_queue(engine, topic, setup)
    sqs, sns = engine.client("sqs"), engine.client("sns")
    attributes = sqs.get_queue_attributes(QueueUrl=queue.url, AttributeNames=["All"])["Attributes"]
    assert attributes["QueueArn"] == queue.arn and attributes["VisibilityTimeout"] == "5"
    assert queue.dlq is not None
    assert json.loads(attributes["RedrivePolicy"]) == {"deadLetterTargetArn": queue.dlq.arn, "maxReceiveCount": 2}
    subscription = sns.get_subscription_attributes(SubscriptionArn=queue.subscription_arn)["Attributes"]
    assert subscription["RawMessageDelivery"] == "true"
    assert json.loads(subscription["FilterPolicy"]) == {"eventType": ["intervention.referral.sent"]}

    for event_type in ("intervention.referral.assigned", "intervention.referral.sent"):
        sns.publish(
            TopicArn=topic,
            Message=json.dumps({**EVENT, "eventType": event_type}),
            MessageAttributes={"eventType": {"DataType": "String", "StringValue": event_type}},
        )
    reader = QueueReader(engine, queue)
    (received,) = reader.receive(5, deadline=0, minimum=1)  # past its deadline: one receive, no wait
    assert received.event is not None and received.event["eventType"] == "intervention.referral.sent"
    assert reader.depth() == 0

    delete_owned_queue(engine, queue)
    delete_owned_queue(engine, queue)  # what is gone already is no error
    subscribed = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert [s for s in subscribed if s["Endpoint"] == queue.arn] == []
    names = [url.rsplit("/", 1)[1] for url in sqs.list_queues(QueueNamePrefix=setup.name).get("QueueUrls", [])]
    assert names == []


def test_a_queue_that_is_gone_cannot_be_read(engine: Engine, topic: str, unique: Callable[[str], str]) -> None:
    queue = create_owned_queue(engine, topic, QueueSetup(unique("gone"), dead_letter=False))
    assert queue.dlq is None
    delete_owned_queue(engine, queue)
    with pytest.raises(EngineError, match=f"the engine refused GetQueueAttributes {queue.name}"):
        QueueReader(engine, queue).depth()


def test_a_worker_on_a_shared_engine_publishes_to_a_topic_of_its_own(engine: Engine) -> None:
    settings = HarnessSettings(endpoint=engine.endpoint_url, worker="gw7")
    harness = HarnessEngine.start(settings)
    try:
        assert harness.engine.kind != "embedded" and harness.own_topic
        assert harness.topic_arn.endswith(":hmpps-domain-events-gw7")
    finally:
        harness.stop()
    topics = [t["TopicArn"] for t in engine.client("sns").list_topics()["Topics"]]
    assert harness.topic_arn not in topics  # deleted at the end; the shared engine itself keeps running
    assert any(arn.endswith(":hmpps-domain-events") for arn in topics)


def test_owned_queue_has_no_subscription_for_its_dead_letter_queue(
    engine: Engine, topic: str, unique: Callable[[str], str]
) -> None:
    queue: OwnedQueue = create_owned_queue(engine, topic, QueueSetup(unique("dlq")))
    try:
        assert queue.dlq is not None and queue.dlq.subscription_arn is None
        assert queue.dlq.name == queue.name + "-dlq"
    finally:
        delete_owned_queue(engine, queue)
