"""Deep, never-received messages packed whole (patches/sqs_packed.py): everything SQS answers about them - receive,
peek, attributes, MessageIds, MD5s, receive counts, visibility, delete, purge - is byte for byte what it is with the
packing off, and what unmodified moto answers."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from tidings.simulator.engine.embedded import patches as moto_patches
from tidings.simulator.engine.embedded.patches import memory, sqs_packed
from tidings.simulator.engine.engines import Engine

_BODIES = [json.dumps({"n": n, "text": "é" * 200 + "x" * n, "detailUrl": f"https://x/{n}"}) for n in range(5)] + [
    "short",
    "ü" * 600,
    json.dumps({"last": True}),
]
_CLOCKS = "SentTimestamp|ApproximateFirstReceiveTimestamp|CreatedTimestamp|LastModifiedTimestamp"
_TIMES = re.compile(rf'"({_CLOCKS})": "[\d.]+"')


def _queue(engine: Engine, name: str) -> Any:
    from moto.sqs.models import sqs_backends

    return sqs_backends["123456789012"][engine.region].queues[name]


def _packed(engine: Engine, name: str) -> int:
    return sum("_tidings_packed" in vars(m) for m in _queue(engine, name)._messages)


def _script(engine: Engine, name: str) -> tuple[list[Any], list[int]]:
    """One queue's life, as the answers a client (and a peek) gets; and how many messages were packed at each
    look."""
    from moto.moto_api._internal import mock_random

    mock_random.seed(13)  # the same MessageIds and receipt handles each time
    sqs, state = engine.client("sqs"), engine.sqs_state()
    assert state is not None
    url = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
    answers: list[Any] = []
    packed: list[int] = []

    def look() -> None:
        packed.append(_packed(engine, name))
        answers.append(state.messages(name))
        answers.append(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"])
        packed.append(_packed(engine, name))

    def receive(**extra: Any) -> list[dict[str, Any]]:
        got = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=2, AttributeNames=["All"], MessageAttributeNames=["All"], **extra
        ).get("Messages", [])
        answers.append(got)
        return list(got)

    for n, body in enumerate(_BODIES):
        attributes = {
            "eventType": {"DataType": "String", "StringValue": f"intervention.{n}"},
            "n": {"DataType": "Number", "StringValue": str(n)},
            "raw": {"DataType": "Binary", "BinaryValue": bytes([n, 0, 255])},
        }
        answers.append(sqs.send_message(QueueUrl=url, MessageBody=body, MessageAttributes=attributes))
    look()
    first = receive(VisibilityTimeout=0)  # visible again at once: its next receive counts 2
    again = receive()
    look()
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=again[1]["ReceiptHandle"], VisibilityTimeout=0)
    third = receive()
    sqs.delete_message(QueueUrl=url, ReceiptHandle=third[0]["ReceiptHandle"])
    sqs.delete_message(QueueUrl=url, ReceiptHandle=third[0]["ReceiptHandle"])  # again: allowed
    entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate([*first, *again])]
    answers.append(sqs.delete_message_batch(QueueUrl=url, Entries=entries))
    look()
    sqs.purge_queue(QueueUrl=url)
    look()
    sqs.delete_queue(QueueUrl=url)
    return [_plain(answer) for answer in answers], packed


def _plain(answer: Any) -> Any:
    """An answer without its HTTP metadata and with its clock readings (which differ between runs) blanked."""
    if isinstance(answer, dict):
        answer = {key: value for key, value in answer.items() if key != "ResponseMetadata"}
    text = _TIMES.sub(r'"\1": "T"', json.dumps(answer, sort_keys=True, default=repr))
    return json.loads(text)


@pytest.fixture
def embedded(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    if engine.kind != "embedded" or not moto_patches.active():
        pytest.skip("the patches concern the embedded engine only")
    monkeypatch.setattr(memory, "_DEEP", 2)  # every message more than 2 deep is packed (or compressed)
    return engine


def test_packed_messages_answer_as_unpacked_ones_and_as_unmodified_moto(
    embedded: Engine, unique: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    name = unique("packed")  # each run deletes its queue: the next makes it again
    packed_answers, packed_counts = _script(embedded, name)
    # 8 sent, the 6 behind the last 2 packed; peeking unpacks none; receiving unpacks what it took; purge: none
    assert packed_counts == [6, 6, 4, 4, 3, 3, 0, 0]
    with monkeypatch.context() as off:
        off.setattr(sqs_packed, "packing", lambda: False)
        plain_answers, plain_counts = _script(embedded, name)
    assert set(plain_counts) == {0}
    assert packed_answers == plain_answers
    moto_patches.revert()
    try:
        moto_answers, _ = _script(embedded, name)
    finally:
        moto_patches.apply()
    # moto draws random values in another order (receipt handles letter by letter): named by first appearance
    drawn = re.compile(r"[a-z]{185}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
    handles: dict[str, str] = {}

    def named(answers: list[Any]) -> Any:
        text = json.dumps(answers)
        for handle in drawn.findall(text):
            handles.setdefault(handle, f"drawn-{len(handles)}")
        return json.loads(drawn.sub(lambda m: handles[m.group(0)], text))

    handles.clear()
    expected = named(moto_answers)
    handles.clear()
    assert named(packed_answers) == expected


def test_a_packed_message_unpacks_on_first_read_in_motos_order(embedded: Engine, unique: Callable[[str], str]) -> None:
    sqs = embedded.client("sqs")
    name = unique("order")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    for body in _BODIES[:4]:
        sqs.send_message(QueueUrl=url, MessageBody=body)
    oldest = _queue(embedded, name)._messages[0]
    assert list(vars(oldest)) == ["_tidings_packed"] and oldest.visible and not oldest.delayed  # class defaults
    assert oldest.body == _BODIES[0]
    assert tuple(vars(oldest)) == sqs_packed._FIELDS  # unpacked for good, in moto's order
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = oldest.nothing
    sqs.delete_queue(QueueUrl=url)
