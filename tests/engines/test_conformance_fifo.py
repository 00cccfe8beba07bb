"""A FIFO topic to a FIFO queue on every engine: order within a group kept, duplicates (same deduplication id)
dropped, a publish without a group refused."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from engine_wiring import Wiring


def test_a_fifo_topic_delivers_in_order_to_a_fifo_queue_and_drops_duplicates(wiring: Wiring, quirk: Any) -> None:
    topic = wiring.topic(fifo=True)
    url = wiring.queue("ordered", fifo=True)
    wiring.subscribe(topic, url, RawMessageDelivery=True)
    answers = [
        wiring.sns.publish(TopicArn=topic, Message=body, MessageGroupId="g1", MessageDeduplicationId=dedup)
        for body, dedup in [("A", "a"), ("B", "b"), ("A again", "a"), ("C", "c")]
    ]
    received = wiring.drain(url, expect=3)
    assert [m["Body"] for m in received] == ["A", "B", "C"]
    assert all(m["Attributes"]["MessageGroupId"] == "g1" for m in received)
    with quirk("fifo-publish-sequence-number"):
        assert all(answer.get("SequenceNumber") for answer in answers)


def test_a_fifo_topic_refuses_a_message_without_a_group(wiring: Wiring, quirk: Any) -> None:
    topic = wiring.topic(fifo=True)
    with pytest.raises(ClientError) as refused:
        wiring.sns.publish(TopicArn=topic, Message="x", MessageDeduplicationId="x")
    with quirk("fifo-missing-group-error"):
        assert refused.value.response["Error"]["Code"] == "InvalidParameter"
