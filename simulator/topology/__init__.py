"""Topology as code: load a topology (`fixtures/topology.yaml` by default), apply it to an engine idempotently,
and read back what the engine holds (with queue depths).

    topology = Topology.load()                      # or Topology.load("my-topology.yaml")
    applied = apply_topology(engine, topology)      # .topic_arns, .queue_urls, .changes ([] the second time)
    state = read_state(engine, topology)            # for `tidings topology show`
"""

from __future__ import annotations

from tidings.simulator.topology.apply import (
    AppliedTopology,
    EngineState,
    QueueState,
    SubscriptionState,
    TopicState,
    apply_topology,
    find_topic_arn,
    read_state,
)
from tidings.simulator.topology.model import (
    DEFAULT_MAX_RECEIVE_COUNT,
    DeadLetterSpec,
    QueueSpec,
    SubscriptionSpec,
    TopicSpec,
    Topology,
    default_topology_path,
)

__all__ = [
    "DEFAULT_MAX_RECEIVE_COUNT",
    "AppliedTopology",
    "DeadLetterSpec",
    "EngineState",
    "QueueSpec",
    "QueueState",
    "SubscriptionSpec",
    "SubscriptionState",
    "TopicSpec",
    "TopicState",
    "Topology",
    "apply_topology",
    "default_topology_path",
    "find_topic_arn",
    "read_state",
]
