"""What moto keeps (patches/memory.py): deleted messages are let go, and everything that can still be read back -
through SQS, or through moto's dashboard data - still can, with the patches on and off."""

from __future__ import annotations

import gc
import hashlib
import json
import urllib.request
from collections.abc import Callable, Iterator

import pytest
from botocore.exceptions import ClientError

from tidings.simulator.engine.embedded import patches as moto_patches
from tidings.simulator.engine.engines import Engine


@pytest.fixture(params=["patched", "unpatched"])
def local(request: pytest.FixtureRequest, engine: Engine) -> Iterator[Engine]:
    if engine.kind != "embedded":
        pytest.skip("the patches concern the embedded engine only")
    if request.param == "unpatched":
        moto_patches.revert()
    try:
        yield engine
    finally:
        moto_patches.apply()


def _tracked_bodies() -> list[str]:
    from moto.sqs.models import Message

    gc.collect()
    return [message.body for message in Message.instances_tracked]


def test_deleted_messages_are_let_go_and_live_ones_stay_listed(local: Engine, unique: Callable[[str], str]) -> None:
    sqs = local.client("sqs")
    url = sqs.create_queue(QueueName=unique("kept"))["QueueUrl"]
    tag = unique("body")
    for n in range(6):
        sqs.send_message(QueueUrl=url, MessageBody=f"{tag}-{n}")
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=4)["Messages"]
    entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(received)]
    assert len(sqs.delete_message_batch(QueueUrl=url, Entries=entries)["Successful"]) == 4
    mine = sorted({body for body in _tracked_bodies() if body.startswith(tag)})
    from moto.sqs.models import Message

    if isinstance(Message.instances_tracked, list):  # moto's own list: every message (and every copy) it made
        assert mine == [f"{tag}-{n}" for n in range(6)]
    else:  # tracked while alive (once patched, whether the patch is still on or not)
        assert mine == [f"{tag}-4", f"{tag}-5"]
    # moto's dashboard still shows the queue and the messages in it
    with urllib.request.urlopen(f"{local.endpoint_url}/moto-api/data.json", timeout=10) as answer:
        data = json.load(answer)
    assert any(q["name"] == url.rsplit("/", 1)[-1] for q in data["sqs"]["Queue"])
    listed = {m["body"] for m in data["sqs"]["Message"] if m["body"].startswith(tag)}
    assert {f"{tag}-4", f"{tag}-5"} <= listed
    rest = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert sorted(m["Body"] for m in rest) == [f"{tag}-4", f"{tag}-5"]


def test_a_deleted_handle_deletes_again_and_a_strangers_does_not(local: Engine, unique: Callable[[str], str]) -> None:
    from moto.sqs.exceptions import ReceiptHandleIsInvalid  # noqa: F401 - the error moto answers

    sqs = local.client("sqs")
    url = sqs.create_queue(QueueName=unique("twice"), Attributes={"VisibilityTimeout": "0"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="once")
    first = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    second = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]  # redelivered: a new handle
    assert first != second
    sqs.delete_message(QueueUrl=url, ReceiptHandle=second)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=second)  # again: allowed
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first)  # an earlier handle of the same message: allowed
    with pytest.raises(ClientError, match="ReceiptHandleIsInvalid"):
        sqs.delete_message(QueueUrl=url, ReceiptHandle="x" * 185)
    from moto.sqs.models import sqs_backends

    queue = sqs_backends["123456789012"][local.region].queues[url.rsplit("/", 1)[-1]]
    if moto_patches.active():
        assert all(type(kept) is int for kept in queue.deleted_messages)  # digests, not 185-letter handles
    assert second in queue.deleted_messages and first in queue.deleted_messages


def test_tracking_survives_motos_reset_of_the_lists(engine: Engine, unique: Callable[[str], str]) -> None:
    if engine.kind != "embedded" or not moto_patches.active():
        pytest.skip("the patches concern the embedded engine only")
    from moto.sqs.models import Message

    saved = Message.instances_tracked
    try:
        Message.instances_tracked = []  # what moto's reset does to every model class
        sqs = engine.client("sqs")
        url = sqs.create_queue(QueueName=unique("reset"))["QueueUrl"]
        tag = unique("after")
        sqs.send_message(QueueUrl=url, MessageBody=tag)
        assert tag in _tracked_bodies() and not isinstance(Message.instances_tracked, list)
        handle = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
        sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)
        assert tag not in _tracked_bodies()
    finally:
        Message.instances_tracked = saved


def test_bodies_deep_in_a_queue_are_kept_compressed_and_read_back_the_same(
    engine: Engine, unique: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    if engine.kind != "embedded" or not moto_patches.active():
        pytest.skip("the patches concern the embedded engine only")
    from moto.sqs.models import sqs_backends

    from tidings.simulator.engine.embedded.patches import memory

    monkeypatch.setattr(memory, "_DEEP", 3)
    sqs = engine.client("sqs")
    url = sqs.create_queue(QueueName=unique("deep"))["QueueUrl"]
    bodies = [json.dumps({"n": n, "text": "é" * 300 + "x" * n}) for n in range(6)] + ["short"]
    for body in bodies:
        sqs.send_message(QueueUrl=url, MessageBody=body)
    queue = sqs_backends["123456789012"][engine.region].queues[url.rsplit("/", 1)[-1]]
    # all but the last 3 (and short ones): their body compressed, or (never received) the whole message packed
    small = {"_tidings_compressed_body", "_tidings_packed"}
    compressed = [bool(small & set(m.__dict__)) for m in queue._messages]
    assert compressed == [True, True, True, True, False, False, False]
    got = []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        got += batch
    assert [m["Body"] for m in got] == bodies
    assert all(m["MD5OfBody"] == hashlib.md5(m["Body"].encode()).hexdigest() for m in got)
