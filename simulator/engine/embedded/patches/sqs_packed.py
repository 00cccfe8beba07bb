"""Messages deep in a queue that nobody received, kept packed (moto 5.2.5; registered in `patches/__init__.py`).

- `deep_unreceived_messages_packed`: a play's messages in a consumer queue nobody reads (`intervention-events`)
  cost ~2.6 KB each even with the body compressed: moto's message keeps fifteen attributes in its own dict
  (~1.7 KB with the id, the timestamps and the empty containers). A never-received message more than 5,000 deep
  is now one zlib record (its fifteen values pickled, compressed against a preset dictionary: the queue's first
  packed message) - ~0.57 KB (tracemalloc, 20,000 events). The attributes a queue scan reads (`visible_at`,
  `delayed_until`, `receipt_handle`) are class-level defaults, the values every packed message has; reading any
  other attribute (receiving it, changing its visibility, the dashboard) unpacks the message for good, in moto's
  own order. Peeking (`sqs_state.messages`) reads packed messages without unpacking them (`fields`).
  Measured with `bench/engines.py --only memory --memory-events 100000` (a `caseload` play, 99,988 events):
  516.5 -> 448.5 MB peak RSS. The benchmark's 2,000-event workload never packs (its queues stay under 5,000 deep)
  and its CPU per event is unchanged (tidings-up 0.67 / 0.54 ms before / after: noise on a shared machine).
"""

from __future__ import annotations

import pickle
import threading
import zlib
from typing import Any

__all__ = ["fields", "pack", "packing", "replacements"]

_PACKED = "_tidings_packed"  # a packed message's __dict__: two bytes of dictionary index, then the zlib record
_DICTIONARY = "_tidings_dictionary"  # a queue's preset dictionary: its index in _DICTIONARIES
# moto 5.2.5's Message.__init__, in its order: a message with exactly these (and the defaults below) is packed.
_FIELDS = (
    "id",
    "body",
    "message_attributes",
    "receipt_handle",
    "_old_receipt_handles",
    "sender_id",
    "sent_timestamp",
    "approximate_first_receive_timestamp",
    "approximate_receive_count",
    "deduplication_id",
    "group_id",
    "sequence_number",
    "visible_at",
    "delayed_until",
    "system_attributes",
)
_DEFAULTS: dict[str, Any] = {"visible_at": 0.0, "delayed_until": 0.0, "receipt_handle": None}
_MAX_DICTIONARIES = 65_536  # beyond this many deep queues in one process, messages stay as moto made them
_DICTIONARIES: list[bytes] = []
_unpacking = threading.Lock()


def packing() -> bool:
    """Whether the patch is on (memory's deep-queue hook packs rather than compresses when it is)."""
    from moto.sqs.models import Message

    return vars(Message).get("__getattr__") is _unpacking_getattr


def _never_received(found: dict[str, Any]) -> bool:
    return (
        tuple(found) == _FIELDS
        and found["approximate_receive_count"] == 0
        and not found["_old_receipt_handles"]
        and all(type(found[name]) is type(value) and found[name] == value for name, value in _DEFAULTS.items())
    )


def pack(queue: Any, message: Any) -> bool:
    """Pack `message` (deep in `queue`) if it was never received; returns whether it was."""
    found = message.__dict__
    if not _never_received(found):
        return False
    try:
        record = pickle.dumps(tuple(found.values()), protocol=5)
    except (pickle.PicklingError, TypeError, AttributeError):
        return False
    index = queue.__dict__.get(_DICTIONARY)
    if index is None:
        if len(_DICTIONARIES) >= _MAX_DICTIONARIES:
            return False
        index = queue.__dict__[_DICTIONARY] = len(_DICTIONARIES)
        _DICTIONARIES.append(record)  # the first packed message: the shape of the ones after it
    packer = zlib.compressobj(9, zdict=_DICTIONARIES[index])
    # One bytes object (the index its first two bytes, not a tuple beside it): ~60 bytes a message less.
    blob = index.to_bytes(2, "big") + packer.compress(record) + packer.flush()
    with _unpacking:  # one swap of the whole dict: a reader finds the attributes or the record, never neither
        message.__dict__ = {_PACKED: blob}
    return True


def _values(packed: bytes) -> dict[str, Any]:
    unpacker = zlib.decompressobj(zdict=_DICTIONARIES[int.from_bytes(packed[:2], "big")])
    return dict(zip(_FIELDS, pickle.loads(unpacker.decompress(packed[2:]) + unpacker.flush()), strict=True))


def fields(message: Any) -> dict[str, Any] | None:
    """A packed message's attributes (what was written since overriding), without unpacking it; None when the
    message is not packed."""
    found = message.__dict__
    packed = found.get(_PACKED)
    if packed is None:
        return None
    values = _values(packed)
    values.update((name, value) for name, value in found.items() if name != _PACKED)
    return values


def unpack(message: Any) -> None:
    """Give a packed message its attributes back, in moto's order (attributes written while packed win). Under a
    lock, and without a moment in which another thread (`tidings up` serves several) finds it neither packed nor
    unpacked: the whole dict is swapped at once."""
    with _unpacking:
        values = fields(message)
        if values is not None:
            message.__dict__ = values


def _unpacking_getattr(message: Any, name: str) -> Any:
    """Called only for attributes the message's dict lacks: a packed message's are in its record."""
    if _PACKED not in message.__dict__ or name.startswith("__"):
        raise AttributeError(f"'{type(message).__name__}' object has no attribute '{name}'")
    unpack(message)
    return getattr(message, name)


def _dir_unpacks(message: Any) -> list[str]:
    unpack(message)  # moto's dashboard lists what dir() names
    return list(object.__dir__(message))


def replacements() -> dict[str, list[tuple[Any, str, Any]]]:
    """This module's patch, by name, as the (owner, attribute, replacement) triples it sets."""
    from moto.sqs.models import Message

    return {
        "deep_unreceived_messages_packed": [
            (Message, "__getattr__", _unpacking_getattr),
            (Message, "__dir__", _dir_unpacks),
            *((Message, name, value) for name, value in _DEFAULTS.items()),
        ]
    }
