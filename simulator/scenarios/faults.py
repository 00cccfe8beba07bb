"""Transport faults: duplicates, reordering, delay, loss and poison messages, injected deterministically.

Consumers of domain events live without atomic transactions: an event can come twice, late, out of order, not
at all, or broken. A fault spec says how often (`duplicate=0.2`, `reorder=5`, `delay=0-3s`, `drop=0.1`,
`poison=0.05`); `FaultInjector` applies the specs to a stream of planned events with a seeded `random.Random`,
so `--seed` replays exactly the same faults, and labels every message it touches so the timeline shows them.

Faults change transport only. The producer's state (the fake API) follows the scenario as written: a dropped
event's change is still visible through its detailUrl, which is what a consumer's reconciliation relies on.
"""

from __future__ import annotations

import heapq
import json
import random
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from tidings.contracts.errors import UsageError, closest
from tidings.simulator.scenarios.clock import parse_duration

__all__ = [
    "FAULT_EXAMPLES",
    "POISON_VARIANTS",
    "FaultInjector",
    "FaultSet",
    "FaultSpec",
    "Outgoing",
    "parse_fault",
    "poison_body",
]

FAULT_EXAMPLES = {
    "duplicate": "duplicate=0.2 (re-publish 20% of events: same payload, same tracking id)",
    "reorder": "reorder=5 (shuffle the publishing order within windows of 5)",
    "delay": "delay=0-3s (hold each event back by a random 0 to 3 seconds)",
    "drop": "drop=0.1 (lose 10% of events; the fake API still shows their state)",
    "poison": "poison=0.05 (replace 5% of events with malformed JSON, a schema-invalid or an unknown-version one)",
}
POISON_VARIANTS = ("malformed-json", "schema-invalid", "unknown-version")
_RATE_KINDS = ("duplicate", "drop", "poison")


@dataclass(frozen=True, slots=True)
class FaultSpec:
    """One parsed fault: a rate (duplicate, drop, poison), a window (reorder) or a delay range (delay)."""

    kind: str
    rate: float = 0.0
    window: int = 0
    delay: tuple[timedelta, timedelta] = (timedelta(), timedelta())

    def __str__(self) -> str:
        if self.kind == "reorder":
            return f"reorder={self.window}"
        if self.kind == "delay":
            low, high = (d.total_seconds() for d in self.delay)
            return f"delay={low:g}-{high:g}s"
        return f"{self.kind}={self.rate:g}"


def parse_fault(text: object) -> FaultSpec:
    """Parse `kind=value` (`duplicate` alone means every time). Raises UsageError with a good example."""
    raw = str(text).strip()
    kind, _, value = raw.partition("=")
    kind, value = kind.strip().lower(), value.strip()
    if kind not in FAULT_EXAMPLES:
        suggestions = closest(kind, FAULT_EXAMPLES)
        raise UsageError(
            f"unknown fault {kind!r} in {raw!r}",
            hint=(f"did you mean {suggestions[0]}? " if suggestions else "")
            + "faults are: "
            + "; ".join(FAULT_EXAMPLES.values()),
        )
    if kind in _RATE_KINDS:
        return FaultSpec(kind, rate=_parse_rate(kind, value or "1", raw))
    if kind == "reorder":
        if not value.isdigit() or int(value) < 2:
            raise _bad(raw, kind, "the window must be a whole number of events, at least 2")
        return FaultSpec(kind, window=int(value))
    return FaultSpec(kind, delay=_parse_delay_range(value, raw))


def _bad(raw: str, kind: str, why: str) -> UsageError:
    return UsageError(f"bad fault {raw!r}: {why}", hint=f"for example {FAULT_EXAMPLES[kind]}")


def _parse_rate(kind: str, value: str, raw: str) -> float:
    try:
        rate = float(value[:-1]) / 100 if value.endswith("%") else float(value)
    except ValueError:
        raise _bad(raw, kind, "the rate must be a number between 0 and 1 (or a percentage)") from None
    if not 0.0 <= rate <= 1.0:
        raise _bad(raw, kind, f"the rate {value} is not between 0 and 1")
    return rate


def _parse_delay_range(value: str, raw: str) -> tuple[timedelta, timedelta]:
    low_text, dash, high_text = value.partition("-")
    if not dash:
        high_text = low_text
    # "0-3s": a bare number takes the unit written after the upper bound.
    unit = high_text.lstrip("0123456789.")
    if low_text.replace(".", "", 1).isdigit() and unit:
        low_text += unit
    try:
        low, high = parse_duration(low_text), parse_duration(high_text)
    except UsageError as error:
        why = error.message if "limit" in error.message else "give a duration or a range of durations"
        raise _bad(raw, "delay", why) from None
    if high < low:
        raise _bad(raw, "delay", "the range runs backwards")
    return low, high


@dataclass(frozen=True, slots=True)
class FaultSet:
    """The faults in force: one spec per kind. `FaultSet()` is no faults at all."""

    specs: Mapping[str, FaultSpec] = field(default_factory=dict)

    @classmethod
    def parse(cls, texts: Iterable[object] | Mapping[str, object] | None) -> FaultSet:
        """From `["duplicate=0.2", …]` or `{duplicate: 0.2, …}`; a later spec of the same kind wins."""
        if texts is None:
            return cls()
        items = [f"{k}={v}" for k, v in texts.items()] if isinstance(texts, Mapping) else list(texts)
        specs: dict[str, FaultSpec] = {}
        for text in items:
            spec = parse_fault(text)
            specs[spec.kind] = spec
        return cls(specs)

    def __bool__(self) -> bool:
        return bool(self.specs)

    def __str__(self) -> str:
        return ", ".join(str(spec) for spec in self.specs.values()) or "none"

    def overridden_by(self, other: FaultSet | None) -> FaultSet:
        """These faults with `other`'s specs replacing the same kinds (a step's own faults win)."""
        return self if not other else FaultSet({**self.specs, **other.specs})

    def rate(self, kind: str) -> float:
        spec = self.specs.get(kind)
        return spec.rate if spec else 0.0


