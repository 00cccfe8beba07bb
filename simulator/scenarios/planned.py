"""What a plan yields: resolved events with the step that made them (`PlannedEvent`, `StepRef`), and `crn_of`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tidings.simulator.scenarios.faults import FaultSet

__all__ = ["PlannedEvent", "StepRef", "crn_of"]


@dataclass(frozen=True, slots=True)
class StepRef:
    """Which step of which scenario file made an event."""

    scenario: str
    label: str
    path: str
    line: int
    event_type: str

    def __str__(self) -> str:
        return f"{self.scenario}:{self.label}"


@dataclass(slots=True)
class PlannedEvent:
    """One resolved, validated event: what to publish, when (simulated), the fake API state it carries and
    the step's own faults."""

    seq: int
    step: StepRef
    index: int | None
    event: dict[str, Any]
    occurred_at: datetime
    state: dict[str, Any] | None = None
    faults: FaultSet | None = None

    @property
    def event_type(self) -> str:
        return str(self.event.get("eventType", self.step.event_type))

    @property
    def crn(self) -> str | None:
        return crn_of(self.event)


def crn_of(event: Mapping[str, Any]) -> str | None:
    """The person's CRN from personReference, if the event has one."""
    reference = event.get("personReference")
    identifiers = reference.get("identifiers") if isinstance(reference, Mapping) else None
    for identifier in identifiers if isinstance(identifiers, list) else []:
        if isinstance(identifier, Mapping) and identifier.get("type") == "CRN":
            return str(identifier.get("value"))
    return None
