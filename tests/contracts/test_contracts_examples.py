"""Catalog.example and Catalog.detail_url: building events for tests and the simulator."""

from __future__ import annotations

import pytest

from tidings.contracts import REMOVE, Catalog, UsageError, load_catalog

SENT = "intervention.referral.sent"
ATTENDED = "intervention.session-appointment.attended"
RID = "11111111-2222-4333-8444-555555555555"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def test_an_example_is_a_fresh_copy_of_the_first_example(catalog: Catalog) -> None:
    first = catalog.example(SENT)
    first["additionalInformation"]["referralId"] = RID
    assert catalog.example(SENT) == catalog.get(SENT).examples[0]
    assert catalog.get(SENT).examples[0]["additionalInformation"]["referralId"] != RID


def test_nested_overrides_merge_and_keep_the_other_keys(catalog: Catalog) -> None:
    event = catalog.example("intervention.referral.assigned", additionalInformation={"assignedTo": "someone"})
    assert event["additionalInformation"]["assignedTo"] == "someone"
    assert "referralId" in event["additionalInformation"]


def test_dotted_keys_reach_inside_and_re_render_the_detail_url(catalog: Catalog) -> None:
    event = catalog.example(SENT, **{"additionalInformation.referralId": RID})
    assert event["additionalInformation"]["referralId"] == RID
    assert event["detailUrl"] == f"http://localhost:8080/sent-referral/{RID}"
    assert catalog.validate(event) == []


def test_crn_sets_the_person_reference_and_service_user_crn(catalog: Catalog) -> None:
    event = catalog.example(ATTENDED, crn="A000001")
    assert event["personReference"] == {"identifiers": [{"type": "CRN", "value": "A000001"}]}
    assert event["additionalInformation"]["serviceUserCRN"] == "A000001"


def test_url_only_placeholders_are_keyword_arguments(catalog: Catalog) -> None:
    event = catalog.example(ATTENDED, sessionNumber=4, **{"additionalInformation.referralId": RID})
    assert event["detailUrl"] == f"http://localhost:8080/referral/{RID}/sessions/4"
    assert "sessionNumber" not in event and "sessionNumber" not in event["additionalInformation"]
    default = catalog.example(ATTENDED)
    assert default["detailUrl"].endswith("/sessions/1")


def test_base_url_replaces_the_catalogue_placeholder(catalog: Catalog) -> None:
    event = catalog.example(SENT, base_url="http://127.0.0.1:9999/")
    assert event["detailUrl"].startswith("http://127.0.0.1:9999/sent-referral/")


def test_an_explicit_detail_url_is_kept(catalog: Catalog) -> None:
    assert catalog.example(SENT, detailUrl="not a url")["detailUrl"] == "not a url"


def test_remove_deletes_a_key_and_the_event_is_not_validated(catalog: Catalog) -> None:
    event = catalog.example(SENT, **{"additionalInformation.referralId": REMOVE})
    assert event["additionalInformation"] == {}
    assert event["detailUrl"] == catalog.get(SENT).examples[0]["detailUrl"]
    assert [v.pointer for v in catalog.validate(event)] == ["/additionalInformation/referralId"]


def test_an_override_can_make_an_invalid_event_for_poison_tests(catalog: Catalog) -> None:
    event = catalog.example(SENT, occurredAt="2024-01-01T10:00:00", additionalInformation={"referralId": 1})
    assert {v.pointer for v in catalog.validate(event)} == {"/occurredAt", "/additionalInformation/referralId"}


def test_detail_url_fills_the_template(catalog: Catalog) -> None:
    assert catalog.detail_url(SENT, {"referralId": RID}) == f"http://localhost:8080/sent-referral/{RID}"
    assert (
        catalog.detail_url(ATTENDED, {"referralId": RID}, sessionNumber=2, base_url="http://api")
        == f"http://api/referral/{RID}/sessions/2"
    )


def test_detail_url_escapes_values(catalog: Catalog) -> None:
    assert catalog.detail_url(SENT, {"referralId": "a/b c"}).endswith("/sent-referral/a%2Fb%20c")


def test_detail_url_without_a_value_for_a_placeholder_is_a_usage_error(catalog: Catalog) -> None:
    with pytest.raises(UsageError, match=r"no value for placeholder \{referralId\}"):
        catalog.detail_url(SENT, {})


def test_every_shipped_example_can_be_rebuilt_valid_with_new_ids(catalog: Catalog) -> None:
    for event_type in catalog.event_types:
        event = catalog.example(event_type, crn="Z999999", **{"additionalInformation.referralId": RID})
        assert catalog.validate(event) == [], event_type


def test_an_overridden_referral_id_re_derives_the_fields_built_from_it(catalog: Catalog) -> None:
    referral = "11111111-2222-4333-8444-555555555555"
    event = catalog.example("intervention.referral.ended", additionalInformation={"referralId": referral})
    info = event["additionalInformation"]
    assert info["referralURN"] == f"urn:hmpps:interventions-referral:{referral}"
    assert info["referralProbationUserURL"].endswith(f"/referrals/{referral}/progress")
    assert event["detailUrl"].endswith(f"/sent-referral/{referral}") and catalog.validate(event) == []
    feedback = catalog.example(
        "intervention.session-appointment.session-feedback-submitted",
        sessionNumber=3,
        **{"additionalInformation.referralId": referral, "additionalInformation.deliusAppointmentId": "77"},
    )
    assert feedback["additionalInformation"]["referralProbationUserURL"].endswith(
        f"/referrals/{referral}/session/3/appointment/77/feedback"
    )


def test_a_derived_field_given_by_the_caller_is_kept(catalog: Catalog) -> None:
    event = catalog.example(
        "intervention.referral.ended",
        additionalInformation={"referralId": "11111111-2222-4333-8444-555555555555", "referralURN": "urn:x:mine"},
    )
    assert event["additionalInformation"]["referralURN"] == "urn:x:mine"


def test_every_example_agrees_with_its_derived_rules(catalog: Catalog) -> None:
    derived = [contract for contract in catalog if contract.derived]
    assert len(derived) >= 5
    for contract in derived:
        assert catalog.example(contract.event_type, version=contract.version) == contract.examples[0], contract
