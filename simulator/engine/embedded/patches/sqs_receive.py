"""Receiving and deleting SQS messages without rebuilding queues (moto 5.2.5; registered in `patches/__init__.py`).

- `lazy_visible_messages`: `Queue.messages` built the list of all visible messages before ReceiveMessage took ten;
  it is now a lazy view read with one clock read. Without it: 6.5 s (x1.8), the drain x2.9.
- `delete_finds_one_message`: DeleteMessage rebuilt the message list and every message's receipt-handle list; now
  it finds the one message (near the front: consumers delete what they received first). Without it: 4.7 s (x1.35).
- `receive_copies_less`: ReceiveMessage deep-copied each message only to filter the copy's attributes, and drew a
  receipt handle one letter at a time; a shallow copy with its own containers, and one draw from moto's (seedable)
  random source, do the same. Little effect when each message is received once; on redelivery, where the copies
  grow, a 10-message receive takes 2.1-2.8 ms of server time instead of 4.5-5.8 ms.
"""

from __future__ import annotations

import copy
import string
from collections.abc import Callable, Iterator
from typing import Any


class _VisibleMessages:
    """The queue's visible, undelayed messages, found as they are iterated. moto 5.2.5 uses `Queue.messages` only
    to iterate (ReceiveMessage), to test for any (long polling) and to count."""

    def __init__(self, messages: list[Any], now: float) -> None:
        self._messages = messages
        self._now = now

    def __iter__(self) -> Iterator[Any]:
        now = self._now
        return (m for m in self._messages if now > m.visible_at and now >= m.delayed_until)

    def __bool__(self) -> bool:
        return any(True for _ in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _visible_messages(queue: Any) -> _VisibleMessages:
    from moto.sqs import models

    return _VisibleMessages(queue._messages, models.unix_time_millis())


def _delete_message(queue: Any, receipt_handle: str) -> None:
    from moto.sqs.exceptions import ReceiptHandleIsInvalid

    if receipt_handle in queue.deleted_messages:
        return  # deleting twice is allowed
    for index, message in enumerate(queue._messages):
        if message.receipt_handle == receipt_handle or receipt_handle in message._old_receipt_handles:
            del queue._messages[index]
            queue.pending_messages.discard(message)
            queue.deleted_messages.update(message.all_receipt_handles)
            return
    raise ReceiptHandleIsInvalid()


_RECEIPT_HANDLE_LENGTH = 185
_LOWERCASE_FOR_BYTE = bytes(ord(string.ascii_lowercase[i % 26]) for i in range(256))


def _receipt_handle() -> str:
    """185 random lowercase letters like moto's, drawn at once from moto's (seedable) random source rather than
    one `choice()` per letter."""
    from moto.moto_api._internal import mock_random

    raw = mock_random.getrandbits(8 * _RECEIPT_HANDLE_LENGTH).to_bytes(_RECEIPT_HANDLE_LENGTH, "little")
    return raw.translate(_LOWERCASE_FOR_BYTE).decode("ascii")


def _copy_for_receive(deepcopy: Callable[..., Any], message_class: type) -> Callable[..., Any]:
    """ReceiveMessage deep-copies each message it returns, only to filter the copy's message attributes (which
    replaces the copy's attribute dict, never changes it). A shallow copy with its own lists does the same."""

    def copy_for_receive(value: Any, memo: Any = None) -> Any:
        if type(value) is message_class:
            message: Any = value
            duplicate = copy.copy(message)
            duplicate.message_attributes = dict(message.message_attributes)
            duplicate._old_receipt_handles = list(message._old_receipt_handles)
            duplicate.system_attributes = dict(message.system_attributes)
            return duplicate
        return deepcopy(value, memo)

    return copy_for_receive


def replacements() -> dict[str, list[tuple[Any, str, Any]]]:
    """This module's patches, by name, as the (owner, attribute, replacement) triples each sets."""
    import moto.sqs.models
    from moto.sqs.models import Message, Queue

    return {
        "lazy_visible_messages": [(Queue, "messages", property(_visible_messages))],
        "delete_finds_one_message": [(Queue, "delete_message", _delete_message)],
        "receive_copies_less": [
            (moto.sqs.models, "generate_receipt_handle", _receipt_handle),
            (moto.sqs.models, "deepcopy", _copy_for_receive(moto.sqs.models.deepcopy, Message)),
        ],
    }
