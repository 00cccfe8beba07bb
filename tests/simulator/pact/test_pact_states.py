"""Provider states and the messages the simulator produces for pact verification: the registry, scenario-backed
states, and how `given` params shape the message."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from pact_support import ASSIGNED, CRN, FEEDBACK, REFERRAL_ID, SENT, SENT_STATE

from tidings.contracts import Catalog, load_catalog
from tidings.contracts.errors import UsageError
from tidings.contracts.pact.model import ProviderState
from tidings.simulator.pact.messages import InvalidStateMessage, produce_message
from tidings.simulator.pact.states import (
    ProviderStates,
    StateOutcome,
    UnknownProviderState,
    parse_state_options,
)
from tidings.simulator.scenarios.loader import ScenarioLibrary, ScenarioNotFound


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


# Every state the shipped scenarios provide, and the event type whose message it is about.
SHIPPED_STATES = {
    "a referral has been sent": SENT,
    "a referral has been assigned": ASSIGNED,
    "an initial assessment appointment has been attended": "intervention.initial-assessment-appointment.attended",
    "initial assessment feedback has been submitted": (
        "intervention.initial-assessment-appointment.session-feedback-submitted"
    ),
    "an action plan has been submitted": "intervention.action-plan.submitted",
    "an action plan has been approved": "intervention.action-plan.approved",
    "a session has been attended": "intervention.session-appointment.attended",
    "a session has been missed": "intervention.session-appointment.missed",
    "session feedback has been submitted": FEEDBACK,
    "an end of service report has been submitted": "intervention.end-of-service-report.submitted",
    "a referral has been concluded": "intervention.referral.concluded",
    "a referral has been withdrawn": "intervention.referral.ended",
    "a referral has been prematurely ended": "intervention.referral.ended",
}


@pytest.fixture(scope="module")
def states(catalog: Catalog) -> ProviderStates:
    return ProviderStates.from_scenarios(ScenarioLibrary(), catalog)


def scenario_folder(folder: Path, **files: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / f"{name}.yaml").write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return folder


def sending(name: str, *provides: str) -> str:
    """A scenario file that sends a referral and provides `provides`."""
    listed = "provides:\n" + "".join(f"  - {state}\n" for state in provides) if provides else ""
    return f"name: {name}\n{listed}steps:\n  - emit: {SENT}\n"


def test_an_unknown_state_names_the_known_ones_and_the_closest(states: ProviderStates) -> None:
    with pytest.raises(UnknownProviderState) as caught:
        states.get("a referral has been sen")
    assert caught.value.exit_code == 1
    assert str(caught.value).startswith(
        "unknown provider state 'a referral has been sen'\nhint: did you mean 'a referral has been sent'?"
    )
    assert "known states: 'a referral has been assigned', " in str(caught.value)
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


def test_scenarios_that_declare_provides_become_states(catalog: Catalog, tmp_path: Path) -> None:
    folder = scenario_folder(
        tmp_path,
        mine=sending("mine", "a referral has been sent", "a person has a referral"),
        broken="name: broken\nsteps: []\n",
    )
    states = ProviderStates.from_scenarios(ScenarioLibrary([folder], shipped=False), catalog)
    assert states.names() == ["a person has a referral", "a referral has been sent"]
    assert states.get("a referral has been sent").origin == f"scenario mine ({folder / 'mine.yaml'})"
    [problem] = states.problems
    assert problem.startswith(f"{folder / 'broken.yaml'}:2: `steps:` must be a non-empty list")


def test_two_scenarios_providing_one_state_is_an_error_naming_both_files(catalog: Catalog, tmp_path: Path) -> None:
    folder = scenario_folder(tmp_path, first=sending("first", "x", "shared"), second=sending("second", "shared"))
    library = ScenarioLibrary([folder], shipped=False)
    with pytest.raises(UsageError) as caught:
        ProviderStates.from_scenarios(library, catalog)
    assert caught.value.exit_code == 2
    assert caught.value.message == (
        f"provider state 'shared' is declared by two scenarios: {folder / 'first.yaml'} and {folder / 'second.yaml'}"
    )
    assert "--state 'shared=SCENARIO'" in (caught.value.hint or "")
    # Choosing one explicitly settles it.
    chosen = ProviderStates.from_scenarios(library, catalog, {"shared": "second"})
    assert chosen.get("shared").origin == "--state shared=second"
    assert chosen.names() == ["shared", "x"]


def test_a_state_option_replaces_a_shipped_scenario_s_declaration(catalog: Catalog) -> None:
    states = ProviderStates.from_scenarios(ScenarioLibrary(), catalog, {SENT_STATE: "referral-lifecycle"})
    assert states.get(SENT_STATE).origin == f"--state {SENT_STATE}=referral-lifecycle"
    assert len(states) == len(SHIPPED_STATES)


def test_the_shipped_scenarios_provide_the_interventions_states(states: ProviderStates) -> None:
    assert states.names() == sorted(SHIPPED_STATES)
    assert states.problems == []
    assert states.get(SENT_STATE).origin.startswith("scenario referral-sent (")


@pytest.mark.parametrize(("state", "event_type"), sorted(SHIPPED_STATES.items()))
def test_each_shipped_state_produces_its_event_for_the_given_referral_and_person(
    catalog: Catalog, states: ProviderStates, state: str, event_type: str
) -> None:
    message = produce_message(
        catalog, states, catalog.get(event_type), [ProviderState(state, {"referralId": REFERRAL_ID, "crn": CRN})]
    )
    outcome = states.get(state).outcome(event_type, 1, {"referralId": REFERRAL_ID, "crn": CRN})
    assert outcome.event is not None, f"{state!r} plays no {event_type} event"
    assert message.event["eventType"] == event_type
    assert message.event["personReference"]["identifiers"] == [{"type": "CRN", "value": CRN}]
    if event_type != "intervention.end-of-service-report.submitted":  # its event carries no referral id
        assert message.event["additionalInformation"]["referralId"] == REFERRAL_ID


@pytest.mark.parametrize(
    ("state", "delivery_state"),
    [
        ("a referral has been concluded", "COMPLETED"),
        ("a referral has been withdrawn", "CANCELLED"),
        ("a referral has been prematurely ended", "PREMATURELY_ENDED"),
    ],
)
def test_endings_say_how_the_referral_ended(
    catalog: Catalog, states: ProviderStates, state: str, delivery_state: str
) -> None:
    for event_type in ("intervention.referral.concluded", "intervention.referral.ended"):
        if state == "a referral has been concluded" and event_type == "intervention.referral.ended":
            continue  # a completed referral concludes without being ended
        message = produce_message(catalog, states, catalog.get(event_type), [ProviderState(state)])
        assert message.event["additionalInformation"]["deliveryState"] == delivery_state


def test_session_states_take_the_session_number_from_given(catalog: Catalog, states: ProviderStates) -> None:
    for state, event_type in (
        ("a session has been attended", "intervention.session-appointment.attended"),
        ("a session has been missed", "intervention.session-appointment.missed"),
        ("session feedback has been submitted", FEEDBACK),
    ):
        given = ProviderState(state, {"referralId": REFERRAL_ID, "sessionNumber": 2})
        message = produce_message(catalog, states, catalog.get(event_type), [given])
        assert message.event["detailUrl"] == f"http://localhost:8080/referral/{REFERRAL_ID}/sessions/2"


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


def test_without_provides_only_explicit_mappings_are_states(catalog: Catalog, tmp_path: Path) -> None:
    folder = scenario_folder(tmp_path, plain=sending("plain"))
    library = ScenarioLibrary([folder], shipped=False)
    assert len(ProviderStates.from_scenarios(library, catalog)) == 0
    assert ProviderStates.from_scenarios(library, catalog, {"s": "plain"}).names() == ["s"]
