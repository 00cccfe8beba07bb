"""`tidings play`, `up`, `emit` and `scenarios validate` over a registry of two producers (tests/data/multi_producer):
one play emits both producers' events on one topic, each validated by its owner's contract, each detailUrl on its
own producer's base path of the one fake API, which answers it with that producer's resource.

The in-process plays use the default topology (what every play test applies), so the shared engine gets no new
queue; the test with a queue of its own for every event runs `tidings up` in a process of its own."""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
from typer.testing import CliRunner

from tests.multi_producer import BASE_PATHS, BOOKING, FIXTURES, MULTI, SECOND, SENT, SHIPPED_CATALOG
from tests.up_process import TIDINGS, up_process
from tidings.cli.app import app
from tidings.contracts.registry.loader import load_registry
from tidings.contracts.registry.routed import RoutedCatalog

runner = CliRunner()
ROUTED = RoutedCatalog(load_registry(MULTI))
RESOURCE = {SENT: "sent-referral", BOOKING: "booking-made"}


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("TIDINGS_", "AWS_ENDPOINT_URL"))}


def _play(*args: str, env: dict[str, str] | None = None) -> tuple[int, list[dict[str, Any]], str]:
    command = ["play", *args, "--fixtures", str(FIXTURES), "--json", "--seed", "11"]
    result = runner.invoke(app, command, env={"COLUMNS": "200", **(env or {})})
    events = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return result.exit_code, events, result.stderr


def _published(events: list[dict[str, Any]]) -> dict[str, int]:
    assert events and events[-1]["type"] == "RunFinished", events
    return dict(events[-1]["summary"]["by_event_type"])


@pytest.mark.parametrize(
    "options",
    [["--registry", str(MULTI)], ["--contracts", str(SHIPPED_CATALOG), "--contracts", str(SECOND)]],
    ids=["registry", "two-contracts"],
)
def test_one_play_publishes_the_events_of_both_producers(options: list[str]) -> None:
    code, events, err = _play("referral-and-booking", *options)
    assert code == 0, err
    assert _published(events) == {SENT: 1, BOOKING: 1}
    assert next(e for e in events if e["type"] == "RunStarted")["scenario"] == "referral-and-booking"


def test_the_registry_comes_from_tidings_registry() -> None:
    code, events, err = _play("referral-and-booking", env={"TIDINGS_REGISTRY": str(MULTI)})
    assert code == 0, err
    assert _published(events) == {SENT: 1, BOOKING: 1}


