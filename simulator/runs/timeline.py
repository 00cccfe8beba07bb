"""The run timeline: one row per message published (or dropped), in publishing order, with the simulated time,
step, event type, CRN, MessageId, the fault injected and the queues it was delivered to.

`Timeline` folds run events into rows. A 100,000-event run keeps only the first and last `keep` rows (and
counts the rest), so rendering a long run never holds every row in memory.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from tidings.simulator.runs.events import (
    DeliveryChecked,
    EventPublished,
    FaultInjected,
    RunEvent,
    RunFinished,
    RunStarted,
    to_json,
)
from tidings.simulator.scenarios.clock import format_offset

__all__ = ["Timeline", "TimelineRow"]


@dataclass(frozen=True, slots=True)
class TimelineRow:
    """One line of the timeline. `message_id` is None for a dropped event."""

    seq: int
    at: datetime
    offset: timedelta
    step: str
    event_type: str
    crn: str | None
    message_id: str | None
    tracking_id: str | None
    fault: str | None
    queues: tuple[str, ...]

    @property
    def time(self) -> str:
        """Simulated time into the run, e.g. `+1d 02:00:00`."""
        return format_offset(self.offset)

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "occurredAt": self.at.isoformat(),
            "offset": self.time,
            "step": self.step,
            "eventType": self.event_type,
            "crn": self.crn,
            "messageId": self.message_id,
            "trackingId": self.tracking_id,
            "fault": self.fault,
            "queues": list(self.queues),
        }


class Timeline:
    """Rows and totals of one run, built from its events (`add` each one as it comes)."""

    def __init__(self, *, keep: int | None = None) -> None:
        self.keep = keep
        self.started: RunStarted | None = None
        self.finished: RunFinished | None = None
        self.deliveries: list[DeliveryChecked] = []
        self.row_count = 0
        self._head: list[TimelineRow] = []
        self._tail: deque[TimelineRow] = deque(maxlen=keep)
        self._observed = False  # whether a tap counted deliveries (their MessageIds are in `deliveries`)
        self._observed_rows: tuple[tuple[int, int], list[TimelineRow]] | None = None  # rows, for (rows, checks)

    def add(self, event: RunEvent) -> None:
        """Fold one run event in."""
        if isinstance(event, RunStarted):
            self.started = event
        elif isinstance(event, EventPublished):
            self._row(event.seq, event.at, event.step, event.event_type, event.crn, event, event.fault, event.queues)
        elif isinstance(event, FaultInjected) and event.kind == "drop":
            self._row(event.seq, event.at, event.step, event.event_type, event.crn, None, "drop", ())
        elif isinstance(event, DeliveryChecked):
            self.deliveries.append(event)
            self._observed = self._observed or event.observed
        elif isinstance(event, RunFinished):
            self.finished = event

    def _row(
        self,
        seq: int,
        at: datetime,
        step: str,
        event_type: str,
        crn: str | None,
        published: EventPublished | None,
        fault: str | None,
        queues: tuple[str, ...],
    ) -> None:
        start = self.started.start if self.started else at
        row = TimelineRow(
            seq,
            at,
            at - start,
            step,
            event_type,
            crn,
            published.message_id if published else None,
            published.tracking_id if published else None,
            fault,
            queues,
        )
        self.row_count += 1
        if self.keep is None or len(self._head) < self.keep:
            self._head.append(row)
        else:
            self._tail.append(row)

    @property
    def rows(self) -> list[TimelineRow]:
        """The rows kept: all of them, or the first and last `keep`. Once delivery was observed (taps), each
        row's queues are those that really received its message."""
        rows = [*self._head, *self._tail]
        if not self._observed:
            return rows
        # Found for the kept rows only: a map of every MessageId to its queues cost ~21 MB at 100,000 events.
        key = (self.row_count, len(self.deliveries))
        if self._observed_rows is None or self._observed_rows[0] != key:
            queues: dict[str, list[str]] = {row.message_id: [] for row in rows if row.message_id is not None}
            for delivery in self.deliveries:
                if delivery.observed:
                    for message_id in delivery.message_ids:
                        found = queues.get(message_id)
                        if found is not None:
                            found.append(delivery.queue)
            kept = [replace(row, queues=tuple(sorted(queues.get(row.message_id or "", ())))) for row in rows]
            self._observed_rows = (key, kept)
        return list(self._observed_rows[1])

    @property
    def head_count(self) -> int:
        """How many of `rows` are the first rows (the rest, after `omitted` others, are the last ones)."""
        return len(self._head)

    @property
    def omitted(self) -> int:
        """Rows not kept (between the first and the last `keep`)."""
        return self.row_count - len(self._head) - len(self._tail)

    def to_json(self) -> dict[str, Any]:
        """The whole timeline as JSON: run, rows (with `omitted`), deliveries and summary."""
        return {
            "run": to_json(self.started) if self.started else None,
            "rows": [row.to_json() for row in self.rows],
            "omitted": self.omitted,
            "deliveries": [to_json(delivery) for delivery in self.deliveries],
            "summary": to_json(self.finished)["summary"] if self.finished else None,
        }
