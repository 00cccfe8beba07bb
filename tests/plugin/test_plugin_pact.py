"""The `tidings_pact` fixture tested as consumer teams use it: test files run by `pytester`, in a subprocess
(pact-python loads its FFI library, which should not share a process with the outer pytest's)."""

from __future__ import annotations

import json
import os

import pytest

from tidings.pytest_plugin.options import pact_dir_from_config

pytest_plugins = ["pytester"]

REFERRAL_ID = "8f4c2a3e-6b1d-4f7a-9c2e-1d3b5a7c9e0f"

INI = """
[pytest]
addopts = --strict-markers --strict-config -p no:cacheprovider
filterwarnings = error
tidings_pact_dir = build/pacts
"""

CONSUMER_TESTS = """
import os
import sys

from pact import match

SENT = "intervention.referral.sent"
FEEDBACK = "intervention.session-appointment.session-feedback-submitted"
ASSIGNED = "intervention.referral.assigned"
REFERRAL_ID = "8f4c2a3e-6b1d-4f7a-9c2e-1d3b5a7c9e0f"


def test_the_plugin_imports_its_pact_support_only_for_the_fixture():
    assert "tidings.pytest_plugin.pacts" not in sys.modules


def test_a_sent_referral(tidings_pact):
    pact = tidings_pact("watcher")
    assert os.environ["PACT_DO_NOT_TRACK"] == "true"
    (
        pact.upon_receiving("a referral sent event", "Async")
        .given("a referral has been sent", referralId=REFERRAL_ID, crn="X123456")
        .with_body(
            {"eventType": SENT, "version": match.int(1), "additionalInformation": {"referralId": REFERRAL_ID}},
            content_type="application/json",
        )
        .with_metadata({"eventType": SENT})
    )
    seen = []
    pact.verify(lambda body, metadata: seen.append(metadata["eventType"]), "Async")
    assert seen == [SENT]


def test_an_assigned_referral(tidings_pact):
    pact = tidings_pact("watcher")
    (
        pact.upon_receiving("a referral assigned event", "Async")
        .with_body(
            {"eventType": ASSIGNED, "additionalInformation": {"assignedTo": match.str("sam@example.org")}},
            content_type="application/json",
        )
        .with_metadata({"eventType": ASSIGNED})
    )


def test_an_int_matcher_on_a_string_field(tidings_pact):
    pact = tidings_pact("watcher")
    (
        pact.upon_receiving("session feedback was submitted", "Async")
        .with_body(
            {"eventType": FEEDBACK, "additionalInformation": {"deliusAppointmentId": match.int(2500009788)}},
            content_type="application/json",
        )
        .with_metadata({"eventType": FEEDBACK})
    )


def test_a_field_the_contract_lacks(tidings_pact):
    pact = tidings_pact("watcher")
    (
        pact.upon_receiving("a referral assigned event, by name", "Async")
        .with_body(
            {"eventType": ASSIGNED, "additionalInformation": {"assignedToName": match.str("Sam")}},
            content_type="application/json",
        )
        .with_metadata({"eventType": ASSIGNED})
    )
"""


@pytest.fixture
def consumer_project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeini(INI)
    pytester.makepyfile(test_consumer=CONSUMER_TESTS)
    return pytester


def test_pacts_are_checked_per_test_and_written_at_session_end(
    consumer_project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PACT_DO_NOT_TRACK", raising=False)  # the plugin sets it
    pact_dir = consumer_project.path / "build" / "pacts"
    pact_dir.mkdir(parents=True)
    stale = pact_dir / "watcher-hmpps-interventions-service.json"
    stale.write_text(json.dumps({"interactions": [{"description": "left from an earlier run"}]}))
    os.utime(stale, (1_000_000_000, 1_000_000_000))  # 2001: written before this session started

    result = consumer_project.runpytest_subprocess()

    result.assert_outcomes(passed=3, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*tidings: 1 pact interaction(s) break the published contracts:",
            "*'session feedback was submitted' → intervention.session-appointment.session-feedback-submitted v1",
            "*/additionalInformation/deliusAppointmentId: match.int (integer) can never match*"
            "(contract field /additionalInformation/deliusAppointmentId)",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*'a referral assigned event, by name' → intervention.referral.assigned v1",
            "*/additionalInformation/assignedToName: intervention.referral.assigned v1 has no field*",
            "*hint: did you mean /additionalInformation/assignedTo?",
        ]
    )
    result.stdout.fnmatch_lines(["*tidings pacts*", f"{stale}: 2 interaction(s)"])

    pact = json.loads(stale.read_text())
    assert pact["metadata"]["pactSpecification"]["version"] == "4.0"
    assert (pact["consumer"]["name"], pact["provider"]["name"]) == ("watcher", "hmpps-interventions-service")
    # Both passing tests' interactions, merged; neither failing test's; nothing left from the earlier run.
    interactions = {item["description"]: item for item in pact["interactions"]}
    assert sorted(interactions) == ["a referral assigned event", "a referral sent event"]
    sent = interactions["a referral sent event"]
    assert sent["type"] == "Asynchronous/Messages"
    assert sent["providerStates"] == [
        {"name": "a referral has been sent", "params": {"crn": "X123456", "referralId": REFERRAL_ID}}
    ]
    assert sent["contents"]["content"]["additionalInformation"] == {"referralId": REFERRAL_ID}


def test_the_pact_dir_comes_from_the_option_the_environment_or_the_ini(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TIDINGS_PACT_DIR", raising=False)
    assert pact_dir_from_config(pytester.parseconfig()) == pytester.path / "pacts"
    pytester.makeini(INI)
    assert pact_dir_from_config(pytester.parseconfig()) == pytester.path / "build" / "pacts"
    monkeypatch.setenv("TIDINGS_PACT_DIR", "from-env")
    assert pact_dir_from_config(pytester.parseconfig()) == pytester.path / "from-env"
    given = pytester.parseconfig("--tidings-pact-dir", str(pytester.path / "elsewhere"))
    assert pact_dir_from_config(given) == pytester.path / "elsewhere"
