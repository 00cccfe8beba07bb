"""Knowing that a consumer has finished: `wait_until_consumed` returns once a queue has no visible, no in-flight
and no delayed message and stays so for a moment (a consumer between receive and delete shows as in flight),
instead of a test polling its own database and sleeping.

    wait_until_consumed(QueueTools(engine), "intervention-events", timeout=10)   # CheckFailed if not
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from tidings.contracts.errors import CheckFailed, EngineError

__all__ = ["NotConsumed", "wait_until_all_consumed", "wait_until_consumed"]

_STABLE = 0.25  # seconds a queue must stay empty: a consumer may receive the next message just after a delete


class NotConsumed(CheckFailed):
    """A queue still held messages when the wait ran out (exit 1)."""


def wait_until_consumed(tools: Any, queue: str, timeout: float = 10.0, *, stable: float = _STABLE) -> None:
    """Block until `queue` is empty and in-flight-free for `stable` seconds; NotConsumed (saying what is still
    there: visible, in flight, delayed, dead-lettered) after `timeout` seconds."""
    wait_until_all_consumed(tools, [queue], timeout, stable=stable)


def wait_until_all_consumed(
    tools: Any, queues: Iterable[str], timeout: float = 10.0, *, stable: float = _STABLE
) -> None:
    """`wait_until_consumed` for several queues at once (all empty together, stable for `stable` seconds)."""
    names = list(queues)
    deadline = time.monotonic() + timeout
    empty_since: float | None = None
    while True:
        depths = {queue: tools.depth(queue) for queue in names}
        now = time.monotonic()
        if all(not any(depth.values()) for depth in depths.values()):
            empty_since = empty_since if empty_since is not None else now
            if now - empty_since >= stable:
                return
        else:
            empty_since = None
        if now >= deadline:
            left = [_describe(tools, queue, depth) for queue, depth in depths.items() if any(depth.values())]
            raise NotConsumed(
                f"not consumed within {timeout:g}s: " + "; ".join(left or ["a queue emptied just at the deadline"]),
                hint="is the consumer running and deleting what it handles? `tidings queue peek QUEUE` shows them",
            )
        time.sleep(0.02)


def _describe(tools: Any, queue: str, depth: dict[str, int]) -> str:
    parts = [f"{count} {name.replace('_', ' ')}" for name, count in depth.items() if count]
    try:
        dead = tools.depth(tools.dead_letter_queue(queue))
        dead_count = sum(dead.values())
        if dead_count:
            parts.append(f"{dead_count} dead-lettered")
    except EngineError:
        pass  # no dead-letter queue
    return f"{queue}: " + ", ".join(parts)
