"""Publishing events to the topic the way the producer does: the envelope built from the catalogue, validated
against its contract *before* anything is sent, SNS message attribute `eventType` plus tracking ids
(`traceparent`, `requestId`), `PublishBatch` for several events, and retries of throttling and server errors
with exponential backoff (4 attempts, as the HMPPS publisher). A publish that finally fails raises
`PublishFailed` with the event and the engine's answer: nothing is dropped silently.

    publisher = Publisher(engine, catalog, applied.topic_arns["hmpps-domain-events"])
    event = publisher.build("intervention.referral.sent", crn="X123456")
    published = publisher.publish(event)            # .message_id, .tracking_id, .traceparent
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from tidings.contracts.errors import EngineError, UsageError
from tidings.contracts.registry.routed import CatalogView
from tidings.simulator.engine.engines import Engine
from tidings.simulator.engine.tracking import Tracking, new_tracking

__all__ = ["MAX_ATTEMPTS", "PublishFailed", "Published", "Publisher"]

MAX_ATTEMPTS = 4
BATCH_LIMIT = 10  # entries per PublishBatch
BATCH_BYTES = 256 * 1024  # total payload per PublishBatch
_RETRYABLE_CODES = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottled",
    "RequestThrottledException",
    "TooManyRequestsException",
    "KMSThrottling",
    "InternalError",
    "InternalFailure",
    "ServiceUnavailable",
}


@dataclass(frozen=True)
class Published:
    """One message on the topic. `event` is None for a raw body that is not a JSON object."""

    event: dict[str, Any] | None
    event_type: str | None
    message_id: str
    tracking_id: str
    traceparent: str


class PublishFailed(EngineError):
    """A publish the engine would not take after the allowed attempts (or refused outright)."""

    def __init__(self, event_type: str | None, body: str, answer: str, attempts: int) -> None:
        self.event_type = event_type
        self.body = body
        self.answer = answer
        self.attempts = attempts
        tries = "1 attempt" if attempts == 1 else f"{attempts} attempts"
        super().__init__(
            f"publishing {event_type or 'a message'} failed after {tries}: {answer}\nevent: {_shortened(body)}",
            hint=_hint(answer, body),
        )


def _hint(answer: str, body: str) -> str:
    if "too long" in answer.lower() or "too large" in answer.lower():
        size = len(body.encode()) / 1024
        return (
            f"an SNS message is at most 256 KiB and this one is {size:,.0f} KiB: keep the event small "
            "(the details belong behind its detailUrl)"
        )
    return "check that the topic exists and the engine is healthy: `tidings topology show`"


@dataclass
class _Outgoing:
    body: str
    event: dict[str, Any] | None
    event_type: str | None
    tracking: Tracking

    def entry(self, entry_id: str) -> dict[str, Any]:
        return {
            "Id": entry_id,
            "Message": self.body,
            "MessageAttributes": self.tracking.message_attributes(self.event_type),
        }

    def published(self, message_id: str) -> Published:
        return Published(self.event, self.event_type, message_id, self.tracking.request_id, self.tracking.traceparent)


class Publisher:
    """Publishes events to one topic of an engine; see the module docstring.

    `on_published` is called with each `Published` (a run timeline records them). `sleep` and `backoff` (the
    first retry's delay in seconds, doubled each time) exist for tests."""

    def __init__(
        self,
        engine: Engine,
        catalog: CatalogView,
        topic_arn: str,
        *,
        base_url: str | None = None,
        on_published: Callable[[Published], None] | None = None,
        backoff: float = 0.1,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.engine = engine
        self.catalog = catalog
        self.topic_arn = topic_arn
        self.base_url = base_url
        self.on_published = on_published
        self.backoff = backoff
        self._sleep = sleep
        self._sns = engine.publishing_client()  # no botocore retries: retried here, as the producer does

    def build(self, event_type: str, *, version: int | None = None, **overrides: Any) -> dict[str, Any]:
        """The contract's example with `overrides` (see `Catalog.example`), validated: UsageError naming each
        JSON pointer if the result breaks the contract."""
        event = self.catalog.example(event_type, version=version, base_url=self.base_url, **overrides)
        self.validate(event)
        return event

    def validate(self, event: dict[str, Any]) -> None:
        """UsageError naming the event type and each JSON pointer where `event` breaks its contract."""
        violations = self.catalog.validate(event)
        if violations:
            lines = "\n".join(f"  {violation}" for violation in violations)
            raise UsageError(
                f"refusing to publish: the {event.get('eventType')} event breaks its contract\n{lines}",
                hint=f"`tidings contracts show {event.get('eventType')}` shows the schema; nothing was published",
            )

    def publish(self, event: dict[str, Any]) -> Published:
        """Validate, then publish one event."""
        self.validate(event)
        return self._publish_one(self._outgoing(event))

    def publish_many(self, events: Iterable[dict[str, Any]], *, validate: bool = True) -> list[Published]:
        """Publish events with `PublishBatch` (≤ 10 and ≤ 256 KiB a batch), in order. With `validate`, every
        event is checked before the first is sent."""
        outgoing = [self._outgoing(event) for event in events]
        if validate:
            for message in outgoing:
                assert message.event is not None
                self.validate(message.event)
        published: list[Published] = []
        for batch in _batches(outgoing):
            published.extend(self._publish_batch(batch) if len(batch) > 1 else [self._publish_one(batch[0])])
        return published

    def publish_raw(self, body: str, *, event_type: str | None = None, tracking: Tracking | None = None) -> Published:
        """Publish `body` as it is - malformed JSON, an event that breaks its contract, an unknown version - for
        poison-message tests. `event_type` becomes the `eventType` attribute (so filter policies still match)."""
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
        event = parsed if isinstance(parsed, dict) else None
        if event_type is None and event is not None and isinstance(event.get("eventType"), str):
            event_type = event["eventType"]
        return self._publish_one(_Outgoing(body, event, event_type, tracking or new_tracking()))

    # -- sending ------------------------------------------------------------------------------------------------

    def _outgoing(self, event: dict[str, Any]) -> _Outgoing:
        event_type = event.get("eventType")
        return _Outgoing(json.dumps(event), event, event_type if isinstance(event_type, str) else None, new_tracking())

    def _publish_one(self, message: _Outgoing) -> Published:
        entry = message.entry("0")
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                answer = self._sns.publish(
                    TopicArn=self.topic_arn, Message=entry["Message"], MessageAttributes=entry["MessageAttributes"]
                )
            except (ClientError, BotoCoreError) as error:
                if not _retryable(error) or attempt == MAX_ATTEMPTS:
                    raise PublishFailed(message.event_type, message.body, _answer(error), attempt) from None
                self._sleep(self.backoff * 2 ** (attempt - 1))
                continue
            return self._done(message.published(answer["MessageId"]))
        raise AssertionError("unreachable")  # pragma: no cover

    def _publish_batch(self, batch: list[_Outgoing]) -> list[Published]:
        results: dict[int, Published] = {}
        pending = dict(enumerate(batch))
        for attempt in range(1, MAX_ATTEMPTS + 1):
            entries = [message.entry(str(index)) for index, message in pending.items()]
            try:
                answer = self._sns.publish_batch(TopicArn=self.topic_arn, PublishBatchRequestEntries=entries)
            except (ClientError, BotoCoreError) as error:
                if not _retryable(error) or attempt == MAX_ATTEMPTS:
                    first = next(iter(pending.values()))
                    raise PublishFailed(first.event_type, first.body, _answer(error), attempt) from None
                self._sleep(self.backoff * 2 ** (attempt - 1))
                continue
            for success in answer.get("Successful", []):
                index = int(success["Id"])
                results[index] = pending.pop(index).published(success["MessageId"])
            failed = answer.get("Failed", [])
            for failure in failed:
                if failure.get("SenderFault") or attempt == MAX_ATTEMPTS:
                    message = pending[int(failure["Id"])]
                    text = f"{failure.get('Code')}: {failure.get('Message')}"
                    raise PublishFailed(message.event_type, message.body, text, attempt)
            if not pending:
                break
            self._sleep(self.backoff * 2 ** (attempt - 1))
        return [self._done(results[index]) for index in sorted(results)]

    def _done(self, published: Published) -> Published:
        if self.on_published is not None:
            self.on_published(published)
        return published


def _batches(messages: list[_Outgoing]) -> Iterator[list[_Outgoing]]:
    batch: list[_Outgoing] = []
    size = 0
    for message in messages:
        length = len(message.body.encode("utf-8")) + 512  # room for the message attributes
        if batch and (len(batch) == BATCH_LIMIT or size + length > BATCH_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(message)
        size += length
    if batch:
        yield batch


def _retryable(error: Exception) -> bool:
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
        return code in _RETRYABLE_CODES or status >= 500 or status == 429
    return True  # connection trouble: worth another attempt


def _answer(error: Exception) -> str:
    if isinstance(error, ClientError):
        answer = error.response.get("Error", {})
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return f"{answer.get('Code')}: {answer.get('Message')} (HTTP {status})"
    return f"{type(error).__name__}: {error}"


def _shortened(body: str, limit: int = 300) -> str:
    return body if len(body) <= limit else body[:limit] + "…"
