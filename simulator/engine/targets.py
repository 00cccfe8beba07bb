"""Destructive operations stay on their target: decided from the arguments alone, before any connection.

- `refuse_remote` refuses a destructive action (purge, redrive, fault injection) on an engine that is not on this
  machine, unless allowed, from the engine *choice* (the endpoint it would use): an unresolvable or slow remote
  host is refused at once instead of being contacted first and answered "cannot reach".
- `check_queue_target` refuses a queue given by URL whose host is not the engine's: SQS calls go to the engine's
  endpoint whatever host the URL names, so `purge http://elsewhere/.../q --endpoint <local>` would otherwise
  purge the *local* queue of that name.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from tidings.contracts.errors import UsageError
from tidings.simulator.engine.engines import Engine, EngineKind, is_loopback_url, resolve_engine_choice

__all__ = ["check_queue_target", "chosen_endpoint", "refuse_remote"]

_REMOTE_HINT = "add --allow-remote if you really mean to change a shared engine"
_LOCALSTACK_NAMES = re.compile(r"(^|\.)localhost\.localstack\.cloud$")
# /ACCOUNT/NAME, or LocalStack's path strategy (SQS_ENDPOINT_STRATEGY=path): /queue/REGION/ACCOUNT/NAME.
_QUEUE_PATH = re.compile(r"^(/queue/[a-z0-9-]+)?/[^/]+/[^/]+$")
_AWS_SQS_HOST = re.compile(r"^(sqs\.[a-z0-9-]+|[a-z0-9-]+\.queue|queue)\.amazonaws\.com(\.cn)?$")


def chosen_endpoint(kind: str | None, endpoint: str | None, *, default: EngineKind = "embedded") -> str | None:
    """The endpoint the chosen engine would use, read from the settings only (no connection): None for AWS's
    own endpoints, a loopback placeholder for an embedded engine (it always binds 127.0.0.1)."""
    choice = resolve_engine_choice(kind, endpoint, default=default)
    if choice.kind == "embedded":
        return "http://127.0.0.1"
    if choice.endpoint is not None or choice.kind == "aws":
        return choice.endpoint
    from localstack_client.config import get_service_endpoint

    found = get_service_endpoint("sqs")  # LOCALSTACK_HOST, USE_SSL, AWS_ENDPOINT_URL: configuration only
    return None if found is None else str(found)


def refuse_remote(
    kind: str | None,
    endpoint: str | None,
    action: str,
    *,
    allow_remote: bool = False,
    default: EngineKind = "embedded",
) -> None:
    """UsageError when `action` would run on an engine not on this machine and `allow_remote` is not given;
    decided before anything connects."""
    if allow_remote:
        return
    url = chosen_endpoint(kind, endpoint, default=default)
    if url is None or not is_loopback_url(url):
        where = f"the engine at {url}" if url else "AWS"
        raise UsageError(f"refusing to {action} on {where}: it is not on this machine", hint=_REMOTE_HINT)


def check_queue_target(engine: Engine, queue: str) -> None:
    """UsageError when `queue` is a URL on another host (or port) than `engine`'s endpoint; names pass."""
    if not queue.startswith(("http://", "https://")):
        return
    parts = urlsplit(queue)
    try:
        port = parts.port
    except ValueError:
        port = -1
    if not parts.hostname or port == -1 or not _QUEUE_PATH.match(parts.path):
        raise UsageError(
            f"queue URL {queue!r} is not an SQS queue URL",
            hint="give the queue's name, e.g. intervention-events, or a URL like http://localhost:4566/000000000000/NAME",
        )
    if _same_engine(parts.scheme, parts.hostname, port, engine):
        return
    where = f"{parts.hostname}:{port}" if port is not None else parts.hostname
    name = parts.path.rsplit("/", 1)[-1]
    raise UsageError(
        f"queue URL {queue!r} is on {where}, not on the {engine.description}",
        hint=f"give the queue's name ({name}) to use it on this engine, or --endpoint "
        f"{parts.scheme}://{where} for the engine that holds it",
    )


def _same_engine(scheme: str, host: str, port: int | None, engine: Engine) -> bool:
    if engine.endpoint_url is None:  # AWS's own endpoints
        return engine.kind == "aws" and _AWS_SQS_HOST.match(host.lower()) is not None
    own = urlsplit(engine.endpoint_url)
    if _port(scheme, port) != _port(own.scheme, own.port):
        return False
    if host.lower() == (own.hostname or "").lower():
        return True
    return _local(host) and _local(own.hostname or "")


def _port(scheme: str, port: int | None) -> int:
    return port if port is not None else (443 if scheme == "https" else 80)


def _local(host: str) -> bool:
    bracketed = f"[{host}]" if ":" in host else host
    return is_loopback_url(f"http://{bracketed}") or _LOCALSTACK_NAMES.search(host.lower()) is not None
