"""Received messages judged against the contracts: every poison kind is named in `problem`, a good event has
none (simulator.harness.received)."""

from __future__ import annotations

import json

import pytest

from tidings.contracts import load_catalog
from tidings.simulator.harness.received import decode
from tidings.simulator.scenarios.poison import POISON_KINDS, poison_body

CATALOG = load_catalog()
EVENT = CATALOG.example("intervention.referral.sent")


def notification(message: str) -> dict[str, str]:
    body = {
        "Type": "Notification",
        "MessageId": "sns-1",
        "Message": message,
        "MessageAttributes": {"eventType": {"Type": "String", "Value": "intervention.referral.sent"}},
    }
    return {"MessageId": "sqs-1", "ReceiptHandle": "rh", "Body": json.dumps(body)}


@pytest.mark.parametrize("kind", POISON_KINDS)
def test_each_poison_kind_is_named_with_why(kind: str) -> None:
    received = decode(notification(poison_body(EVENT, kind)), CATALOG)
    assert received.problem_kind == kind and received.problem is not None
    assert received.event_type == "intervention.referral.sent" or kind == "unknown-type"
    assert received.message_id == "sns-1"


def test_the_problem_says_what_is_wrong() -> None:
    invalid = decode(notification(poison_body(EVENT, "invalid")), CATALOG)
    assert invalid.problem is not None and "/occurredAt" in invalid.problem
    version = decode(notification(poison_body(EVENT, "unknown-version")), CATALOG)
    assert version.problem == "unknown-version: intervention.referral.sent has no version 999 (known: 1)"


def test_a_good_event_has_no_problem_and_without_a_catalogue_only_malformed_is_judged() -> None:
    assert decode(notification(json.dumps(EVENT)), CATALOG).problem is None
    assert decode(notification(poison_body(EVENT, "invalid"))).problem is None
    assert decode(notification(poison_body(EVENT, "malformed"))).problem_kind == "malformed"
