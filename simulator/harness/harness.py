"""What a test framework needs from the simulator, started once per test session and used per test: the engine
with the topology applied (`HarnessEngine`), the fake business API served in a thread with every exception it
raises kept for the test to re-raise (`HarnessApi`), and scenario runs and single events published so that a
test's own queues are the ones a run tracks (`play_scenario`, `emit_event`). The pytest plugin is a thin
adapter over this module; nothing here imports pytest.

    engine = HarnessEngine.start(HarnessSettings())
    api = HarnessApi.start(engine)
    run = play_scenario(engine, api, "referral-sent", params={"crn": "X123456"}, queues=[owned])
    api.stop(); engine.stop()

With a registry (`HarnessSettings.registry`: several producers on one topic), events are built and validated by
the catalogue of the producer that emits each event type, and the fake API serves every producer under its base
path: the `RoutedCatalog` and routed fake API state `tidings play --registry` uses.

Isolation: an embedded engine belongs to one process, so each pytest-xdist worker has its own. A shared engine
(`endpoint`, e.g. a `tidings up` or LocalStack) gets a topic per worker, `<topic>-<worker>`, deleted at the
end, so parallel workers never deliver to each other's queues.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from tidings.contracts import load_catalog
from tidings.contracts.errors import EngineError, UsageError
from tidings.contracts.registry.loader import load_registry
from tidings.contracts.registry.routed import CatalogView, catalog_view
from tidings.simulator.control.runs import RunManager
from tidings.simulator.engine.engines import START_HINT, Engine, start_engine
from tidings.simulator.engine.publisher import Published, Publisher
from tidings.simulator.fake_api.routed import AnyFakeApiState
from tidings.simulator.fake_api.server import ApiServer
from tidings.simulator.harness.owned_queues import OwnedQueue
from tidings.simulator.runs.delivery import DeliveryTracker, Subscription
from tidings.simulator.runs.events import DeliveryChecked, EventPublished, FaultInjected, RunFinished, RunSummary
from tidings.simulator.runs.player import Player, PlayOptions
from tidings.simulator.runs.timeline import Timeline
from tidings.simulator.scenarios.clock import parse_start
from tidings.simulator.scenarios.faults import FaultSet
from tidings.simulator.scenarios.loader import ScenarioLibrary
from tidings.simulator.scenarios.plan import Plan
from tidings.simulator.session import start_fake_api
from tidings.simulator.topology import AppliedTopology, Topology, apply_topology, find_topic_arn

__all__ = ["HarnessApi", "HarnessEngine", "HarnessSettings", "Run", "emit_event", "play_scenario"]

# A run in a test does not wait for its queues to fill: the test waits where it asserts (`Queue.receive`), and
# a consumer draining the queue meanwhile would make a depth-based wait time out. Delivery is still checked
# once at the end of the run, so its timeline says which queues had their messages by then.
RUN_DELIVERY_TIMEOUT = 0.0
# With taps a run waits for them (done as soon as each has what its queue admitted): on an engine that delivers
# SNS -> SQS asynchronously (LocalStack) nothing has arrived yet when the last publish returns.
TAPS_DELIVERY_TIMEOUT = 10.0


@dataclass(frozen=True)
class HarnessSettings:
    """Where things come from; None means the usual resolution (TIDINGS_* variables, `[tool.tidings]`,
    defaults). `worker` is the pytest-xdist worker id, if any."""

    engine: str | None = None
    endpoint: str | None = None
    contracts: str | None = None
    fixtures: str | None = None
    topology: str | None = None
    worker: str | None = None
    registry: str | None = None
    """A registry directory (`registry.yaml`); when set, it is used instead of `contracts`."""


def _catalog_of(settings: HarnessSettings) -> CatalogView:
    if settings.registry:
        return catalog_view(load_registry(Path(settings.registry).expanduser()))
    return load_catalog(settings.contracts)


class HarnessEngine:
    """The session's engine, catalogue (or registry, routed), scenario library, the topic tests publish to, and
    a publisher."""

    def __init__(
        self,
        engine: Engine,
        catalog: CatalogView,
        library: ScenarioLibrary,
        topic_arn: str,
        applied: AppliedTopology | None,
        *,
        own_topic: bool = False,
    ) -> None:
        self.engine = engine
        self.catalog = catalog
        self.library = library
        self.topic_arn = topic_arn
        self.applied = applied
        self.own_topic = own_topic
        self.publisher = Publisher(engine, catalog, topic_arn)

    @classmethod
    def start(cls, settings: HarnessSettings) -> HarnessEngine:
        """Load the catalogue and scenarios (mistakes are reported before an engine starts), start or reach
        the engine, apply the topology (local engines only) and find the catalogue's topic."""
        catalog = _catalog_of(settings)
        library = ScenarioLibrary.from_setting(settings.fixtures)
        topology = Topology.load(settings.topology)
        engine = start_engine(settings.engine, settings.endpoint)
        try:
            applied = apply_topology(engine, topology) if engine.is_loopback else None
            if settings.worker and engine.kind != "embedded":
                arn = _create_topic(engine, f"{catalog.topic}-{settings.worker}")
                return cls(engine, catalog, library, arn, applied, own_topic=True)
            if applied is not None and catalog.topic in applied.topic_arns:
                return cls(engine, catalog, library, applied.topic_arns[catalog.topic], applied)
            if applied is not None:
                raise EngineError(
                    f"the topology {topology.source} has no topic {catalog.topic!r}, which the catalogue publishes to",
                    hint=f"add `- name: {catalog.topic}` under topics: in the topology",
                )
            return cls(engine, catalog, library, find_topic_arn(engine, catalog.topic), None)
        except BaseException:
            engine.stop()
            raise

    @property
    def env(self) -> dict[str, str]:
        """The environment variables a consumer subprocess needs to reach this engine."""
        return self.engine.env

    def stop(self) -> None:
        """Delete the worker's own topic (if any) and stop the engine if it is ours."""
        if self.own_topic:
            # Best effort: the engine may already be gone, and a leftover topic harms nothing.
            with contextlib.suppress(ClientError, BotoCoreError):
                self.engine.client("sns").delete_topic(TopicArn=self.topic_arn)
        self.engine.stop()


