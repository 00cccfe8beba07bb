"""SNS filter policies evaluated locally: which queues a message reaches (the timeline's "queues" column)."""

from __future__ import annotations

from typing import Any

import pytest

from tidings.simulator.runs.delivery import DeliveryTracker, Subscription, admits

SENT = {"eventType": "intervention.referral.sent"}


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (None, True),
        ({}, True),
        ({"eventType": ["intervention.referral.sent"]}, True),
        ({"eventType": ["intervention.referral.assigned"]}, False),
        ({"eventType": ["a", "intervention.referral.sent"]}, True),
        ({"eventType": [{"prefix": "intervention.referral."}]}, True),
        ({"eventType": [{"prefix": "intervention.action-plan."}]}, False),
        ({"eventType": [{"suffix": ".sent"}]}, True),
        ({"eventType": [{"anything-but": ["intervention.referral.sent"]}]}, False),
        ({"eventType": [{"anything-but": {"prefix": "intervention.session"}}]}, True),
        ({"eventType": [{"equals-ignore-case": "INTERVENTION.REFERRAL.SENT"}]}, True),
        ({"eventType": [{"exists": True}]}, True),
        ({"other": [{"exists": False}]}, True),
        ({"other": ["x"]}, False),
        ({"$or": [{"eventType": ["nope"]}, {"eventType": [{"prefix": "intervention."}]}]}, True),
    ],
)
def test_attribute_policies(policy: dict[str, Any] | None, expected: bool) -> None:
    assert admits(policy, SENT) is expected


def test_numeric_and_body_policies() -> None:
    body = {"version": 1, "additionalInformation": {"deliveryState": "COMPLETED"}}
    assert admits({"version": [{"numeric": [">=", 1, "<", 2]}]}, body) is True
    assert admits({"version": [{"numeric": [">", 1]}]}, body) is False
    assert admits({"additionalInformation": {"deliveryState": ["COMPLETED"]}}, body) is True
    assert admits({"additionalInformation": {"deliveryState": ["CANCELLED"]}}, body) is False


def test_an_operator_it_does_not_know_is_reported_as_unknown() -> None:
    assert admits({"eventType": [{"wildcard": "intervention.*.sent"}]}, SENT) is None
    assert admits({"eventType": [{"wildcard": "x*"}], "other": ["y"]}, SENT) is False  # a known "no" still wins


def test_the_tracker_routes_by_event_type_and_caches() -> None:
    tracker = DeliveryTracker(
        None,
        [
            Subscription("all", "u1", None, False),
            Subscription("referrals", "u2", {"eventType": [{"prefix": "intervention.referral."}]}, False),
            Subscription("completed", "u3", {"additionalInformation": {"deliveryState": ["COMPLETED"]}}, True),
        ],
    )
    assert tracker.queues == ["all", "completed", "referrals"]
    assert tracker.queues_for("intervention.referral.sent", {}) == ("all", "referrals")
    concluded = {"additionalInformation": {"deliveryState": "COMPLETED"}}
    assert tracker.queues_for("intervention.referral.concluded", concluded) == ("all", "referrals", "completed")
    assert tracker.queues_for("intervention.action-plan.approved", None) == ("all",)  # malformed body: no match
