"""Provider verification with the simulator playing the producer: pact-python's verifier against pacts written
with plain pact-python, JUnit XML, the message server, and broker options (by arguments only: offline)."""

from __future__ import annotations

import base64
import json
import os
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from pact_support import ASSIGNED, FEEDBACK, PROVIDER, SENT, SENT_STATE, write_bad_pacts, write_good_pact

from tidings.contracts import Catalog, load_catalog
from tidings.contracts.errors import UsageError
from tidings.simulator.pact.junit import junit_xml
from tidings.simulator.pact.message_server import MessageServer
from tidings.simulator.pact.provider import (
    BrokerOptions,
    VerificationReport,
    configure_broker,
    quiet_pact,
    verify_pacts,
)
from tidings.simulator.pact.states import ProviderStates
from tidings.simulator.scenarios.loader import ScenarioLibrary


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def states(catalog: Catalog) -> ProviderStates:
    return ProviderStates.from_scenarios(ScenarioLibrary(), catalog)  # the states the shipped scenarios provide


@pytest.fixture(scope="module")
def pacts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pacts")
    return {
        "good": write_good_pact(folder / "good"),
        "good-v3": write_good_pact(folder / "good", consumer="legacy-dashboard", specification="V3"),
        **write_bad_pacts(folder / "bad"),
    }


@pytest.fixture(scope="module")
def bad_report(catalog: Catalog, states: ProviderStates, pacts: dict[str, Path]) -> VerificationReport:
    return verify_pacts(catalog, states, [pacts["missing-field"].parent])


def test_a_pact_that_keeps_the_contracts_verifies(
    catalog: Catalog, states: ProviderStates, pacts: dict[str, Path]
) -> None:
    report = verify_pacts(catalog, states, [pacts["good"].parent])
    assert report.ok, [result.mismatches for result in report.failed]
    assert sorted((r.consumer, r.description, r.event_type) for r in report.results) == [
        ("legacy-dashboard", "a referral sent event", SENT),
        ("legacy-dashboard", "an action plan approved event", "intervention.action-plan.approved"),
        ("legacy-dashboard", "session feedback was submitted", FEEDBACK),
        ("referrals-dashboard", "a referral sent event", SENT),
        ("referrals-dashboard", "an action plan approved event", "intervention.action-plan.approved"),
        ("referrals-dashboard", "session feedback was submitted", FEEDBACK),
    ]
    sent = next(r for r in report.results if r.description == "a referral sent event")
    assert sent.states == (SENT_STATE,)


def test_a_field_the_contract_lacks_fails_naming_it(bad_report: VerificationReport) -> None:
    [missing] = [r for r in bad_report.results if r.consumer == "missing-field"]
    assert not missing.passed
    assert missing.event_type == ASSIGNED
    assert missing.mismatches == ("$.additionalInformation: Actual map is missing the following keys: assignedToName",)


def test_a_wrong_type_fails_with_pact_s_mismatch(bad_report: VerificationReport) -> None:
    [wrong] = [r for r in bad_report.results if r.consumer == "wrong-type"]
    assert wrong.mismatches == (
        "$.additionalInformation.deliusAppointmentId: Expected '2500009788' (String) to be an integer",
    )


def test_an_unknown_provider_state_fails_listing_the_known_ones(bad_report: VerificationReport) -> None:
    [unknown] = [r for r in bad_report.results if r.consumer == "unknown-state"]
    assert not unknown.passed
    assert unknown.states == ("a referral was teleported",)
    [text] = unknown.mismatches
    assert text.startswith("unknown provider state 'a referral was teleported'")
    assert "known states: 'a referral has been assigned', " in text and f"'{SENT_STATE}'" in text


def test_an_unknown_event_type_fails_naming_the_closest(bad_report: VerificationReport) -> None:
    [unknown] = [r for r in bad_report.results if r.consumer == "unknown-type"]
    assert unknown.event_type is None
    assert "unknown event type 'intervention.referral.sendt'" in unknown.mismatches[0]
    assert "did you mean intervention.referral.sent" in unknown.mismatches[0]


