"""Playing a plan: the runner that turns resolved events into published messages, with faults, and yields what
happened as typed run events (runs.events). It prints nothing: the CLI renders, the control API serialises.

Order of work per run: preflight the plan (nothing is published if any step is wrong), materialise it when it
is small enough to be fully validated first, then for each event in scenario order apply its state to the fake
API (the producer commits, then publishes), pass it through the fault injector, and publish in batches of ten
(or one by one at the scenario's pace with `speed`). Finally wait until each queue has what its filter admits.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tidings.contracts.errors import UsageError
from tidings.contracts.registry.routed import CatalogView
from tidings.simulator.fake_api.state import StateSink
from tidings.simulator.runs.delivery import TAP_PREFIX, DeliveryTracker
from tidings.simulator.runs.events import (
    DeliveryChecked,
    EventPublished,
    FaultInjected,
    RunEvent,
    RunFinished,
    RunStarted,
    RunSummary,
    StepStarted,
)
from tidings.simulator.runs.numbers import SPEED_RANGE, check_number
from tidings.simulator.runs.sender import Sender
from tidings.simulator.runs.taps import Taps
from tidings.simulator.scenarios.faults import API_FAULTS, FaultInjector, FaultSet, Outgoing
from tidings.simulator.scenarios.plan import MATERIALISE_LIMIT, Plan, PlannedEvent, crn_of

__all__ = ["PlayOptions", "Player"]


@dataclass(frozen=True, slots=True)
class PlayOptions:
    """How to play: extra faults (over the scenario's own), pace (`speed` None = don't wait for simulated
    delays), how long to wait for delivery, and how many messages go per PublishBatch."""

    faults: FaultSet = field(default_factory=FaultSet)
    speed: float | None = None
    delivery_timeout: float = 10.0
    batch_size: int = 10
    allow_remote: bool = False
    observe: bool = False  # count deliveries with tap queues (runs.taps) instead of inferring them from depths
    cancel: threading.Event | None = field(default=None, compare=False)  # set: waits for --speed end at once

    def __post_init__(self) -> None:
        if self.speed is not None:
            check_number("--speed", self.speed, low=SPEED_RANGE[0], high=SPEED_RANGE[1], example="--speed 60")
        check_number("--delivery-timeout", self.delivery_timeout, low=0, high=3600, example="--delivery-timeout 10")
        check_number("batch_size", self.batch_size, low=1, high=10, example="batch_size=10", whole=True)


class Player:
    """Publishes plans (and single events) to one topic through a `Publisher`, keeping the fake API's state."""

    def __init__(
        self,
        publisher: Any,
        catalog: CatalogView,
        tracker: DeliveryTracker,
        *,
        state: StateSink | None = None,
        base_url: str | None = None,
        endpoint: str = "",
        loopback: bool = True,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        engine: Any = None,
        topic_arn: str | None = None,
    ) -> None:
        self.publisher = publisher
        self.catalog = catalog
        self.tracker = tracker
        self.state = state
        self.base_url = base_url or catalog.api_base_url
        self.endpoint = endpoint
        self.loopback = loopback
        self.sleep = sleep
        self.monotonic = monotonic  # with `sleep`, replaceable in tests of --speed
        self.engine = engine  # with `topic_arn`, what tap queues are made on (PlayOptions.observe)
        self.topic_arn = topic_arn

    @classmethod
    def for_engine(
        cls,
        engine: Any,
        catalog: CatalogView,
        topic_arn: str,
        *,
        state: StateSink | None = None,
        base_url: str | None = None,
    ) -> Player:
        """A player publishing to `topic_arn` on `engine` (an `Engine` from simulator.engine)."""
        from tidings.simulator.engine.publisher import (
            Publisher,  # the engine layer: imported here so pure uses of run need no boto3
        )

        base_url = base_url or catalog.api_base_url
        return cls(
            Publisher(engine, catalog, topic_arn, base_url=base_url),
            catalog,
            DeliveryTracker.from_engine(engine, topic_arn),
            state=state,
            base_url=base_url,
            endpoint=engine.endpoint_url or engine.description,
            loopback=engine.is_loopback,
            engine=engine,
            topic_arn=topic_arn,
        )

    # -- one event ----------------------------------------------------------------------------------------------

    def emit(
        self,
        event_type: str,
        *,
        version: int | None = None,
        data: Mapping[str, Any] | None = None,
        state: Mapping[str, Any] | None = None,
    ) -> EventPublished:
        """Build one event from its contract example with `data` merged in, validate, update the fake API's
        state, publish. Raises UsageError (naming each JSON pointer) if the event breaks its contract."""
        overrides = dict(data or {})
        event = self.catalog.example(event_type, version=version, base_url=self.base_url, **overrides)
        now = datetime.now(UTC).replace(microsecond=0)
        if "occurredAt" not in overrides:
            event["occurredAt"] = now.isoformat()
        violations = self.catalog.validate(event)
        if violations:
            raise UsageError(
                f"the {event_type} event does not match its contract: " + "; ".join(str(v) for v in violations),
                hint=f"`tidings contracts show {event_type}` shows the schema",
            )
        if self.state is not None:
            self.state.apply(event, state)
            self.state.flush()
        published = self.publisher.publish(event)
        queues = self.tracker.queues_for(event_type, event) or ()
        return EventPublished(
            0,
            now,
            "emit",
            event_type,
            crn_of(event),
            published.message_id,
            published.tracking_id,
            None,
            queues,
            event=event,
        )

    # -- a plan -------------------------------------------------------------------------------------------------

    def play(self, plan: Plan, options: PlayOptions | None = None, *, run_id: str | None = None) -> Iterator[RunEvent]:
        """Play `plan`, yielding run events. Raises ScenarioError before publishing anything when the plan is
        wrong (for plans over MATERIALISE_LIMIT events, a later event could still fail: see scenarios.plan)."""
        options = options or PlayOptions()
        run_id = run_id or uuid.uuid4().hex[:12]
        faults = plan.scenario.faults.overridden_by(options.faults)
        if (faults or plan.scenario.declares_faults()) and not self.loopback and not options.allow_remote:
            which = str(faults) if faults else "those the scenario declares"
            raise UsageError(
                f"refusing to inject faults ({which}) into {self.endpoint}, which is not on this machine",
                hint="faults are for local engines; pass --allow-remote if you really mean this one",
            )
        self._check_fault_support(set(faults.specs) | plan.scenario.fault_kinds())
        total = plan.preflight()
        # Resuming (`--from N`): the skipped events' state is committed, as the run that published them did.
        state = self.state
        skipped = (lambda item: state.apply(item.event, item.state)) if state is not None else None
        planned: Iterable[PlannedEvent] = plan.events(on_skipped=skipped)
        if total <= MATERIALISE_LIMIT:
            planned = list(planned)  # resolved and validated in full before the first publish
        yield RunStarted(
            run_id,
            plan.scenario.name,
            plan.seed,
            dict(plan.params),
            str(faults),
            total - plan.skip,
            plan.start,
            self.endpoint,
            self.base_url,
            options.speed,
            resumed_from=plan.skip,
        )
        run = _Run(self, plan, options, run_id)
        try:
            yield from run.publish(FaultInjector(faults, plan.seed).apply(run.committed(planned)))
            yield from run.finish(run_id)
        finally:
            if run.taps is not None:
                run.taps.close()

    def _check_fault_support(self, kinds: set[str]) -> None:
        """Refuse, before publishing, faults this engine or fake API cannot inject."""
        if "redeliver" in kinds and (self.engine is None or self.engine.sqs_state() is None):
            raise UsageError(
                f"the engine at {self.endpoint} cannot be made to redeliver a message: `redeliver` needs the "
                "embedded engine of this process (SQS's API has no way to undo a consumer's delete)",
                hint="play on the embedded engine (the default), or use republish=P (a new MessageId, same payload"
                " and requestId), which works on any engine",
            )
        if kinds & set(API_FAULTS) and not hasattr(self.state, "add_api_faults_for"):
            raise UsageError(
                "api-lag, api-error and api-slow need a tidings fake API to answer detailUrls, and this run has none",
                hint="let tidings start one (the default), or point --api-url at a running `tidings up`",
            )


