"""What tests hold: `TidingsEngine` and `TidingsApi` (session), `Tidings` (one test) and its `Queue`s.

Imported only when a tidings fixture is first requested: it brings in boto3, moto and FastAPI.
"""

from __future__ import annotations

import itertools
import json
import secrets
import time
from pathlib import Path
from typing import Any

from tidings.contracts import Catalog
from tidings.contracts.errors import CheckFailed, UsageError
from tidings.simulator.engine.publisher import Published
from tidings.simulator.harness.harness import HarnessApi, HarnessEngine, HarnessSettings, Run, emit_event, play_scenario
from tidings.simulator.harness.owned_queues import (
    OwnedQueue,
    QueueReader,
    QueueSetup,
    Received,
    create_owned_queue,
    delete_owned_queue,
    event_matches,
    filter_policy_of,
    unique_queue_name,
)

from .options import Settings

__all__ = ["NotReceived", "Published", "Queue", "Received", "Run", "Tidings", "TidingsApi", "TidingsEngine"]


class NotReceived(CheckFailed, AssertionError):
    """A queue did not get what a test waited for in time; the message lists what did arrive."""


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
    def catalog(self) -> Catalog:
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


class Queue:
    """A queue the test owns, subscribed to the topic. Messages are deleted as they are received here."""

    def __init__(self, engine: TidingsEngine, owned: OwnedQueue, *, expect_dlq: bool = False) -> None:
        self.owned = owned
        self.expect_dlq = expect_dlq
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
        owned = create_owned_queue(self.engine.harness.engine, self.topic_arn, setup)
        queue = Queue(self.engine, owned, expect_dlq=expect_dlq)
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
        **params: Any,
    ) -> Run:
        """Play a scenario now (its state goes to the fake API, its events to the topic); the Run is also
        appended to `runs`. `faults`: a spec or a list of them, e.g. `["redeliver=0.5", "reorder=3"]`.
        `start_at` ("2024-01-01T09:00Z" or an aware datetime): simulated time starts there (with `seed`, the
        same events byte for byte); by default the run ends now. `speed`: wait out simulated delays at that many
        times real time (by default they are not waited for)."""
        __tracebackhide__ = True
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
        )
        self.runs.append(run)
        return run

    def emit(self, event_type: str, *, version: int | None = None, **fields: Any) -> Published:
        """Publish one event from its contract's example with `fields` overriding it (`crn="X123456"`,
        `additionalInformation={"referralId": ...}` or `**{"additionalInformation.referralId": ...}`)."""
        __tracebackhide__ = True
        return emit_event(self.engine.harness, self.api.harness, event_type, version=version, **fields)

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
