"""One resolution order for the engine (option, TIDINGS_*, AWS_ENDPOINT_URL, [tool.tidings]), printed once; emit
stamps now; play --until-consumed fails naming what no consumer took."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from tidings.cli.app import app
from tidings.simulator.engine.engines import resolve_engine_choice

runner = CliRunner()


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("TIDINGS_ENGINE", "TIDINGS_ENDPOINT", "TIDINGS_API_URL", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_aws_endpoint_url_comes_after_tidings_endpoint_and_before_the_default(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4599")
    choice = resolve_engine_choice()
    assert (choice.kind, choice.endpoint, choice.source) == ("localstack", "http://127.0.0.1:4599", "AWS_ENDPOINT_URL")
    clean_env.setenv("TIDINGS_ENDPOINT", "http://127.0.0.1:4600")
    assert resolve_engine_choice().source == "TIDINGS_ENDPOINT"
    assert resolve_engine_choice(endpoint="http://127.0.0.1:4601").source == "--endpoint"
    clean_env.delenv("TIDINGS_ENDPOINT")
    clean_env.setenv("TIDINGS_ENGINE", "embedded")  # more specific to tidings than boto3's variable
    assert resolve_engine_choice().kind == "embedded"


def test_emit_stamps_now_and_prints_where_its_engine_came_from(clean_env: pytest.MonkeyPatch) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    result = runner.invoke(app, ["emit", "intervention.referral.sent", "--engine", "embedded", "--json"])
    assert result.exit_code == 0, result.output
    occurred = datetime.fromisoformat(json.loads(result.stdout)["event"]["occurredAt"])
    assert before <= occurred <= datetime.now(UTC) + timedelta(seconds=1)
    assert "engine: embedded engine at http://127.0.0.1:" in result.stderr and "(from --engine)" in result.stderr


def test_play_until_consumed_fails_listing_what_no_consumer_took(clean_env: pytest.MonkeyPatch) -> None:
    arguments = ["play", "referral-sent", "--until-consumed", "intervention-events", "--delivery-timeout", "0.5"]
    result = runner.invoke(app, arguments)
    assert result.exit_code == 1, result.output
    assert "delivered 1 of 1" in result.stdout
    # Embedded engines of one process share moto's state, so earlier tests may have left messages too.
    assert re.search(r"not consumed within 0\.5s: intervention-events: [1-9]\d* visible", result.output)
    assert "hint:" in result.output


@pytest.mark.parametrize(
    "command",
    [["play", "referral-sent"], ["emit", "intervention.referral.sent"]],
    ids=["play", "emit"],
)
def test_a_named_fake_api_that_does_not_answer_is_refused_on_the_embedded_engine_too(
    clean_env: pytest.MonkeyPatch, command: list[str]
) -> None:
    # The state target was ignored on an engine the command started itself: exit 0, state written nowhere named.
    result = runner.invoke(app, [*command, "--engine", "embedded", "--api-url", "http://127.0.0.1:9"])
    assert result.exit_code == 2, result.output
    assert "no tidings fake API answers at http://127.0.0.1:9 (from --api-url)" in result.output