class Planned(Protocol):
    """What the injector needs of a planned event (scenarios.plan.PlannedEvent satisfies it)."""

    @property
    def event(self) -> dict[str, Any]: ...
    @property
    def occurred_at(self) -> datetime: ...
    @property
    def faults(self) -> FaultSet | None: ...


@dataclass(slots=True)
class Outgoing:
    """One message to publish (or, with kind "drop", not to). `body` is set for poison messages only."""

    planned: Any
    kind: str = "event"  # event | duplicate | poison | drop
    body: str | None = None
    publish_at: datetime | None = None
    marks: list[str] = field(default_factory=list)
    duplicated: bool = False  # another copy of the same event follows (or, reordered, precedes) this one

    @property
    def published(self) -> bool:
        return self.kind != "drop"


def poison_body(event: Mapping[str, Any], variant: str) -> str:
    """A broken rendering of `event`: malformed JSON, a schema-invalid event, or an unknown version."""
    if variant == "malformed-json":
        text = json.dumps(event)
        return text[: max(1, len(text) // 2)]
    if variant == "schema-invalid":
        broken = {**event, "occurredAt": "yesterday", "personReference": {}}
        return json.dumps(broken)
    if variant == "unknown-version":
        return json.dumps({**event, "version": int(event.get("version", 1)) + 998})
    raise ValueError(f"unknown poison variant {variant!r}")


class FaultInjector:
    """Applies run-level faults, overridden per step, to a stream of planned events, lazily.

    Per event, in this order: drop, else poison (instead of the event), then duplicate (right after it).
    Then delay (publishing in order of occurredAt + jitter) and reorder (shuffling windows of N). Memory stays
    bounded by the reorder window and the delay horizon, so a 100,000-event stream is never materialised.
    """

    def __init__(self, faults: FaultSet, seed: int) -> None:
        self.faults = faults
        # A string seed hashes deterministically (unlike hash()), and keeps fault draws apart from the faker's.
        self._random = random.Random(f"tidings-faults:{seed}")

    def apply(self, planned: Iterable[Planned]) -> Iterator[Outgoing]:
        """The messages to publish, in publishing order, each with its fault marks."""
        messages = self._per_event(planned)
        messages = self._delayed(messages)
        reorder = self.faults.specs.get("reorder")
        window = reorder.window if reorder else 0
        return self._reordered(messages, window) if window >= 2 else messages

    def _per_event(self, planned: Iterable[Planned]) -> Iterator[Outgoing]:
        draw = self._random.random
        for item in planned:
            faults = self.faults.overridden_by(item.faults)
            if not faults:
                yield Outgoing(item, publish_at=item.occurred_at)
                continue
            drop, poison, duplicate = faults.rate("drop"), faults.rate("poison"), faults.rate("duplicate")
            delay = faults.specs.get("delay")
            if drop and draw() < drop:
                yield Outgoing(item, kind="drop", publish_at=item.occurred_at, marks=["drop"])
                continue
            if poison and draw() < poison:
                variant = POISON_VARIANTS[self._random.randrange(len(POISON_VARIANTS))]
                body = poison_body(item.event, variant)
                message = Outgoing(item, kind="poison", body=body, marks=[f"poison:{variant}"])
            else:
                message = Outgoing(item)
            copies = [message]
            if duplicate and message.kind == "event" and draw() < duplicate:
                message.duplicated = True
                copies.append(Outgoing(item, kind="duplicate", marks=["duplicate"], duplicated=True))
            for copy in copies:
                copy.publish_at = item.occurred_at + self._jitter(delay, copy)
                yield copy

    def _jitter(self, delay: FaultSpec | None, message: Outgoing) -> timedelta:
        if delay is None:
            return timedelta()
        low, high = delay.delay
        jitter = low + (high - low) * self._random.random()
        # Milliseconds are as fine as a timeline shows and keep replays exact across platforms.
        jitter = timedelta(milliseconds=round(jitter.total_seconds() * 1000))
        message.marks.append(f"delay +{jitter.total_seconds():g}s")
        return jitter

    @staticmethod
    def _delayed(messages: Iterator[Outgoing]) -> Iterator[Outgoing]:
        """Release messages in order of publish_at; a message can go once nothing later can overtake it."""
        heap: list[tuple[datetime, int, Outgoing]] = []
        for order, message in enumerate(messages):
            assert message.publish_at is not None
            heapq.heappush(heap, (message.publish_at, order, message))
            # Every message still to come has publish_at ≥ its occurredAt ≥ this one's occurredAt.
            horizon = message.planned.occurred_at
            while heap and heap[0][0] <= horizon:
                yield heapq.heappop(heap)[2]
        while heap:
            yield heapq.heappop(heap)[2]

    def _reordered(self, messages: Iterator[Outgoing], window: int) -> Iterator[Outgoing]:
        batch: list[Outgoing] = []
        for message in messages:
            batch.append(message)
            if len(batch) == window:
                yield from self._shuffle(batch)
                batch = []
        yield from self._shuffle(batch)

    def _shuffle(self, batch: list[Outgoing]) -> list[Outgoing]:
        shuffled = batch[:]
        self._random.shuffle(shuffled)
        for position, message in enumerate(shuffled):
            if message is not batch[position] and message.published:
                message.marks.append(f"reorder {batch.index(message) + 1}→{position + 1}")
        return shuffled
