"""Resources and projections in the catalogue: loaded, versioned, and checked at load (so `tidings contracts
lint` reports them): examples validate, detailUrls and links name resources, projections set real fields with
values of a fitting type from event fields that exist."""

from __future__ import annotations

from pathlib import Path

from catalog_edits import edit

from tidings.contracts import load_catalog
from tidings.contracts.lint.rules import lint_catalog

RESOURCES = Path("resources")
SENT_PROJECTION = Path("projections") / "intervention.referral.sent.yaml"


def problems(root: Path) -> list[str]:
    return load_catalog(root).problems


def test_the_shipped_resources_load_and_every_detail_url_maps_to_one() -> None:
    catalog = load_catalog()
    assert catalog.problems == [] and lint_catalog(catalog) == []
    assert set(catalog.api.resources) >= {"sent-referral", "intervention", "action-plan", "delivery-session"}
    for contract in catalog:
        path = contract.detail_url_template
        assert catalog.api.for_template(path) is not None, path
    referral = catalog.api.resources["sent-referral"]
    assert referral.version == 1 and referral.source["dto"].endswith("SentReferralDTO.kt")
    assert referral.source["commit"] and referral.links["interventionId"] == "/intervention/{interventionId}"
    matched = catalog.api.match("/referral/r1/sessions/3")
    assert (
        matched and matched[0].name == "delivery-session" and matched[1] == {"referralId": "r1", "sessionNumber": "3"}
    )


def test_an_example_that_breaks_its_schema_is_a_problem(copy: Path) -> None:
    edit(copy / RESOURCES / "intervention.yaml", "serviceProvider: {name: Harmony Living", "serviceProvider: {name: 7")
    found = problems(copy)
    assert any("intervention.yaml: examples[0]/serviceProvider/name" in problem for problem in found), found


def test_a_detail_url_without_a_resource_and_a_dangling_link_are_problems(copy: Path) -> None:
    (copy / RESOURCES / "action-plan.yaml").unlink()
    found = problems(copy)
    assert any("detailUrl /action-plan/{actionPlanId} maps to no resource" in problem for problem in found), found
    assert any("link actionPlanId -> /action-plan/{actionPlanId} names no declared resource" in p for p in found)


def test_a_projection_setting_an_unknown_field_or_an_absent_event_field_is_a_problem(copy: Path) -> None:
    edit(
        copy / SENT_PROJECTION,
        '      sentAt: "{{ steps.event.occurredAt }}"',
        '      sentAtt: "{{ steps.event.sentBy }}"',
    )
    found = problems(copy)
    assert any("rules[0].set.sentAtt: the sent-referral schema has no such field" in p for p in found), found


def test_a_value_of_the_wrong_type_needs_a_convert(copy: Path) -> None:
    edit(
        copy / "projections" / "intervention.session-appointment.session-feedback-submitted.yaml",
        "convert: {deliusAppointmentId: integer, sessionNumber: integer}",
        "convert: {sessionNumber: integer}",
    )
    found = problems(copy)
    assert any("set.deliusAppointmentId: the event's deliusAppointmentId is string" in p for p in found), found


def test_a_template_naming_a_field_the_event_lacks_is_a_problem(copy: Path) -> None:
    edit(copy / SENT_PROJECTION, '"{{ steps.event.occurredAt }}"', '"{{ steps.event.sentOn }}"')
    assert any("set.sentAt: the event has no field 'sentOn'" in p for p in problems(copy))
