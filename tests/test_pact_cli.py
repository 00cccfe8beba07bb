"""`tidings pact lint|verify|states` as a user runs them: exit codes and what they print."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from test_pact_support import FEEDBACK, SENT, SENT_STATE, write_bad_pacts, write_good_pact
from typer.testing import CliRunner

from tidings.cli import pact_cmd
from tidings.cli.app import app
from tidings.simulator.pact_provider import BrokerOptions, InteractionResult, VerificationReport

BROKEN = Path(__file__).parent / "data" / "pacts" / "broken"
STATE_OPTION = f"{SENT_STATE}=referral-sent"


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("good")
    write_good_pact(folder)
    return folder


@pytest.fixture(scope="module")
def bad(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bad")
    write_bad_pacts(folder)
    return folder


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["pact", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_lint_a_good_pact_exits_0_with_its_warning(good: Path) -> None:
    code, output = run("lint", str(good))
    assert code == 0, output
    assert "referrals-dashboard → hmpps-interventions-service (V4, 3 message interaction(s))" in output
    assert f"OK 'a referral sent event' → {SENT} v1 (by metadata eventType)" in output
    assert "warning /additionalInformation/deliusAppointmentId: optional in" in output
    assert "3 interaction(s) in 1 pact(s): 2 OK, 1 with warnings, 0 failed" in output


def test_lint_bad_pacts_exits_1_naming_fields_and_types(bad: Path) -> None:
    code, output = run("lint", str(bad))
    assert code == 1
    assert "error /additionalInformation/assignedToName: intervention.referral.assigned v1 has no field" in output
    assert "did you mean /additionalInformation/assignedTo?" in output
    assert "error /additionalInformation/deliusAppointmentId: match.int (integer) can never match" in output
    assert "error metadata/eventType: unknown event type 'intervention.referral.sendt'" in output
    assert "did you mean intervention.referral.sent" in output


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("not-json.json", "not JSON"),
        ("not-a-pact.json", "not a pact: no consumer, provider, interactions or messages"),
        ("v2-pact.json", "pact specification 2.0.0 is not supported"),
    ],
)
def test_lint_a_file_that_is_not_a_v3_or_v4_pact_exits_2_naming_it(name: str, reason: str) -> None:
    code, output = run("lint", str(BROKEN / name))
    assert code == 2
    assert f"error: {BROKEN / name}" in output
    assert reason in output


def test_lint_json(bad: Path) -> None:
    code, output = run("lint", "--json", str(bad))
    data = json.loads(output)
    assert code == 1
    assert data["ok"] is False
    by_consumer = {f["consumer"]: f for f in data["files"]}
    [check] = by_consumer["wrong-type"]["interactions"]
    assert check["eventType"] == FEEDBACK
    assert check["findings"][0]["field"] == "/additionalInformation/deliusAppointmentId"


def test_verify_a_good_pact_exits_0_and_writes_junit(good: Path, tmp_path: Path) -> None:
    junit = tmp_path / "reports" / "pact.xml"
    code, output = run("verify", str(good), "--state", STATE_OPTION, "--junit", str(junit))
    assert code == 0, output
    assert f"PASS a referral sent event [given {SENT_STATE}] → {SENT} v1" in output
    assert "3 interaction(s): 3 passed, 0 failed" in output
    root = ET.parse(junit).getroot()
    assert (root.get("tests"), root.get("failures")) == ("3", "0")


def test_verify_bad_pacts_exits_1_with_pact_s_mismatches(bad: Path) -> None:
    code, output = run("verify", str(bad), "--state", STATE_OPTION)
    assert code == 1
    assert "FAIL a referral assigned event → intervention.referral.assigned v1" in output
    assert "$.additionalInformation: Actual map is missing the following keys: assignedToName" in output
    assert "Expected '2500009788' (String) to be an integer" in output
    assert "unknown provider state 'a referral was teleported'" in output
    assert "4 interaction(s): 0 passed, 4 failed" in output


def test_verify_without_the_state_fails_the_interaction_that_needs_it(good: Path) -> None:
    code, output = run("verify", str(good), "--json")
    data = json.loads(output)
    assert code == 1
    [failed] = [result for result in data["results"] if not result["passed"]]
    assert failed["description"] == "a referral sent event"
    assert failed["mismatches"][0].startswith(f"unknown provider state '{SENT_STATE}'")


def test_verify_with_nothing_to_verify_or_a_broken_file_exits_2() -> None:
    code, output = run("verify")
    assert code == 2
    assert "error: nothing to verify" in output
    code, output = run("verify", str(BROKEN / "v2-pact.json"))
    assert code == 2
    assert "v2-pact.json: pact specification 2.0.0 is not supported" in output


def test_verify_passes_broker_options_through(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def fake_verify(catalog: Any, states: Any, sources: Any, *, broker: Any, provider: Any) -> VerificationReport:
        seen.update(sources=list(sources), broker=broker, provider=provider)
        return VerificationReport(provider or "p", [InteractionResult("c", "m", (), True)])

    monkeypatch.setattr(pact_cmd, "verify_pacts", fake_verify)
    code, output = run(
        "verify",
        "--broker-url",
        "https://broker.example.com",
        "--provider-version",
        "abc123",
        "--branch",
        "main",
        "--publish",
    )
    assert code == 0, output
    assert seen == {
        "sources": [],
        "broker": BrokerOptions("https://broker.example.com", provider_version="abc123", branch="main", publish=True),
        "provider": None,
    }


def test_verify_publish_options_need_a_broker_and_a_version() -> None:
    code, output = run("verify", "--publish", "--provider-version", "1")
    assert code == 2
    assert "need --broker-url" in output
    code, output = run("verify", "--broker-url", "https://broker.example.com", "--publish")
    assert code == 2
    assert "--publish needs --provider-version" in output


def test_states_lists_the_states_and_where_they_come_from() -> None:
    code, output = run("states", "--state", STATE_OPTION)
    assert code == 0
    assert f"'{SENT_STATE}': --state {STATE_OPTION}" in output


def test_help_shows_examples() -> None:
    for command in ("lint", "verify", "states"):
        code, output = run(command, "--help")
        assert code == 0
        assert f"tidings pact {command}" in output
