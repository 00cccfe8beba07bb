"""`tidings queue purge|redrive` and `play --fault` act only on the engine and queue they name: a queue URL on
another host is refused, and a remote engine is refused before anything connects (no DNS, no socket)."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tidings.cli.app import app
from tidings.simulator.engine.engines import Engine

runner = CliRunner()
REMOTE = "http://queues.example.invalid:4566"


@pytest.fixture
def queue(engine: Engine, unique: Callable[[str], str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A queue of this test's own on the session engine, holding one message; the CLI pointed at the engine."""
    topic, name = unique("target-topic"), unique("target-queue")
    declared = {
        "topics": [{"name": topic}],
        "queues": [{"name": name, "dead_letter": {"max_receive_count": 3}}],
        "subscriptions": [{"topic": topic, "queue": name}],
    }
    path = tmp_path / "topology.yaml"
    path.write_text(json.dumps(declared))
    assert engine.endpoint_url is not None
    monkeypatch.setenv("TIDINGS_ENDPOINT", engine.endpoint_url)
    monkeypatch.setenv("TIDINGS_TOPOLOGY", str(path))
    monkeypatch.delenv("TIDINGS_ENGINE", raising=False)
    assert runner.invoke(app, ["topology", "apply"]).exit_code == 0
    assert runner.invoke(app, ["emit", "intervention.referral.sent", "--topic", topic]).exit_code == 0
    return name


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Every name lookup and connection is recorded and fails, as a host that cannot be reached would."""
    tried: list[Any] = []

    def lookup(*args: Any, **kwargs: Any) -> Any:
        tried.append(args[0])
        raise socket.gaierror("the test forbids name lookups")

    def connect(self: socket.socket, address: Any) -> None:
        tried.append(address)
        raise OSError("the test forbids connections")

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect)
    for name in ("AWS_ENDPOINT_URL", "TIDINGS_ENDPOINT", "TIDINGS_ENGINE", "LOCALSTACK_HOST"):
        monkeypatch.delenv(name, raising=False)
    yield tried


def _depth(engine: Engine, queue: str) -> int:
    sqs = engine.client("sqs")
    url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    found = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    return int(found["Attributes"]["ApproximateNumberOfMessages"])


@pytest.mark.parametrize("command", ["purge", "redrive", "drain"])
def test_a_queue_url_on_another_host_is_refused_and_the_local_queue_is_untouched(
    engine: Engine, queue: str, command: str
) -> None:
    before = _depth(engine, queue)
    result = runner.invoke(app, ["queue", command, f"{REMOTE}/000000000000/{queue}"])
    assert result.exit_code == 2, result.output
    assert f"is on queues.example.invalid:4566, not on the engine at {engine.endpoint_url}" in result.output
    assert f"give the queue's name ({queue})" in result.output and "Traceback" not in result.output
    assert _depth(engine, queue) == before == 1


def test_the_queue_url_of_the_engine_itself_is_used(engine: Engine, queue: str) -> None:
    url = engine.client("sqs").get_queue_url(QueueName=queue)["QueueUrl"]
    result = runner.invoke(app, ["queue", "purge", url])
    assert result.exit_code == 0, result.output
    assert _depth(engine, queue) == 0


@pytest.mark.parametrize(
    "argv",
    [
        ["queue", "purge", "intervention-events", "--endpoint", REMOTE],
        ["queue", "redrive", "intervention-events", "--endpoint", REMOTE],
        ["queue", "purge", "intervention-events", "--engine", "aws"],
        ["play", "referral-sent", "--no-wait", "--fault", "duplicate=0.5", "--endpoint", REMOTE],
        ["play", "referral-sent", "--no-wait", "--fault", "drop=0.1", "--engine", "aws"],
    ],
)
def test_a_remote_engine_is_refused_before_anything_connects(no_network: list[Any], argv: list[str]) -> None:
    result = runner.invoke(app, argv)
    assert result.exit_code == 2, result.output
    assert "refusing to " in result.output and "not on this machine" in result.output, result.output
    assert "hint: add --allow-remote" in result.output and "cannot reach" not in result.output
    assert no_network == []  # not one lookup or connection was tried


def test_allow_remote_lets_it_try_and_say_it_cannot_reach(no_network: list[Any]) -> None:
    result = runner.invoke(app, ["queue", "purge", "intervention-events", "--endpoint", REMOTE, "--allow-remote"])
    assert result.exit_code == 2
    assert "cannot reach" in result.output and no_network  # it did try, and the test's network refused
