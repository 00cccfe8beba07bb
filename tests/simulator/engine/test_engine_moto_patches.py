"""moto speed fixes (simulator/engine/embedded/patches/): each behaviour they touch is checked with the patches on and
off, so a fix that changed what moto does would fail here."""

from __future__ import annotations

import base64
import itertools
import json
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tidings.simulator.engine.embedded import patches as moto_patches
from tidings.simulator.engine.embedded.patches import dispatch
from tidings.simulator.engine.engines import Engine


@pytest.fixture(params=["patched", "unpatched"])
def local(request: pytest.FixtureRequest, engine: Engine) -> Iterator[Engine]:
    """The session's embedded engine, with moto's code patched or as published."""
    if engine.kind != "embedded":
        pytest.skip("the patches concern the embedded engine only")
    if request.param == "unpatched":
        moto_patches.revert()
    try:
        assert moto_patches.active() == (request.param == "patched")
        yield engine
    finally:
        moto_patches.apply()


_numbers = itertools.count()


def _queue(engine: Engine, unique: Callable[[str], str], **attributes: str) -> str:
    name = unique(f"q{next(_numbers)}") + (".fifo" if attributes.get("FifoQueue") == "true" else "")
    return str(engine.client("sqs").create_queue(QueueName=name, Attributes=attributes)["QueueUrl"])


def test_queue_counts_are_right(local: Engine, unique: Callable[[str], str]) -> None:
    sqs, url = local.client("sqs"), _queue(local, unique)
    sqs.send_message(QueueUrl=url, MessageBody="in flight")
    sqs.send_message(QueueUrl=url, MessageBody="visible")
    sqs.send_message(QueueUrl=url, MessageBody="delayed", DelaySeconds=60)
    (received,) = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, VisibilityTimeout=60)["Messages"]
    assert received["Body"] == "in flight"
    everything = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert everything["ApproximateNumberOfMessages"] == "1"
    assert everything["ApproximateNumberOfMessagesNotVisible"] == "1"
    assert everything["ApproximateNumberOfMessagesDelayed"] == "1"
    assert everything["VisibilityTimeout"] == "30" and everything["QueueArn"].endswith(url.rsplit("/", 1)[-1])
    named = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "DelaySeconds"])
    assert named["Attributes"] == {"ApproximateNumberOfMessages": "1", "DelaySeconds": "0"}
    with pytest.raises(ClientError):
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["NoSuchAttribute"])


def test_fifo_content_based_deduplication_still_reads_the_setting(local: Engine, unique: Callable[[str], str]) -> None:
    sqs = local.client("sqs")
    url = _queue(local, unique, FifoQueue="true", ContentBasedDeduplication="true")
    for _ in range(2):
        sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="g")
    assert len(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]) == 1


def test_messages_come_in_order_and_long_polling_sees_a_late_one(local: Engine, unique: Callable[[str], str]) -> None:
    sqs, url = local.client("sqs"), _queue(local, unique)
    for n in range(15):
        sqs.send_message(QueueUrl=url, MessageBody=str(n))
    first = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    rest = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in first + rest] == [str(n) for n in range(15)]
    late = threading.Timer(0.3, lambda: sqs.send_message(QueueUrl=url, MessageBody="late"))
    late.start()
    started = time.monotonic()
    answer = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5)
    late.join()
    assert [m["Body"] for m in answer["Messages"]] == ["late"] and time.monotonic() - started < 4


def test_delete_keeps_its_rules(local: Engine, unique: Callable[[str], str]) -> None:
    sqs, url = local.client("sqs"), _queue(local, unique)
    sqs.send_message(QueueUrl=url, MessageBody="a")
    sqs.send_message(QueueUrl=url, MessageBody="b")
    (first,) = sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)["Messages"]
    (again,) = sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)["Messages"]
    assert first["MessageId"] == again["MessageId"] and first["ReceiptHandle"] != again["ReceiptHandle"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"])  # an older handle still deletes
    sqs.delete_message(QueueUrl=url, ReceiptHandle=again["ReceiptHandle"])  # deleting twice is allowed
    with pytest.raises(ClientError, match="ReceiptHandleIsInvalid"):
        sqs.delete_message(QueueUrl=url, ReceiptHandle="not-a-handle")
    (left,) = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert left["Body"] == "b"
    assert len(left["ReceiptHandle"]) == 185 and left["ReceiptHandle"].isalpha() and left["ReceiptHandle"].islower()


def test_received_attributes_are_filtered_without_changing_the_message(
    local: Engine, unique: Callable[[str], str]
) -> None:
    sqs, url = local.client("sqs"), _queue(local, unique)
    attributes = {name: {"DataType": "String", "StringValue": name} for name in ("eventType", "traceparent")}
    sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes=attributes)
    (some,) = sqs.receive_message(QueueUrl=url, VisibilityTimeout=0, MessageAttributeNames=["eventType"])["Messages"]
    assert set(some["MessageAttributes"]) == {"eventType"}
    (every,) = sqs.receive_message(QueueUrl=url, VisibilityTimeout=0, MessageAttributeNames=["All"])["Messages"]
    assert set(every["MessageAttributes"]) == {"eventType", "traceparent"}


