"""The SNS/SQS engine tidings talks to. Every engine is boto3 against an endpoint - one code path - and they differ
only in where the endpoint comes from:

- `embedded`: moto's server in a thread of this process, on a free loopback port (or a given one). No Docker.
- `localstack`: an engine that is already running, by default LocalStack's `http://localhost:4566` resolved by
  `localstack-client` (so `LOCALSTACK_HOST`, `USE_SSL` and `AWS_ENDPOINT_URL` work as LocalStack users expect);
  `--endpoint` names any other, e.g. a `tidings up` elsewhere.
- `aws`: real AWS, with the default credential chain and region.

    with start_engine() as engine:                      # embedded unless configured otherwise
        engine.client("sqs").list_queues()

The choice comes from the arguments, else `TIDINGS_ENGINE` / `TIDINGS_ENDPOINT`, else `[tool.tidings] engine /
endpoint` in pyproject.toml, else the caller's default. Embedded engines in one process share moto's state.
"""

from __future__ import annotations

import ipaddress
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal, cast
from urllib.parse import urlsplit

from tidings.contracts.errors import EngineError, UsageError
from tidings.contracts.settings import resolve_setting
from tidings.simulator.engine.aws_session import (
    DEFAULT_REGION,
    LOCAL_CREDENTIALS,
    SESSION_LOCK,
    RegionCatalogue,
    shared_session,
)
from tidings.simulator.engine.embedded import inprocess as inprocess_transport
from tidings.simulator.engine.embedded.handoff import HandOff
from tidings.simulator.engine.embedded.queue_handoff import QueueHandOff
from tidings.simulator.engine.embedded.server import EmbeddedServer
from tidings.simulator.engine.embedded.sqs_state import SqsState
from tidings.simulator.engine.environment import check_environment

__all__ = [
    "DEFAULT_REGION",
    "ENGINE_KINDS",
    "LOCAL_CREDENTIALS",
    "Engine",
    "EngineChoice",
    "EngineKind",
    "RegionCatalogue",
    "is_loopback_url",
    "require_loopback",
    "resolve_engine_choice",
    "start_engine",
]

EngineKind = Literal["embedded", "localstack", "aws"]
ENGINE_KINDS: tuple[EngineKind, ...] = ("embedded", "localstack", "aws")

START_HINT = (
    "start one with `tidings up` (embedded, no Docker) or `docker compose up -d localstack`, "
    "or point at another with --endpoint URL / TIDINGS_ENDPOINT"
)


@dataclass(frozen=True)
class EngineChoice:
    """Which engine to use and why (`source` says where the choice and the endpoint came from)."""

    kind: EngineKind
    endpoint: str | None
    source: str


def resolve_engine_choice(
    kind: str | None = None, endpoint: str | None = None, *, default: EngineKind = "embedded"
) -> EngineChoice:
    """The engine to use: arguments, else `TIDINGS_ENGINE`/`TIDINGS_ENDPOINT`, else `[tool.tidings]`, else
    `default`. An endpoint without a kind means an engine already running there (kind `localstack`).

    `embedded` and an endpoint exclude each other: the one given more directly wins (an argument over the
    environment over pyproject.toml); given alike, it is a UsageError."""
    check_environment()  # a bad AWS_REGION, LOCALSTACK_HOST, ... named before anything uses it
    chosen_kind = resolve_setting("engine", kind)
    chosen_endpoint = _endpoint_setting(endpoint)
    if chosen_kind is not None and chosen_kind not in ENGINE_KINDS:
        raise UsageError(
            f"unknown engine {chosen_kind!r} (from {_source('engine', kind)})",
            hint=f"use one of {', '.join(ENGINE_KINDS)}, e.g. --engine localstack",
        )
    if chosen_kind == "embedded" and chosen_endpoint is not None:
        kind_level, endpoint_level = _level("engine", kind), _level("endpoint", endpoint)
        if kind_level == endpoint_level:
            raise UsageError(
                f"the embedded engine starts its own server, so it cannot use the endpoint {chosen_endpoint} "
                f"(from {_source('endpoint', endpoint)})",
                hint="drop the endpoint to start an embedded engine, or the embedded choice to use the endpoint",
            )
        if kind_level < endpoint_level:
            return EngineChoice("embedded", None, _source("engine", kind))
        chosen_kind = None  # the endpoint was given more directly
    if chosen_endpoint is not None:
        chosen_endpoint = _checked_url(str(chosen_endpoint))
        kind_chosen = cast(EngineKind, chosen_kind or "localstack")
        return EngineChoice(kind_chosen, chosen_endpoint, _source("endpoint", endpoint))
    if chosen_kind is not None:
        return EngineChoice(cast(EngineKind, chosen_kind), None, _source("engine", kind))
    return EngineChoice(default, None, "the default")


