"""Resolving a scenario into the events to publish: a pure function of scenario + params + seed + catalogue.

`Plan.preflight()` resolves and validates the whole plan before anything is published: a sample pass (every
step, each `repeat` at its first and last iteration) counts the events and refuses a plan over the cap of
events per run, then a second lazy pass validates every event. `Plan.events()` yields the full stream lazily
(indices are ranges, never lists), so `caseload` with 100,000 referrals never sits in memory.

A plan can resume (`tidings play --from N`): `skip=N` leaves out its first N events. They are still resolved
(the generators must draw the same values in the same order), so with the same seed and start the events
yielded are exactly events N+1.. of the full plan, with their sequence numbers.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from tidings.contracts.errors import TidingsError, UsageError
from tidings.contracts.registry.routed import CatalogView
from tidings.simulator.scenarios.clock import SimulatedClock, interleaved_end
from tidings.simulator.scenarios.faults import FaultSet
from tidings.simulator.scenarios.generators import Generators
from tidings.simulator.scenarios.limits import MATERIALISE_LIMIT, MAX_EVENTS, max_events
from tidings.simulator.scenarios.model import EmitStep, IncludeStep, Scenario, ScenarioError
from tidings.simulator.scenarios.params import bind_params
from tidings.simulator.scenarios.planned import PlannedEvent, StepRef, crn_of
from tidings.simulator.scenarios.templates import Template, TemplateError, TemplateScope, render_tree

__all__ = ["MATERIALISE_LIMIT", "MAX_EVENTS", "Plan", "PlannedEvent", "StepRef", "crn_of", "max_events"]


class Plan:
    """A scenario bound to its parameters, seed, start time and the fake API's base URL."""

    def __init__(
        self,
        scenario: Scenario,
        catalog: CatalogView,
        *,
        params: Mapping[str, Any] | None = None,
        seed: int | None = None,
        base_url: str | None = None,
        start: datetime | None = None,
        skip: int = 0,
    ) -> None:
        if isinstance(skip, bool) or not isinstance(skip, int) or skip < 0:
            raise UsageError(
                f"--from {skip!r}: the number of events to skip must be a whole number ≥ 0",
                hint="--from N publishes the plan from its event N+1 on (N: the count a stopped run reported)",
            )
        self.scenario = scenario
        self.skip = skip
        self.catalog = catalog
        self.seed = seed if seed is not None else random.SystemRandom().randrange(1, 2**31)
        self.base_url = base_url or catalog.api_base_url
        start = start if start is not None else scenario.start_at
        self.start = SimulatedClock(start).start
        self.given = dict(params or {})  # as the caller gave them (CLI strings included)
        self.params = bind_params(scenario, self.given, Generators(self.seed), self.start)
        _check_event_types(scenario, catalog)
        self.total: int | None = None
        if start is None:  # placed to end now, so no occurredAt is in the future
            span = self._span()
            if span:
                self.start -= span
                self.params = bind_params(scenario, self.given, Generators(self.seed), self.start)

    def _span(self) -> timedelta:
        """How much simulated time the plan covers (estimated by the sample pass; 0 when it cannot be played:
        preflight reports why)."""
        resolver = _Resolver(self, sample=True, timing=True)
        try:
            for _ in resolver.run():
                pass
        except TidingsError:
            return timedelta()
        return max(resolver.end - self.start, timedelta())

    def preflight(self) -> int:
        """Resolve and validate the whole plan before anything is published; return its number of events.

        A quick sample pass first (every step, repeats at their first and last iteration) counts the events and
        catches most mistakes at once; a plan over the events-per-run cap (`max_events()`) is refused there. Then,
        when the sample skipped repetitions, a second lazy pass resolves and validates every event (CPU, not
        memory), so a plan is never half-played. Raises ScenarioError, naming file:line, step, repetition and
        JSON pointer. The result is cached: a plan is checked once."""
        if self.total is not None:
            return self.total
        resolver = _Resolver(self, sample=True)
        for _ in resolver.run():
            pass
        total = round(resolver.weight)
        cap = max_events()
        if total > cap:
            raise UsageError(
                f"scenario {self.scenario.name!r} would publish {total:,} events, more than the limit of {cap:,} "
                "per run",
                hint="lower its repeat/count, or raise the limit with TIDINGS_MAX_EVENTS (see the README's Limits)",
            )
        if self.skip > total:
            raise UsageError(
                f"--from {self.skip:,}: scenario {self.scenario.name!r} has only {total:,} events with these "
                "parameters",
                hint="give --from the number of events the stopped run published, with its --seed, --start-at and "
                "--param values (the resume hint of that run says them all)",
            )
        if resolver.skipped:
            for _ in _Resolver(self, sample=False).run():
                pass
        self.total = total
        return total

    @property
    def remaining(self) -> int:
        """How many events `events()` yields: the plan's, less the skipped (preflight first)."""
        return self.preflight() - self.skip

    def events(self, *, on_skipped: Callable[[PlannedEvent], None] | None = None) -> Iterator[PlannedEvent]:
        """The stream of events in simulated-time order, less the first `skip`, each validated before it is
        yielded. The skipped ones go to `on_skipped` (e.g. to commit their state to the fake API, as the run
        that published them did), before the first event is yielded."""
        events = _Resolver(self, sample=False).run()
        if not self.skip:
            return events
        if on_skipped is None:
            return itertools.islice(events, self.skip, None)
        return _after_skipped(events, self.skip, on_skipped)


