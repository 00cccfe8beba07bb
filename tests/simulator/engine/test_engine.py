"""Engines: the embedded one, choosing an engine, and the errors when one cannot be had."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError

from tidings.contracts.errors import EngineError, UsageError
from tidings.simulator.engine.engines import Engine, EngineChoice, require_loopback, resolve_engine_choice, start_engine


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_embedded_engine_answers_boto3_on_a_loopback_port_and_stops() -> None:
    engine = start_engine("embedded")
    try:
        assert engine.endpoint_url is not None and engine.endpoint_url.startswith("http://127.0.0.1:")
        assert engine.is_loopback
        url = engine.client("sqs").create_queue(QueueName="engine-test")["QueueUrl"]
        # Any boto3 client configured from engine.env reaches the same engine: what a consumer does.
        env = engine.env
        sqs = boto3.client(
            "sqs",
            endpoint_url=env["AWS_ENDPOINT_URL"],
            region_name=env["AWS_REGION"],
            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        )
        assert url in sqs.list_queues()["QueueUrls"]
    finally:
        engine.stop()
    stopped = boto3.client(
        "sqs",
        endpoint_url=engine.endpoint_url,
        region_name="eu-west-2",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
    with pytest.raises(EndpointConnectionError):
        stopped.list_queues()


def test_a_port_in_use_is_a_clear_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(EngineError) as raised:
            start_engine("embedded", port=port)
    assert f"port {port} on 127.0.0.1 is already in use" in str(raised.value)
    assert "--port" in str(raised.value)
    assert raised.value.exit_code == 2


def test_an_unreachable_endpoint_says_what_was_tried_and_how_to_start_one() -> None:
    url = f"http://127.0.0.1:{_free_port()}"
    with pytest.raises(EngineError) as raised:
        start_engine(endpoint=url)
    message = str(raised.value)
    assert url in message and "--endpoint" in message
    assert "tidings up" in message and "docker compose up" in message
    assert raised.value.exit_code == 2


def test_localstack_is_found_where_localstack_host_says(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("TIDINGS_ENDPOINT", raising=False)
    monkeypatch.setenv("LOCALSTACK_HOST", "127.0.0.1:4777")
    engine = start_engine("localstack", check=False)
    assert engine.endpoint_url == "http://127.0.0.1:4777"
    assert "LOCALSTACK_HOST" in engine.description
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4888")
    assert start_engine("localstack", check=False).endpoint_url == "http://127.0.0.1:4888"


def test_the_choice_comes_from_options_then_environment_then_pyproject(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("TIDINGS_ENGINE", raising=False)
    monkeypatch.delenv("TIDINGS_ENDPOINT", raising=False)
    (tmp_path / "pyproject.toml").write_text('[tool.tidings]\nendpoint = "http://localhost:4566"\n')
    monkeypatch.chdir(tmp_path)
    from_project = resolve_engine_choice()
    assert (from_project.kind, from_project.endpoint, from_project.source) == (
        "localstack",
        "http://localhost:4566",
        "[tool.tidings] endpoint",
    )
    monkeypatch.setenv("TIDINGS_ENDPOINT", "http://127.0.0.1:5000/")
    from_environment = resolve_engine_choice()
    assert (from_environment.endpoint, from_environment.source) == ("http://127.0.0.1:5000", "TIDINGS_ENDPOINT")
    from_option = resolve_engine_choice(None, "http://127.0.0.1:9")
    assert (from_option.endpoint, from_option.source) == ("http://127.0.0.1:9", "--endpoint")


def test_embedded_or_an_endpoint_whichever_is_given_more_directly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIDINGS_ENDPOINT", "http://127.0.0.1:4566")
    monkeypatch.delenv("TIDINGS_ENGINE", raising=False)
    assert resolve_engine_choice("embedded") == EngineChoice("embedded", None, "--engine")
    monkeypatch.setenv("TIDINGS_ENGINE", "embedded")
    with pytest.raises(UsageError, match=re.escape("cannot use the endpoint http://127.0.0.1:4566")):
        resolve_engine_choice()
    assert resolve_engine_choice(None, "http://127.0.0.1:9") == EngineChoice(
        "localstack", "http://127.0.0.1:9", "--endpoint"
    )


def test_the_default_applies_when_nothing_is_configured(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("TIDINGS_ENGINE", raising=False)
    monkeypatch.delenv("TIDINGS_ENDPOINT", raising=False)
    monkeypatch.chdir(tmp_path)
    assert resolve_engine_choice().kind == "embedded"
    assert resolve_engine_choice(default="localstack").kind == "localstack"
    monkeypatch.setenv("TIDINGS_ENGINE", "aws")
    chosen = resolve_engine_choice()
    assert (chosen.kind, chosen.source) == ("aws", "TIDINGS_ENGINE")


@pytest.mark.parametrize(
    ("kind", "endpoint", "says"),
    [
        ("docker", None, "unknown engine 'docker'"),
        ("embedded", "http://localhost:4566", "cannot use the endpoint"),
        (None, "localhost:4566", "is not an http(s) URL"),
    ],
)
def test_impossible_choices_are_usage_errors(kind: str | None, endpoint: str | None, says: str) -> None:
    with pytest.raises(UsageError) as raised:
        resolve_engine_choice(kind, endpoint)
    assert says in str(raised.value)


def test_a_port_is_only_for_the_embedded_engine() -> None:
    with pytest.raises(UsageError, match="--port is for the embedded engine"):
        start_engine("localstack", port=4566, check=False)


def test_destructive_actions_are_refused_on_remote_engines() -> None:
    remote = Engine("localstack", "http://10.1.2.3:4566", "eu-west-2", "engine at http://10.1.2.3:4566")
    assert not remote.is_loopback
    with pytest.raises(UsageError, match=re.escape("refusing to purge q on the engine at http://10.1.2.3:4566")):
        require_loopback(remote, "purge q")
    require_loopback(remote, "purge q", allow_remote=True)
    for local in ("http://localhost:4566", "http://127.0.0.1:4566", "http://[::1]:4566"):
        require_loopback(Engine("localstack", local, "eu-west-2", local), "purge q")


def test_the_environment_for_consumers(engine: Engine) -> None:
    env = engine.env
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == engine.region
    if engine.kind != "aws":
        assert env["AWS_ENDPOINT_URL"] == engine.endpoint_url
        assert env["AWS_ACCESS_KEY_ID"] == "test" and env["AWS_SECRET_ACCESS_KEY"] == "test"