def test_dead_lettering_after_max_receive_count(local: Engine, unique: Callable[[str], str]) -> None:
    sqs = local.client("sqs")
    dlq = _queue(local, unique)
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    url = _queue(local, unique, RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2}))
    sqs.send_message(QueueUrl=url, MessageBody="poison")
    for _ in range(2):
        assert len(sqs.receive_message(QueueUrl=url, VisibilityTimeout=0).get("Messages", [])) == 1
    assert sqs.receive_message(QueueUrl=url, VisibilityTimeout=0).get("Messages", []) == []
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=dlq)["Messages"]] == ["poison"]


def _notifications(local: Engine, unique: Callable[[str], str], raw: bool) -> tuple[list[dict[str, Any]], str]:
    sns, sqs = local.client("sns"), local.client("sqs")
    topic = sns.create_topic(Name=unique("t"))["TopicArn"]
    urls = [_queue(local, unique) for _ in range(2)]
    for index, url in enumerate(urls):
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        attributes = {"FilterPolicy": json.dumps({"eventType": [{"prefix": "intervention."}]})}
        if raw and index == 1:
            attributes["RawMessageDelivery"] = "true"
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes=attributes)
    message_attributes = {"eventType": {"DataType": "String", "StringValue": "intervention.referral.sent"}}
    sns.publish(TopicArn=topic, Message='{"a": 1}', MessageAttributes=message_attributes)
    sns.publish(
        TopicArn=topic,
        Message='{"a": 2}',
        MessageAttributes={"eventType": {"DataType": "String", "StringValue": "other"}},
    )
    bodies = []
    for url in urls:
        (message,) = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"])[
            "Messages"
        ]
        bodies.append(message)
    return bodies, topic


def test_notifications_are_signed_verifiably_and_filters_and_raw_delivery_hold(
    local: Engine, unique: Callable[[str], str]
) -> None:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    (first, second), topic = _notifications(local, unique, raw=True)
    assert second["Body"] == '{"a": 1}'  # raw delivery: the bare message, its attributes as SQS attributes
    assert second["MessageAttributes"]["eventType"]["StringValue"] == "intervention.referral.sent"
    envelope = json.loads(first["Body"])
    assert envelope["Message"] == '{"a": 1}' and envelope["TopicArn"] == topic
    assert envelope["MessageAttributes"] == {"eventType": {"Type": "String", "Value": "intervention.referral.sent"}}
    assert envelope["SignatureVersion"] == "2"
    keys = sns_backends[DEFAULT_ACCOUNT_ID][local.region]._message_public_keys
    certificate = x509.load_pem_x509_certificate(keys[envelope["SigningCertURL"].rsplit("/", 1)[-1]])
    signed = "".join(f"{k}\n{envelope[k]}\n" for k in ("Message", "MessageId", "Timestamp", "TopicArn", "Type"))
    public_key = certificate.public_key()
    assert isinstance(public_key, rsa.RSAPublicKey)
    public_key.verify(base64.b64decode(envelope["Signature"]), signed.encode(), padding.PKCS1v15(), hashes.SHA256())


def test_deliveries_of_one_publish_share_one_signature_when_patched(
    local: Engine, unique: Callable[[str], str]
) -> None:
    (first, second), _ = _notifications(local, unique, raw=False)
    one, two = json.loads(first["Body"]), json.loads(second["Body"])
    assert one["MessageId"] == two["MessageId"]
    # moto's layout of the envelope, pretty-printed with sorted keys, whether rendered once or per delivery
    assert first["Body"] == json.dumps(one, sort_keys=True, indent=2, separators=(",", ": "))
    if moto_patches.active():
        assert first["Body"] == second["Body"]  # one timestamp, one signature, one rendering per publish


def test_routing_and_dispatch_are_unchanged(local: Engine) -> None:
    import moto.backends
    import moto.core.responses
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from moto.sqs.responses import SQSResponse

    modules = list(moto.backends.list_of_moto_modules())
    assert "sqs" in modules and "sns" in modules and modules == list(moto.backends.list_of_moto_modules())
    dispatcher = DomainDispatcherApplication(create_backend_app)
    assert dispatcher.get_backend_for_host("sqs.eu-west-2.amazonaws.com") == "sqs"
    assert dispatcher.get_backend_for_host("sns.eu-west-2.amazonaws.com") == "sns"
    actions = moto.core.responses.method_names_from_class(SQSResponse)
    assert "receive_message" in actions and "no_such_action" not in actions
    request_id = local.client("sqs").list_queues()["ResponseMetadata"]["RequestId"]
    assert len(request_id) == 52 and request_id.isalnum()