def _numbered(events: Iterator[PlannedEvent]) -> Iterator[PlannedEvent]:
    """Each event's seq is its position in the stream (interleaved repetitions make theirs ahead of time), so
    event N of a plan is the one `--from N` resumes after."""
    for position, event in enumerate(events, 1):
        event.seq = position
        yield event


def _after_skipped(
    events: Iterator[PlannedEvent], skip: int, on_skipped: Callable[[PlannedEvent], None]
) -> Iterator[PlannedEvent]:
    for event in itertools.islice(events, skip):
        on_skipped(event)
    yield from events


class _Resolver:
    """One pass over a plan. In sample mode each repeat runs only its first and last iteration, and `weight`
    counts how many events the full pass would make."""

    def __init__(self, plan: Plan, *, sample: bool, timing: bool = False) -> None:
        self.plan = plan
        self.sample = sample
        self.timing = timing  # only the clock: no events built or validated (Plan._span)
        self.generators = Generators(plan.seed)
        self.weight = 0.0
        self.seq = 0
        self.skipped = False  # did the sample pass leave repetitions out?
        self.end = plan.start  # the latest simulated time reached (sample passes count skipped repetitions)

    def run(self) -> Iterator[PlannedEvent]:
        plan = self.plan
        # Bind again with this pass's own generator, so both passes draw the same values in the same order.
        params = bind_params(plan.scenario, plan.given, self.generators, plan.start)
        clock = SimulatedClock(plan.start)
        return _numbered(self._scenario(plan.scenario, params, {}, clock, None, 1.0))

    def _scenario(
        self,
        scenario: Scenario,
        params: dict[str, Any],
        steps: dict[str, dict[str, Any]],
        clock: SimulatedClock,
        inherited: FaultSet | None,
        weight: float,
    ) -> Iterator[PlannedEvent]:
        for step in scenario.steps:
            if isinstance(step, EmitStep):
                yield from self._emit(scenario, step, params, steps, clock, inherited, weight)
            else:
                yield from self._include(scenario, step, params, steps, clock, inherited, weight)

    def _count(self, scenario: Scenario, step: EmitStep | IncludeStep, scope: TemplateScope) -> int:
        if step.repeat is None:
            return 1
        if not isinstance(step.repeat, Template):
            return int(step.repeat)
        try:
            count = step.repeat.render(scope)
        except TemplateError as error:
            raise ScenarioError(
                scenario.path, error.message, line=step.line, step=step.describe(), hint=error.hint
            ) from None
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise ScenarioError(
                scenario.path,
                f"`repeat:` came out as {count!r}, not a whole number ≥ 0",
                line=step.line,
                step=step.describe(),
                hint="e.g. `repeat: '{{ params.count }}'` with an integer parameter",
            )
        return count

    def _indices(self, count: int) -> tuple[Sequence[int], float]:
        """The iterations to play (lazily: a range) and the weight of each (in sample mode, first and last stand
        for all)."""
        if not self.sample or count <= 2:
            return range(count), 1.0
        self.skipped = True
        return (0, count - 1), count / 2

    def _emit(
        self,
        scenario: Scenario,
        step: EmitStep,
        params: dict[str, Any],
        steps: dict[str, dict[str, Any]],
        clock: SimulatedClock,
        inherited: FaultSet | None,
        weight: float,
    ) -> Iterator[PlannedEvent]:
        scope = TemplateScope(params, steps, self.generators, clock.now)
        count = self._count(scenario, step, scope)
        indices, each = self._indices(count)
        ref = StepRef(scenario.name, step.label, str(scenario.path), step.line, step.event_type)
        faults = inherited.overridden_by(step.faults) if inherited else step.faults
        for index in indices:
            label = step.describe() + (f" (repetition {index + 1} of {count:,})" if step.repeat is not None else "")
            if index == count - 1 and count > 2 and self.sample:
                clock.advance(step.after * (count - 2))  # the skipped repetitions' time
            scope.now = clock.advance(step.after)
            self.end = max(self.end, clock.now)
            if self.timing:
                continue
            scope.index = index if step.repeat is not None else None
            try:
                overrides = {**render_tree(scenario.data, scope), **render_tree(step.data, scope)}
                state = render_tree(step.state, scope) if step.state is not None else None
                event = self.plan.catalog.example(
                    step.event_type, version=step.version, base_url=self.plan.base_url, **overrides
                )
            except UsageError as error:
                raise ScenarioError(scenario.path, error.message, line=step.line, step=label, hint=error.hint) from None
            if "occurredAt" not in overrides:
                event["occurredAt"] = clock.now.isoformat()
            self._validate(scenario, step, label, event)
            if step.name:
                steps[step.name] = event
            self.weight += weight * each
            self.seq += 1
            yield PlannedEvent(self.seq, ref, scope.index, event, clock.now, state, faults)

    def _validate(self, scenario: Scenario, step: EmitStep, label: str, event: dict[str, Any]) -> None:
        violations = self.plan.catalog.validate(event)
        if violations:
            first = violations[0]
            more = "".join(f"\n  {violation}" for violation in violations[1:])
            raise ScenarioError(
                scenario.path,
                f"the event does not match its contract: {first.message}{more}",
                line=step.line,
                step=label,
                pointer=first.pointer or "/",
                hint="fix the step's `data:` (or the template or parameter that fills it); "
                f"`tidings contracts show {step.event_type}` shows the schema",
            )

    def _include(
        self,
        scenario: Scenario,
        step: IncludeStep,
        params: dict[str, Any],
        steps: dict[str, dict[str, Any]],
        clock: SimulatedClock,
        inherited: FaultSet | None,
        weight: float,
    ) -> Iterator[PlannedEvent]:
        scope = TemplateScope(params, steps, self.generators, clock.now)
        count = self._count(scenario, step, scope)
        included = step.scenario
        # An included scenario's own top-level faults apply to its events, unless the include step overrides.
        faults = _merge(_merge(inherited, _per_event(included.faults)), step.faults)
        if step.repeat is None:
            clock.advance(step.after)
            child = self._bind(scenario, step, scope, params, None)
            # Not repeated: its named steps become visible to the steps below (they share the namespace).
            yield from self._scenario(included, child, steps, clock, faults, weight)
            return
        indices, each = self._indices(count)
        if self.sample or step.interleave == 1:
            began, span = clock.now, None
            for index in indices:
                if index == count - 1 and count > 2 and self.sample and step.interleave == 1:
                    clock.advance((clock.now - began) * (count - 2))  # the skipped repetitions' time
                clock.advance(step.after)
                scope.now = started = clock.now
                child = self._bind(scenario, step, scope, params, index)
                with _naming_repetition(step, index, count):
                    yield from self._scenario(included, child, {}, clock, faults, weight * each)
                span = clock.now - started if span is None else span
            if self.sample and step.interleave > 1 and span is not None:  # played one after the other here
                clock.now = interleaved_end(began, step.after, span, count, step.interleave)
            self.end = max(self.end, clock.now)
            return
        yield from self._interleaved(scenario, step, scope, params, clock, faults, count)

    def _interleaved(
        self,
        scenario: Scenario,
        step: IncludeStep,
        scope: TemplateScope,
        params: dict[str, Any],
        clock: SimulatedClock,
        faults: FaultSet | None,
        count: int,
    ) -> Iterator[PlannedEvent]:
        """`interleave` repetitions at a time, each on its own clock, merged in simulated-time order. A new
        repetition starts `after` the previous one started, once a slot is free; memory stays O(interleave)."""
        heap: list[tuple[datetime, int, PlannedEvent, Iterator[PlannedEvent]]] = []
        started = 0
        next_start = clock.now

        def start(index: int, at: datetime) -> None:
            scope.now, scope.index = at, index
            child = self._bind(scenario, step, scope, params, index)
            instance = _named(
                step, index, count, self._scenario(step.scenario, child, {}, SimulatedClock(at), faults, 1.0)
            )
            first = next(instance, None)
            if first is not None:
                heapq.heappush(heap, (first.occurred_at, index, first, instance))

        while started < count and started < step.interleave:
            next_start = next_start + step.after
            start(started, next_start)
            started += 1
        while heap:
            _, index, event, instance = heapq.heappop(heap)
            clock.now = max(clock.now, event.occurred_at)
            yield event
            following = next(instance, None)
            if following is not None:
                heapq.heappush(heap, (following.occurred_at, index, following, instance))
            elif started < count:
                next_start = max(next_start + step.after, clock.now)
                start(started, next_start)
                started += 1

    def _bind(
        self,
        scenario: Scenario,
        step: IncludeStep,
        scope: TemplateScope,
        params: dict[str, Any],
        index: int | None,
    ) -> dict[str, Any]:
        scope.index = index
        try:
            given = render_tree(step.params, scope)
            return bind_params(step.scenario, given, self.generators, scope.now, inherited=params)
        except UsageError as error:
            raise ScenarioError(
                scenario.path, error.message, line=step.line, step=step.describe(), hint=error.hint
            ) from None


