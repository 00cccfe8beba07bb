"""What an engine holds for a topology after `apply_topology`, and what the apply changed."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["AppliedTopology"]


@dataclass
class AppliedTopology:
    """What the engine holds for a topology after `apply_topology`, and what the apply changed."""

    topic_arns: dict[str, str] = field(default_factory=dict)
    queue_urls: dict[str, str] = field(default_factory=dict)
    queue_arns: dict[str, str] = field(default_factory=dict)
    subscription_arns: dict[tuple[str, str], str] = field(default_factory=dict)
    changes: list[str] = field(default_factory=list)
