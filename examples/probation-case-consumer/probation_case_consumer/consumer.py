"""A probation case service's consumer of the interventions service's referral events.

It long-polls its SQS queue (subscribed to the HMPPS domain events topic for `intervention.referral.*`), and
for each message: unwraps the SNS notification, skips a MessageId it has processed already, checks it is an
event it understands, follows the event's `detailUrl` to the producer's API for the current state of the
referral, and records it in SQLite, all in one transaction with the MessageId. Only then is the message
deleted: a failure leaves it on the queue to be retried, and a message that can never be processed (a poison
message) goes to the dead-letter queue once SQS has handed it out maxReceiveCount times.
"""

from __future__ import annotations

import json
import logging
import os
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .sent_referral import SentReferral
from .store import ReferralStore

__all__ = ["NotProcessable", "ReferralConsumer", "Stats", "fetch_json", "sqs_client"]

log = logging.getLogger("probation_case_consumer")

REFERRAL_EVENTS = "intervention.referral."
SUPPORTED_VERSIONS = {1}


class NotProcessable(Exception):
    """A message this service cannot process: not an SNS notification of a JSON event, or an event with a
    version or shape it does not understand. Retrying will not help; SQS's redrive policy dead-letters it."""


@dataclass
class Stats:
    """What a run of the consumer did."""

    recorded: int = 0
    duplicates: int = 0
    ignored: int = 0
    failures: int = 0


def fetch_json(url: str, *, timeout: float = 5.0) -> dict[str, Any]:
    """GET `url` as JSON (urllib raises on anything but 2xx, so the message is retried)."""
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        found = json.loads(response.read())
    if not isinstance(found, dict):
        raise ValueError(f"{url} did not answer with a JSON object")
    return found


def sqs_client(env: Mapping[str, str] | None = None) -> Any:
    """An SQS client configured the usual way: AWS_ENDPOINT_URL, AWS_REGION and the credential variables."""
    import boto3

    env = os.environ if env is None else env
    return boto3.session.Session().client(
        "sqs",
        endpoint_url=env.get("AWS_ENDPOINT_URL") or None,
        region_name=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "eu-west-2",
        aws_access_key_id=env.get("AWS_ACCESS_KEY_ID") or None,
        aws_secret_access_key=env.get("AWS_SECRET_ACCESS_KEY") or None,
    )


class ReferralConsumer:
    """Consumes one queue into a `ReferralStore`. `retry_delay`: seconds before a failed message is visible
    again (0 retries at once, as tests want; production would back off)."""

    def __init__(
        self,
        sqs: Any,
        queue_url: str,
        store: ReferralStore,
        *,
        fetch: Callable[[str], dict[str, Any]] = fetch_json,
        wait_seconds: int = 20,
        retry_delay: int = 10,
    ) -> None:
        self.sqs = sqs
        self.queue_url = queue_url
        self.store = store
        self.fetch = fetch
        self.wait_seconds = wait_seconds
        self.retry_delay = retry_delay
        self.stats = Stats()

    def run(self, *, until_idle: bool = False, should_stop: Callable[[], bool] = lambda: False) -> Stats:
        """Poll until `should_stop()`, or (with `until_idle`) until the queue has nothing left to process."""
        while not should_stop():
            if self.poll() == 0 and until_idle and self._idle():
                break
        return self.stats

    def poll(self) -> int:
        """Receive one batch (long polling) and process each message; how many were received."""
        answer = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=self.wait_seconds,
            MessageAttributeNames=["All"],
        )
        messages = answer.get("Messages", [])
        for message in messages:
            self._process(message)
        return len(messages)

    def _process(self, message: dict[str, Any]) -> None:
        try:
            outcome = self.handle(message)
        except Exception as error:
            self._retry_later(message, error)
            return
        setattr(self.stats, outcome, getattr(self.stats, outcome) + 1)
        try:
            self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        except Exception as error:  # processed, but SQS will hand it out again: its MessageId makes that a no-op
            self._retry_later(message, error)

    def _retry_later(self, message: dict[str, Any], error: Exception) -> None:
        # Left on the queue: visible again after `retry_delay`, dead-lettered after maxReceiveCount receives.
        self.stats.failures += 1
        log.warning("message %s failed, will be retried: %s", message.get("MessageId"), error)
        self.sqs.change_message_visibility(
            QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=self.retry_delay
        )

    def handle(self, message: dict[str, Any]) -> str:
        """Process one SQS message: "recorded", "duplicates" (its MessageId was seen) or "ignored"."""
        message_id, event = _unwrap(message)
        if self.store.seen(message_id):
            return "duplicates"
        event_type = event.get("eventType")
        if not isinstance(event_type, str) or event.get("version") not in SUPPORTED_VERSIONS:
            raise NotProcessable(f"unsupported event: eventType {event_type!r} version {event.get('version')!r}")
        if not event_type.startswith(REFERRAL_EVENTS):
            self.store.mark_processed(message_id, event_type)
            return "ignored"
        try:
            occurred_at = datetime.fromisoformat(event["occurredAt"])
            referral_id = str(event["additionalInformation"]["referralId"])
            crn = _crn(event)
            detail_url = str(event["detailUrl"])
        except (KeyError, TypeError, ValueError) as error:
            raise NotProcessable(f"{event_type} is missing or has a bad {error}") from None
        detail = self.fetch(detail_url)  # the producer's current state: events say what changed, not everything
        referral = SentReferral.from_json(detail)  # the producer's SentReferralDTO, read as a typed client would
        if (referral.id, referral.service_user_crn) != (referral_id, crn):
            raise ValueError(f"{detail_url} is referral {referral.id} of {referral.service_user_crn}, not the event's")
        end_state = event["additionalInformation"].get("deliveryState")  # only the end events say how it ended
        self.store.record(message_id, event_type, occurred_at, referral_id, crn, referral, end_state=end_state)
        return "recorded"

    def _idle(self) -> bool:
        """Nothing visible and nothing in flight (a failed message waiting for its retry is not idle)."""
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=self.queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return all(int(value) == 0 for value in attributes.values())


def _unwrap(message: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(MessageId, event): the SNS notification's MessageId and Message, or SQS's for raw delivery."""
    try:
        body = json.loads(message["Body"])
        if isinstance(body, dict) and body.get("Type") == "Notification":
            message_id, event = str(body["MessageId"]), json.loads(body["Message"])
        else:
            message_id, event = str(message["MessageId"]), body
    except (KeyError, ValueError) as error:
        raise NotProcessable(f"not an SNS notification of a JSON event: {error}") from None
    if not isinstance(event, dict):
        raise NotProcessable("the event is not a JSON object")
    return message_id, event


def _crn(event: dict[str, Any]) -> str:
    for identifier in event["personReference"]["identifiers"]:
        if identifier.get("type") == "CRN":
            return str(identifier["value"])
    raise KeyError("personReference CRN")
