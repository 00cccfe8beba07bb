"""`tidings pact lint|verify|states` as a user runs them: exit codes and what they print."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from pact_support import FEEDBACK, SENT, SENT_STATE, write_bad_pacts, write_given_pact, write_good_pact
from typer.testing import CliRunner

from tidings.cli import pact_cmd
from tidings.cli.app import app
from tidings.simulator.pact.provider import BrokerOptions, InteractionResult, VerificationReport

BROKEN = Path(__file__).parents[1] / "data" / "pacts" / "broken"
STATE_OPTION = f"{SENT_STATE}=referral-sent"
GIVEN_REFERRAL_ID = "3b0e7f52-9d4c-4e1a-8a36-5c2f0d9b7e14"
GIVEN_CRN = "T246810"
SHIPPED_STATES = [
    "a referral has been assigned",
    "a referral has been concluded",
    "a referral has been prematurely ended",
    "a referral has been sent",
    "a referral has been withdrawn",
    "a session has been attended",
    "a session has been missed",
    "an action plan has been approved",
    "an action plan has been submitted",
    "an end of service report has been submitted",
    "an initial assessment appointment has been attended",
    "initial assessment feedback has been submitted",
    "session feedback has been submitted",
]


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


def test_verify_needs_no_state_option_for_states_the_shipped_scenarios_provide(good: Path) -> None:
    code, output = run("verify", str(good), "--json")
    data = json.loads(output)
    assert code == 0, output
    assert data["providerStates"] == SHIPPED_STATES
    [sent] = [result for result in data["results"] if result["description"] == "a referral sent event"]
    assert sent["passed"] is True


def test_the_messages_carry_the_referral_and_person_given_by_the_pact(tmp_path: Path) -> None:
    # The bodies expect exactly the given referralId and CRN (no matchers), so they pass only if the simulator
    # put the given values into each message.
    write_given_pact(tmp_path / "kept", GIVEN_REFERRAL_ID, GIVEN_CRN)
    code, output = run("verify", str(tmp_path / "kept"))
    assert code == 0, output
    assert f"PASS a referral sent event [given {SENT_STATE}] → {SENT} v1" in output
    assert "PASS a referral withdrawn event [given a referral has been withdrawn] → intervention.referral.ended v1" in (
        output
    )
    assert "PASS a session missed event [given a session has been missed]" in output
    assert "3 interaction(s): 3 passed, 0 failed" in output
    # The same pact expecting another referral fails on exactly that value.
    other = "00000000-0000-4000-8000-000000000000"
    write_given_pact(tmp_path / "other", GIVEN_REFERRAL_ID, GIVEN_CRN, expected_referral_id=other)
    code, output = run("verify", str(tmp_path / "other"))
    assert code == 1
    assert f"Expected '{GIVEN_REFERRAL_ID}' (String) to be equal to '{other}' (String)" in output
    assert "3 interaction(s): 0 passed, 3 failed" in output


def test_verify_with_nothing_to_verify_or_a_broken_file_exits_2() -> None:
    code, output = run("verify")
    assert code == 2
    assert "error: nothing to verify" in output
    code, output = run("verify", str(BROKEN / "v2-pact.json"))
    assert code == 2
    assert "v2-pact.json: pact specification 2.0.0 is not supported" in output


def test_verify_passes_broker_options_through(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def fake_verify(
        catalog: Any, states: Any, sources: Any, *, broker: Any, provider: Any, api_producer: Any
    ) -> VerificationReport:
        seen.update(sources=list(sources), broker=broker, provider=provider, api_producer=api_producer)
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
        "api_producer": None,
    }


def test_verify_publish_options_need_a_broker_and_a_version() -> None:
    code, output = run("verify", "--publish", "--provider-version", "1")
    assert code == 2
    assert "need --broker-url" in output
    code, output = run("verify", "--broker-url", "https://broker.example.com", "--publish")
    assert code == 2
    assert "--publish needs --provider-version" in output


def test_states_lists_the_states_the_shipped_scenarios_provide() -> None:
    code, output = run("states")
    assert code == 0, output
    assert f"'{SENT_STATE}': scenario referral-sent (" in output
    assert "'a referral has been withdrawn': scenario referral-withdrawn (" in output
    code, output = run("states", "--json")
    assert sorted(item["state"] for item in json.loads(output)) == SHIPPED_STATES


def test_a_state_option_replaces_a_scenario_s_declaration() -> None:
    code, output = run("states", "--state", STATE_OPTION)
    assert code == 0
    assert f"'{SENT_STATE}': --state {STATE_OPTION}" in output


def test_a_user_scenario_providing_a_shipped_state_is_bad_usage_naming_both_files(tmp_path: Path) -> None:
    mine = tmp_path / "my-referral.yaml"
    mine.write_text(f"name: my-referral\nprovides: ['{SENT_STATE}']\nsteps:\n  - emit: {SENT}\n", "utf-8")
    code, output = run("verify", str(BROKEN / "v2-pact.json"), "--fixtures", str(tmp_path))
    assert code == 2
    assert f"provider state '{SENT_STATE}' is declared by two scenarios: {mine} and " in output
    assert "referral-sent.yaml" in output and f"--state '{SENT_STATE}=SCENARIO'" in output
    code, output = run("states", "--fixtures", str(tmp_path), "--state", f"{SENT_STATE}=my-referral")
    assert code == 0, output
    assert f"'{SENT_STATE}': --state {SENT_STATE}=my-referral" in output


def test_help_shows_examples() -> None:
    for command in ("lint", "verify", "states"):
        code, output = run(command, "--help")
        assert code == 0
        assert f"tidings pact {command}" in output