def _endpoint_setting(cli_value: str | None) -> str | None:
    """`--endpoint`, else TIDINGS_ENDPOINT, else AWS_ENDPOINT_URL (what `tidings up` prints and boto3 itself
    honours), else `[tool.tidings] endpoint`."""
    if cli_value is None and not os.environ.get("TIDINGS_ENDPOINT") and _aws_endpoint_url():
        return _aws_endpoint_url()
    found = resolve_setting("endpoint", cli_value)
    return None if found is None else str(found)


def _aws_endpoint_url() -> str | None:
    return os.environ.get("AWS_ENDPOINT_URL", "").strip() or None


def _level(key: str, cli_value: str | None) -> float:
    """How directly `key` was given: 0 an argument, 1 the environment (TIDINGS_*), 1.5 AWS_ENDPOINT_URL (for
    the endpoint: less specific to tidings than TIDINGS_ENGINE), 2 pyproject.toml."""
    if cli_value is not None:
        return 0
    if os.environ.get(f"TIDINGS_{key.upper()}"):
        return 1
    return 1.5 if key == "endpoint" and _aws_endpoint_url() else 2


def _source(key: str, cli_value: str | None) -> str:
    """Where the setting `key` was found: the option, the environment variable or pyproject.toml."""
    level = _level(key, cli_value)
    if level == 1.5:
        return "AWS_ENDPOINT_URL"
    return (f"--{key}", f"TIDINGS_{key.upper()}", f"[tool.tidings] {key}")[int(level)]


def _checked_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"endpoint {url!r} is not an http(s) URL", hint="e.g. --endpoint http://localhost:4566")
    return url.rstrip("/")


@dataclass
class Engine:
    """A running (or reachable) SNS/SQS engine. `client()` gives cached boto3 clients for it."""

    kind: EngineKind
    endpoint_url: str | None
    region: str
    description: str
    _server: EmbeddedServer | None = field(default=None, repr=False)
    source: str = "the default"  # where the choice came from: `--endpoint`, AWS_ENDPOINT_URL, ...
    _clients: dict[tuple[str, bool], Any] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def client(self, service: Literal["sns", "sqs"] | str, *, retries: bool = True) -> Any:
        """A boto3 client for `service`, created once. `retries=False` gives one without botocore's own retries,
        for callers that retry themselves (the Publisher)."""
        key = (service, retries)
        with self._lock:
            found = self._clients.get(key)
            if found is None:
                found = self._clients[key] = self._new_client(service, retries=retries)
            return found

    def publishing_client(self) -> Any:
        """The SNS client of tidings' own publisher (no botocore retries: it retries itself). On this process's
        embedded engine with the in-process transport, PublishBatch is handed straight to moto's SNS backend
        (`embedded/handoff.py`); everything else is the boto3 client."""
        client = self.client("sns", retries=False)
        if self._server is not None and inprocess_transport.enabled_by_environment():
            return HandOff(client, self.region)
        return client

    def queue_handoff(self) -> QueueHandOff | None:
        """On this process's embedded engine with the in-process transport, queue lifecycle calls handed to moto's
        backends (`embedded/queue_handoff.py`), else None: use the clients."""
        if self._server is None or self.endpoint_url is None or not inprocess_transport.enabled_by_environment():
            return None
        return QueueHandOff(self.client("sqs"), self.endpoint_url, self.region)

    def _new_client(self, service: str, *, retries: bool, timeouts: tuple[float, float] = (5, 65)) -> Any:
        from botocore.config import Config

        config = Config(
            region_name=self.region,
            retries={"mode": "standard", "total_max_attempts": 3 if retries else 1},
            connect_timeout=timeouts[0],
            read_timeout=timeouts[1],  # above SQS's longest long poll (20 s)
            tcp_keepalive=True,
            max_pool_connections=20,
        )
        session = shared_session()
        with SESSION_LOCK:  # creating clients from one session is not thread-safe
            if self.kind == "aws":
                return session.client(service, endpoint_url=self.endpoint_url, config=config)
            client = session.client(
                service,
                endpoint_url=self.endpoint_url,
                aws_access_key_id=LOCAL_CREDENTIALS["AWS_ACCESS_KEY_ID"],
                aws_secret_access_key=LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
                config=config,
            )
        if self._server is not None and inprocess_transport.enabled_by_environment():
            # Our own server: the same requests, answered without the loopback socket.
            inprocess_transport.attach(client, self._server)
        return client

    @property
    def is_loopback(self) -> bool:
        """True when the endpoint is on this machine (127.0.0.0/8, ::1, localhost): destructive queue tools
        (purge, redrive) run there without `--allow-remote`."""
        return self.endpoint_url is not None and is_loopback_url(self.endpoint_url)

    @property
    def env(self) -> dict[str, str]:
        """The environment a consumer (in any language) needs to use this engine."""
        variables = {"AWS_REGION": self.region, "AWS_DEFAULT_REGION": self.region}
        if self.kind != "aws":
            variables = {**variables, **LOCAL_CREDENTIALS}
        if self.endpoint_url is not None:
            variables = {"AWS_ENDPOINT_URL": self.endpoint_url, **variables}
        return variables

    @property
    def banner(self) -> str:
        """The one line each command prints about its engine: `engine: <what> (from <where the choice came>)`."""
        said = self.kind == "localstack"  # its description already says where the endpoint came from
        return f"engine: {self.description}" + ("" if said else f" (from {self.source})")

    def stop(self) -> None:
        """Close this engine's clients and stop the embedded server if this engine started one; other engines are
        left running."""
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()  # their pooled connections
        if self._server is not None:
            self._server.stop()
            self._server = None

    def sqs_state(self) -> SqsState | None:
        """moto's SQS state behind this engine when it runs in this process (embedded), else None: what redelivery
        and harmless peeking use (embedded.sqs_state)."""
        if self._server is None:
            return None
        return SqsState(self.region)

    def wrap_embedded_app(self, wrapper: Callable[[Any], Any]) -> bool:
        """Put a WSGI middleware around the embedded server this engine started (`tidings up`'s /_tidings/info);
        False for an engine that is not ours (LocalStack, AWS, another process's)."""
        if self._server is None:
            return False
        self._server.wrap(wrapper)
        return True

    def __enter__(self) -> Engine:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def check_reachable(self) -> None:
        """One cheap call (ListQueues) with short timeouts; EngineError saying what was tried if it fails."""
        from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

        probe = self._new_client("sqs", retries=False, timeouts=(2, 10))
        try:
            probe.list_queues(MaxResults=1)
        except NoCredentialsError:
            raise EngineError(
                f"no AWS credentials for the {self.description}",
                hint="configure the default credential chain (AWS_PROFILE, `aws sso login`, ...) or use a local engine",
            ) from None
        except NoRegionError:
            raise EngineError("no AWS region configured", hint="set AWS_REGION, e.g. AWS_REGION=eu-west-2") from None
        except ClientError as error:
            answer = error.response.get("Error", {})
            raise EngineError(
                f"the {self.description} refused ListQueues: {answer.get('Code')}: {answer.get('Message')}",
                hint="check the credentials and region it expects",
            ) from None
        except BotoCoreError as error:
            raise EngineError(f"cannot reach the {self.description}: {error}", hint=START_HINT) from None
        finally:
            probe.close()


