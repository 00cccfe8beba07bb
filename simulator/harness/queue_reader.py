"""Reading a queue a test owns: receive with waits (deleting as it goes), drain, peek without receiving, depth;
each message decoded (`Received`, in `received`). Split from `owned_queues`, which creates and deletes the queues.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tidings.contracts.registry.routed import CatalogView
from tidings.simulator.engine.engines import Engine
from tidings.simulator.engine.peek import peek_messages
from tidings.simulator.harness.owned_queues import OwnedQueue, call_engine
from tidings.simulator.harness.received import Received, decode, event_matches

__all__ = ["QueueReader", "Received", "decode", "event_matches"]


class QueueReader:
    """Receives from one queue with waits, deleting what it hands out (so nothing is redelivered later)."""

    def __init__(
        self,
        engine: Engine,
        queue: OwnedQueue,
        *,
        sleep: Callable[[float], None] = time.sleep,
        catalog: CatalogView | None = None,
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
        found = call_engine(
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
        answer = call_engine(self._sqs.receive_message, "ReceiveMessage", self.queue.name, **kwargs)
        return list(answer.get("Messages", []))

    def _delete(self, batch: list[dict[str, Any]]) -> None:
        entries = [{"Id": str(i), "ReceiptHandle": raw["ReceiptHandle"]} for i, raw in enumerate(batch)]
        call_engine(
            self._sqs.delete_message_batch,
            "DeleteMessageBatch",
            self.queue.name,
            QueueUrl=self.queue.url,
            Entries=entries,
        )
