"""Sending a run's messages in publishing order: ordinary events in PublishBatch calls, poison bodies raw, and
the copies of a duplicated event with the tracking ids of the first copy published."""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

from tidings.simulator.engine.tracking import Tracking
from tidings.simulator.scenarios.faults import Outgoing

__all__ = ["Sender"]


class Sender:
    """Publishes batches in order: ordinary events together (PublishBatch), poison bodies raw, and each copy of
    a duplicated event with the tracking ids of the first copy published (same payload, same tracking id)."""

    def __init__(self, publisher: Any) -> None:
        self.publisher = publisher
        # seq → tracking of the first published copy, for copies still to come; bounded, as copies of one
        # event are never further apart than the reorder window and delay horizon.
        self.tracking: OrderedDict[int, Tracking] = OrderedDict()

    def send(self, batch: list[Outgoing]) -> list[tuple[str, str]]:
        """Publish `batch` in order; (MessageId, tracking id) per message."""
        results: list[tuple[str, str]] = []
        run: list[Outgoing] = []
        in_run: set[int] = set()
        for message in batch:
            seq = message.planned.seq
            if message.body is None and seq not in self.tracking and seq not in in_run:
                run.append(message)
                if message.duplicated:
                    in_run.add(seq)
                continue
            results.extend(self._send_run(run))  # first copies go out before the copies that reuse their ids
            run, in_run = [], set()
            results.append(self._send_one(message))
        results.extend(self._send_run(run))
        return results

    def _send_run(self, run: list[Outgoing]) -> list[tuple[str, str]]:
        if not run:
            return []
        published = self.publisher.publish_many([m.planned.event for m in run], validate=False)
        for message, result in zip(run, published, strict=True):
            self._remember(message, result)
        return [(result.message_id, result.tracking_id) for result in published]

    def _send_one(self, message: Outgoing) -> tuple[str, str]:
        item = message.planned
        if message.body is not None:  # poison: its own tracking, like any broken message a producer sends
            result = self.publisher.publish_raw(message.body, event_type=item.event_type)
        else:
            tracking = self.tracking.pop(item.seq)  # an event is duplicated once: this is the last copy
            result = self.publisher.publish_raw(json.dumps(item.event), event_type=item.event_type, tracking=tracking)
        return result.message_id, result.tracking_id

    def _remember(self, message: Outgoing, result: Any) -> None:
        if message.duplicated:
            self.tracking[message.planned.seq] = Tracking(result.tracking_id, result.traceparent)
            while len(self.tracking) > 10_000:
                self.tracking.popitem(last=False)
