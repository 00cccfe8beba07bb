"""Everything a play needs, started and stopped together: the engine (embedded unless one is configured), the
topology applied, the fake API served with its control API, and a `Player` wired to all of them.

`start_fake_api` is also what `tidings up` calls to serve the fake API next to its engine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

from tidings.contracts import load_catalog
from tidings.contracts.errors import EngineError
from tidings.contracts.registry.routed import CatalogView, producer_paths
from tidings.simulator.control.runs import RunManager
from tidings.simulator.fake_api.routed import AnyFakeApiState, state_for
from tidings.simulator.fake_api.server import ApiServer, Deferred
from tidings.simulator.runs.player import Player
from tidings.simulator.scenarios.loader import ScenarioLibrary
from tidings.simulator.state_target import resolve_state_target

__all__ = ["DEFAULT_API_PORT", "FakeApi", "PlaySession", "fake_api_service", "play_session", "start_fake_api"]

DEFAULT_API_PORT = 8080


@dataclass
class FakeApi:
    """A served fake API: its state, its address, and (with an engine) the player behind the control API."""

    server: ApiServer
    state: AnyFakeApiState
    player: Player | None
    runs: RunManager | None

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def stop(self) -> None:
        """Stop serving (runs in progress are abandoned)."""
        if self.runs is not None:
            self.runs.close()
        self.server.stop()


def start_fake_api(
    catalog: CatalogView,
    library: ScenarioLibrary,
    *,
    engine: Any | None = None,
    topic_arn: str | None = None,
    host: str = "127.0.0.1",
    port: int = DEFAULT_API_PORT,
    wrap: Callable[[Any], Any] | None = None,
    strict: bool = True,
    lazy: bool = False,
) -> FakeApi:
    """Serve the fake API on host:port (port 0: a free one), with the control API. With `engine` and
    `topic_arn`, the control API can start runs and emit events; without, those answer 503. `wrap`, if given,
    wraps the whole ASGI app (the pytest harness records the exceptions it raises that way). `strict` (the
    default): a resource that would not validate is a 500 problem naming the rule; off, it is served as is.
    `lazy`: the socket is bound and the state ready now, the app is built and served when the first client
    connects (see `ApiServer.start_when_asked`)."""
    server = ApiServer(None, host=host, port=port).bind()  # bound first: detailUrls need the real port
    state = state_for(catalog, server.base_url, strict=strict)  # a registry's: each producer on its base path
    player = runs = None
    if engine is not None and topic_arn is not None:
        player = Player.for_engine(engine, catalog, topic_arn, state=state, base_url=server.base_url)
        runs = RunManager(player, library)

    def build() -> Any:
        from tidings.simulator.control.routes import control_router  # FastAPI: imported when first served
        from tidings.simulator.fake_api.app import create_app

        return create_app(state, catalog=catalog, control=control_router(state, library, runs=runs, player=player))

    try:
        if lazy:
            deferred = Deferred()
            server.app = wrap(deferred) if wrap is not None else deferred
            server.start_when_asked(build, deferred)
        else:
            app = build()
            server.app = wrap(app) if wrap is not None else app
            server.start()
    except BaseException:
        if runs is not None:
            runs.close()
        server.stop()
        raise
    return FakeApi(server, state, player, runs)


def fake_api_service(
    *,
    port: int = DEFAULT_API_PORT,
    host: str = "127.0.0.1",
    contracts: str | None = None,
    fixtures: str | None = None,
    strict: bool = True,
    catalog: CatalogView | None = None,
) -> Callable[[Any, Any], Any]:
    """A `tidings up` service (simulator.up.ServiceStarter) serving the fake API, with its control API wired to
    the engine and the catalogue's topic; consumers get TIDINGS_API_URL. `catalog` (e.g. a registry's
    `RoutedCatalog`: every producer under its base path) is served when given, else `contracts` is loaded."""
    from tidings.simulator.up import RunningService

    def start(engine: Any, applied: Any) -> RunningService:
        served = catalog if catalog is not None else load_catalog(contracts)
        library = ScenarioLibrary.from_setting(fixtures)
        api = start_fake_api(
            served,
            library,
            engine=engine,
            topic_arn=applied.topic_arns.get(served.topic),
            host=host,
            port=port,
            strict=strict,
        )
        return RunningService("fake API", {"TIDINGS_API_URL": api.base_url}, api.stop)

    return start


@dataclass
class PlaySession:
    """What `tidings play` plays with. `api` is the fake API this process serves (None when the state goes to
    another process's); `api_source` says which fake API the events point at, and why."""

    engine: Any
    topic_arn: str
    player: Player
    api: FakeApi | None
    api_source: str = ""


@contextmanager
def play_session(
    catalog: CatalogView,
    library: ScenarioLibrary,
    *,
    engine_kind: str | None = None,
    endpoint: str | None = None,
    topology: str | None = None,
    api_port: int = 0,
    api_url: str | None = None,
    strict: bool = True,
) -> Iterator[PlaySession]:
    """Start or reach the engine, apply the topology (local engines only), find or serve the fake API, and
    yield a session; everything is stopped on exit.

    With an engine of another process (e.g. a `tidings up`), the state goes where `state_target` resolves
    (`--api-url`, TIDINGS_API_URL, that `tidings up`'s own fake API, `[tool.tidings] api_url`); a named one
    that does not answer is a UsageError. With none named, this play serves a fake API of its own (on a local
    engine) and the events point at it; on a remote engine they keep the catalogue's apiBaseUrl."""
    from tidings.simulator.engine.engines import start_engine
    from tidings.simulator.topology import Topology, apply_topology

    with ExitStack() as stack:
        engine = start_engine(engine_kind, endpoint)
        stack.callback(engine.stop)
        topic_arn = _topic_arn(engine, catalog, Topology.load(topology), apply_topology)
        target = resolve_state_target(
            engine, api_url, named_only=engine.kind == "embedded", producers=producer_paths(catalog)
        )
        api: FakeApi | None = None
        if target is not None:
            player = Player.for_engine(engine, catalog, topic_arn, state=target.state, base_url=target.base_url)
            source = target.banner
        elif engine.is_loopback:
            api = start_fake_api(catalog, library, engine=engine, topic_arn=topic_arn, port=api_port, strict=strict)
            stack.callback(api.stop)
            assert api.player is not None
            player, source = api.player, f"fake API: {api.base_url} (served by this command)"
        else:
            player = Player.for_engine(engine, catalog, topic_arn, base_url=catalog.api_base_url)
            source = f"fake API: none (detailUrls point at the catalogue's {catalog.api_base_url or 'apiBaseUrl'})"
        yield PlaySession(engine, topic_arn, player, api, source)


def _topic_arn(engine: Any, catalog: CatalogView, topology: Any, apply_topology: Any) -> str:
    """The catalogue's topic on the engine: the topology applied first on a local engine; on a remote one
    (AWS) nothing is created, the topic must exist."""
    if engine.is_loopback:
        arns = apply_topology(engine, topology).topic_arns
    else:
        arns = {}
        for page in engine.client("sns").get_paginator("list_topics").paginate():
            for topic in page.get("Topics", []):
                arns[topic["TopicArn"].rsplit(":", 1)[-1]] = topic["TopicArn"]
    if catalog.topic in arns:
        return str(arns[catalog.topic])
    raise EngineError(
        f"the engine at {engine.endpoint_url or engine.description} has no topic {catalog.topic!r}",
        hint="add it to the topology (--topology FILE) and apply it with `tidings topology apply`",
    )
