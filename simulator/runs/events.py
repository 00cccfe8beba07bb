"""What a scenario run reports, as typed events: the runner yields them, the CLI renders them, the control API
returns them as JSON and tests assert on them. Nothing in the simulator prints."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

__all__ = [
    "DeliveryChecked",
    "EventPublished",
    "FaultInjected",
    "RunEvent",
    "RunFinished",
    "RunStarted",
    "RunSummary",
    "StepStarted",
    "to_json",
]


@dataclass(frozen=True, slots=True)
class RunStarted:
    """The plan is resolved and validated; publishing starts. `seed` replays the same run. `total_events` is
    what this run publishes: for a resumed run (`resumed_from` N) the plan's events after its first N."""

    run_id: str
    scenario: str
    seed: int
    params: dict[str, Any]
    faults: str
    total_events: int
    start: datetime
    endpoint: str
    api_base_url: str
    speed: float | None = None
    resumed_from: int = 0


@dataclass(frozen=True, slots=True)
class StepStarted:
    """A scenario step begins (once per step, or per repetition of a repeated one)."""

    seq: int
    at: datetime
    step: str
    event_type: str
    index: int | None = None


@dataclass(frozen=True, slots=True)
class EventPublished:
    """A message went to the topic. `fault` says what was done to it, `queues` which queues' filters admit it."""

    seq: int
    at: datetime
    step: str
    event_type: str
    crn: str | None
    message_id: str
    tracking_id: str
    fault: str | None = None
    queues: tuple[str, ...] = ()
    publish_at: datetime | None = None
    # The envelope itself: `event` as published (None for a poison message), `body` the raw text of a poison one.
    # Left out of to_json (the JSON lines and control API carry ids, not payloads).
    event: dict[str, Any] | None = field(default=None, repr=False, compare=False)
    body: str | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class FaultInjected:
    """A fault was injected: `kind` is duplicate, drop, poison, delay or reorder; `detail` the specifics."""

    seq: int
    at: datetime
    step: str
    event_type: str
    crn: str | None
    kind: str
    detail: str


@dataclass(frozen=True, slots=True)
class DeliveryChecked:
    """After publishing: how many messages a queue was expected to receive (by its filter) and how many it did.
    `observed`: counted by a tap queue beside it (runs.taps), whose MessageIds are `message_ids`; else inferred
    from the queue's depth."""

    queue: str
    expected: int
    received: int
    complete: bool
    message_ids: tuple[str, ...] = ()
    observed: bool = False


@dataclass(frozen=True, slots=True)
class RunSummary:
    """The totals of a run."""

    emitted: int
    published: int
    by_event_type: dict[str, int] = field(default_factory=dict)
    delivered: dict[str, int] = field(default_factory=dict)
    expected: dict[str, int] = field(default_factory=dict)
    faults: dict[str, int] = field(default_factory=dict)
    delivery_complete: bool = True
    wall_seconds: float = 0.0
    simulated: timedelta = timedelta()


@dataclass(frozen=True, slots=True)
class RunFinished:
    """The run is over and every queue checked."""

    run_id: str
    summary: RunSummary


RunEvent = RunStarted | StepStarted | EventPublished | FaultInjected | DeliveryChecked | RunFinished


def to_json(event: RunEvent) -> dict[str, Any]:
    """A JSON-ready dict: `{"type": "EventPublished", ...}`, datetimes as ISO-8601, durations in seconds."""
    if isinstance(event, EventPublished):  # flat, and without the payload (not copied either)
        found = {f.name: getattr(event, f.name) for f in dataclasses.fields(event) if f.name not in _PAYLOAD}
        return {"type": "EventPublished", **_plain(found)}
    return {"type": type(event).__name__, **_plain(dataclasses.asdict(event))}


_PAYLOAD = ("event", "body")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value
