"""A test's queues as the plugin hands them out (`Queue`: receive, wait for, drain, wait until consumed), and the
failures of those waits, which say what did arrive and what is still there."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from tidings.contracts.errors import CheckFailed
from tidings.simulator.harness.harness import Run
from tidings.simulator.harness.owned_queues import OwnedQueue
from tidings.simulator.harness.queue_reader import QueueReader, Received, event_matches

__all__ = ["NotConsumed", "NotReceived", "Queue", "wait_consumed"]


class NotReceived(CheckFailed, AssertionError):
    """A queue did not get what a test waited for in time; the message lists what did arrive."""


class NotConsumed(CheckFailed, AssertionError):
    """A queue still held messages (visible, in flight, delayed) when a wait for its consumer ran out."""


class Queue:
    """A queue the test owns, subscribed to the topic. Messages are deleted as they are received here."""

    def __init__(
        self,
        engine: Any,
        owned: OwnedQueue,
        *,
        expect_dlq: bool = False,
        runs: Callable[[], list[Run]] = list,
    ) -> None:
        self.owned = owned
        self.expect_dlq = expect_dlq
        self._engine = engine
        self._runs = runs  # the test's runs, to say what they published for this queue when a wait fails
        self._reader = QueueReader(engine.harness.engine, owned, catalog=engine.harness.catalog)
        self._pending: list[Received] = []  # received from SQS, not yet handed to the test
        self._received: list[Received] = []  # everything ever received through this handle
        self.dlq: Queue | None = Queue(engine, owned.dlq) if owned.dlq is not None else None

    @property
    def name(self) -> str:
        return self.owned.name

    @property
    def url(self) -> str:
        return self.owned.url

    @property
    def arn(self) -> str:
        return self.owned.arn

    @property
    def depth(self) -> int:
        """Messages in the queue now: visible, in flight (received but not deleted) and delayed."""
        return self._reader.depth()

    def receive(self, count: int = 1, timeout: float = 5.0) -> list[Received]:
        """The next `count` messages, waiting up to `timeout` seconds for them; fails listing what did arrive."""
        __tracebackhide__ = True
        deadline = time.monotonic() + timeout
        got, self._pending = self._pending[:count], self._pending[count:]
        if len(got) < count:
            got += self._fetch(count - len(got), deadline, minimum=None)
        if len(got) < count:
            self._pending = got + self._pending  # kept for a later receive()
            raise NotReceived(self._missing(f"{count} message{'s' if count != 1 else ''}", timeout, got))
        return got

    def wait_for(self, event_type: str | None = None, timeout: float = 5.0, **match: Any) -> Received:
        """The first message of `event_type` (any when None) whose event has the `match` values: `crn=`, a
        field of the event or of its additionalInformation (`referralId=`), or a dotted path. Messages that do
        not match are kept for `receive()`. Fails after `timeout` seconds listing what arrived instead."""
        __tracebackhide__ = True
        deadline = time.monotonic() + timeout
        while True:
            for index, message in enumerate(self._pending):
                if (event_type is None or message.event_type == event_type) and event_matches(message.event, match):
                    return self._pending.pop(index)
            fresh = self._fetch(10, deadline, minimum=1)
            if not fresh:
                wanted = " ".join([event_type or "message", *(f"{key}={value!r}" for key, value in match.items())])
                raise NotReceived(self._missing(f"a {wanted}", timeout, self._pending))
            self._pending.extend(fresh)

    def wait_until_consumed(self, timeout: float = 10.0) -> None:
        """Return once the queue has no visible, in-flight or delayed message and stays so for a moment: the
        consumer has finished. Fails after `timeout` seconds saying what is still there (and dead-lettered)."""
        __tracebackhide__ = True
        wait_consumed(self._engine.harness.engine, [self.name], timeout)

    def drain(self) -> list[Received]:
        """Everything in the queue now (and anything kept from earlier waits), removed from it."""
        got, self._pending = self._pending, []
        fresh = self._reader.drain()
        self._received.extend(fresh)
        return got + fresh

    def dead_letters(self) -> list[Received]:
        """What reached this queue's dead-letter queue: received there by the test, or still in it."""
        if self.dlq is None:
            return []
        still_there = self.dlq._reader.peek() if self.dlq.depth else []
        return self.dlq._received + still_there

    def _fetch(self, limit: int, deadline: float, *, minimum: int | None) -> list[Received]:
        fresh = self._reader.receive(limit, deadline=deadline, minimum=minimum)
        self._received.extend(fresh)
        return fresh

    def _missing(self, wanted: str, timeout: float, arrived: list[Received]) -> str:
        lines = [f"expected {wanted} on queue {self.name} within {timeout:g} s; "]
        if arrived:
            lines[0] += f"{len(arrived)} other{'s' if len(arrived) != 1 else ''} arrived:"
            lines += [f"  - {message.describe()}" for message in arrived]
        else:
            lines[0] += "nothing arrived"
        published = [(run.scenario, d.expected) for run in self._runs() for d in run.deliveries if d.queue == self.name]
        if published:
            total = sum(count for _, count in published)
            each = ", ".join(f"{scenario}: {count}" for scenario, count in published)
            lines.append(f"the test's runs published {total} message(s) this queue's filter admits ({each})")
        setup = self.owned.setup
        hint = "hint: a queue gets only what is published after it exists (create it in a fixture to get a marker's"
        hint += " events)"
        if setup.filter_policy is not None:
            policy = json.dumps(setup.filter_policy)
            hint += f", and only what its filter policy admits: {policy} ({setup.filter_scope})"
        lines.append(hint)
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<Queue {self.name}>"


def wait_consumed(engine: Any, queues: list[str], timeout: float) -> None:
    """Wait until the consumer has emptied `queues` (engine.consumed) or fail as the plugin does."""
    __tracebackhide__ = True
    from tidings.simulator.engine.consumed import NotConsumed as EngineNotConsumed
    from tidings.simulator.engine.consumed import wait_until_all_consumed
    from tidings.simulator.engine.queues import QueueTools

    try:
        wait_until_all_consumed(QueueTools(engine), queues, timeout)
    except EngineNotConsumed as error:
        raise NotConsumed(error.message, hint=error.hint) from None
