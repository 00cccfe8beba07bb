"""Destructive operations stay on their target: queue URLs on another host are refused, remote engines are refused
from the settings alone (before any connection)."""

from __future__ import annotations

import pytest

from tidings.contracts.errors import UsageError
from tidings.simulator.engine.engines import Engine
from tidings.simulator.engine.targets import check_queue_target, chosen_endpoint, refuse_remote


def _engine(url: str | None, kind: str = "localstack") -> Engine:
    return Engine(kind, url, "eu-west-2", f"engine at {url}")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("endpoint", "queue"),
    [
        ("http://127.0.0.1:4566", "http://localhost:4566/000000000000/q"),
        ("http://localhost:4566", "http://127.0.0.1:4566/000000000000/q"),
        ("http://localhost:4566", "http://sqs.eu-west-2.localhost.localstack.cloud:4566/000000000000/q"),
        ("http://[::1]:4566", "http://127.0.0.1:4566/000000000000/q"),
        ("http://queues.internal:80", "http://queues.internal/000000000000/q"),
        ("http://127.0.0.1:4566", "intervention-events"),
        # LocalStack with SQS_ENDPOINT_STRATEGY=path, as CI starts it
        ("http://127.0.0.1:4566", "http://127.0.0.1:4566/queue/eu-west-2/000000000000/q"),
    ],
)
def test_a_queue_on_the_engines_own_host_passes(endpoint: str, queue: str) -> None:
    check_queue_target(_engine(endpoint), queue)


@pytest.mark.parametrize(
    ("endpoint", "queue", "says"),
    [
        ("http://127.0.0.1:4566", "http://queues.example.invalid:4566/000000000000/q", "queues.example.invalid:4566"),
        ("http://127.0.0.1:4566", "http://127.0.0.1:4567/000000000000/q", "127.0.0.1:4567"),
        ("http://queues.internal:4566", "http://localhost:4566/000000000000/q", "localhost:4566"),
        ("http://127.0.0.1:4566", "http://127.0.0.1:notaport/000000000000/q", "not an SQS queue URL"),
        ("http://127.0.0.1:4566", "http://127.0.0.1:4566/q", "not an SQS queue URL"),
        ("http://127.0.0.1:4566", "http://127.0.0.1:4566/queue/eu-west-2/000000000000", "not an SQS queue URL"),
        ("http://127.0.0.1:4566", "http://queues.example.invalid/queue/eu-west-2/000000000000/q", "example.invalid"),
    ],
)
def test_a_queue_url_on_another_host_is_refused(endpoint: str, queue: str, says: str) -> None:
    with pytest.raises(UsageError, match=says) as raised:
        check_queue_target(_engine(endpoint), queue)
    assert raised.value.hint


def test_on_aws_only_aws_queue_urls_pass() -> None:
    aws = _engine(None, "aws")
    check_queue_target(aws, "https://sqs.eu-west-2.amazonaws.com/123456789012/q")
    with pytest.raises(UsageError, match=r"localhost:4566"):
        check_queue_target(aws, "http://localhost:4566/000000000000/q")


@pytest.mark.parametrize(
    ("kind", "endpoint", "local"),
    [
        ("embedded", None, True),
        (None, "http://127.0.0.1:4566", True),
        (None, "http://queues.example.invalid:4566", False),
        ("aws", None, False),
    ],
)
def test_the_chosen_endpoint_is_known_without_connecting(kind: str | None, endpoint: str | None, local: bool) -> None:
    found = chosen_endpoint(kind, endpoint)
    assert (found is not None and ("127.0.0.1" in found)) == local
    if local:
        refuse_remote(kind, endpoint, "purge q")
    else:
        with pytest.raises(UsageError, match=r"refusing to purge q on .*not on this machine"):
            refuse_remote(kind, endpoint, "purge q")
        refuse_remote(kind, endpoint, "purge q", allow_remote=True)


def test_localstack_host_moves_the_default_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ENDPOINT_URL", "TIDINGS_ENDPOINT", "TIDINGS_ENGINE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LOCALSTACK_HOST", "queues.example.invalid:4566")
    with pytest.raises(UsageError, match=r"queues\.example\.invalid"):
        refuse_remote(None, None, "redrive q", default="localstack")
