"""Filter policies on every engine: exact, prefix, anything-but, numeric ranges, exists (true and false), on message
attributes and on the message body. Six messages go to one topic; each policy's queue must get exactly the ones
AWS would deliver."""

from __future__ import annotations

import json
from contextlib import nullcontext
from typing import Any

import pytest
from engine_wiring import Wiring, attribute

# name: (message attributes, body) - the body is JSON unless None (then plain text)
MESSAGES: dict[str, tuple[dict[str, Any], Any]] = {
    "m1": (
        {"eventType": attribute("order.created"), "priority": attribute(5)},
        {"eventType": "order.created", "detail": {"amount": 150}},
    ),
    "m2": (
        {"eventType": attribute("order.shipped"), "priority": attribute(50)},
        {"eventType": "order.shipped", "detail": {"amount": 20}},
    ),
    "m3": (
        {"eventType": attribute("invoice.paid"), "priority": attribute(100)},
        {"eventType": "invoice.paid", "detail": {"amount": 500}},
    ),
    "m4": ({}, {"detail": {"amount": 1000}}),
    "m5": ({"eventType": attribute("order.cancelled.not")}, {"eventType": "order.x", "detail": {"amount": 101}}),
    "m6": ({"other": attribute("x")}, None),
}

ATTRIBUTE_CASES = {
    "exact": ({"eventType": ["order.created"]}, ["m1"]),
    "prefix": ({"eventType": [{"prefix": "order."}]}, ["m1", "m2", "m5"]),
    "anything-but": ({"eventType": [{"anything-but": ["order.shipped"]}]}, ["m1", "m3", "m5"]),
    "numeric-range": ({"priority": [{"numeric": [">=", 10, "<", 100]}]}, ["m2"]),
    "exists-true": ({"eventType": [{"exists": True}]}, ["m1", "m2", "m3", "m5"]),
    # exists false: any message without the attribute, m4 (no attributes at all) included, as moto and LocalStack
    # answer; AWS's documentation says "doesn't have the key" (not checked against AWS itself here).
    "exists-false": ({"eventType": [{"exists": False}]}, ["m4", "m6"]),
}
BODY_CASES = {
    "body-prefix-and-numeric": (
        {"eventType": [{"prefix": "order."}], "detail": {"amount": [{"numeric": [">", 100]}]}},
        ["m1", "m5"],
    ),
    "body-exact": ({"eventType": ["invoice.paid"]}, ["m3"]),
}


def _deliveries(wiring: Wiring, cases: dict[str, tuple[dict[str, Any], list[str]]], scope: str) -> dict[str, list[str]]:
    topic = wiring.topic()
    queues = {}
    for case, (policy, _) in cases.items():
        queues[case] = wiring.queue(case)
        wiring.subscribe(topic, queues[case], RawMessageDelivery=True, FilterPolicy=policy, FilterPolicyScope=scope)
    for name, (attributes, body) in MESSAGES.items():
        text = json.dumps({**body, "name": name}) if body is not None else f"plain text {name}"
        wiring.sns.publish(TopicArn=topic, Message=text, MessageAttributes=attributes)
    got = {}
    for case, url in queues.items():
        bodies = [m["Body"] for m in wiring.drain(url, expect=len(cases[case][1]), seconds=3)]
        got[case] = sorted(json.loads(b)["name"] if b.startswith("{") else b.rsplit(" ", 1)[-1] for b in bodies)
    return got


@pytest.mark.parametrize("case", sorted(ATTRIBUTE_CASES))
def test_attribute_scope_filter_policies_deliver_what_aws_would(wiring: Wiring, quirk: Any, case: str) -> None:
    got = _deliveries(wiring, {case: ATTRIBUTE_CASES[case]}, "MessageAttributes")
    with quirk("filter-exists-false") if case == "exists-false" else nullcontext():
        assert got[case] == ATTRIBUTE_CASES[case][1]


def test_body_scope_filter_policies_match_the_json_body(wiring: Wiring) -> None:
    got = _deliveries(wiring, BODY_CASES, "MessageBody")
    assert got == {case: expected for case, (_, expected) in BODY_CASES.items()}


def test_subscription_attributes_report_the_policy_and_its_scope(wiring: Wiring, quirk: Any) -> None:
    topic = wiring.topic()
    policy = {"eventType": [{"prefix": "order."}]}
    body_scoped = wiring.subscribe(topic, wiring.queue("body"), FilterPolicy=policy, FilterPolicyScope="MessageBody")
    default = wiring.subscribe(topic, wiring.queue("attributes"), FilterPolicy=policy)
    found = wiring.sns.get_subscription_attributes(SubscriptionArn=body_scoped)["Attributes"]
    assert json.loads(found["FilterPolicy"]) == policy and found["FilterPolicyScope"] == "MessageBody"
    found = wiring.sns.get_subscription_attributes(SubscriptionArn=default)["Attributes"]
    with quirk("filter-policy-scope-attribute"):
        assert found.get("FilterPolicyScope") == "MessageAttributes"