class _Run:
    """The mutable bookkeeping of one play: pending step events, the current batch, counters."""

    def __init__(self, player: Player, plan: Plan, options: PlayOptions, run_id: str) -> None:
        self.player = player
        self.plan = plan
        self.options = options
        self.pending: list[RunEvent] = []
        self.batch: list[Outgoing] = []
        self.sender = Sender(player.publisher)
        self.emitted = 0
        self.by_event_type: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()
        self.expected: Counter[str] = Counter({queue: 0 for queue in player.tracker.queues})
        self.unknown_filters = False
        self.taps: Taps | None = None
        self.redelivery = player.engine.sqs_state() if player.engine is not None else None
        if options.observe and player.engine is not None and player.topic_arn is not None:
            self.taps = Taps.create(player.engine, player.topic_arn, player.tracker.subscriptions, run_id)
        self.baseline = {} if self.taps is not None else player.tracker.depths()
        self.wall_start = player.monotonic()
        self.last_at = plan.start

    def committed(self, planned: Iterable[PlannedEvent]) -> Iterator[PlannedEvent]:
        """Events in scenario order, each applied to the fake API as the producer would commit it."""
        state = self.player.state
        previous: tuple[Any, int | None] | None = None
        for item in planned:
            if state is not None:
                state.apply(item.event, item.state)
            if (item.step, item.index) != previous:
                previous = (item.step, item.index)
                self.pending.append(
                    StepStarted(item.seq, item.occurred_at, str(item.step), item.event_type, item.index)
                )
            self.emitted += 1
            self.last_at = item.occurred_at
            yield item

    def publish(self, messages: Iterator[Outgoing]) -> Iterator[RunEvent]:
        speed = self.options.speed
        for message in messages:
            if self.pending:
                yield from self.pending
                self.pending.clear()
            if speed is not None:
                yield from self.flush()
                self._wait_until(message, speed)
            if message.kind == "drop":
                yield from self.flush()  # keep the timeline in publishing order
                self.faults["drop"] += 1
                yield self._fault(message, "drop", "dropped: never published")
                continue
            self.batch.append(message)
            if len(self.batch) >= self.options.batch_size:
                yield from self.flush()
        yield from self.flush()
        yield from self.pending
        self.pending.clear()

    def _wait_until(self, message: Outgoing, speed: float) -> None:
        assert message.publish_at is not None
        due = (message.publish_at - self.plan.start).total_seconds() / speed
        lag = due - (self.player.monotonic() - self.wall_start)
        cancel = self.options.cancel
        while lag > 0:  # in slices: one sleep of years overflows the platform's time_t
            if cancel is not None and cancel.wait(min(lag, 86_400.0)):
                return  # cancelled: the caller stops after this event
            if cancel is None:
                self.player.sleep(min(lag, 86_400.0))
            lag -= 86_400.0

    def flush(self) -> Iterator[RunEvent]:
        if not self.batch:
            return
        batch, self.batch = self.batch, []
        state = self.player.state
        for message in batch:
            if message.api and state is not None:  # from the publish on, its detailUrl lags, fails or is slow
                specs = [str(spec) for spec in message.api]
                state.add_api_faults_for(message.planned.event, specs, seed=self.plan.seed)  # type: ignore[attr-defined]
        if state is not None:
            state.flush()  # the producer commits before it publishes
        sent = self.sender.send(batch)
        if self.taps is not None:
            self.taps.published(len(sent))
        for message, (message_id, tracking_id) in zip(batch, sent, strict=True):
            if message.redeliver and self.redelivery is not None:
                # Each queue's copy loses its next delete: the consumer gets the same message again.
                self.redelivery.redeliver(message_id, request_id=tracking_id, skip_prefix=TAP_PREFIX)
        for message, (message_id, tracking_id) in zip(batch, sent, strict=True):
            item = message.planned
            event_type = item.event_type
            queues = self.player.tracker.queues_for(event_type, None if message.body else item.event)
            if queues is None:
                self.unknown_filters = True
                queues = ()
            self.expected.update(queues)
            self.by_event_type[event_type] += 1
            yield EventPublished(
                item.seq,
                item.occurred_at,
                str(item.step),
                event_type,
                item.crn,
                message_id,
                tracking_id,
                ", ".join(message.marks) or None,
                queues,
                message.publish_at,
                event=None if message.body is not None else item.event,
                body=message.body,
            )
            for mark in message.marks:
                kind = mark.split(":")[0].split(" ")[0]
                self.faults[kind] += 1
                yield self._fault(message, kind, mark)

    def _fault(self, message: Outgoing, kind: str, detail: str) -> FaultInjected:
        item = message.planned
        return FaultInjected(item.seq, item.occurred_at, str(item.step), item.event_type, item.crn, kind, detail)

    def finish(self, run_id: str) -> Iterator[RunEvent]:
        if self.player.state is not None:
            self.player.state.flush()  # dropped events at the end still changed the producer's state
        tracker = self.player.tracker
        expected = dict(self.expected)
        seen: dict[str, list[str]] | None = None
        if self.taps is not None:
            # The engine's own filters decided: what the taps got is what each subscription admitted.
            timeout = self.options.delivery_timeout
            seen = self.taps.collect(expected, timeout=timeout, exact=not self.unknown_filters)
            received = {queue: len(ids) for queue, ids in seen.items()}
        else:
            received = tracker.wait(self.baseline, expected, timeout=self.options.delivery_timeout)
        complete = self.taps is not None or not self.unknown_filters
        for queue in tracker.queues:
            got = received.get(queue, 0)
            if seen is not None:
                # Observed: expected is what the engine admitted; tidings' own evaluation may not know a filter.
                done = self.unknown_filters or got >= expected.get(queue, 0)
                ids = tuple(seen.get(queue, ()))
                complete = complete and done
                yield DeliveryChecked(queue, expected.get(queue, 0), got, done, ids, observed=True)
                continue
            done = got >= expected.get(queue, 0)
            complete = complete and done
            yield DeliveryChecked(queue, expected.get(queue, 0), got, done)
        summary = RunSummary(
            emitted=self.emitted,
            published=sum(self.by_event_type.values()),
            by_event_type=dict(self.by_event_type),
            delivered=received,
            expected=expected,
            faults=dict(self.faults),
            delivery_complete=complete,
            wall_seconds=round(self.player.monotonic() - self.wall_start, 3),
            simulated=self.last_at - self.plan.start,
        )
        yield RunFinished(run_id, summary)
