"""A topology for the catalog site's tests: one queue per kind of filter the "Subscribed queues" section shows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

TOPIC = "hmpps-domain-events"

SITE_TOPOLOGY: dict[str, Any] = {
    "topics": [{"name": TOPIC}, {"name": "another-topic"}],
    "queues": [
        {"name": name}
        for name in ("sent-only", "everything", "not-referrals", "appointments", "completed", "wildcard", "elsewhere")
    ],
    "subscriptions": [
        {"topic": TOPIC, "queue": "sent-only", "filter_policy": {"eventType": ["intervention.referral.sent"]}},
        {"topic": TOPIC, "queue": "everything"},
        {
            "topic": TOPIC,
            "queue": "not-referrals",
            "filter_policy": {"eventType": [{"anything-but": {"prefix": "intervention.referral."}}]},
        },
        {"topic": TOPIC, "queue": "appointments", "filter_policy": {"eventType": [{"suffix": "-appointment.missed"}]}},
        {
            "topic": TOPIC,
            "queue": "completed",
            "filter_scope": "body",
            "filter_policy": {"additionalInformation": {"deliveryState": ["COMPLETED"]}},
        },
        {"topic": TOPIC, "queue": "wildcard", "filter_policy": {"eventType": [{"wildcard": "intervention.*.sent"}]}},
        {"topic": "another-topic", "queue": "elsewhere"},
    ],
}


def write_site_topology(path: Path) -> Path:
    path.write_text(yaml.safe_dump(SITE_TOPOLOGY, sort_keys=False), encoding="utf-8")
    return path
