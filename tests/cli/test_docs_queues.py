"""Which queues receive each event type, for the catalog site: the topology's filter policies evaluated by the
engine's matcher — an eventType filter, no policy, anything-but a prefix, a suffix, a body-scoped policy against
the event's example, an operator the matcher does not know ("may receive") and a queue on another topic."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.site_topology import SITE_TOPOLOGY
from tidings.cli.docs_queues import queue_routes
from tidings.contracts import load_catalog
from tidings.contracts.registry.model import Registry
from tidings.contracts.site.model import QueueRoutes
from tidings.simulator.topology import Topology


def _registry() -> Registry:
    catalog = load_catalog()
    return Registry(root=None, topic=catalog.topic, catalogs=[catalog])


@pytest.fixture(scope="module")
def routes() -> QueueRoutes:
    return queue_routes(_registry(), Topology.from_dict(SITE_TOPOLOGY, source="site-topology.yaml"))


def _names(routes: QueueRoutes, event_type: str) -> list[str]:
    return [queue.queue for queue in routes.by_event_type[event_type]]


def test_only_the_queues_on_the_registry_topic_are_listed(routes: QueueRoutes) -> None:
    assert routes.source == "site-topology.yaml"
    assert routes.queues == ["sent-only", "everything", "not-referrals", "appointments", "completed", "wildcard"]
    assert all("elsewhere" not in _names(routes, t) for t in routes.by_event_type)


def test_each_event_type_gets_the_queues_its_filters_admit(routes: QueueRoutes) -> None:
    assert sorted(routes.by_event_type) == load_catalog().event_types
    assert _names(routes, "intervention.referral.sent") == ["sent-only", "everything", "wildcard"]
    assert _names(routes, "intervention.referral.assigned") == ["everything", "wildcard"]
    assert _names(routes, "intervention.referral.concluded") == ["everything", "completed", "wildcard"]
    assert _names(routes, "intervention.session-appointment.missed") == [
        "everything",
        "not-referrals",
        "appointments",
        "wildcard",
    ]
    assert _names(routes, "intervention.action-plan.approved") == ["everything", "not-referrals", "wildcard"]


def test_no_policy_is_certain_and_an_unknown_operator_is_may_receive(routes: QueueRoutes) -> None:
    sent = {queue.queue: queue for queue in routes.by_event_type["intervention.referral.sent"]}
    assert sent["everything"].filter_policy is None and sent["everything"].certain
    assert sent["sent-only"].certain and sent["sent-only"].filter_policy == {
        "eventType": ["intervention.referral.sent"]
    }
    assert not sent["wildcard"].certain and "operator" in sent["wildcard"].note


def test_a_body_policy_is_matched_against_the_first_example(routes: QueueRoutes) -> None:
    concluded = {queue.queue: queue for queue in routes.by_event_type["intervention.referral.concluded"]}
    assert concluded["completed"].certain and concluded["completed"].filter_scope == "MessageBody"
    assert "completed" not in _names(routes, "intervention.referral.ended")  # PREMATURELY_ENDED in its example


def test_a_body_policy_without_an_example_is_may_receive(copy: Path) -> None:
    v1 = copy / "events" / "intervention.referral.concluded" / "v1.yaml"
    text = v1.read_text(encoding="utf-8")
    v1.write_text(text[: text.index("examples:")] + "examples: []\n", encoding="utf-8")
    catalog = load_catalog(copy)
    assert catalog.get("intervention.referral.concluded").examples == []
    registry = Registry(root=None, topic=catalog.topic, catalogs=[catalog])
    routes = queue_routes(registry, Topology.from_dict(SITE_TOPOLOGY))
    completed = next(q for q in routes.by_event_type["intervention.referral.concluded"] if q.queue == "completed")
    assert not completed.certain and "no example" in completed.note
