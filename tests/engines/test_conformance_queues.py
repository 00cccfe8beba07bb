"""SQS behaviour on every engine: the dead-letter queue after maxReceiveCount, redrive (StartMessageMoveTask, or
tidings' receive-send-delete where an engine lacks it), visibility timeouts, batch limits and their errors."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError
from engine_quirks import QUIRKS
from engine_wiring import Wiring

from tidings.simulator.engine.queues import QueueTools


def _with_dead_letter_queue(wiring: Wiring, max_receives: int = 2) -> tuple[str, str]:
    dlq = wiring.queue("dlq")
    policy = {"deadLetterTargetArn": wiring.arn(dlq), "maxReceiveCount": str(max_receives)}
    source = wiring.queue("source", RedrivePolicy=json.dumps(policy))
    return source, dlq


def _dead_letter(wiring: Wiring, source: str, max_receives: int = 2) -> list[int]:
    """Receive the one message in `source` until it moves to the dead-letter queue; the receive counts seen."""
    counts = []
    for _ in range(max_receives + 1):
        batch = wiring.receive(source, visibility=0)
        counts.extend(int(m["Attributes"]["ApproximateReceiveCount"]) for m in batch)
    return counts


def test_a_message_moves_to_the_dead_letter_queue_after_max_receive_count(wiring: Wiring) -> None:
    source, dlq = _with_dead_letter_queue(wiring)
    wiring.sqs.send_message(QueueUrl=source, MessageBody="poison")
    assert _dead_letter(wiring, source) == [1, 2]
    (dead,) = wiring.drain(dlq, expect=1)
    assert dead["Body"] == "poison"


def test_queue_redrive_moves_dead_letters_back_with_their_attributes(wiring: Wiring, engine_name: str) -> None:
    source, dlq = _with_dead_letter_queue(wiring)
    attributes = {"eventType": {"DataType": "String", "StringValue": "order.created"}}
    wiring.sqs.send_message(QueueUrl=source, MessageBody="again", MessageAttributes=attributes)
    _dead_letter(wiring, source)
    result = QueueTools(wiring.engine).redrive(source)
    lacking = QUIRKS["start-message-move-task"].engines
    expected = "receive-send-delete" if engine_name in lacking else "StartMessageMoveTask"
    assert (result.moved, result.method) == (1, expected)
    (back,) = wiring.drain(source, expect=1)
    assert back["Body"] == "again" and back["MessageAttributes"] == attributes
    assert wiring.drain(dlq) == []


def test_start_message_move_task_is_there(wiring: Wiring, quirk: Any) -> None:
    source, dlq = _with_dead_letter_queue(wiring)
    with quirk("start-message-move-task"):
        try:
            task = wiring.sqs.start_message_move_task(SourceArn=wiring.arn(dlq), DestinationArn=wiring.arn(source))
        except ClientError as error:
            raise AssertionError(error.response["Error"]) from None
        assert task["TaskHandle"]


def test_the_redrive_fallback_holds_where_start_message_move_task_is_refused(
    wiring: Wiring, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The paper over ministack's missing StartMessageMoveTask, on every engine: refuse it as ministack does and the
    messages still move back, bodies and attributes kept, none left behind."""
    source, dlq = _with_dead_letter_queue(wiring)
    for n in range(12):  # more than one receive batch
        attributes = {"n": {"DataType": "Number", "StringValue": str(n)}}
        wiring.sqs.send_message(QueueUrl=source, MessageBody=f"m{n}", MessageAttributes=attributes)
    for _ in range(3):
        while wiring.receive(source, visibility=0):
            pass
    assert len(wiring.drain(source)) == 0
    sqs = wiring.engine.client("sqs", retries=False)
    refusal = {"Error": {"Code": "InvalidAction", "Message": "The action StartMessageMoveTask is not valid"}}
    monkeypatch.setattr(sqs, "start_message_move_task", _refuse(refusal))
    result = QueueTools(wiring.engine).redrive(source)
    assert (result.moved, result.method) == (12, "receive-send-delete")
    back = wiring.drain(source, expect=12)
    assert sorted((m["Body"], m["MessageAttributes"]["n"]["StringValue"]) for m in back) == sorted(
        (f"m{n}", str(n)) for n in range(12)
    )
    assert wiring.drain(dlq) == []


