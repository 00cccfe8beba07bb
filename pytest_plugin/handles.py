"""What tests hold: `TidingsEngine` and `TidingsApi` (session), `Tidings` (one test) and its `Queue`s.

Imported only when a tidings fixture is first requested: it brings in boto3, moto and FastAPI.
"""

from __future__ import annotations

import itertools
import secrets
from pathlib import Path
from typing import Any

from tidings.contracts.errors import TidingsError, UsageError
from tidings.contracts.registry.routed import CatalogView
from tidings.simulator.engine.publisher import Published
from tidings.simulator.harness.harness import HarnessApi, HarnessEngine, HarnessSettings, Run, emit_event, play_scenario
from tidings.simulator.harness.owned_queues import (
    QueueSetup,
    create_owned_queue,
    delete_owned_queue,
    filter_policy_of,
    unique_queue_name,
)
from tidings.simulator.harness.queue_reader import Received

from .options import Settings
from .queues import NotConsumed, NotReceived, Queue, wait_consumed

__all__ = [
    "NotConsumed",
    "NotReceived",
    "Published",
    "Queue",
    "Received",
    "Run",
    "Tidings",
    "TidingsApi",
    "TidingsEngine",
]


class TidingsEngine:
    """The session's SNS/SQS engine with the topology applied (the `tidings_engine` fixture)."""

    def __init__(self, harness: HarnessEngine, *, worker: str | None = None) -> None:
        self.harness = harness
        # Queue names carry the worker and a per-session token, so parallel workers and sessions sharing an
        # engine never pick the same name.
        self._token = f"{worker or 'main'}-{secrets.token_hex(3)}"
        self._serial = itertools.count(1)

    @classmethod
    def start(cls, settings: Settings) -> TidingsEngine:
        if settings.fixtures is not None and not Path(settings.fixtures).is_dir():
            raise UsageError(
                f"the tidings fixtures folder {settings.fixtures} does not exist",
                hint="set --tidings-fixtures, TIDINGS_FIXTURES or the ini key tidings_fixtures to a folder of "
                "scenarios (DIR/scenarios/*.yaml or DIR/*.yaml)",
            )
        harness = HarnessEngine.start(
            HarnessSettings(
                settings.engine,
                settings.endpoint,
                settings.contracts,
                settings.fixtures,
                settings.topology,
                settings.worker,
                settings.registry,
            )
        )
        return cls(harness, worker=settings.worker)

    @property
    def endpoint_url(self) -> str | None:
        """Where the engine answers (None for AWS's own endpoints)."""
        return self.harness.engine.endpoint_url

    @property
    def region(self) -> str:
        return self.harness.engine.region

    @property
    def kind(self) -> str:
        """embedded, localstack or aws."""
        return self.harness.engine.kind

    @property
    def topic_arn(self) -> str:
        """The topic events are published to (the catalogue's; per worker on a shared engine under xdist)."""
        return self.harness.topic_arn

    @property
    def env(self) -> dict[str, str]:
        """What a consumer subprocess needs to reach the engine: AWS_ENDPOINT_URL, the region, and dummy
        credentials for a local engine. Merge it into `os.environ`."""
        return dict(self.harness.env)

    @property
    def catalog(self) -> CatalogView:
        """The catalogue events are built from: one producer's, or a registry's routed by event type."""
        return self.harness.catalog

    def client(self, service: str) -> Any:
        """A boto3 client for `service` ("sns", "sqs") on this engine."""
        return self.harness.engine.client(service)

    def unique_name(self, base: str) -> str:
        """A queue name no other test, worker or session uses: `base-<worker>-<token>-<n>`."""
        return unique_queue_name(base, f"{self._token}-{next(self._serial)}")

    def stop(self) -> None:
        self.harness.stop()

    def __repr__(self) -> str:
        return f"<TidingsEngine {self.kind} at {self.endpoint_url} topic {self.topic_arn}>"


