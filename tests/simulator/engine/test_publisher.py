"""The Publisher: validate before sending, tracking attributes, batches, filter policies, raw delivery, retries."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from tidings.contracts import Catalog, load_catalog
from tidings.contracts.errors import UsageError
from tidings.simulator.engine.engines import Engine
from tidings.simulator.engine.publisher import Publisher, PublishFailed
from tidings.simulator.topology import AppliedTopology, Topology, apply_topology

REFERRAL_SENT = "intervention.referral.sent"
PLAN_SUBMITTED = "intervention.action-plan.submitted"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def _apply(engine: Engine, unique: Callable[[str], str], *subscriptions: dict[str, Any]) -> AppliedTopology:
    topic = unique("events")
    queues = [s["queue"] for s in subscriptions]
    return apply_topology(
        engine,
        Topology.from_dict(
            {
                "topics": [{"name": topic}],
                "queues": [{"name": q} for q in queues],
                "subscriptions": [{"topic": topic, **s} for s in subscriptions],
            }
        ),
    )


def _drain(engine: Engine, url: str, expected: int) -> list[dict[str, Any]]:
    """Receive and delete until `expected` messages came (waiting up to ~10 s), then once more to catch extras."""
    sqs, found = engine.client("sqs"), list[dict[str, Any]]()
    for _ in range(10):
        waiting = len(found) < expected
        answer = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"], WaitTimeSeconds=1 if waiting else 0
        )
        batch = answer.get("Messages", [])
        if batch:
            entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)]
            sqs.delete_message_batch(QueueUrl=url, Entries=entries)
        found.extend(batch)
        if not waiting and not batch:
            break
    return found


def test_an_event_is_published_with_its_type_and_tracking_ids(
    engine: Engine, catalog: Catalog, unique: Callable[[str], str]
) -> None:
    queue = unique("consumer")
    applied = _apply(engine, unique, {"queue": queue})
    seen: list[Any] = []
    publisher = Publisher(engine, catalog, next(iter(applied.topic_arns.values())), on_published=seen.append)
    published = publisher.publish(publisher.build(REFERRAL_SENT, crn="X123456"))
    (message,) = _drain(engine, applied.queue_urls[queue], 1)
    notification = json.loads(message["Body"])
    assert notification["Type"] == "Notification" and notification["MessageId"] == published.message_id
    assert json.loads(notification["Message"]) == published.event
    attributes = {name: value["Value"] for name, value in notification["MessageAttributes"].items()}
    assert attributes == {
        "eventType": REFERRAL_SENT,
        "traceparent": published.traceparent,
        "requestId": published.tracking_id,
    }
    assert seen == [published]


def test_an_invalid_event_is_refused_before_publishing_with_its_json_pointer(
    engine: Engine, catalog: Catalog, unique: Callable[[str], str]
) -> None:
    queue = unique("consumer")
    applied = _apply(engine, unique, {"queue": queue})
    publisher = Publisher(engine, catalog, next(iter(applied.topic_arns.values())))
    event = catalog.example(REFERRAL_SENT, **{"additionalInformation.referralId": 42})
    with pytest.raises(UsageError) as raised:
        publisher.publish(event)
    assert REFERRAL_SENT in str(raised.value)
    assert "/additionalInformation/referralId" in str(raised.value)
    with pytest.raises(UsageError, match="/additionalInformation/referralId"):
        publisher.publish_many([catalog.example(REFERRAL_SENT), event])  # all are checked before the first is sent
    assert _drain(engine, applied.queue_urls[queue], 0) == []


def test_many_events_go_in_batches_and_all_arrive(
    engine: Engine, catalog: Catalog, unique: Callable[[str], str]
) -> None:
    queue = unique("consumer")
    applied = _apply(engine, unique, {"queue": queue, "raw_delivery": True})
    publisher = Publisher(engine, catalog, next(iter(applied.topic_arns.values())))
    events = [catalog.example(REFERRAL_SENT, crn=f"X{n:06d}") for n in range(23)]
    published = publisher.publish_many(events)
    assert [p.event for p in published] == events  # in order
    assert len({p.message_id for p in published}) == 23
    received = _drain(engine, applied.queue_urls[queue], 23)
    assert sorted(json.loads(m["Body"])["personReference"]["identifiers"][0]["value"] for m in received) == [
        f"X{n:06d}" for n in range(23)
    ]


def test_filter_policies_deliver_only_matching_event_types(
    engine: Engine, catalog: Catalog, unique: Callable[[str], str]
) -> None:
    referrals, plans, everything = unique("referrals"), unique("plans"), unique("everything")
    applied = _apply(
        engine,
        unique,
        {"queue": referrals, "filter_policy": {"eventType": [{"prefix": "intervention.referral."}]}},
        {"queue": plans, "filter_policy": {"eventType": [PLAN_SUBMITTED]}},
        {"queue": everything},
    )
    publisher = Publisher(engine, catalog, next(iter(applied.topic_arns.values())))
    publisher.publish_many([catalog.example(REFERRAL_SENT), catalog.example(PLAN_SUBMITTED)])

    def types(queue: str, expected: int) -> list[str]:
        return sorted(
            json.loads(m["Body"])["MessageAttributes"]["eventType"]["Value"]
            for m in _drain(engine, applied.queue_urls[queue], expected)
        )

    assert types(referrals, 1) == [REFERRAL_SENT]
    assert types(plans, 1) == [PLAN_SUBMITTED]
    assert types(everything, 2) == [PLAN_SUBMITTED, REFERRAL_SENT]


def test_a_body_filter_matches_the_event_json(engine: Engine, catalog: Catalog, unique: Callable[[str], str]) -> None:
    queue = unique("crn-only")
    applied = _apply(
        engine,
        unique,
        {
            "queue": queue,
            "filter_scope": "body",
            "filter_policy": {"personReference": {"identifiers": {"value": ["X000001"]}}},
        },
    )
    publisher = Publisher(engine, catalog, next(iter(applied.topic_arns.values())))
    publisher.publish_many([catalog.example(REFERRAL_SENT, crn=crn) for crn in ("X000001", "X000002")])
    (message,) = _drain(engine, applied.queue_urls[queue], 1)
    assert "X000001" in json.loads(message["Body"])["Message"]


def test_raw_delivery_gives_the_bare_event_with_message_attributes(
    engine: Engine, catalog: Catalog, unique: Callable[[str], str]
) -> None:
    queue = unique("raw")
    applied = _apply(engine, unique, {"queue": queue, "raw_delivery": True})
    publisher = Publisher(engine, catalog, next(iter(applied.topic_arns.values())))
    published = publisher.publish(catalog.example(REFERRAL_SENT))
    (message,) = _drain(engine, applied.queue_urls[queue], 1)
    assert json.loads(message["Body"]) == published.event
    attributes = {name: value["StringValue"] for name, value in message["MessageAttributes"].items()}
    assert attributes == {
        "eventType": REFERRAL_SENT,
        "traceparent": published.traceparent,
        "requestId": published.tracking_id,
    }


def test_a_raw_body_is_sent_as_it_is_for_poison_tests(
    engine: Engine, catalog: Catalog, unique: Callable[[str], str]
) -> None:
    queue = unique("poison")
    applied = _apply(engine, unique, {"queue": queue, "raw_delivery": True})
    publisher = Publisher(engine, catalog, next(iter(applied.topic_arns.values())))
    published = publisher.publish_raw(
        '{"eventType": "intervention.referral.sent", "version": ', event_type=REFERRAL_SENT
    )
    assert published.event is None and published.event_type == REFERRAL_SENT
    (message,) = _drain(engine, applied.queue_urls[queue], 1)
    assert message["Body"] == '{"eventType": "intervention.referral.sent", "version": '
    assert message["MessageAttributes"]["eventType"]["StringValue"] == REFERRAL_SENT


def test_a_missing_topic_fails_at_once_with_the_engines_answer(engine: Engine, catalog: Catalog) -> None:
    sleeps: list[float] = []
    topic = f"arn:aws:sns:{engine.region}:123456789012:no-such-topic"
    publisher = Publisher(engine, catalog, topic, sleep=sleeps.append)
    with pytest.raises(PublishFailed) as raised:
        publisher.publish(catalog.example(REFERRAL_SENT))
    assert raised.value.attempts == 1 and sleeps == []
    assert "NotFound" in raised.value.answer
    assert REFERRAL_SENT in str(raised.value) and '"eventType"' in raised.value.body


# --- retries, against a scripted HTTP server that answers like SNS ----------------------------------------------

_SNS_ERROR = (
    '<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>{kind}</Type><Code>{code}</Code>'
    "<Message>{message}</Message></Error><RequestId>r</RequestId></ErrorResponse>"
)
_SNS_PUBLISHED = (
    '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>{id}</MessageId>'
    "</PublishResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></PublishResponse>"
)


class _ScriptedSns(BaseHTTPRequestHandler):
    script: ClassVar[list[tuple[int, str]]] = []
    requests: ClassVar[list[bytes]] = []

    def do_POST(self) -> None:
        self.requests.append(self.rfile.read(int(self.headers["Content-Length"])))
        status, body = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        payload = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def scripted_sns() -> Iterator[tuple[Engine, type[_ScriptedSns]]]:
    handler = type("Handler", (_ScriptedSns,), {"script": [], "requests": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    yield Engine("localstack", url, "eu-west-2", f"scripted SNS at {url}"), handler
    server.shutdown()
    server.server_close()


def test_throttling_is_retried_with_exponential_backoff(
    scripted_sns: tuple[Engine, type[_ScriptedSns]], catalog: Catalog
) -> None:
    engine, server = scripted_sns
    throttled = (400, _SNS_ERROR.format(kind="Sender", code="Throttling", message="Rate exceeded"))
    server.script[:] = [throttled, throttled, (200, _SNS_PUBLISHED.format(id="m-1"))]
    sleeps: list[float] = []
    publisher = Publisher(engine, catalog, "arn:aws:sns:eu-west-2:1:t", sleep=sleeps.append)
    assert publisher.publish(catalog.example(REFERRAL_SENT)).message_id == "m-1"
    assert sleeps == [0.1, 0.2]
    assert len(server.requests) == 3


def test_a_publish_that_keeps_failing_raises_with_the_event_and_the_answer_after_four_attempts(
    scripted_sns: tuple[Engine, type[_ScriptedSns]], catalog: Catalog
) -> None:
    engine, server = scripted_sns
    server.script[:] = [(503, _SNS_ERROR.format(kind="Receiver", code="ServiceUnavailable", message="try later"))]
    sleeps: list[float] = []
    publisher = Publisher(engine, catalog, "arn:aws:sns:eu-west-2:1:t", sleep=sleeps.append)
    event = catalog.example(REFERRAL_SENT)
    with pytest.raises(PublishFailed) as raised:
        publisher.publish_many([event, catalog.example(REFERRAL_SENT)])
    assert raised.value.attempts == 4 and sleeps == [0.1, 0.2, 0.4]
    assert "ServiceUnavailable: try later (HTTP 503)" in raised.value.answer
    assert json.loads(raised.value.body) == event
    assert raised.value.exit_code == 2
