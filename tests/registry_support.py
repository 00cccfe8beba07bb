"""Helpers for tests on registries: a two-producer registry in which one event type moved (strangler fig)."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from tidings.contracts import SHIPPED_CATALOG

MOVED = "intervention.referral.ended"


def second_producer(root: Path, name: str, event_type: str) -> Path:
    """A copy of the shipped catalogue renamed to `name` and cut down to one event type."""
    target = root / name
    shutil.copytree(SHIPPED_CATALOG, target)
    index = yaml.safe_load((target / "catalog.yaml").read_text())
    index.update(producer=name, events=[event_type], apiBaseUrl=f"http://localhost:8080/{name}")
    (target / "catalog.yaml").write_text(yaml.safe_dump(index))
    return target


def moved_registry(root: Path, event_type: str = MOVED) -> Path:
    """`root/registry.yaml` with the shipped catalogue (`old/`) and `new-service/`, `event_type` moved to it."""
    shutil.copytree(SHIPPED_CATALOG, root / "old")
    second_producer(root, "new-service", event_type)
    (root / "registry.yaml").write_text(
        yaml.safe_dump(
            {
                "topic": "hmpps-domain-events",
                "producers": ["old", "new-service"],
                "moves": [{"eventType": event_type, "from": "hmpps-interventions-service", "to": "new-service"}],
            }
        )
    )
    return root
