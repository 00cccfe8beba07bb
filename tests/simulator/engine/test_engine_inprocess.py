"""The in-process transport (simulator/engine/embedded/inprocess.py): the embedded engine's own clients skip the socket,
share moto's state with clients over HTTP, and `TIDINGS_INPROCESS=0` puts them back on the socket."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from tidings.simulator.engine.embedded import inprocess as inprocess_transport
from tidings.simulator.engine.engines import Engine, start_engine


class _SocketUsed(Exception):
    pass


@pytest.fixture
def fresh_engine() -> Iterator[Engine]:
    with start_engine("embedded") as engine:
        yield engine


def _over_http(engine: Engine) -> Any:
    env = engine.env
    return boto3.client(
        "sqs",
        endpoint_url=env["AWS_ENDPOINT_URL"],
        region_name=env["AWS_REGION"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )


def test_the_engines_own_clients_need_no_socket(monkeypatch: pytest.MonkeyPatch, fresh_engine: Engine) -> None:
    monkeypatch.setenv(inprocess_transport.SWITCH_VARIABLE, "1")
    over_http = _over_http(fresh_engine)  # created before sockets are refused; used after they are allowed
    monkeypatch.setattr("botocore.httpsession.URLLib3Session.send", _refuse)
    sqs, sns = fresh_engine.client("sqs"), fresh_engine.client("sns")
    url = sqs.create_queue(QueueName="inprocess-q", Attributes={"VisibilityTimeout": "7"})["QueueUrl"]
    topic = sns.create_topic(Name="inprocess-t")["TopicArn"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    sns.publish(TopicArn=topic, Message="héllo", MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}})
    (message,) = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"])["Messages"]
    assert message["Body"] == "héllo"
    assert message["MessageAttributes"]["k"]["StringValue"] == "v"
    with pytest.raises(ClientError) as missing:
        sqs.get_queue_url(QueueName="inprocess-no-such-queue")
    assert "NonExistentQueue" in missing.value.response["Error"]["Code"]
    monkeypatch.undo()
    # A client over HTTP (another process, in effect) sees the same moto state.
    attributes = over_http.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])["Attributes"]
    assert attributes["VisibilityTimeout"] == "7"


def _refuse(self: Any, request: Any) -> Any:
    raise _SocketUsed(request.url)


def test_switched_off_the_clients_go_over_the_socket(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(inprocess_transport.SWITCH_VARIABLE, "0")
    with start_engine("embedded") as engine:
        sqs = engine.client("sqs")
        assert "QueueUrls" not in sqs.list_queues(QueueNamePrefix="inprocess-none")  # over HTTP: works
        monkeypatch.setattr("botocore.httpsession.URLLib3Session.send", _refuse)
        with pytest.raises(_SocketUsed):
            engine.client("sns").list_topics()


def test_a_client_kept_after_stop_fails_as_over_http(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(inprocess_transport.SWITCH_VARIABLE, "1")
    engine = start_engine("embedded")
    sqs = engine.client("sqs", retries=False)
    sqs.list_queues()
    engine.stop()
    with pytest.raises(EndpointConnectionError):
        sqs.list_queues()


@pytest.mark.parametrize("value", ["0", "false", "OFF", "no"])
def test_the_switch_reads_the_usual_words_for_off(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(inprocess_transport.SWITCH_VARIABLE, value)
    assert not inprocess_transport.enabled_by_environment()
    monkeypatch.setenv(inprocess_transport.SWITCH_VARIABLE, "1")
    assert inprocess_transport.enabled_by_environment()
