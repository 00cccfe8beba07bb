"""Faults, injected deterministically: at-least-once delivery, reordering, delay, loss, poison, and a business API
that lags, fails or is slow.

Consumers of domain events live without atomic transactions: an event can come twice, late, out of order, not
at all, or broken, and the API behind its detailUrl may not be ready. A fault spec says how often
(`redeliver=0.2`, `republish=0.2`, `reorder=5`, `delay=0-3s`, `drop=0.1`, `poison=0.05:malformed`,
`api-lag=2s`, `api-error=0.2`, `api-slow=0-500ms`); `FaultInjector` applies the specs to a stream of planned
events with a seeded `random.Random`, so `--seed` replays exactly the same faults, and labels every message it
touches so the timeline shows them.

Two kinds of "the same event twice", each testing a different dedup key:
- `redeliver`: SQS hands the consumer the *same* message again (same SQS and SNS MessageId, body and
  attributes; a new receipt handle, receive count up), as after a lost delete or an expired visibility
  timeout. Tests dedup by MessageId. Needs an engine tidings runs in this process (runs.redelivery).
- `republish` (alias `duplicate`): the producer publishes the event again: a new MessageId, the same payload and
  the same requestId. Tests dedup by the event's own identity (requestId, or eventType + ids + occurredAt).

Transport faults leave the producer's state (the fake API) as the scenario wrote it: a dropped event's change is
still visible through its detailUrl, which is what a consumer's reconciliation relies on. API faults (`api-*`)
change how the fake API answers for the detailUrl of each event they apply to (fake_api.api_faults).
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from tidings.contracts.errors import UsageError, closest
from tidings.simulator.scenarios.clock import parse_duration
from tidings.simulator.scenarios.poison import POISON_KINDS, parse_poison_kinds, poison_body

__all__ = [
    "API_FAULTS",
    "FAULT_ALIASES",
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
    "redeliver": "redeliver=0.2 (SQS delivers 20% of messages again: same MessageId, receive count up)",
    "republish": "republish=0.2 (publish 20% of events again: new MessageId, same payload and requestId)",
    "reorder": "reorder=5 (shuffle the publishing order within windows of 5)",
    "delay": "delay=0-3s (hold each event back by a random 0 to 3 seconds)",
    "drop": "drop=0.1 (lose 10% of events; the fake API still shows their state)",
    "poison": "poison=0.05:malformed|invalid|unknown-version|unknown-type (replace 5% of events with broken ones;"
    " no kind: all kinds in turn)",
    "api-lag": "api-lag=2s or api-lag=3req (the event's resource answers 404 for 2 s after publishing, or to the"
    " first 3 requests)",
    "api-error": "api-error=0.2 or api-error=0.2:500 (20% of requests for the event's resource get a 503/500"
    " problem+json)",
    "api-slow": "api-slow=0-500ms (each request for the event's resource waits 0 to 500 ms)",
}
FAULT_ALIASES = {"duplicate": "republish"}
POISON_VARIANTS = POISON_KINDS
API_FAULTS = ("api-lag", "api-error", "api-slow")
_RATE_KINDS = ("republish", "redeliver", "drop", "poison", "api-error")


@dataclass(frozen=True, slots=True)
class FaultSpec:
    """One parsed fault: a rate (republish, redeliver, drop, poison, api-error), a window (reorder), a delay
    range (delay, api-slow, api-lag), poison `variants`, api-lag's `requests`, api-error's `status`."""

    kind: str
    rate: float = 0.0
    window: int = 0
    delay: tuple[timedelta, timedelta] = (timedelta(), timedelta())
    variants: tuple[str, ...] = ()
    requests: int = 0
    status: int = 503

    def __str__(self) -> str:
        if self.kind == "reorder":
            return f"reorder={self.window}"
        if self.kind in ("delay", "api-slow"):
            low, high = (d.total_seconds() for d in self.delay)
            return f"{self.kind}={low:g}-{high:g}s"
        if self.kind == "api-lag":
            return f"api-lag={self.requests}req" if self.requests else f"api-lag={self.delay[1].total_seconds():g}s"
        if self.kind == "poison" and self.variants != POISON_KINDS:
            return f"poison={self.rate:g}:{'|'.join(self.variants)}"
        if self.kind == "api-error" and self.status != 503:
            return f"api-error={self.rate:g}:{self.status}"
        return f"{self.kind}={self.rate:g}"

    @property
    def mark(self) -> str:
        """How the timeline marks a message this API fault applies to: `api-lag 2s`."""
        return str(self).replace("=", " ", 1)


def parse_fault(text: object) -> FaultSpec:
    """Parse `kind=value` (`republish` alone means every time). Raises UsageError with a good example."""
    raw = str(text).strip()
    kind, _, value = raw.partition("=")
    kind, value = kind.strip().lower(), value.strip()
    kind = FAULT_ALIASES.get(kind, kind)
    if kind not in FAULT_EXAMPLES:
        suggestions = closest(kind, [*FAULT_EXAMPLES, *FAULT_ALIASES])
        raise UsageError(
            f"unknown fault {kind!r} in {raw!r}",
            hint=(f"did you mean {suggestions[0]}? " if suggestions else "")
            + "faults are: "
            + "; ".join(FAULT_EXAMPLES.values()),
        )
    if kind == "poison":
        rate_text, _, kinds = value.partition(":")
        return FaultSpec(kind, rate=_parse_rate(kind, rate_text or "1", raw), variants=parse_poison_kinds(kinds, raw))
    if kind == "api-error":
        rate_text, _, status = value.partition(":")
        if status and not (status.isdigit() and 500 <= int(status) <= 599):
            raise _bad(raw, kind, f"the status {status} is not a 5xx")
        return FaultSpec(kind, rate=_parse_rate(kind, rate_text or "1", raw), status=int(status or 503))
    if kind in _RATE_KINDS:
        return FaultSpec(kind, rate=_parse_rate(kind, value or "1", raw))
    if kind == "api-lag":
        if value.endswith("req") and value[:-3].isdigit() and int(value[:-3]) >= 1:
            return FaultSpec(kind, requests=int(value[:-3]))
        try:
            lag = parse_duration(value)
        except UsageError:
            raise _bad(raw, kind, "give a duration (2s) or a number of requests (3req)") from None
        return FaultSpec(kind, delay=(lag, lag))
    if kind == "reorder":
        if not value.isdigit() or int(value) < 2:
            raise _bad(raw, kind, "the window must be a whole number of events, at least 2")
        return FaultSpec(kind, window=int(value))
    return FaultSpec(kind, delay=_parse_delay_range(value, raw, kind))


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


def _parse_delay_range(value: str, raw: str, kind: str = "delay") -> tuple[timedelta, timedelta]:
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
        raise _bad(raw, kind, why) from None
    if high < low:
        raise _bad(raw, kind, "the range runs backwards")
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
        spec = self.specs.get(FAULT_ALIASES.get(kind, kind))
        return spec.rate if spec else 0.0

    def api(self) -> tuple[FaultSpec, ...]:
        """The business-API faults in force (api-lag, api-error, api-slow)."""
        return tuple(spec for kind, spec in self.specs.items() if kind in API_FAULTS)


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
    """One message to publish (or, with kind "drop", not to). `body` is set for poison messages only;
    `redeliver` asks the engine to deliver it again; `api` are the API faults for its detailUrl."""

    planned: Any
    kind: str = "event"  # event | duplicate (a republished copy) | poison | drop
    body: str | None = None
    publish_at: datetime | None = None
    marks: list[str] = field(default_factory=list)
    duplicated: bool = False  # another copy of the same event follows (or, reordered, precedes) this one
    redeliver: bool = False
    api: tuple[FaultSpec, ...] = ()

    @property
    def published(self) -> bool:
        return self.kind != "drop"


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
        # Poison kinds take turns from a seeded start, with their own source so other draws stay as they were.
        self._poison_turn = random.Random(f"tidings-poison:{seed}").randrange(len(POISON_KINDS))

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
            drop, poison, duplicate = faults.rate("drop"), faults.rate("poison"), faults.rate("republish")
            redeliver = faults.rate("redeliver")
            delay = faults.specs.get("delay")
            if drop and draw() < drop:
                yield Outgoing(item, kind="drop", publish_at=item.occurred_at, marks=["drop"])
                continue
            if poison and draw() < poison:
                variants = faults.specs["poison"].variants
                variant = variants[self._poison_turn % len(variants)]
                self._poison_turn += 1
                body = poison_body(item.event, variant)
                message = Outgoing(item, kind="poison", body=body, marks=[f"poison:{variant}"])
            else:
                message = Outgoing(item, api=faults.api(), marks=[spec.mark for spec in faults.api()])
            copies = [message]
            if duplicate and message.kind == "event" and draw() < duplicate:
                message.duplicated = True
                copies.append(Outgoing(item, kind="duplicate", marks=["republish"], duplicated=True))
            if redeliver and message.kind == "event" and draw() < redeliver:
                message.redeliver = True
                message.marks.append("redeliver")
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
