"""The embedded engine's SQS state, read and changed in this process without going through SQS's API: the one
place outside `patches/` that knows how moto 5.2.5 keeps messages (`Queue._messages`, `pending_messages`).

Two things need it, because SQS's API cannot do them without side effects:
- **redelivery** (`redeliver`): a message whose next DeleteMessage is *lost*. The consumer deletes it, the delete
  does nothing, and the message is visible again at once, as after a lost delete or an expired visibility timeout:
  the same SQS MessageId, body and attributes, a new receipt handle on the next receive, the receive count up.
- **peeking** (`messages`): every message in a queue, visible or in flight, read without a ReceiveMessage, so
  looking does not count towards maxReceiveCount.

    state = engine.sqs_state()            # None unless the engine is embedded in this process
    state.redeliver("5f1c…", request_id="…", skip_prefix="tidings-tap-")
    state.messages("orders")              # dicts shaped like ReceiveMessage's, nothing received
"""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any

from tidings.simulator.engine.embedded.patches import sqs_packed

__all__ = ["SqsState"]

_SCAN = 200  # newest messages looked at per queue when marking: a message is marked right after it is sent
_lock = threading.Lock()
_lost_deletes: dict[int, Any] = {}  # id(moto Message) -> Message whose next delete is lost
_installed = False


class SqsState:
    """moto's SQS backend of one account and region (the embedded engine's)."""

    def __init__(self, region: str, account_id: str | None = None) -> None:
        from moto.core import DEFAULT_ACCOUNT_ID

        self.region = region
        self.account_id = account_id or DEFAULT_ACCOUNT_ID
        _install()

    def _backend(self) -> Any:
        from moto.sqs.models import sqs_backends

        return sqs_backends[self.account_id][self.region]

    def redeliver(self, sns_message_id: str, *, request_id: str | None = None, skip_prefix: str = "") -> list[str]:
        """Mark, in every queue (but those named `skip_prefix…`), the newest message that came from SNS message
        `sns_message_id` (found in the notification body; for raw delivery, by its `requestId` attribute): its
        next delete is lost, so the consumer receives it again. Returns the names of the queues marked."""
        marked: list[str] = []
        with _lock:
            for name, queue in list(self._backend().queues.items()):
                if skip_prefix and name.startswith(skip_prefix):
                    continue
                for message in reversed(queue._messages[-_SCAN:]):
                    if sns_message_id in message.body or (
                        request_id is not None and _attribute(message, "requestId") == request_id
                    ):
                        _lost_deletes[id(message)] = message
                        marked.append(name)
                        break
            while len(_lost_deletes) > 100_000:  # never received: forget the oldest marks
                del _lost_deletes[next(iter(_lost_deletes))]
        return marked

    def messages(self, queue_name: str) -> list[dict[str, Any]]:
        """Every message in the queue (visible, in flight or delayed), oldest first, as ReceiveMessage would give
        them (Body, MessageId, MessageAttributes, Attributes with ApproximateReceiveCount), none received."""
        from moto.sqs.exceptions import QueueDoesNotExist

        try:
            queue = self._backend().get_queue(queue_name)
        except QueueDoesNotExist:
            return []
        found = []
        for message in list(queue._messages):
            packed = sqs_packed.fields(message)  # read as they are: peeking a deep queue unpacks nothing
            read: Any = message if packed is None else SimpleNamespace(**packed)
            attributes = {
                "ApproximateReceiveCount": str(read.approximate_receive_count),
                "SentTimestamp": str(read.sent_timestamp),
            }
            found.append(
                {
                    "MessageId": read.id,
                    "Body": read.body,
                    "MessageAttributes": dict(read.message_attributes),
                    "Attributes": attributes,
                }
            )
        return found


def _attribute(message: Any, name: str) -> str | None:
    value = message.message_attributes.get(name)
    return value.get("StringValue") if isinstance(value, dict) else None


def _install() -> None:
    """Wrap moto's SQSBackend.delete_message once per process (the speed patches never touch it)."""
    global _installed
    with _lock:
        if _installed:
            return
        from moto.sqs.models import SQSBackend

        original = SQSBackend.delete_message

        def delete_message(backend: Any, queue_name: str, receipt_handle: str) -> None:
            if _lost_deletes and _lose(backend, queue_name, receipt_handle):
                return
            original(backend, queue_name, receipt_handle)

        setattr(SQSBackend, "delete_message", delete_message)  # noqa: B010 (moto is untyped here)
        _installed = True


def _lose(backend: Any, queue_name: str, receipt_handle: str) -> bool:
    """If the message this handle names is marked, make it visible again instead of deleting it."""
    queue = backend.get_queue(queue_name)
    with _lock:
        for message in queue._messages:
            if id(message) in _lost_deletes and message.had_receipt_handle(receipt_handle):
                del _lost_deletes[id(message)]
                message.change_visibility(0)
                queue.pending_messages.discard(message)
                return True
    return False