class TidingsApi:
    """The fake business API, served in a thread for the session (the `tidings_api` fixture)."""

    def __init__(self, harness: HarnessApi) -> None:
        self.harness = harness

    @classmethod
    def start(cls, engine: TidingsEngine) -> TidingsApi:
        return cls(HarnessApi.start(engine.harness))

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:<port>`: every event's detailUrl points here."""
        return self.harness.base_url

    def get(self, path: str) -> dict[str, Any] | None:
        """The resource the API serves at `path` (`/sent-referral/<id>`), or None."""
        return self.harness.state.get(path)

    def reset(self) -> None:
        """Forget every resource (the `tidings` fixture does this before each test)."""
        self.harness.reset()

    def stop(self) -> None:
        self.harness.stop()

    def __repr__(self) -> str:
        return f"<TidingsApi {self.base_url}>"


class Tidings:
    """One test's handle (the `tidings` fixture): its queues, runs and events; fake API state reset for it."""

    def __init__(self, engine: TidingsEngine, api: TidingsApi, *, test_name: str = "test") -> None:
        self.engine = engine
        self.api = api
        self.runs: list[Run] = []
        self.queues: list[Queue] = []
        self._test_name = test_name
        api.reset()

    @property
    def endpoint_url(self) -> str | None:
        return self.engine.endpoint_url

    @property
    def api_url(self) -> str:
        return self.api.base_url

    @property
    def topic_arn(self) -> str:
        return self.engine.topic_arn

    @property
    def env(self) -> dict[str, str]:
        """`tidings_engine.env` plus TIDINGS_API_URL (the fake API) and TIDINGS_TOPIC_ARN."""
        return {**self.engine.env, "TIDINGS_API_URL": self.api_url, "TIDINGS_TOPIC_ARN": self.topic_arn}

    def queue(
        self,
        name: str | None = None,
        filter: object = None,
        raw: bool = False,
        dlq: bool = True,
        max_receive_count: int = 3,
        *,
        expect_dlq: bool = False,
        filter_scope: str = "attributes",
        visibility_timeout: int = 30,
    ) -> Queue:
        """A fresh queue subscribed to the topic, deleted after the test. `name` is a prefix (the test's name
        by default): the real name is unique. `filter` is an SNS filter policy, or conditions on eventType
        (`[{"prefix": "intervention."}]`). `dlq` adds a dead-letter queue after `max_receive_count` receives;
        a message landing there fails the test unless `expect_dlq=True`."""
        __tracebackhide__ = True
        setup = QueueSetup(
            self.engine.unique_name(name or self._test_name),
            filter_policy_of(filter),
            filter_scope,
            raw,
            dlq,
            max_receive_count,
            visibility_timeout,
        )
        try:
            owned = create_owned_queue(self.engine.harness.engine, self.topic_arn, setup)
        except TidingsError as error:
            raise error.with_traceback(None) from None  # the test's line, not tidings' frames
        queue = Queue(self.engine, owned, expect_dlq=expect_dlq, runs=lambda: self.runs)
        self.queues.append(queue)
        return queue

    def play(
        self,
        scenario: str,
        *,
        seed: int | None = None,
        faults: object = None,
        start_at: object = None,
        speed: float | None = None,
        taps: bool = False,
        **params: Any,
    ) -> Run:
        """Play a scenario now (its state goes to the fake API, its events to the topic); the Run is also
        appended to `runs`. `faults`: a spec or a list of them, e.g. `["redeliver=0.5", "reorder=3"]`.
        `start_at` ("2024-01-01T09:00Z" or an aware datetime): simulated time starts there (with `seed`, the
        same events byte for byte); by default the run ends now. `speed`: wait out simulated delays at that many
        times real time (by default they are not waited for). `taps=True`: what each of the test's queues'
        filters admitted is observed with a tap queue of tidings' own beside it (`run.deliveries[i].observed`),
        so a consumer draining the queue while the run plays changes nothing."""
        __tracebackhide__ = True
        try:
            run = play_scenario(
                self.engine.harness,
                self.api.harness,
                scenario,
                seed=seed,
                faults=faults,
                params=params,
                queues=[queue.owned for queue in self.queues],
                start_at=start_at,
                speed=speed,
                taps=taps,
            )
        except TidingsError as error:
            raise error.with_traceback(None) from None  # the test's line, not tidings' frames
        self.runs.append(run)
        return run

    def emit(self, event_type: str, *, version: int | None = None, **fields: Any) -> Published:
        """Publish one event from its contract's example with `fields` overriding it (`crn="X123456"`,
        `additionalInformation={"referralId": ...}` or `**{"additionalInformation.referralId": ...}`)."""
        __tracebackhide__ = True
        try:
            return emit_event(self.engine.harness, self.api.harness, event_type, version=version, **fields)
        except TidingsError as error:
            raise error.with_traceback(None) from None  # the test's line, not tidings' frames

    def settle(self, timeout: float = 10.0) -> None:
        """Wait until the consumer has taken everything from every queue of this test (nothing visible, in
        flight or delayed, stable for a moment); fails after `timeout` seconds listing what is left where."""
        __tracebackhide__ = True
        wait_consumed(self.engine.harness.engine, [queue.name for queue in self.queues], timeout)

    def __repr__(self) -> str:
        return f"<Tidings {self._test_name}: {len(self.queues)} queue(s), {len(self.runs)} run(s)>"

    # -- used by the plugin's hooks -----------------------------------------------------------------------------

    def dead_letter_report(self) -> str | None:
        """Why the test fails because messages were dead-lettered on queues that did not expect it, or None."""
        parts: list[str] = []
        for queue in self.queues:
            if queue.dlq is None or queue.expect_dlq:
                continue
            dead = queue.dead_letters()
            if dead:
                count = queue.owned.setup.max_receive_count
                parts.append(
                    f"{len(dead)} message{'s' if len(dead) != 1 else ''} reached the dead-letter queue of "
                    f"{queue.name}, each received max_receive_count={count} times without being deleted:\n"
                    + "\n".join(f"  - {message.describe()}" for message in dead)
                )
        if not parts:
            return None
        return (
            "tidings: "
            + "\n".join(parts)
            + "\nIf this test expects dead letters, create the queue with tidings.queue(..., expect_dlq=True)."
        )

    def take_api_errors(self) -> list[BaseException]:
        """Exceptions the fake API raised while answering this test's requests."""
        return self.api.harness.take_errors()

    def describe_runs(self) -> str:
        return "\n\n".join(run.describe() for run in self.runs)

    def close(self) -> None:
        """Unsubscribe and delete this test's queues."""
        queues, self.queues = self.queues, []
        failures: list[Exception] = []
        for queue in queues:
            try:
                delete_owned_queue(self.engine.harness.engine, queue.owned)
            except Exception as error:  # the others are still deleted; the first failure is reported
                failures.append(error)
        if failures:
            raise failures[0]