def is_loopback_url(url: str) -> bool:
    """Whether `url`'s host is this machine."""
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def require_loopback(engine: Engine, action: str, *, allow_remote: bool = False) -> None:
    """Refuse a destructive `action` (purge, redrive, fault injection) on an engine that is not on this machine,
    unless `allow_remote`: UsageError saying so."""
    if not engine.is_loopback and not allow_remote:
        raise UsageError(
            f"refusing to {action} on the {engine.description}: it is not on this machine",
            hint="add --allow-remote if you really mean to change a shared engine",
        )


def start_engine(
    kind: str | None = None,
    endpoint: str | None = None,
    port: int | None = None,
    *,
    region: str | None = None,
    default: EngineKind = "embedded",
    check: bool = True,
) -> Engine:
    """Start (embedded) or connect to (localstack, aws) the chosen engine; see `resolve_engine_choice`.

    `port` is for the embedded engine (default: a free one). `check` makes one call to an engine that is not
    ours, so an unreachable one fails here with EngineError (exit 2) saying what was tried and how to start
    one. Use the result as a context manager, or call `stop()`."""
    choice = resolve_engine_choice(kind, endpoint, default=default)
    if port is not None and choice.kind != "embedded":
        raise UsageError(
            f"--port is for the embedded engine; the {choice.kind} engine has its own address",
            hint="use --endpoint URL to say where it is",
        )
    if choice.kind == "embedded":
        server = EmbeddedServer("127.0.0.1", port or 0).start()
        description = f"embedded engine at {server.url}"
        return Engine("embedded", server.url, _local_region(region), description, server, choice.source)
    if choice.kind == "localstack":
        url, how = (choice.endpoint, choice.source) if choice.endpoint else _localstack_endpoint()
        engine = Engine("localstack", url, _local_region(region), f"engine at {url} (from {how})", source=how)
    else:
        description = "AWS account of the default credential chain"
        engine = Engine("aws", choice.endpoint, _aws_region(region), description, source=choice.source)
    if check:
        engine.check_reachable()
    return engine


def _localstack_endpoint() -> tuple[str, str]:
    from localstack_client.config import get_service_endpoint

    url = get_service_endpoint("sqs")
    assert url is not None  # localstack-client knows sqs
    if os.environ.get("AWS_ENDPOINT_URL", "").strip():
        how = "AWS_ENDPOINT_URL"
    elif os.environ.get("LOCALSTACK_HOST"):
        how = "LOCALSTACK_HOST"
    else:
        how = "LocalStack's default address"
    return url.rstrip("/"), how


def _local_region(region: str | None) -> str:
    return region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION


def _aws_region(region: str | None) -> str:
    if region:
        return region
    found = shared_session().region_name
    if not found:
        raise EngineError("no AWS region configured for --engine aws", hint="set AWS_REGION, e.g. AWS_REGION=eu-west-2")
    return str(found)
