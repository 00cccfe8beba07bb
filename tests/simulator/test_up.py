"""`tidings up`: the engine answers boto3 from another process, the environment is printed, signals stop it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import boto3
import pytest
from typer.testing import CliRunner

from tidings.cli.app import app
from tidings.simulator.engine.engines import Engine

runner = CliRunner()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start(port: int, *extra: str) -> tuple[subprocess.Popen[str], dict[str, str]]:
    """`tidings up --port PORT` in a subprocess (the fake API on a free port unless `extra` says otherwise);
    returns it and the environment it printed once ready."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIDINGS_")}
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from tidings.cli.app import main; main()",
            "up",
            "--port",
            str(port),
            *(extra or ("--api-port", "0")),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    printed: dict[str, str] = {}
    deadline = time.monotonic() + 30
    for line in process.stdout:
        if line.strip().startswith("export "):
            name, _, value = line.strip().removeprefix("export ").partition("=")
            printed[name] = value
        if line.startswith("ready") or time.monotonic() > deadline:
            break
    return process, printed


def test_up_serves_boto3_in_another_process_and_stops_on_sigterm() -> None:
    port = _free_port()
    process, env = _start(port)
    try:
        assert env["AWS_ENDPOINT_URL"] == f"http://127.0.0.1:{port}"
        endpoint, region = env["AWS_ENDPOINT_URL"], env["AWS_REGION"]
        key, secret = env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]
        sns = boto3.client(
            "sns", endpoint_url=endpoint, region_name=region, aws_access_key_id=key, aws_secret_access_key=secret
        )
        sqs = boto3.client(
            "sqs", endpoint_url=endpoint, region_name=region, aws_access_key_id=key, aws_secret_access_key=secret
        )
        queue_url = env["INTERVENTION_EVENTS_QUEUE_URL"]
        assert queue_url in sqs.list_queues()["QueueUrls"]
        sns.publish(
            TopicArn=env["HMPPS_DOMAIN_EVENTS_TOPIC_ARN"],
            Message=json.dumps({"eventType": "intervention.referral.sent"}),
            MessageAttributes={"eventType": {"DataType": "String", "StringValue": "intervention.referral.sent"}},
        )
        (message,) = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=5)["Messages"]
        assert json.loads(json.loads(message["Body"])["Message"])["eventType"] == "intervention.referral.sent"
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert "SIGTERM: stopping" in output and output.rstrip().endswith("stopped")


def test_up_on_a_port_in_use_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TIDINGS_ENDPOINT", raising=False)
    monkeypatch.delenv("TIDINGS_ENGINE", raising=False)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(app, ["up", "--port", str(port)])
    assert result.exit_code == 2
    assert f"port {port} on 127.0.0.1 is already in use" in result.output


def test_up_with_a_running_engine_applies_the_topology_and_exits(
    engine: Engine, unique: Callable[[str], str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    topology = tmp_path / "topology.yaml"
    topic, queue = unique("up-topic"), unique("up-queue")
    declared = {
        "topics": [{"name": topic}],
        "queues": [{"name": queue}],
        "subscriptions": [{"topic": topic, "queue": queue}],
    }
    topology.write_text(json.dumps(declared))  # JSON is YAML too
    monkeypatch.delenv("TIDINGS_ENGINE", raising=False)
    assert engine.endpoint_url is not None
    arguments = ["up", "--engine", "localstack", "--endpoint", engine.endpoint_url, "--topology", str(topology)]
    arguments.append("--no-api")  # with the fake API it would keep serving until stopped
    result = runner.invoke(app, arguments)
    assert result.exit_code == 0, result.output
    assert f"subscribed {topic} -> {queue}" in result.output
    assert f"export {queue.upper().replace('-', '_')}_QUEUE_URL=" in result.output
    assert "topology applied; the engine keeps running on its own" in result.output
    again = runner.invoke(app, arguments)
    assert "subscribed" not in again.output and again.exit_code == 0


def test_up_serves_the_fake_api_next_to_the_engine() -> None:
    import httpx

    process, env = _start(_free_port(), "--api-port", str(_free_port()))
    try:
        api = env["TIDINGS_API_URL"]
        assert api.startswith("http://127.0.0.1:")
        assert "referral-lifecycle" in httpx.get(f"{api}/_tidings/scenarios").text
        referral = "0b6a4a52-7d4e-4c55-9a43-5f0a1c8f2b11"
        assert httpx.get(f"{api}/sent-referral/{referral}").status_code == 404
        emitted = httpx.post(
            f"{api}/_tidings/events",
            json={
                "eventType": "intervention.referral.sent",
                "data": {"crn": "X123456", "additionalInformation": {"referralId": referral}},
            },
        )
        assert emitted.status_code == 201, emitted.text
        assert emitted.json()["queues"] == ["intervention-events"]
        assert httpx.get(f"{api}/sent-referral/{referral}").status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output


def test_emit_to_a_running_up_gives_its_fake_api_the_state_behind_the_detail_url(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import httpx

    process, env = _start(_free_port(), "--api-port", str(_free_port()))
    try:
        for name in ("TIDINGS_ENGINE", "TIDINGS_ENDPOINT"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("TIDINGS_API_URL", env["TIDINGS_API_URL"])
        referral = "5d0f3b7e-2c8a-4f61-9b1e-7a4c2d9e8f10"
        emit = ["emit", "intervention.referral.sent", "--endpoint", env["AWS_ENDPOINT_URL"], "--json"]
        sets = ["--set", "crn=X123456", "--set", f"additionalInformation.referralId={referral}"]
        result = runner.invoke(app, [*emit, *sets])
        assert result.exit_code == 0, result.output
        detail_url = json.loads(result.stdout)["event"]["detailUrl"]
        assert detail_url == f"{env['TIDINGS_API_URL']}/sent-referral/{referral}"
        assert httpx.get(detail_url).status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)
