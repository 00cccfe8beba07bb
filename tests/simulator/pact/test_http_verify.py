"""HTTP interactions verified against the fake API (`pact.http_states` with pact-python's `Verifier`): states
played into the fake API, each interaction isolated, failures in pact's words and tidings', mixed files."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from http_pact_support import (
    CRN,
    OTHER_ID,
    REFERRAL_ID,
    SENT_STATE,
    write_http_pact,
    write_unknown_state_http_pact,
    write_wrong_http_pact,
)

from tidings.contracts import Catalog, load_catalog
from tidings.contracts.errors import UsageError
from tidings.contracts.pact.file import load_pact
from tidings.simulator.pact.http_states import FakeApiProvider, check_http_states
from tidings.simulator.pact.junit import junit_xml
from tidings.simulator.pact.provider import InteractionResult, VerificationReport, verify_pacts
from tidings.simulator.pact.states import ProviderStates, StateOutcome
from tidings.simulator.scenarios.loader import ScenarioLibrary


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def states(catalog: Catalog) -> ProviderStates:
    return ProviderStates.from_scenarios(ScenarioLibrary(), catalog)


@pytest.fixture(scope="module")
def good_report(
    catalog: Catalog, states: ProviderStates, tmp_path_factory: pytest.TempPathFactory
) -> VerificationReport:
    return verify_pacts(catalog, states, [write_http_pact(tmp_path_factory.mktemp("good"))])


@pytest.fixture(scope="module")
def wrong(
    catalog: Catalog, states: ProviderStates, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, InteractionResult]:
    report = verify_pacts(catalog, states, [write_wrong_http_pact(tmp_path_factory.mktemp("wrong"))])
    return {result.description: result for result in report.results}


def test_a_mixed_pact_verifies_its_message_and_its_requests_in_one_run(good_report: VerificationReport) -> None:
    assert good_report.ok, [result.mismatches for result in good_report.failed]
    by_description = {result.description: result for result in good_report.results}
    assert by_description["a referral sent event"].event_type == "intervention.referral.sent"
    sent = by_description["a request for a sent referral"]
    assert (sent.request, sent.resource) == (f"GET /sent-referral/{REFERRAL_ID}", "sent-referral v1")
    assert sent.states == (SENT_STATE,)
    assert by_description["a request for an assigned referral"].passed


def test_the_junit_file_holds_messages_and_requests(good_report: VerificationReport) -> None:
    root = ET.fromstring(junit_xml(good_report).split("\n", 1)[1])
    assert (root.get("tests"), root.get("failures")) == ("3", "0")
    properties = {prop.get("name"): prop.get("value") for prop in root.iter("property")}
    assert properties["request"] == f"GET /sent-referral/{REFERRAL_ID}"
    assert properties["resource"] == "sent-referral v1"
    assert properties["eventType"] == "intervention.referral.sent"


def test_a_field_the_producer_never_sends_fails_with_pact_s_mismatch(wrong: dict[str, InteractionResult]) -> None:
    result = wrong["a referral with a field the producer never sends"]
    assert not result.passed
    assert result.mismatches == ("$: Actual map is missing the following keys: serviceUser",)


def test_a_value_the_state_does_not_make_fails_naming_both(wrong: dict[str, InteractionResult]) -> None:
    [mismatch] = wrong["a referral about another person"].mismatches
    assert mismatch == f"$.serviceUserCRN: Expected '{CRN}' (String) to be equal to 'X999999' (String)"


def test_an_id_no_state_created_is_a_404_said_in_tidings_words(wrong: dict[str, InteractionResult]) -> None:
    result = wrong["a referral no state created"]
    assert result.mismatches[0] == "expected 200 but was 404"
    assert result.mismatches[-1].startswith(f"the fake API has nothing at /sent-referral/{OTHER_ID}")


def test_an_unknown_state_is_refused_before_anything_runs(
    catalog: Catalog, states: ProviderStates, tmp_path: Path
) -> None:
    path = write_unknown_state_http_pact(tmp_path)
    with pytest.raises(UsageError) as caught:
        verify_pacts(catalog, states, [path])
    assert caught.value.exit_code == 2
    assert "'a teleported referral' needs unknown provider state 'a referral was teleported'" in caught.value.message
    assert f"'{SENT_STATE}'" in str(caught.value.hint)
    with pytest.raises(UsageError):
        check_http_states([load_pact(path)], states)


def test_each_interaction_sees_only_its_own_states(catalog: Catalog, states: ProviderStates) -> None:
    with FakeApiProvider(catalog, states) as api:
        api.handle(SENT_STATE, "setup", {"referralId": REFERRAL_ID, "crn": CRN})
        served = api.state.served(f"/sent-referral/{REFERRAL_ID}")
        assert served is not None and served[0] == 200
        assert api.state.get(f"/sent-referral/{REFERRAL_ID}")["serviceUserCRN"] == CRN  # type: ignore[index]
        api.handle(SENT_STATE, "teardown", {"referralId": REFERRAL_ID, "crn": CRN})
        assert api.state.served(f"/sent-referral/{REFERRAL_ID}") is None


def test_a_state_that_cannot_be_set_is_recorded_not_raised(catalog: Catalog) -> None:
    def broken(params: object) -> list[tuple[dict[str, object], None]]:
        raise RuntimeError("the scenario exploded")

    states = ProviderStates()
    states.add("a broken state", lambda *_: StateOutcome(), world=broken)
    api = FakeApiProvider(catalog, states)
    api.handle("a broken state", "setup", {})
    assert api.failures == {"a broken state": "RuntimeError: the scenario exploded"}


def test_a_state_that_could_not_be_set_fails_its_interaction_saying_why(catalog: Catalog, tmp_path: Path) -> None:
    from pact import Pact

    def broken(params: object) -> list[tuple[dict[str, object], None]]:
        raise RuntimeError("the scenario exploded")

    states = ProviderStates()
    states.add("a broken state", lambda *_: StateOutcome(), world=broken)
    pact = Pact("broken-reader", "hmpps-interventions-service").with_specification("V4")
    pact.upon_receiving("a referral").given("a broken state").with_request(
        "GET", f"/sent-referral/{REFERRAL_ID}"
    ).will_respond_with(200)
    pact.write_file(tmp_path)
    [result] = verify_pacts(catalog, states, [tmp_path]).results
    assert not result.passed
    assert result.mismatches[0] == "provider state 'a broken state' was not set: RuntimeError: the scenario exploded"
