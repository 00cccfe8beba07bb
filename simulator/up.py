"""`tidings up`: an engine with the topology applied, and any extra services started next to it (the fake
business API joins through `services`), kept running until SIGINT or SIGTERM, then stopped cleanly.

    session = start_up(port=4566, services=[my_service_starter])
    print(session.environment())
    wait_for_stop_signal()
    session.stop()
"""

from __future__ import annotations

import re
import signal
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from tidings.simulator.engine.engines import Engine, start_engine
from tidings.simulator.info import serve_info
from tidings.simulator.topology import AppliedTopology, Topology, apply_topology

__all__ = [
    "DEFAULT_UP_PORT",
    "RunningService",
    "ServiceStarter",
    "UpSession",
    "environment_name",
    "start_up",
    "wait_for_stop_signal",
]

DEFAULT_UP_PORT = 4566  # LocalStack's port, so LocalStack-style configuration works unchanged


@dataclass(frozen=True)
class RunningService:
    """Something started next to the engine: its name, the environment consumers need for it, how to stop it."""

    name: str
    environment: dict[str, str]
    stop: Callable[[], None]


ServiceStarter = Callable[[Engine, AppliedTopology], RunningService]
"""Starts one extra service for `tidings up`, given the running engine and the applied topology."""


@dataclass
class UpSession:
    engine: Engine
    topology: Topology
    applied: AppliedTopology
    services: list[RunningService] = field(default_factory=list)

    def environment(self) -> dict[str, str]:
        """What a consumer in any language needs: the engine's variables, `<TOPIC>_TOPIC_ARN` and
        `<QUEUE>_QUEUE_URL` for the topology, then each service's own."""
        variables = dict(self.engine.env)
        for name, arn in self.applied.topic_arns.items():
            variables[environment_name(name, "TOPIC_ARN")] = arn
        for name, url in self.applied.queue_urls.items():
            variables[environment_name(name, "QUEUE_URL")] = url
        for service in self.services:
            variables.update(service.environment)
        return variables

    def info(self) -> dict[str, object]:
        """What `GET /_tidings/info` on the engine answers: the fake API's URL (None with `--no-api`), the
        topics and queues of the applied topology."""
        return {
            "endpoint": self.engine.endpoint_url,
            "api_url": self.environment().get("TIDINGS_API_URL"),
            "topic_arns": dict(self.applied.topic_arns),
            "queue_urls": dict(self.applied.queue_urls),
        }

    def stop(self) -> None:
        """Stop the services (last started first), then the engine."""
        while self.services:
            self.services.pop().stop()
        self.engine.stop()


def environment_name(resource: str, suffix: str) -> str:
    """`intervention-events`, `QUEUE_URL` -> `INTERVENTION_EVENTS_QUEUE_URL`."""
    return f"{re.sub(r'[^A-Za-z0-9]+', '_', resource).strip('_').upper()}_{suffix}"


def start_up(
    kind: str | None = None,
    endpoint: str | None = None,
    port: int | None = DEFAULT_UP_PORT,
    *,
    topology: str | Path | Topology | None = None,
    services: Iterable[ServiceStarter] = (),
) -> UpSession:
    """Start the engine (embedded on 127.0.0.1:`port` unless configured otherwise), apply the topology, then
    start each service. Anything that fails on the way stops what was already started."""
    chosen = topology if isinstance(topology, Topology) else Topology.load(topology)
    engine = start_engine(kind, endpoint, port if _embedded(kind, endpoint) else None)
    session = UpSession(engine, chosen, AppliedTopology())
    try:
        session.applied = apply_topology(engine, chosen)
        for starter in services:
            session.services.append(starter(engine, session.applied))
        serve_info(engine, session.info)
    except BaseException:
        session.stop()
        raise
    return session


def _embedded(kind: str | None, endpoint: str | None) -> bool:
    from tidings.simulator.engine.engines import resolve_engine_choice

    return resolve_engine_choice(kind, endpoint).kind == "embedded"


def wait_for_stop_signal(stop: threading.Event | None = None) -> str:
    """Block until SIGINT or SIGTERM (or `stop` is set); returns the signal's name. Must run in the main thread;
    the previous handlers are restored."""
    stop = stop or threading.Event()
    received: list[str] = []

    def handle(signum: int, _frame: FrameType | None) -> None:
        received.append(signal.Signals(signum).name)
        stop.set()

    previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stop.wait(0.5):
            pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return received[0] if received else "stop"
