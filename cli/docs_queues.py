"""Which queues of a topology receive each event type of a registry: the catalog site's "Subscribed queues".

Evaluated here, in the CLI, because it takes the topology model (`tidings.simulator.topology`) and the engine's
own filter-policy matcher (`tidings.simulator.runs.delivery.admits`, the one the simulator uses to say where a
published event went), and the site (`tidings.contracts.site`) may import neither: it receives the verdicts as
plain data (`QueueRoutes`). The same matcher means the site and a run can never disagree about a queue.
"""

from __future__ import annotations

from typing import Any

from tidings.contracts.registry.model import Registry
from tidings.contracts.site.model import QueueRoutes, SubscribedQueue
from tidings.simulator.runs.delivery import admits
from tidings.simulator.topology import SubscriptionSpec, Topology

__all__ = ["queue_routes"]

_UNKNOWN_OPERATOR = "its filter policy uses an operator tidings cannot evaluate"
_NO_EXAMPLE = "its filter policy matches the message body and the catalogue has no example to match it against"


def queue_routes(registry: Registry, topology: Topology) -> QueueRoutes:
    """Per event type of `registry`, the queues whose subscription to the registry's topic lets it through:
    attribute-scoped policies against the `eventType` attribute (what tidings' publisher sets), body-scoped
    ones against the event type's first example; an undecidable verdict is kept as "may receive"."""
    subscriptions = [s for s in topology.subscriptions if s.topic == registry.topic]
    by_event_type: dict[str, list[SubscribedQueue]] = {}
    for event_type in registry.event_types:
        examples = registry.owner(event_type).get(event_type).examples
        example = examples[0] if examples else None
        found = []
        for subscription in subscriptions:
            verdict, note = _verdict(subscription, event_type, example)
            if verdict is not False:
                found.append(
                    SubscribedQueue(
                        subscription.queue,
                        subscription.filter_policy,
                        subscription.filter_scope,
                        subscription.raw_delivery,
                        certain=verdict is True,
                        note=note,
                    )
                )
        by_event_type[event_type] = found
    queues = list(dict.fromkeys(s.queue for s in subscriptions))
    return QueueRoutes(topology.source, queues, by_event_type)


def _verdict(
    subscription: SubscriptionSpec, event_type: str, example: dict[str, Any] | None
) -> tuple[bool | None, str]:
    policy = subscription.filter_policy
    if subscription.filter_scope == "MessageBody":
        if policy and example is None:
            return None, _NO_EXAMPLE
        verdict = admits(policy, example or {})
    else:
        verdict = admits(policy, {"eventType": event_type})
    return verdict, _UNKNOWN_OPERATOR if verdict is None else ""
