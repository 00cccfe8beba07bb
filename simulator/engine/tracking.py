"""Tracking ids carried by every published event, so one event can be followed from the producer through SNS to
each queue and the consumer's logs: a W3C `traceparent` (trace context) and a request id, both sent as SNS
message attributes next to `eventType` (which consumers' filter policies match on)."""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["EVENT_TYPE_ATTRIBUTE", "REQUEST_ID_ATTRIBUTE", "TRACEPARENT_ATTRIBUTE", "Tracking", "new_tracking"]

EVENT_TYPE_ATTRIBUTE = "eventType"
TRACEPARENT_ATTRIBUTE = "traceparent"
REQUEST_ID_ATTRIBUTE = "requestId"

_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")


@dataclass(frozen=True)
class Tracking:
    """The ids that follow one published event."""

    request_id: str
    traceparent: str

    @property
    def trace_id(self) -> str:
        """The 32-hex-digit trace id inside `traceparent`."""
        return self.traceparent.split("-")[1]

    def message_attributes(self, event_type: str | None) -> dict[str, dict[str, str]]:
        """SNS `MessageAttributes` for a publish: `eventType` (when known) and the tracking ids."""
        attributes = {
            TRACEPARENT_ATTRIBUTE: {"DataType": "String", "StringValue": self.traceparent},
            REQUEST_ID_ATTRIBUTE: {"DataType": "String", "StringValue": self.request_id},
        }
        if event_type:
            attributes = {EVENT_TYPE_ATTRIBUTE: {"DataType": "String", "StringValue": event_type}, **attributes}
        return attributes

    @classmethod
    def from_attributes(cls, attributes: Mapping[str, Any]) -> Tracking | None:
        """The tracking ids in received message attributes, flat (`{name: value}`) or as SQS/SNS give them
        (`{name: {"StringValue"|"Value": value}}`); None when they are missing or the traceparent is malformed."""
        request_id, traceparent = (
            _value(attributes.get(REQUEST_ID_ATTRIBUTE)),
            _value(attributes.get(TRACEPARENT_ATTRIBUTE)),
        )
        if not request_id or not traceparent or not _TRACEPARENT.match(traceparent):
            return None
        return cls(request_id, traceparent)


def new_tracking() -> Tracking:
    """Fresh ids: a random request id (UUID4) and a sampled `traceparent` starting a new trace."""
    return Tracking(str(uuid.uuid4()), f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01")


def _value(attribute: Any) -> str | None:
    if isinstance(attribute, Mapping):
        attribute = attribute.get("StringValue", attribute.get("Value"))
    return attribute if isinstance(attribute, str) else None
