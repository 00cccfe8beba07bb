"""The shipped interventions catalogue and the Catalog API: lookup, what the contracts promise."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tidings.contracts import (
    REMOVE,
    SHIPPED_CATALOG,
    Catalog,
    EventContract,
    UnknownEventType,
    UnknownVersion,
    load_catalog,
)

DESIGN_VOCABULARY = {
    "intervention.referral.sent": ({"referralId"}, "/sent-referral/{referralId}"),
    "intervention.referral.assigned": ({"referralId", "assignedTo"}, "/sent-referral/{referralId}"),
    "intervention.action-plan.submitted": (
        {"actionPlanId", "submittedBy", "referralId", "referralReference", "contractTypeName", "primeProviderName",
         "actionPlanProbationUserUrl"},
        "/action-plan/{actionPlanId}",
    ),
    "intervention.action-plan.approved": (
        {"actionPlanId", "approvedBy", "referralId", "referralReference", "contractTypeName", "primeProviderName",
         "actionPlanProbationUserUrl"},
        "/action-plan/{actionPlanId}",
    ),
    "intervention.session-appointment.attended": (
        {"serviceUserCRN", "referralId"}, "/referral/{referralId}/sessions/{sessionNumber}"
    ),
    "intervention.session-appointment.missed": (
        {"serviceUserCRN", "referralId"}, "/referral/{referralId}/sessions/{sessionNumber}"
    ),
    "intervention.session-appointment.session-feedback-submitted": (
        {"serviceUserCRN", "referralId", "referralReference", "contractTypeName", "primeProviderName",
         "deliusAppointmentId", "referralProbationUserURL"},
        "/referral/{referralId}/sessions/{sessionNumber}",
    ),
    "intervention.initial-assessment-appointment.attended": (
        {"serviceUserCRN", "referralId"}, "/sent-referral/{referralId}/supplier-assessment"
    ),
    "intervention.initial-assessment-appointment.missed": (
        {"serviceUserCRN", "referralId"}, "/sent-referral/{referralId}/supplier-assessment"
    ),
    "intervention.initial-assessment-appointment.session-feedback-submitted": (
        {"serviceUserCRN", "referralId", "referralReference", "contractTypeName", "primeProviderName",
         "deliusAppointmentId", "referralProbationUserURL"},
        "/sent-referral/{referralId}/supplier-assessment",
    ),
    "intervention.end-of-service-report.submitted": (
        {"endOfServiceReportId", "submittedBy"}, "/end-of-service-report/{endOfServiceReportId}"
    ),
    "intervention.referral.concluded": ({"deliveryState", "referralId"}, "/sent-referral/{referralId}"),
    "intervention.referral.ended": (
        {"deliveryState", "referralId", "referralURN", "referralProbationUserURL", "withdrawalCode"},
        "/sent-referral/{referralId}",
    ),
}  # fmt: skip


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def test_the_shipped_catalogue_names_its_producer_topic_and_api(catalog: Catalog) -> None:
    assert catalog.producer == "hmpps-interventions-service"
    assert catalog.topic == "hmpps-domain-events"
    assert catalog.api_base_url == "http://localhost:8080"
    assert catalog.root == SHIPPED_CATALOG


def test_every_event_type_of_the_design_vocabulary_is_shipped_at_version_1(catalog: Catalog) -> None:
    assert catalog.event_types == sorted(DESIGN_VOCABULARY)
    assert all(catalog.versions(event_type) == [1] for event_type in catalog.event_types)


@pytest.mark.parametrize("event_type", sorted(DESIGN_VOCABULARY))
def test_each_contract_has_the_design_keys_template_attributes_and_a_valid_example(
    catalog: Catalog, event_type: str
) -> None:
    keys, template = DESIGN_VOCABULARY[event_type]
    contract = catalog.get(event_type)
    assert contract.detail_url_template == template
    assert contract.description
    assert contract.message_attributes == {"eventType": {"DataType": "String", "StringValue": event_type}}
    example = contract.examples[0]
    assert set(example["additionalInformation"]) == keys
    assert catalog.validate(example) == []


def test_events_are_sorted_by_type_and_version_and_event_types_too(catalog: Catalog) -> None:
    keys = [contract.key for contract in catalog.events]
    assert keys == sorted(keys)
    assert all(isinstance(contract, EventContract) for contract in catalog.events)


def test_get_returns_the_latest_version_when_none_is_asked(catalog: Catalog) -> None:
    assert catalog.get("intervention.referral.sent").version == 1
    assert catalog.get("intervention.referral.sent", 1).source_path.name == "v1.yaml"


def test_an_unknown_event_type_names_the_closest_known_ones(catalog: Catalog) -> None:
    with pytest.raises(UnknownEventType) as caught:
        catalog.get("intervention.referal.sent")
    assert "intervention.referral.sent" in caught.value.suggestions
    assert "did you mean intervention.referral.sent" in str(caught.value)


def test_an_unknown_version_names_the_known_versions(catalog: Catalog) -> None:
    with pytest.raises(UnknownVersion) as caught:
        catalog.get("intervention.referral.sent", 3)
    assert str(caught.value) == "intervention.referral.sent has no version 3\nhint: known versions: 1"


def test_session_appointment_templates_declare_session_number_as_url_only(catalog: Catalog) -> None:
    contract = catalog.get("intervention.session-appointment.attended")
    assert set(contract.url_only_params) == {"sessionNumber"}
    assert "only in the URL" in contract.url_only_params["sessionNumber"].reason


def test_shared_envelope_is_referenced_not_copied() -> None:
    for path in (SHIPPED_CATALOG / "events").rglob("v*.yaml"):
        text = path.read_text(encoding="utf-8")
        assert "$ref: ../../envelope.schema.json" in text
        assert "pattern" not in text  # the CRN pattern lives once, in envelope.schema.json


def test_delius_appointment_id_is_an_optional_string(catalog: Catalog) -> None:
    event_type = "intervention.session-appointment.session-feedback-submitted"
    absent = catalog.example(event_type, **{"additionalInformation.deliusAppointmentId": REMOVE})
    assert "deliusAppointmentId" not in absent["additionalInformation"]
    assert catalog.validate(absent) == []
    as_number = catalog.example(event_type, **{"additionalInformation.deliusAppointmentId": 2500009788})
    [violation] = catalog.validate(as_number)
    assert violation.pointer == "/additionalInformation/deliusAppointmentId"
    assert (violation.expected, violation.found) == ("string", "integer 2500009788")


def test_withdrawal_code_is_optional_and_delivery_state_an_enum(catalog: Catalog) -> None:
    event = catalog.example("intervention.referral.ended")
    del event["additionalInformation"]["withdrawalCode"]
    assert catalog.validate(event) == []
    event["additionalInformation"]["deliveryState"] = "FINISHED"
    [violation] = catalog.validate(event)
    assert violation.pointer == "/additionalInformation/deliveryState"
    assert violation.expected == 'one of "CANCELLED", "PREMATURELY_ENDED", "COMPLETED"'


def test_extra_additional_information_is_allowed_but_a_missing_key_is_not(catalog: Catalog) -> None:
    event = catalog.example("intervention.referral.assigned", **{"additionalInformation.newField": 1})
    assert catalog.validate(event) == []
    del event["additionalInformation"]["assignedTo"]
    assert [str(v) for v in catalog.validate(event)] == [
        "/additionalInformation/assignedTo: required property is missing (expected present, found absent)"
    ]


@pytest.mark.parametrize(
    ("occurred_at", "valid"),
    [
        ("2024-01-01T10:00:00Z", True),
        ("2024-01-01T10:00:00.123+01:00", True),
        ("2024-01-01T10:00:00", False),
        ("2024-01-01", False),
        ("2024-02-30T10:00:00Z", False),
    ],
)
def test_occurred_at_is_a_date_time_with_offset(catalog: Catalog, occurred_at: str, valid: bool) -> None:
    event = catalog.example("intervention.referral.sent", occurredAt=occurred_at)
    assert (catalog.validate(event) == []) is valid


@pytest.mark.parametrize(
    ("crn", "valid"), [("X123456", True), ("x123456", False), ("X12345", False), ("XX23456", False)]
)
def test_crn_is_one_capital_letter_and_six_digits(catalog: Catalog, crn: str, valid: bool) -> None:
    assert (catalog.validate(catalog.example("intervention.referral.sent", crn=crn)) == []) is valid


def test_ids_are_uuid_strings_and_urls_absolute(catalog: Catalog) -> None:
    event = catalog.example(
        "intervention.action-plan.submitted",
        **{
            "additionalInformation.actionPlanId": "not-a-uuid",
            "additionalInformation.actionPlanProbationUserUrl": "/x",
        },
    )
    pointers = [violation.pointer for violation in catalog.validate(event)]
    assert pointers == ["/additionalInformation/actionPlanId", "/additionalInformation/actionPlanProbationUserUrl"]


def test_the_shipped_files_are_package_data_globs_of_pyproject() -> None:
    # pyproject ships catalogs/**/*.yaml and *.json: every catalogue file must match one of them.
    suffixes = {path.suffix for path in SHIPPED_CATALOG.rglob("*") if path.is_file()}
    assert suffixes <= {".yaml", ".json"}


def test_catalog_repr_and_iteration(catalog: Catalog) -> None:
    assert re.match(r"<Catalog hmpps-interventions-service \(13 contracts\) at .*>", repr(catalog))
    assert len(catalog) == len(list(catalog)) == 13


def test_load_catalog_accepts_a_path_string(tmp_path: Path) -> None:
    assert load_catalog(str(SHIPPED_CATALOG)).event_types == load_catalog().event_types