def _refuse(answer: dict[str, Any]) -> Any:
    def refuse(**_: Any) -> Any:
        raise ClientError(answer, "StartMessageMoveTask")  # type: ignore[arg-type]

    return refuse


def test_a_received_message_stays_hidden_for_its_visibility_timeout(wiring: Wiring) -> None:
    url = wiring.queue("visibility", VisibilityTimeout="30")
    wiring.sqs.send_message(QueueUrl=url, MessageBody="hidden")
    (first,) = wiring.receive(url, visibility=2)
    assert wiring.receive(url) == []
    time.sleep(2)
    (again,) = wiring.receive(url, wait=3)
    assert again["MessageId"] == first["MessageId"] and again["Attributes"]["ApproximateReceiveCount"] == "2"
    wiring.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=again["ReceiptHandle"], VisibilityTimeout=0)
    assert [m["MessageId"] for m in wiring.receive(url)] == [first["MessageId"]]
    with pytest.raises(ClientError) as refused:
        wiring.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle="not-a-handle", VisibilityTimeout=0)
    assert "ReceiptHandleIsInvalid" in refused.value.response["Error"]["Code"]


def test_batches_take_ten_entries_and_refuse_eleven_or_repeated_ids(wiring: Wiring) -> None:
    topic, url = wiring.topic(), wiring.queue("batch")
    wiring.subscribe(topic, url, RawMessageDelivery=True)
    entries = [{"Id": str(n), "Message": f"e{n}"} for n in range(11)]
    with pytest.raises(ClientError) as refused:
        wiring.sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=entries)
    assert refused.value.response["Error"]["Code"].endswith("TooManyEntriesInBatchRequest")
    with pytest.raises(ClientError) as refused:
        wiring.sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[entries[0], entries[0]])
    assert refused.value.response["Error"]["Code"].endswith("BatchEntryIdsNotDistinct")
    sent = [{"Id": str(n), "MessageBody": f"s{n}"} for n in range(11)]
    with pytest.raises(ClientError) as refused:
        wiring.sqs.send_message_batch(QueueUrl=url, Entries=sent)
    assert refused.value.response["Error"]["Code"].endswith("TooManyEntriesInBatchRequest")
    answer = wiring.sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=entries[:10])
    assert len(answer["Successful"]) == 10 and not answer.get("Failed")
    assert sorted(m["Body"] for m in wiring.drain(url, expect=10)) == sorted(f"e{n}" for n in range(10))


def test_the_queue_redrive_command_works_on_every_engine(wiring: Wiring) -> None:
    """`tidings queue redrive` against the engine's endpoint, as a user runs it (ministack: by the fallback)."""
    from typer.testing import CliRunner

    from tidings.cli.app import app

    source, _dlq = _with_dead_letter_queue(wiring)
    wiring.sqs.send_message(QueueUrl=source, MessageBody="by the command")
    _dead_letter(wiring, source)
    queue = source.rsplit("/", 1)[-1]
    answer = CliRunner().invoke(
        app, ["queue", "redrive", queue, "--endpoint", str(wiring.engine.endpoint_url), "--json"]
    )
    assert answer.exit_code == 0, answer.output
    assert json.loads(answer.stdout)["moved"] == 1
    assert [m["Body"] for m in wiring.drain(source, expect=1)] == ["by the command"]


def test_a_published_message_is_in_the_queue_when_publish_answers(wiring: Wiring, quirk: Any) -> None:
    topic, url = wiring.topic(), wiring.queue("at-once")
    wiring.subscribe(topic, url, RawMessageDelivery=True)
    seen = []
    for n in range(5):
        wiring.sns.publish(TopicArn=topic, Message=f"now {n}")
        seen.append(len(wiring.receive(url, visibility=0)))
    with quirk("sns-delivery-async"):
        assert seen == [1, 2, 3, 4, 5]


def test_the_receive_past_max_receive_count_dead_letters_at_once(wiring: Wiring) -> None:
    source, dlq = _with_dead_letter_queue(wiring, max_receives=1)
    wiring.sqs.send_message(QueueUrl=source, MessageBody="once")
    wiring.receive(source, visibility=0)
    wiring.receive(source, visibility=0)  # the receive that finds it received once already moves it
    depth = wiring.sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"])
    assert depth["Attributes"]["ApproximateNumberOfMessages"] == "1"
