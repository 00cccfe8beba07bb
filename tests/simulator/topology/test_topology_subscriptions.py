"""Subscriptions are applied all or nothing: a refused filter policy leaves no subscription without its filter."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tidings.contracts.errors import EngineError
from tidings.simulator.engine.engines import Engine
from tidings.simulator.topology import Topology, apply_topology, read_state

_BAD = {"eventType": [{"bogus-match": 1}]}  # the engine refuses it: "Unrecognized match type"


def _topology(topic: str, *subscriptions: tuple[str, dict[str, Any]]) -> Topology:
    return Topology.from_dict(
        {
            "topics": [{"name": topic}],
            "queues": [{"name": queue} for queue, _ in subscriptions],
            "subscriptions": [{"topic": topic, "queue": queue, **extra} for queue, extra in subscriptions],
        }
    )


def _subscriptions(engine: Engine, topic: str) -> dict[str, tuple[Any, str]]:
    (state,) = [t for t in read_state(engine).topics if t.name == topic]
    return {s.queue: (s.filter_policy, s.filter_scope) for s in state.subscriptions}


def test_a_refused_filter_on_a_new_subscription_leaves_no_subscription(
    engine: Engine, unique: Callable[[str], str]
) -> None:
    topic, queue = unique("topic"), unique("queue")
    with pytest.raises(EngineError, match=r"refused Subscribe .*FilterPolicy.*undone: the half-made subscription"):
        apply_topology(engine, _topology(topic, (queue, {"filter_policy": _BAD})))
    assert _subscriptions(engine, topic) == {}  # not one that receives everything


def test_one_refused_filter_undoes_the_other_subscriptions_of_the_apply(
    engine: Engine, unique: Callable[[str], str]
) -> None:
    topic, good, bad = unique("topic"), unique("good"), unique("bad")
    good_filter = {"eventType": [{"prefix": "intervention."}]}
    topology = _topology(topic, (good, {"filter_policy": good_filter}), (bad, {"filter_policy": _BAD}))
    with pytest.raises(EngineError, match=r"undone: .*the new subscription " + topic):
        apply_topology(engine, topology)
    assert _subscriptions(engine, topic) == {}


def test_a_refused_change_restores_the_old_scope_and_filter(engine: Engine, unique: Callable[[str], str]) -> None:
    topic, queue = unique("topic"), unique("queue")
    old = {"eventType": [{"prefix": "intervention."}]}
    apply_topology(engine, _topology(topic, (queue, {"filter_policy": old})))
    changed = {"filter_policy": _BAD, "filter_scope": "body", "raw_delivery": True}
    with pytest.raises(EngineError, match=r"undone: .*FilterPolicyScope of"):
        apply_topology(engine, _topology(topic, (queue, changed)))
    assert _subscriptions(engine, topic) == {queue: (old, "MessageAttributes")}
    sns = engine.client("sns")
    (arn,) = [
        s["SubscriptionArn"] for s in sns.list_subscriptions_by_topic(TopicArn=_arn(engine, topic))["Subscriptions"]
    ]
    attributes = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    assert str(attributes.get("RawMessageDelivery", "false")).lower() == "false"
    assert json.loads(attributes["FilterPolicy"]) == old


def test_a_good_apply_after_a_refused_one_subscribes_once(engine: Engine, unique: Callable[[str], str]) -> None:
    topic, queue = unique("topic"), unique("queue")
    with pytest.raises(EngineError):
        apply_topology(engine, _topology(topic, (queue, {"filter_policy": _BAD})))
    fixed = {"eventType": ["intervention.referral.sent"]}
    applied = apply_topology(engine, _topology(topic, (queue, {"filter_policy": fixed})))
    assert f"subscribed {topic} -> {queue}" in applied.changes
    assert _subscriptions(engine, topic) == {queue: (fixed, "MessageAttributes")}


def _arn(engine: Engine, topic: str) -> str:
    (found,) = [t.arn for t in read_state(engine).topics if t.name == topic]
    return found
