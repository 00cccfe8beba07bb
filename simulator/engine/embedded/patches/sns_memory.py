"""SNS keeps no copy of what it published (moto 5.2.5; registered in `patches/__init__`).

- `sns_keeps_no_sent_notifications`: moto's `Topic.publish` appends every message (body, subject, attributes) to
  `Topic.sent_notifications`, a Python-only list for tests that mock AWS in process; no SNS/SQS API reads it back,
  and the embedded engine never does. A 100,000-event play kept them all (~3 KB an event, ~300 MB). The same
  publish without the append; every subscription still receives the message as before.
"""

from __future__ import annotations

from typing import Any

__all__ = ["replacements"]


def _publish(
    self: Any,
    message: str,
    subject: str | None = None,
    message_attributes: dict[str, Any] | None = None,
    group_id: str | None = None,
    deduplication_id: str | None = None,
    message_structure: str | None = None,
) -> str:
    """moto 5.2.5's `Topic.publish`, without keeping the message in `sent_notifications`."""
    from moto.moto_api._internal import mock_random

    message_id = str(mock_random.uuid4())
    subscriptions, _ = self.sns_backend.list_subscriptions_by_topic(topic_arn=self.arn)
    for subscription in subscriptions:
        subscription.publish(
            message,
            message_id,
            subject=subject,
            message_attributes=message_attributes,
            group_id=group_id,
            deduplication_id=deduplication_id,
            message_structure=message_structure,
        )
    return message_id


def replacements() -> dict[str, list[tuple[Any, str, Any]]]:
    """This module's patch, as the (owner, attribute, replacement) triples it sets."""
    from moto.sns.models import Topic

    return {"sns_keeps_no_sent_notifications": [(Topic, "publish", _publish)]}
