"""Runs started through the control API: each is checked when asked for (so a bad scenario is the HTTP
caller's error), then played in a background worker, one run at a time, its timeline kept for GET."""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tidings.contracts.errors import TidingsError
from tidings.simulator.runs.events import EventPublished
from tidings.simulator.runs.player import Player, PlayOptions
from tidings.simulator.runs.timeline import Timeline
from tidings.simulator.scenarios.clock import parse_start
from tidings.simulator.scenarios.faults import FaultSet
from tidings.simulator.scenarios.loader import ScenarioLibrary
from tidings.simulator.scenarios.plan import Plan

__all__ = ["RunManager", "RunRecord"]


@dataclass
class RunRecord:
    """One run: its status (queued, running, finished, failed, cancelled), its timeline, how many messages it
    published and the error that failed it."""

    id: str
    scenario: str
    seed: int
    created: datetime
    timeline: Timeline
    status: str = "queued"
    error: str | None = None
    published: int = 0
    done: threading.Event = field(default_factory=threading.Event)
    cancel: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def to_json(self, *, timeline: bool = True) -> dict[str, Any]:
        """The run as the control API returns it (with its timeline, or just the totals)."""
        with self.lock:
            body: dict[str, Any] = {
                "id": self.id,
                "scenario": self.scenario,
                "seed": self.seed,
                "created": self.created.isoformat(),
                "status": self.status,
                "error": self.error,
                "events": self.timeline.row_count,
                "published": self.published,
            }
            if timeline:
                body["timeline"] = self.timeline.to_json()
            return body


class RunManager:
    """Starts runs on a `Player` and remembers the last `history` of them."""

    def __init__(self, player: Player, library: ScenarioLibrary, *, keep_rows: int = 1_000, history: int = 20) -> None:
        self.player = player
        self.library = library
        self.keep_rows = keep_rows
        self.history = history
        self._runs: OrderedDict[str, RunRecord] = OrderedDict()
        self._lock = threading.Lock()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tidings-run")

    def start(
        self,
        scenario: str,
        *,
        params: Mapping[str, Any] | None = None,
        faults: list[str] | Mapping[str, Any] | None = None,
        seed: int | None = None,
        speed: float | None = None,
        start_at: str | None = None,
        taps: bool = False,
    ) -> RunRecord:
        """Check the scenario with these inputs (raising TidingsError if it cannot be played), queue it, and
        return its record at once."""
        start = parse_start(start_at) if start_at is not None else None
        loaded = self.library.load(scenario)
        plan = Plan(loaded, self.player.catalog, params=params, seed=seed, base_url=self.player.base_url, start=start)
        plan.preflight()
        record = RunRecord(uuid.uuid4().hex[:12], scenario, plan.seed, datetime.now(UTC), Timeline(keep=self.keep_rows))
        options = PlayOptions(FaultSet.parse(faults), speed, observe=taps, cancel=record.cancel)
        with self._lock:
            self._runs[record.id] = record
            while len(self._runs) > self.history:
                self._runs.popitem(last=False)
        self._worker.submit(self._play, record, plan, options)
        return record

    def _play(self, record: RunRecord, plan: Plan, options: PlayOptions) -> None:
        with record.lock:
            if record.cancel.is_set():  # cancelled while queued: nothing was published
                record.status = "cancelled"
                record.done.set()
                return
            record.status = "running"
        events = self.player.play(plan, options, run_id=record.id)
        try:
            status, error = "finished", None
            for event in events:
                with record.lock:
                    record.timeline.add(event)
                    record.published += isinstance(event, EventPublished)
                if record.cancel.is_set():
                    status = "cancelled"
                    break
        except TidingsError as failure:
            status, error = "failed", str(failure)
        except Exception as failure:  # a bug, but the worker must survive it and say so
            status, error = "failed", f"internal error: {failure!r}"
        finally:
            close = getattr(events, "close", None)  # a generator: its clean-up (tap queues) runs now, not at GC
            if close is not None:
                close()
        with record.lock:
            record.status, record.error = status, error
        record.done.set()

    def cancel(self, run_id: str, *, wait: float = 10.0) -> RunRecord | None:
        """Stop run `run_id` after the event being published (a queued one never starts); waits up to `wait`
        seconds for it to stop, so the record says what was published. None when there is no such run."""
        record = self.get(run_id)
        if record is None:
            return None
        record.cancel.set()
        record.done.wait(wait)
        return record

    def get(self, run_id: str) -> RunRecord | None:
        with self._lock:
            return self._runs.get(run_id)

    def all(self) -> list[RunRecord]:
        """The remembered runs, newest first."""
        with self._lock:
            return list(reversed(self._runs.values()))

    def clear(self) -> None:
        """Forget finished runs (queued and running ones carry on)."""
        with self._lock:
            for run_id in [r.id for r in self._runs.values() if r.done.is_set()]:
                del self._runs[run_id]

    def close(self) -> None:
        """Stop taking runs; a run in progress is abandoned when the process exits."""
        self._worker.shutdown(wait=False, cancel_futures=True)
