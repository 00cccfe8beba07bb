"""`tidings topology apply|show`, `tidings emit` and `tidings queue ...` against the session's engine."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tidings.cli.app import app
from tidings.simulator.engine.engines import Engine

runner = CliRunner()
REFERRAL_SENT = "intervention.referral.sent"


@pytest.fixture
def names(
    engine: Engine, unique: Callable[[str], str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """A topology file with names of this test's own, and the CLI pointed at the session engine."""
    found = {"topic": unique("cli-topic"), "queue": unique("cli-queue")}
    declared = {
        "topics": [{"name": found["topic"]}],
        "queues": [{"name": found["queue"], "visibility_timeout": 0, "dead_letter": {"max_receive_count": 3}}],
        "subscriptions": [
            {
                "topic": found["topic"],
                "queue": found["queue"],
                "filter_policy": {"eventType": [{"prefix": "intervention."}]},
            }
        ],
    }
    path = tmp_path / "topology.yaml"
    path.write_text(json.dumps(declared))
    assert engine.endpoint_url is not None
    monkeypatch.setenv("TIDINGS_ENDPOINT", engine.endpoint_url)
    monkeypatch.setenv("TIDINGS_TOPOLOGY", str(path))
    monkeypatch.delenv("TIDINGS_ENGINE", raising=False)
    return found


def _ok(*arguments: str) -> str:
    result = runner.invoke(app, list(arguments))
    assert result.exit_code == 0, result.output
    return result.stdout  # the engine banner goes to stderr


def test_topology_apply_then_show(names: dict[str, str]) -> None:
    first = _ok("topology", "apply")
    assert f"created topic {names['topic']}" in first and f"subscribed {names['topic']} -> {names['queue']}" in first
    assert "already up to date: nothing changed" in _ok("topology", "apply")
    shown = _ok("topology", "show")
    assert names["queue"] in shown and f"{names['queue']}-dlq after 3 receives" in shown
    assert '"eventType":[{"prefix":"intervention."}]' in shown
    state = json.loads(_ok("topology", "show", "--json"))
    (queue,) = [q for q in state["queues"] if q["name"] == names["queue"]]
    assert (queue["visible"], queue["deadLetterQueue"], queue["declared"]) == (0, f"{names['queue']}-dlq", True)
    assert state["missing"] == []


def test_emit_prints_the_message_id_and_the_queues_it_reached(names: dict[str, str]) -> None:
    _ok("topology", "apply")
    out = _ok("emit", REFERRAL_SENT, "--topic", names["topic"], "--set", "crn=X654321")
    assert f"published {REFERRAL_SENT} v1" in out and "MessageId" in out and "traceparent  00-" in out
    assert f"delivered to {names['queue']}" in out
    emitted = json.loads(_ok("emit", REFERRAL_SENT, "--topic", names["topic"], "--json"))
    assert emitted["deliveredTo"] == [names["queue"]] and emitted["eventType"] == REFERRAL_SENT
    (first, second) = json.loads(_ok("queue", "drain", names["queue"], "--json"))
    assert first["crn"] == "X654321" and second["snsMessageId"] == emitted["messageId"]


def test_emit_refuses_an_invalid_event_with_its_pointer(names: dict[str, str]) -> None:
    _ok("topology", "apply")
    result = runner.invoke(
        app, ["emit", REFERRAL_SENT, "--topic", names["topic"], "--set", "additionalInformation.referralId:=7"]
    )
    assert result.exit_code == 2
    assert "/additionalInformation/referralId" in result.output and "nothing was published" in result.output
    assert "no messages" in _ok("queue", "peek", names["queue"])


def test_emit_from_a_file(names: dict[str, str], tmp_path: Path) -> None:
    _ok("topology", "apply")
    event = json.loads(_ok("emit", REFERRAL_SENT, "--topic", names["topic"], "--json"))["event"]
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event))
    out = _ok("emit", "--file", str(path), "--topic", names["topic"], "--set", "crn=X000777")
    assert f"delivered to {names['queue']}" in out
    crns = [m["crn"] for m in json.loads(_ok("queue", "drain", names["queue"], "--json"))]
    assert crns[-1] == "X000777"
    broken = tmp_path / "broken.json"
    broken.write_text('{"eventType": ')
    result = runner.invoke(app, ["emit", "--file", str(broken)])
    assert result.exit_code == 2 and f"{broken}:1: not valid JSON" in result.output


def test_queue_tools_from_the_command_line(names: dict[str, str], engine: Engine) -> None:
    _ok("topology", "apply")
    _ok("emit", REFERRAL_SENT, "--topic", names["topic"], "--set", "crn=X111111")
    peeked = _ok("queue", "peek", names["queue"])
    assert REFERRAL_SENT in peeked and "X111111" in peeked and "peeked, not consumed" in peeked
    for _ in range(4):  # a peek is no receive: maxReceiveCount (3) is never reached by looking
        (seen,) = json.loads(_ok("queue", "peek", names["queue"], "--json"))
        assert seen["receiveCount"] in (0, None)
    sqs = engine.client("sqs")
    url = sqs.get_queue_url(QueueName=names["queue"])["QueueUrl"]
    for _ in range(4):  # received and never deleted (visibility 0): the 4th receive dead-letters it
        sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1)
    assert json.loads(_ok("queue", "peek", names["queue"], "--json")) == []
    assert "X111111" in _ok("queue", "dlq", names["queue"])
    assert "moved 1 message(s)" in _ok("queue", "redrive", names["queue"])
    assert "X111111" in _ok("queue", "drain", names["queue"])
    _ok("emit", REFERRAL_SENT, "--topic", names["topic"])
    assert f"purged {names['queue']}" in _ok("queue", "purge", names["queue"])
    assert "no messages" in _ok("queue", "drain", names["queue"])


def test_an_unreachable_engine_tells_how_to_start_one(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("TIDINGS_ENDPOINT", f"http://127.0.0.1:{port}")
    result = runner.invoke(app, ["queue", "peek", "intervention-events"])
    assert result.exit_code == 2
    assert f"http://127.0.0.1:{port}" in result.output and "tidings up" in result.output
    assert "Traceback" not in result.output


def test_an_unknown_queue_is_a_usage_error(names: dict[str, str]) -> None:
    _ok("topology", "apply")
    result = runner.invoke(app, ["queue", "peek", names["queue"] + "-typo"])
    assert result.exit_code == 2 and f"did you mean {names['queue']}" in result.output
