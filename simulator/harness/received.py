"""A message as a test receives it: the event unwrapped from its SNS notification, its attributes, its ids, and,
for a message that is not a good event, `problem`: what is wrong with it, starting with the poison kind
(`malformed`, `invalid`, `unknown-version`, `unknown-type`), judged against the contracts when a catalogue is
given. Also how tests match received events (`event_matches`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tidings.contracts import unwrap_notification
from tidings.contracts.errors import TidingsError
from tidings.contracts.registry.routed import CatalogView

__all__ = ["PROBLEM_KINDS", "Received", "decode", "event_matches", "problem_of"]

PROBLEM_KINDS = ("malformed", "invalid", "unknown-version", "unknown-type")


@dataclass(frozen=True)
class Received:
    """One message received from a queue.

    `event` is the domain event, unwrapped from the SNS notification unless the subscription is raw (None when
    the body is not a JSON object: `problem` says why). `attributes` are the message attributes, flat.
    `message_id` is the SNS MessageId (what `emit()` and `Run.events` report) for notifications, SQS's own
    for raw delivery; `sqs_message_id` is always SQS's. `raw` is the SQS message as boto3 returns it."""

    event: dict[str, Any] | None
    attributes: dict[str, str]
    message_id: str
    receipt_handle: str
    raw: dict[str, Any] = field(repr=False)
    sqs_message_id: str = ""
    problem: str | None = None

    @property
    def body(self) -> str:
        """The SQS message body as it arrived."""
        return str(self.raw.get("Body", ""))

    @property
    def event_type(self) -> str | None:
        """The event's `eventType`, else the `eventType` message attribute (set even on poison messages)."""
        found = (self.event or {}).get("eventType") or self.attributes.get("eventType")
        return found if isinstance(found, str) else None

    @property
    def receive_count(self) -> int | None:
        """How many times SQS has handed this message out (ApproximateReceiveCount)."""
        count = (self.raw.get("Attributes") or {}).get("ApproximateReceiveCount")
        return int(count) if count is not None else None

    @property
    def problem_kind(self) -> str | None:
        """The poison kind `problem` names (malformed, invalid, unknown-version, unknown-type), or None."""
        if self.problem is None:
            return None
        kind = self.problem.split(":", 1)[0]
        return kind if kind in PROBLEM_KINDS else "malformed"

    def describe(self) -> str:
        """One line for failure messages: event type, CRN, ids and, for a message that is not an event, why."""
        parts = [self.event_type or "(no eventType)"]
        crn = _crn(self.event or {})
        if crn:
            parts.append(f"crn={crn}")
        parts.append(f"MessageId={self.message_id}")
        if self.problem:
            parts.append(f"not an event: {self.problem}; body: {_shortened(self.body)}")
        return "  ".join(parts)


def decode(raw: dict[str, Any], catalog: CatalogView | None = None) -> Received:
    """A message as boto3's ReceiveMessage returns it, decoded; with `catalog`, a decoded event that breaks its
    contract (or has none) gets its `problem` too."""
    body = raw.get("Body", "")
    attributes = {
        name: str(value.get("StringValue", value.get("BinaryValue", "")))
        for name, value in (raw.get("MessageAttributes") or {}).items()
    }
    sqs_id = str(raw.get("MessageId", ""))
    message_id, event, problem = sqs_id, None, None
    try:
        parsed = json.loads(body)
        if isinstance(parsed, dict) and parsed.get("Type") == "Notification":
            message_id = str(parsed.get("MessageId") or sqs_id)
            # Kept even when the Message inside is broken: a poison message still says its eventType.
            sns_attributes = parsed.get("MessageAttributes")
            if isinstance(sns_attributes, dict):
                attributes |= {
                    str(k): str(v.get("Value", "")) for k, v in sns_attributes.items() if isinstance(v, dict)
                }
        event, found = unwrap_notification(parsed)
        attributes = {**attributes, **found}
    except ValueError as error:
        problem = f"malformed: the body is not JSON ({error})"
    except TidingsError as error:
        problem = f"malformed: {error.message}"
    if event is not None and catalog is not None:
        problem = problem_of(event, catalog)
    return Received(event, attributes, message_id, str(raw.get("ReceiptHandle", "")), raw, sqs_id, problem)


def problem_of(event: Mapping[str, Any], catalog: CatalogView) -> str | None:
    """What is wrong with a decoded event by its contract, as `<kind>: <why>`, or None when it is a good one."""
    event_type = event.get("eventType")
    try:
        versions = catalog.versions(event_type) if isinstance(event_type, str) else []
    except TidingsError:
        versions = []
    if not versions:
        return f"unknown-type: no contract for eventType {event_type!r} in the {catalog.producer} catalogue"
    version = event.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version not in versions:
        known = ", ".join(str(v) for v in versions)
        return f"unknown-version: {event_type} has no version {version} (known: {known})"
    try:
        violations = catalog.validate(dict(event))
    except TidingsError as error:
        return f"invalid: {error.message}"
    if violations:
        return "invalid: " + "; ".join(str(v) for v in violations[:3]) + (" …" if len(violations) > 3 else "")
    return None


def event_matches(event: Mapping[str, Any] | None, match: Mapping[str, Any]) -> bool:
    """Whether `event` has every value in `match`. Keys: `crn` (the person's CRN), a dotted path
    (`"additionalInformation.referralId"`), a top-level field, or else a field of `additionalInformation`."""
    if event is None:
        return not match
    return all(_field(event, key) == wanted for key, wanted in match.items())


_ABSENT = object()


def _field(event: Mapping[str, Any], key: str) -> Any:
    if key == "crn":
        return _crn(event)
    if "." in key:
        current: Any = event
        for part in key.split("."):
            if not isinstance(current, Mapping) or part not in current:
                return _ABSENT
            current = current[part]
        return current
    if key in event:
        return event[key]
    info = event.get("additionalInformation")
    return info.get(key, _ABSENT) if isinstance(info, Mapping) else _ABSENT


def _crn(event: Mapping[str, Any]) -> str | None:
    reference = event.get("personReference")
    identifiers = reference.get("identifiers") if isinstance(reference, Mapping) else None
    for identifier in identifiers if isinstance(identifiers, list) else []:
        if isinstance(identifier, Mapping) and identifier.get("type") == "CRN":
            return str(identifier.get("value"))
    info = event.get("additionalInformation")
    found = info.get("serviceUserCRN") if isinstance(info, Mapping) else None
    return str(found) if found is not None else None


def _shortened(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