def test_junit_xml_has_a_suite_per_consumer_and_failures_with_pact_s_text(bad_report: VerificationReport) -> None:
    root = ET.fromstring(junit_xml(bad_report))
    assert (root.get("tests"), root.get("failures")) == ("4", "4")
    suites = {suite.get("name"): suite for suite in root.iter("testsuite")}
    assert f"wrong-type → {PROVIDER}" in suites
    case = suites[f"wrong-type → {PROVIDER}"].find("testcase")
    assert case is not None
    failure = case.find("failure")
    assert failure is not None and "to be an integer" in (failure.text or "")


def test_pacts_with_another_provider_are_skipped(catalog: Catalog, states: ProviderStates, tmp_path: Path) -> None:
    from pact import Pact

    pact = Pact("other-consumer", "someone-else")
    pact.upon_receiving("m", "Async").with_body({"a": 1}, content_type="application/json")
    pact.write_file(tmp_path)
    with pytest.raises(UsageError, match="no interaction of provider hmpps-interventions-service"):
        verify_pacts(catalog, states, [tmp_path])


def test_nothing_to_verify_is_a_usage_error(catalog: Catalog, states: ProviderStates) -> None:
    with pytest.raises(UsageError, match="nothing to verify"):
        verify_pacts(catalog, states, [])


class _Recorder:
    """Stands in for pact.Verifier and its broker selector builder: records calls, calls out to nothing."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def __getattr__(self, name: str) -> Any:
        def record(*args: Any, **kwargs: Any) -> _Recorder:
            self.calls.append((name, args, kwargs))
            return self

        return record


def test_broker_options_configure_pact_s_broker_source_and_publishing() -> None:
    recorder = _Recorder()
    options = BrokerOptions("https://broker.example.com", provider_version="1.2.3", branch="main", publish=True)
    configure_broker(recorder, options)
    assert recorder.calls == [
        ("broker_source", ("https://broker.example.com",), {"selector": True}),
        ("provider_branch", ("main",), {}),
        ("build", (), {}),
        ("set_publish_options", (), {"version": "1.2.3", "branch": "main"}),
    ]
    quiet = _Recorder()
    configure_broker(quiet, BrokerOptions("http://broker.local"))
    assert [name for name, _, _ in quiet.calls] == ["broker_source", "build"]


def test_broker_options_that_cannot_work_are_usage_errors() -> None:
    with pytest.raises(UsageError, match="--publish needs --provider-version"):
        BrokerOptions("https://broker.example.com", publish=True).check()
    with pytest.raises(UsageError, match="is not an http"):
        BrokerOptions("broker.example.com").check()


def test_the_message_server_answers_pact_s_message_requests() -> None:
    def handler(description: str, request: dict[str, Any]) -> dict[str, Any]:
        if description == "boom":
            raise LookupError("no such message")
        return {"contents": b'{"a": 1}', "metadata": {"eventType": SENT}, "content_type": "application/json"}

    with MessageServer(handler) as server:
        url = f"http://{server.HOST}:{server.port}{server.PATH}"
        ok = _post(url, {"description": "m", "providerStates": []})
        assert ok[0] == 200 and ok[1] == b'{"a": 1}'
        metadata = json.loads(base64.b64decode(ok[2]["Pact-Message-Metadata"]))
        assert metadata == {"eventType": SENT, "contentType": "application/json"}
        failed = _post(url, {"description": "boom"})
        assert failed[:2] == (500, b"LookupError: no such message")
        assert _post(url.replace("message", "other"), {})[0] == 404


def _post(url: str, body: dict[str, Any]) -> tuple[int, bytes, dict[str, str]]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def test_quiet_pact_swallows_native_output_and_restores_it(capfd: pytest.CaptureFixture[str]) -> None:
    with quiet_pact():
        os.write(1, b"from the FFI\n")
    os.write(1, b"after\n")
    assert capfd.readouterr().out == "after\n"