def _create_topic(engine: Engine, name: str) -> str:
    try:
        return str(engine.client("sns").create_topic(Name=name)["TopicArn"])
    except ClientError as error:
        answer = error.response.get("Error", {})
        raise EngineError(
            f"the engine refused CreateTopic {name}: {answer.get('Code')}: {answer.get('Message')}"
        ) from None
    except BotoCoreError as error:
        raise EngineError(f"CreateTopic {name} failed: {error}", hint=START_HINT) from None


class _ErrorRecorder:
    """ASGI middleware outside the whole app: keeps every exception raised while answering a request, so the
    test that made the request can re-raise it. Starlette answers 500 *before* re-raising, so a test may see
    the response first: `take` waits (briefly) for requests still finishing."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.errors: list[BaseException] = []
        self._in_flight = 0
        self._changed = threading.Condition()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        with self._changed:
            self._in_flight += 1
        try:
            await self.app(scope, receive, send)
        except Exception as error:
            error.add_note(
                f"raised in the tidings fake API while answering {scope.get('method', '')} {scope.get('path', '')}"
            )
            with self._changed:
                self.errors.append(error)
            raise
        finally:
            with self._changed:
                self._in_flight -= 1
                self._changed.notify_all()

    def take(self, *, settle: float = 2.0) -> list[BaseException]:
        """The errors so far, after waiting up to `settle` seconds for requests in progress to end."""
        with self._changed:
            self._changed.wait_for(lambda: self._in_flight == 0, timeout=settle)
            taken, self.errors = self.errors, []
        return taken


class HarnessApi:
    """The fake business API, served by uvicorn in a thread, with its control API wired to the engine."""

    def __init__(self, server: ApiServer, state: AnyFakeApiState, recorder: _ErrorRecorder, runs: RunManager) -> None:
        self.server = server
        self.state = state
        self._recorder = recorder
        self._runs = runs

    @classmethod
    def start(cls, engine: HarnessEngine) -> HarnessApi:
        """Serve on a free loopback port."""
        api = start_fake_api(
            engine.catalog,
            engine.library,
            engine=engine.engine,
            topic_arn=engine.topic_arn,
            port=0,
            wrap=_ErrorRecorder,
            lazy=True,  # most tests never fetch a detailUrl: FastAPI is imported when one first does
        )
        assert api.runs is not None  # an engine was given, so the control API has runs
        return cls(api.server, api.state, api.server.app, api.runs)

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def reset(self) -> None:
        """Forget the state and any recorded errors (before each test)."""
        self.state.reset()
        self._runs.clear()
        self._recorder.take(settle=0)

    def take_errors(self) -> list[BaseException]:
        """The exceptions raised while answering requests since the last call, oldest first."""
        return self._recorder.take()

    def stop(self) -> None:
        self._runs.close()
        self.server.stop()


@dataclass
class Run:
    """A scenario run played in a test: the envelopes published in order (`events`, each with `.event` the dict
    published (`.body` the raw text of a poison message), `.message_id`, `.tracking_id`, `.fault`, `.event_type`
    and `.at`), the faults injected, the resolved `params` (generated ones included), the
    seed that replays it, its timeline and summary."""

    scenario: str
    seed: int
    params: dict[str, Any]
    start: datetime | None = None  # where simulated time started: with the seed, replays the same events
    events: list[EventPublished] = field(default_factory=list)
    faults: list[FaultInjected] = field(default_factory=list)
    timeline: Timeline = field(default_factory=Timeline)
    summary: RunSummary | None = None

    @property
    def deliveries(self) -> list[DeliveryChecked]:
        """Per tracked queue: how many messages its filter admits and how many it held at the end of the run."""
        return self.timeline.deliveries

    def describe(self) -> str:
        """The timeline as plain text (for a failing test's report)."""
        replay = f"seed={self.seed}" + (f", start_at={self.start.isoformat()!r}" if self.start else "")
        lines = [f"run of {self.scenario} (seed {self.seed}, replay with {replay})"]
        for row in self.timeline.rows:
            lines.append(
                f"  {row.seq:>3} {row.time:>14}  {row.event_type:<58} {row.crn or '-':<8} "
                f"{row.message_id or '-':<36}  {row.fault or ''}".rstrip()
                + (f"  -> {', '.join(row.queues)}" if row.queues else "")
            )
        return "\n".join(lines)


def play_scenario(
    engine: HarnessEngine,
    api: HarnessApi,
    scenario: str,
    *,
    seed: int | None = None,
    faults: object = None,
    params: Mapping[str, Any] | None = None,
    queues: Iterable[OwnedQueue] = (),
    start_at: object = None,
    speed: float | None = None,
    taps: bool = False,
) -> Run:
    """Play `scenario` (faults over its own, the fake API's state kept) and return its `Run`; `queues` are
    the queues whose delivery the run tracks (a test's own). `start_at` (ISO text or an aware datetime) starts
    simulated time there; `speed` plays delays at that many times real time. TidingsError before anything is
    published when the scenario, a parameter or a fault is wrong."""
    start = parse_start(start_at) if start_at is not None else None
    loaded = engine.library.load(scenario)
    plan = Plan(loaded, engine.catalog, params=params, seed=seed, base_url=api.base_url, start=start)
    timeout = TAPS_DELIVERY_TIMEOUT if taps else RUN_DELIVERY_TIMEOUT
    options = PlayOptions(_fault_set(faults), speed, delivery_timeout=timeout, observe=taps)
    if options.faults.api() or loaded.declares_faults():
        # api-lag is wall-clock time from the publish: the fake API must already be serving (not still being
        # built for its first client), or the lag would be spent before the consumer's first GET is answered.
        api.server.ensure_started()
    run = Run(scenario, plan.seed, dict(plan.params), plan.start)
    for event in _player(engine, api, queues).play(plan, options):
        run.timeline.add(event)
        if isinstance(event, EventPublished):
            run.events.append(event)
        elif isinstance(event, FaultInjected):
            run.faults.append(event)
        elif isinstance(event, RunFinished):
            run.summary = event.summary
    return run


def emit_event(
    engine: HarnessEngine, api: HarnessApi, event_type: str, *, version: int | None = None, **fields: Any
) -> Published:
    """Publish one event built from its contract's example with `fields` as overrides (dotted or nested,
    `crn=`), `occurredAt` now unless given, after recording it in the fake API's state. UsageError naming each
    JSON pointer, and nothing published, when the result breaks the contract."""
    event = engine.catalog.example(event_type, version=version, base_url=api.base_url, **fields)
    if "occurredAt" not in fields:
        event["occurredAt"] = datetime.now(UTC).replace(microsecond=0).isoformat()
    engine.publisher.validate(event)
    api.state.apply(event)
    return engine.publisher.publish(event)


def _player(engine: HarnessEngine, api: HarnessApi, queues: Iterable[OwnedQueue]) -> Player:
    """A player whose delivery tracking knows exactly the given queues (from their setup: no engine calls)."""
    subscriptions = [
        Subscription(
            queue.name,
            queue.url,
            queue.setup.filter_policy,
            queue.setup.filter_policy is not None and queue.setup.filter_scope == "body",
        )
        for queue in queues
    ]
    sqs = engine.engine.client("sqs")
    return Player(
        engine.publisher,
        engine.catalog,
        DeliveryTracker(sqs, subscriptions),
        state=api.state,
        base_url=api.base_url,
        endpoint=engine.engine.endpoint_url or engine.engine.description,
        loopback=engine.engine.is_loopback,
        engine=engine.engine,
        topic_arn=engine.topic_arn,  # with PlayOptions.observe: tap queues beside the test's own
    )


def _fault_set(faults: object) -> FaultSet:
    """Faults as a test writes them: None, one spec (`"duplicate=1"`), a list of specs, a mapping or a FaultSet."""
    if faults is None:
        return FaultSet()
    if isinstance(faults, FaultSet):
        return faults
    if isinstance(faults, str):
        return FaultSet.parse([faults])
    if isinstance(faults, Mapping | list | tuple):
        return FaultSet.parse(faults)
    raise UsageError(f"faults={faults!r} is not a fault spec", hint='e.g. faults=["duplicate=0.5", "reorder=3"]')
