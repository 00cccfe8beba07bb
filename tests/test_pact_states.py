"""Provider states and the messages the simulator produces for pact verification: the registry, scenario-backed
states, and how `given` params shape the message."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from test_pact_support import ASSIGNED, CRN, FEEDBACK, REFERRAL_ID, SENT, SENT_STATE

from tidings.contracts import Catalog, load_catalog
from tidings.contracts.errors import UsageError
from tidings.contracts.pact_model import ProviderState
from tidings.simulator.pact_messages import InvalidStateMessage, produce_message
from tidings.simulator.pact_states import (
    ProviderStates,
    StateOutcome,
    UnknownProviderState,
    parse_state_options,
)
from tidings.simulator.scenario_loader import ScenarioLibrary, ScenarioNotFound


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def states(catalog: Catalog) -> ProviderStates:
    return ProviderStates.from_scenarios(ScenarioLibrary(), catalog, {SENT_STATE: "referral-sent"})


def test_an_unknown_state_names_the_known_ones_and_the_closest(states: ProviderStates) -> None:
    with pytest.raises(UnknownProviderState) as caught:
        states.get("a referral has been sen")
    assert caught.value.exit_code == 1
    assert str(caught.value).startswith("unknown provider state 'a referral has been sen'\nhint: did you mean")
    assert "known states: 'a referral has been sent'" in str(caught.value)
    with pytest.raises(UnknownProviderState, match="no provider states are declared"):
        ProviderStates().get("anything")


def test_a_state_declared_twice_is_an_error_naming_both(catalog: Catalog, states: ProviderStates) -> None:
    twice = ProviderStates()
    twice.add("x", lambda event_type, version, params: {}, origin="first.py")
    with pytest.raises(UsageError, match=r"declared twice: by first\.py and by second\.py"):
        twice.add("x", lambda event_type, version, params: {}, origin="second.py")


def test_state_options_are_state_equals_scenario() -> None:
    assert parse_state_options(["a referral has been sent=referral-sent", "x = y"]) == {
        "a referral has been sent": "referral-sent",
        "x": "y",
    }
    with pytest.raises(UsageError, match="is not STATE=SCENARIO"):
        parse_state_options(["no scenario"])


def test_a_state_mapped_to_an_unknown_scenario_names_the_closest(catalog: Catalog) -> None:
    with pytest.raises(ScenarioNotFound, match="unknown scenario 'referral-snt'"):
        ProviderStates.from_scenarios(ScenarioLibrary(), catalog, {"s": "referral-snt"})


def test_scenarios_that_declare_provides_become_states(catalog: Catalog) -> None:
    # The scenario model gains `provides`; until then any object with the attribute is read the same way.
    scenario = ScenarioLibrary().load("referral-sent")
    declaring = SimpleNamespace(**{name: getattr(scenario, name) for name in ("name", "path", "params")})
    declaring.provides = ["a referral has been sent", "a person has a referral"]
    library = SimpleNamespace(load_all=lambda: iter([declaring, UsageError("broken.yaml: bad")]))
    states = ProviderStates.from_scenarios(library, catalog)  # type: ignore[arg-type]
    assert states.names() == ["a person has a referral", "a referral has been sent"]
    assert states.get("a referral has been sent").origin.startswith("scenario referral-sent")
    assert states.problems == ["broken.yaml: bad"]


def test_a_scenario_state_returns_the_event_it_publishes_with_the_given_params(states: ProviderStates) -> None:
    outcome = states.get(SENT_STATE).outcome(SENT, 1, {"referralId": REFERRAL_ID, "crn": CRN, "other": 1})
    assert outcome.event is not None
    assert outcome.event["additionalInformation"]["referralId"] == REFERRAL_ID
    assert outcome.event["personReference"]["identifiers"][0]["value"] == CRN
    assert outcome.unused == {"other": 1}
    again = states.get(SENT_STATE).outcome(SENT, 1, {"referralId": REFERRAL_ID, "crn": CRN})
    assert again.event == outcome.event  # the same params play the same world


def test_for_another_event_type_a_scenario_state_carries_its_person_and_ids_over(states: ProviderStates) -> None:
    outcome = states.get(SENT_STATE).outcome(ASSIGNED, 1, {"referralId": REFERRAL_ID, "crn": CRN})
    assert outcome.event is None
    assert outcome.overrides == {"crn": CRN, "additionalInformation": {"referralId": REFERRAL_ID}}


def test_a_message_is_the_contract_example_with_the_state_params_and_sns_metadata(
    catalog: Catalog, states: ProviderStates
) -> None:
    message = produce_message(
        catalog,
        states,
        catalog.get(ASSIGNED),
        [ProviderState(SENT_STATE, {"referralId": REFERRAL_ID, "crn": CRN, "assignedTo": "kim@example.org"})],
    )
    info = message.event["additionalInformation"]
    assert info == {"referralId": REFERRAL_ID, "assignedTo": "kim@example.org"}
    assert message.event["detailUrl"] == f"http://localhost:8080/sent-referral/{REFERRAL_ID}"
    assert message.metadata == {"eventType": ASSIGNED, "contentType": "application/json"}
    assert message.to_pact()["content_type"] == "application/json"


def test_params_fill_url_only_placeholders_and_python_states_return_overrides(catalog: Catalog) -> None:
    seen: list[Any] = []

    def session(event_type: str, version: int, params: Any) -> StateOutcome:
        seen.append((event_type, version, dict(params)))
        return StateOutcome(overrides={"additionalInformation": {"deliusAppointmentId": "99"}}, unused=dict(params))

    states = ProviderStates()
    states.add("a session happened", session)
    message = produce_message(
        catalog, states, catalog.get(FEEDBACK), [ProviderState("a session happened", {"sessionNumber": 4})]
    )
    assert seen == [(FEEDBACK, 1, {"sessionNumber": 4})]
    assert message.event["detailUrl"].endswith("/sessions/4")
    assert message.event["additionalInformation"]["deliusAppointmentId"] == "99"


def test_params_the_producer_could_never_send_fail_the_message(catalog: Catalog, states: ProviderStates) -> None:
    lenient = ProviderStates()
    lenient.add("a person", lambda event_type, version, params: StateOutcome(unused=dict(params)))
    with pytest.raises(InvalidStateMessage) as caught:
        produce_message(catalog, lenient, catalog.get(SENT), [ProviderState("a person", {"crn": "not-a-crn"})])
    assert "breaks its contract" in str(caught.value)
    assert "/personReference/identifiers/0/value: does not match the pattern" in str(caught.value)
    # A scenario-backed state refuses such params itself, naming its scenario file.
    with pytest.raises(UsageError, match=r"referral-sent.yaml:\d+: step sent"):
        produce_message(catalog, states, catalog.get(SENT), [ProviderState(SENT_STATE, {"crn": "not-a-crn"})])


def test_an_unknown_state_fails_the_message(catalog: Catalog, states: ProviderStates) -> None:
    with pytest.raises(UnknownProviderState):
        produce_message(catalog, states, catalog.get(SENT), [ProviderState("nobody declared this")])


def test_no_state_gives_the_contract_example(catalog: Catalog) -> None:
    message = produce_message(catalog, ProviderStates(), catalog.get(SENT), [])
    assert message.event == catalog.example(SENT)


def test_shipped_scenarios_load_as_a_state_library(catalog: Catalog, tmp_path: Path) -> None:
    # Without `provides` in any scenario file, only explicit mappings are states; loading must still work.
    states = ProviderStates.from_scenarios(ScenarioLibrary([tmp_path]), catalog)
    assert states.problems == []
