"""Topics and queues for one conformance check, made with plain boto3 calls (the wire API every engine answers),
with names no other check uses, deleted afterwards."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from tidings.simulator.engine.engines import Engine

__all__ = ["Wiring", "attribute"]


class Wiring:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sns = engine.client("sns")
        self.sqs = engine.client("sqs")
        self.run = uuid.uuid4().hex[:8]
        self._topics: list[str] = []
        self._queues: list[str] = []

    def name(self, part: str, *, fifo: bool = False) -> str:
        return f"conf-{self.run}-{part}" + (".fifo" if fifo else "")

    def topic(self, part: str = "topic", *, fifo: bool = False) -> str:
        attributes = {"FifoTopic": "true", "ContentBasedDeduplication": "false"} if fifo else {}
        arn = str(self.sns.create_topic(Name=self.name(part, fifo=fifo), Attributes=attributes)["TopicArn"])
        self._topics.append(arn)
        return arn

    def queue(self, part: str, *, fifo: bool = False, **attributes: str) -> str:
        if fifo:
            attributes = {"FifoQueue": "true", **attributes}
        url = str(self.sqs.create_queue(QueueName=self.name(part, fifo=fifo), Attributes=attributes)["QueueUrl"])
        self._queues.append(url)
        return url

    def arn(self, url: str) -> str:
        found = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
        return str(found["Attributes"]["QueueArn"])

    def subscribe(self, topic: str, url: str, **attributes: Any) -> str:
        """Subscribe queue `url` to `topic`; `attributes` as SNS names them (RawMessageDelivery, FilterPolicy,
        FilterPolicyScope), values as Python (a dict policy is JSON-encoded, a bool becomes "true"/"false")."""
        encoded = {
            key: json.dumps(value)
            if isinstance(value, dict)
            else str(value).lower()
            if isinstance(value, bool)
            else value
            for key, value in attributes.items()
        }
        answer = self.sns.subscribe(
            TopicArn=topic, Protocol="sqs", Endpoint=self.arn(url), Attributes=encoded, ReturnSubscriptionArn=True
        )
        return str(answer["SubscriptionArn"])

    def receive(self, url: str, *, limit: int = 10, visibility: int | None = None, wait: int = 0) -> list[Any]:
        kwargs: dict[str, Any] = {
            "QueueUrl": url,
            "MaxNumberOfMessages": limit,
            "WaitTimeSeconds": wait,
            "MessageAttributeNames": ["All"],
            "MessageSystemAttributeNames": ["All"],
        }
        if visibility is not None:
            kwargs["VisibilityTimeout"] = visibility
        return list(self.sqs.receive_message(**kwargs).get("Messages", []))

    def drain(self, url: str, *, expect: int | None = None, seconds: float = 5.0) -> list[Any]:
        """Every message in `url`, deleted; waits up to `seconds` for `expect` of them (SNS delivery may lag)."""
        found: list[Any] = []
        deadline = time.monotonic() + seconds
        while True:
            batch = self.receive(url)
            if batch:
                entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)]
                self.sqs.delete_message_batch(QueueUrl=url, Entries=entries)
                found.extend(batch)
                continue
            if expect is None or len(found) >= expect or time.monotonic() > deadline:
                return found
            time.sleep(0.1)

    def close(self) -> None:
        for arn in self._topics:
            self.sns.delete_topic(TopicArn=arn)
        for url in self._queues:
            self.sqs.delete_queue(QueueUrl=url)


def _encoded(value: Any) -> str:
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value).lower() if isinstance(value, bool) else str(value)


def attribute(value: str | int | bytes, data_type: str | None = None) -> dict[str, Any]:
    """An SNS MessageAttributeValue."""
    if isinstance(value, bytes):
        return {"DataType": data_type or "Binary", "BinaryValue": value}
    if isinstance(value, int):
        return {"DataType": data_type or "Number", "StringValue": str(value)}
    return {"DataType": data_type or "String", "StringValue": value}