@contextlib.contextmanager
def _naming_repetition(step: IncludeStep, index: int, count: int) -> Iterator[None]:
    """Add which repetition of an include failed to a ScenarioError raised inside it."""
    try:
        yield
    except ScenarioError as error:
        error.message += f" (in repetition {index + 1} of {count:,} of {step.describe()})"
        error.args = (error.message,)
        raise


def _named(step: IncludeStep, index: int, count: int, events: Iterator[PlannedEvent]) -> Iterator[PlannedEvent]:
    with _naming_repetition(step, index, count):
        yield from events


def _merge(base: FaultSet | None, override: FaultSet | None) -> FaultSet | None:
    if base is None:
        return override
    return base.overridden_by(override)


def _per_event(faults: FaultSet) -> FaultSet | None:
    """An included scenario's top-level faults, less `reorder`, which only the played scenario sets."""
    kept = {kind: spec for kind, spec in faults.specs.items() if kind != "reorder"}
    return FaultSet(kept) if kept else None


def _check_event_types(scenario: Scenario, catalog: CatalogView, seen: set[str] | None = None) -> None:
    """Every step's event type and version exist in the catalogue (reported at the step's line)."""
    seen = set() if seen is None else seen
    if scenario.name in seen:
        return
    seen.add(scenario.name)
    for step in scenario.steps:
        if isinstance(step, IncludeStep):
            _check_event_types(step.scenario, catalog, seen)
            continue
        try:
            catalog.get(step.event_type, step.version)
        except UsageError as error:
            raise ScenarioError(
                scenario.path, error.message, line=step.line, step=step.describe(), hint=error.hint
            ) from None