def test_every_queue_setting_is_reported_as_moto_reports_it(engine: Engine, unique: Callable[[str], str]) -> None:
    if engine.kind != "embedded":
        pytest.skip("the patches concern the embedded engine only")
    sqs = engine.client("sqs")
    dlq = _queue(engine, unique, FifoQueue="true")
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    url = _queue(
        engine,
        unique,
        FifoQueue="true",
        ContentBasedDeduplication="true",
        KmsMasterKeyId="alias/aws/sqs",
        Policy=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:*"}]}),
        RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5}),
    )
    sqs.send_message(QueueUrl=url, MessageBody="one", MessageGroupId="g")
    patched = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    moto_patches.revert()
    try:
        published = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    finally:
        moto_patches.apply()
    assert patched == published
    assert patched["ApproximateNumberOfMessages"] == "1" and patched["KmsMasterKeyId"] == "alias/aws/sqs"


def test_patches_apply_only_to_the_moto_they_were_written_for(monkeypatch: pytest.MonkeyPatch) -> None:
    import moto

    moto_patches.revert()
    try:
        monkeypatch.setattr(moto, "__version__", "99.0.0")
        monkeypatch.setattr(moto_patches, "_warned", False)
        with pytest.warns(RuntimeWarning, match="written for moto 5.2.5, found 99.0.0"):
            assert moto_patches.apply() is False
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert moto_patches.apply() is False  # warned once only
        assert not moto_patches.active()
    finally:
        monkeypatch.undo()
        moto_patches.apply()
    assert moto_patches.active()


def test_patches_can_be_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    moto_patches.revert()
    try:
        monkeypatch.setenv("TIDINGS_MOTO_PATCHES", "0")
        assert moto_patches.apply() is False and not moto_patches.active()
    finally:
        monkeypatch.undo()
        moto_patches.apply()
    assert moto_patches.active()


def test_moto_knows_the_regions_botocore_knows(local: Engine) -> None:
    import boto3
    from moto.sqs.models import sqs_backends

    fresh = boto3.session.Session()
    expected = [r for p in fresh.get_available_partitions() for r in fresh.get_available_regions("sqs", p)]
    account = f"{next(_numbers) % 10**12:012d}"  # a new account: moto lists the regions again
    assert sqs_backends[account].regions == expected and "eu-west-2" in expected


def test_a_publish_batch_parses_every_entry_and_attribute(local: Engine, unique: Callable[[str], str]) -> None:
    sns, sqs = local.client("sns"), local.client("sqs")
    url = _queue(local, unique)
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    topic = sns.create_topic(Name=unique(f"batch{next(_numbers)}"))["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    entries = [
        {
            "Id": f"e{n}",
            "Message": f"message {n}",
            "MessageAttributes": {f"a{k}": {"DataType": "String", "StringValue": f"{n}.{k}"} for k in range(1 + n % 3)},
        }
        for n in range(10)  # ids e1 and e10 share a prefix, as do attribute lists 1 and 10 in the query
    ]
    assert len(sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=entries)["Successful"]) == 10
    seen: dict[str, dict[str, str]] = {}
    while len(seen) < 10:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"])
        for message in batch.get("Messages", []):
            attributes = message.get("MessageAttributes", {})
            seen[message["Body"]] = {name: value["StringValue"] for name, value in attributes.items()}
    assert seen == {f"message {n}": {f"a{k}": f"{n}.{k}" for k in range(1 + n % 3)} for n in range(10)}


def test_the_prefix_question_is_answered_as_moto_does() -> None:
    from moto.core.parse import QueryParser

    def moto_5_2_5(query_params: dict[str, str], prefix: str) -> bool:  # QueryParser._gonna_recurse, as published
        return prefix != "" and not any(key.startswith(prefix) for key in query_params)

    names = {"A.member.1.X": "", "A.member.10.Y": "", "A.member.2": "", "B": "", "Ab.c": ""}
    prefixes = ["", "A", "A.member.1", "A.member.1.", "A.member.3", "A.member.10.Y.Z", "B.x", "Ab", "C", "a", "~"]
    parser = object.__new__(QueryParser)
    for prefix in prefixes:
        assert dispatch._has_no_key_starting_with(parser, names, prefix) == moto_5_2_5(names, prefix), prefix


def test_sns_keeps_no_copy_of_what_it_published_but_still_delivers_it(
    local: Engine, unique: Callable[[str], str]
) -> None:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    bodies, topic = _notifications(local, unique, raw=True)
    assert json.loads(json.loads(bodies[0]["Body"])["Message"]) == {"a": 1} and json.loads(bodies[1]["Body"]) == {
        "a": 1
    }
    kept = sns_backends[DEFAULT_ACCOUNT_ID][local.region].topics[topic].sent_notifications
    assert len(kept) == (0 if moto_patches.active() else 2)
