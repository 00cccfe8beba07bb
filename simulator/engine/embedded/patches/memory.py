"""What moto keeps that nobody can read back (moto 5.2.5; registered in `patches/__init__.py`).

- `sqs_messages_listed_from_their_queues`: moto's `BaseModel.__new__` appends every model object it ever made to its
  class's `instances_tracked` list, for one reader: the dashboard's `/moto-api/data.json`. Every SQS message - each
  delivery, and each copy ReceiveMessage hands out - stayed there for good after it was deleted: a 100,000-event
  play kept ~400 MB of them. SQS messages are no longer added; the dashboard's list of them is read from the queues
  (every message that exists); a deleted message goes when nothing uses it.
- `deep_queues_compress_bodies`: a message body stays as it came while its queue holds fewer than 5,000 messages
  behind it; older ones in a deeper queue (a play's 100,000 events nobody consumed) keep their body zlib-compressed
  (an SNS envelope: 1.4 KB -> 0.65 KB) and give it back, the same text, whenever it is read. With
  `deep_unreceived_messages_packed` on, a never-received one is packed whole instead (sqs_packed).
- `deleted_receipt_handles_digested`: each queue remembered the receipt handles of every message it deleted (185
  letters each, with every earlier handle of a redelivered message), so that deleting one again succeeds. It now
  remembers a 64-bit digest of each (`hash`): the same answers (a stranger's handle matches with odds of ~n/2^64).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from typing import Any

from tidings.simulator.engine.embedded.patches import sqs_packed

__all__ = ["replacements"]

_DEEP = 5_000  # messages behind one before its body is compressed
_SMALL = 512  # bodies shorter than this stay as they are


class _QueuedMessages:
    """What the dashboard lists as SQS's `Message` objects: the messages in every queue, read when it asks."""

    def append(self, found: Any) -> None:
        """moto's `BaseModel.__new__` would add every message made; a queue holds the ones that exist."""

    def __iter__(self) -> Iterator[Any]:
        from moto.sqs.models import sqs_backends

        for account in list(sqs_backends.values()):
            for backend in list(dict.values(account)):
                for queue in list(backend.queues.values()):
                    yield from list(queue._messages)


def _new_untracked_message(original: Any, message_class: type) -> Any:
    def __new__(cls: Any, *args: Any, **kwargs: Any) -> Any:
        if cls is not message_class:
            return original(cls, *args, **kwargs)
        if type(cls.__dict__.get("instances_tracked")) is not _QueuedMessages:  # moto's reset puts a list back
            setattr(cls, "instances_tracked", _QueuedMessages())  # noqa: B010 - an attribute moto adds
        return object.__new__(cls)

    return __new__


def _body(message: Any) -> str:
    found = message.__dict__
    if "body" in found:
        return str(found["body"])
    if "_tidings_compressed_body" in found:
        return zlib.decompress(found["_tidings_compressed_body"]).decode("utf-8")
    sqs_packed.unpack(message)  # packed whole (sqs_packed): unpacking gives it a new dict
    return str(message.__dict__["body"])


def _set_body(message: Any, body: str) -> None:
    message.__dict__["body"] = body
    message.__dict__.pop("_tidings_compressed_body", None)


def _compress(message: Any) -> None:
    found = message.__dict__
    body = found.get("body")
    if isinstance(body, str) and len(body) >= _SMALL:
        found["_tidings_compressed_body"] = zlib.compress(body.encode("utf-8"), 1)
        del found["body"]


def _adding_compresses_behind(original: Any) -> Any:
    def add_message(queue: Any, message: Any) -> None:
        original(queue, message)
        messages = queue._messages
        if len(messages) > _DEEP:
            behind = messages[-_DEEP - 1]
            if not (sqs_packed.packing() and sqs_packed.pack(queue, behind)):
                _compress(behind)

    return add_message


class _Digests(set[int]):
    """A queue's `deleted_messages`: what moto adds and asks (receipt handles), kept as 64-bit digests."""

    def add(self, handle: Any) -> None:
        super().add(hash(handle))

    def update(self, *handles: Iterable[Any]) -> None:
        for group in handles:
            super().update(hash(handle) for handle in group)

    def __contains__(self, handle: object) -> bool:
        return super().__contains__(hash(handle))

    def discard(self, handle: Any) -> None:
        super().discard(hash(handle))


def _deleted_messages(queue: Any) -> _Digests:
    found = queue.__dict__.get("_tidings_deleted")
    if found is None:
        found = queue.__dict__["_tidings_deleted"] = _Digests()
    plain = queue.__dict__.get("deleted_messages")
    if plain:  # handles moto added while the patches were off
        found.update(plain)
        plain.clear()
    return found


def _set_deleted_messages(queue: Any, handles: Iterable[Any]) -> None:
    queue.__dict__["_tidings_deleted"] = digests = _Digests()
    digests.update(handles)
    queue.__dict__["deleted_messages"] = set()  # what moto's own code finds should the patches be switched off


def replacements() -> dict[str, list[tuple[Any, str, Any]]]:
    """This module's patches, by name, as the (owner, attribute, replacement) triples each sets."""
    from moto.core.common_models import BaseModel
    from moto.sqs.models import Message, Queue

    return {
        "deep_queues_compress_bodies": [
            (Message, "body", property(_body, _set_body)),
            (Queue, "add_message", _adding_compresses_behind(vars(Queue)["add_message"])),
        ],
        "sqs_messages_listed_from_their_queues": [
            (BaseModel, "__new__", staticmethod(_new_untracked_message(vars(BaseModel)["__new__"], Message))),
        ],
        "deleted_receipt_handles_digested": [
            (Queue, "deleted_messages", property(_deleted_messages, _set_deleted_messages))
        ],
    }