def test_the_registry_comes_from_the_pyproject(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text(f'[tool.tidings]\nregistry = "{MULTI.as_posix()}"\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TIDINGS_REGISTRY", raising=False)
    code, events, err = _play("referral-and-booking")
    assert code == 0, err
    assert _published(events) == {SENT: 1, BOOKING: 1}


def test_without_a_registry_the_second_producers_events_are_unknown() -> None:
    code, _, err = _play("referral-and-booking")
    assert code == 2
    assert "unknown event type 'approved-premises.booking.made'" in err and "Traceback" not in err


def test_an_event_type_in_no_catalogue_is_one_line_and_exit_2_before_anything_starts() -> None:
    code, events, err = _play("unknown-producer", "--registry", str(MULTI))
    assert code == 2 and events == []
    lines = err.strip().splitlines()
    assert lines[0].startswith("error: ") and "unknown-producer.yaml:5" in lines[0]
    assert "unknown event type 'accommodation.cas3.booking.confirmed'" in lines[0]
    assert lines[1].startswith("hint: ") and len(lines) == 2
    assert "engine:" not in err  # refused before an engine started


def test_each_event_is_validated_by_its_own_producers_contract(tmp_path: Path) -> None:
    scenarios = tmp_path / "scenarios"
    scenarios.mkdir()
    (scenarios / "bad-booking.yaml").write_text(
        textwrap.dedent(
            f"""
            name: bad-booking
            description: An approved-premises booking whose id breaks that producer's contract.
            steps:
              - emit: {SENT}
              - emit: {BOOKING}
                data:
                  additionalInformation.bookingId: not-a-uuid
            """
        ).lstrip()
    )
    result = runner.invoke(app, ["play", "bad-booking", "--registry", str(MULTI), "--fixtures", str(tmp_path)])
    assert result.exit_code == 2
    assert "bad-booking.yaml:5" in result.stderr and "/additionalInformation/bookingId" in result.stderr


def test_scenarios_validate_takes_the_registry() -> None:
    result = runner.invoke(
        app, ["scenarios", "validate", "referral-and-booking", "--registry", str(MULTI), "--fixtures", str(FIXTURES)]
    )
    assert result.exit_code == 0, result.stderr
    assert "ok    referral-and-booking: 2 events" in result.stdout


# -- `tidings up` over the registry, in a process of its own: one queue gets every event -------------------------

_TOPOLOGY = """
topics:
  - name: hmpps-domain-events
queues:
  - name: every-event
subscriptions:
  - topic: hmpps-domain-events
    queue: every-event
    raw_delivery: true
"""


@pytest.fixture
def up(tmp_path: Path) -> Iterator[dict[str, str]]:
    """`tidings up --registry` with a topology of one unfiltered queue; the environment it printed."""
    topology = tmp_path / "topology.yaml"
    topology.write_text(_TOPOLOGY)
    env = {**_clean_env(), "TIDINGS_TOPOLOGY": str(topology), "PACT_DO_NOT_TRACK": "true"}
    options = ["--port", "0", "--api-port", "0", "--registry", str(MULTI), "--fixtures", str(FIXTURES)]
    with up_process(*options, env=env) as printed:
        assert "AWS_ENDPOINT_URL" in printed and "TIDINGS_API_URL" in printed, printed
        yield {**printed, "TIDINGS_TOPOLOGY": str(topology)}


def _tidings(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*TIDINGS, *args], capture_output=True, text=True, env={**_clean_env(), **env}, timeout=120)


def _received(env: dict[str, str]) -> list[dict[str, Any]]:
    sqs = boto3.client(
        "sqs",
        endpoint_url=env["AWS_ENDPOINT_URL"],
        region_name=env.get("AWS_DEFAULT_REGION", env.get("AWS_REGION", "eu-west-2")),
        aws_access_key_id=env.get("AWS_ACCESS_KEY_ID", "test"),
        aws_secret_access_key=env.get("AWS_SECRET_ACCESS_KEY", "test"),
    )
    url = env["EVERY_EVENT_QUEUE_URL"]
    events: list[dict[str, Any]] = []
    for _ in range(10):
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
        events.extend(json.loads(message["Body"]) for message in messages)
        if not messages:
            break
    return events


def _follow(event: dict[str, Any]) -> None:
    """The event is valid by its owner's contract, its detailUrl is on its producer's base path, and GET of it
    answers 200 with a body valid by that producer's resource contract."""
    event_type = event["eventType"]
    assert ROUTED.validate(event) == []
    path = urlsplit(event["detailUrl"]).path
    assert path.startswith(BASE_PATHS[event_type] + "/"), event["detailUrl"]
    with urllib.request.urlopen(event["detailUrl"], timeout=5) as response:
        assert response.status == 200
        body = json.loads(response.read())
    assert ROUTED.owner(event_type).api.violations(RESOURCE[event_type], body) == []


def test_play_and_emit_against_an_up_serving_the_registry(up: dict[str, str]) -> None:
    booking = str(uuid.uuid4())
    played = _tidings(
        up,
        "play",
        "referral-and-booking",
        "--registry",
        str(MULTI),
        "--fixtures",
        str(FIXTURES),
        "--param",
        f"bookingId={booking}",
        "--json",
    )
    assert played.returncode == 0, played.stderr
    events = _received(up)
    assert sorted(event["eventType"] for event in events) == sorted([SENT, BOOKING])
    for event in events:
        assert event["detailUrl"].startswith(up["TIDINGS_API_URL"])
        _follow(event)
    assert next(e for e in events if e["eventType"] == BOOKING)["additionalInformation"]["bookingId"] == booking

    another = f"additionalInformation.bookingId={uuid.uuid4()}"
    emitted = _tidings(up, "emit", BOOKING, "--registry", str(MULTI), "--set", another, "--json")
    assert emitted.returncode == 0, emitted.stderr
    event = json.loads(emitted.stdout)["event"]
    assert [e["eventType"] for e in _received(up)] == [BOOKING]
    _follow(event)

    unknown = _tidings(up, "emit", "approved-premises.booking.mad", "--registry", str(MULTI))
    assert unknown.returncode == 2
    assert unknown.stderr.splitlines()[0] == "error: unknown event type 'approved-premises.booking.mad'"


def test_a_play_whose_producers_that_fake_api_does_not_serve_is_refused(up: dict[str, str]) -> None:
    # The `tidings up` serves the registry (each producer under its base path); this play has one catalogue,
    # whose detailUrls would name root paths that fake API has no producer's shapes for.
    for command in (["play", "referral-sent"], ["emit", "intervention.referral.sent"]):
        done = _tidings(up, *command, "--contracts", str(SHIPPED_CATALOG))
        assert done.returncode == 2, done.stdout + done.stderr
        errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and "Traceback" not in done.stderr
        assert (
            "events need hmpps-interventions-service at /:" in errors[0]
            and "approved-premises at /approved-premises" in errors[0]
        )
    assert _received(up) == []  # nothing was published for the wrong fake API
