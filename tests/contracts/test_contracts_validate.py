"""Catalog.validate: choosing the contract, unwrapping notifications, and violations worth reading."""

from __future__ import annotations

import copy
import json

import pytest

from tidings.contracts import (
    Catalog,
    UnknownEventType,
    UnknownVersion,
    UsageError,
    Violation,
    load_catalog,
    unwrap_notification,
)

SENT = "intervention.referral.sent"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def notification(event: dict, *, attributes: bool = True) -> dict:
    body = {
        "Type": "Notification",
        "MessageId": "5e1a1f5e-0000-4000-8000-000000000001",
        "TopicArn": "arn:aws:sns:eu-west-2:000000000000:hmpps-domain-events",
        "Message": json.dumps(event),
        "Timestamp": "2024-03-04T10:15:31.000Z",
    }
    if attributes:
        body["MessageAttributes"] = {"eventType": {"Type": "String", "Value": event.get("eventType")}}
    return body


def test_a_valid_event_has_no_violations(catalog: Catalog) -> None:
    assert catalog.validate(catalog.example(SENT)) == []


def test_violations_carry_pointer_message_expected_and_found(catalog: Catalog) -> None:
    event = catalog.example(SENT, **{"additionalInformation.referralId": 42})
    assert catalog.validate(event) == [
        Violation("/additionalInformation/referralId", "wrong type", "string", "integer 42")
    ]
    assert str(catalog.validate(event)[0]) == (
        "/additionalInformation/referralId: wrong type (expected string, found integer 42)"
    )


def test_every_violation_is_listed_sorted_by_pointer(catalog: Catalog) -> None:
    event = catalog.example(SENT, occurredAt="yesterday", description="", crn="bad")
    del event["detailUrl"]
    assert [v.pointer for v in catalog.validate(event)] == [
        "/description",
        "/detailUrl",
        "/occurredAt",
        "/personReference/identifiers/0/value",
    ]


def test_a_violation_is_frozen_and_prints_without_expected_when_there_is_none() -> None:
    violation = Violation("", "something")
    assert str(violation) == "/: something"
    with pytest.raises(AttributeError):
        violation.pointer = "/x"  # type: ignore[misc]


def test_the_event_is_not_modified_by_validation(catalog: Catalog) -> None:
    event = catalog.example(SENT, occurredAt="2024-01-01T10:00:00")
    before = copy.deepcopy(event)
    catalog.validate(event)
    assert event == before


def test_an_sns_notification_is_unwrapped(catalog: Catalog) -> None:
    event = catalog.example(SENT, crn="bad")
    [violation] = catalog.validate(notification(event))
    assert violation.pointer == "/personReference/identifiers/0/value"
    assert catalog.validate(notification(catalog.example(SENT))) == []


def test_json_text_and_an_sqs_message_body_are_accepted(catalog: Catalog) -> None:
    event = catalog.example(SENT)
    assert catalog.validate(json.dumps(event)) == []
    assert catalog.validate({"MessageId": "1", "Body": json.dumps(notification(event))}) == []


def test_unwrap_notification_returns_event_and_flat_attributes(catalog: Catalog) -> None:
    event = catalog.example(SENT)
    assert unwrap_notification(notification(event)) == (event, {"eventType": SENT})
    assert unwrap_notification(event) == (event, {})
    assert unwrap_notification(notification(event, attributes=False)) == (event, {})


def test_a_notification_whose_message_is_not_json_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="the notification's Message is not valid JSON"):
        unwrap_notification({"Type": "Notification", "Message": "{oops"})


@pytest.mark.parametrize("value", [[1, 2], "null", 5])
def test_an_event_that_is_not_an_object_is_a_usage_error(catalog: Catalog, value: object) -> None:
    with pytest.raises(UsageError, match="an event must be a JSON object"):
        catalog.validate(value)


def test_an_event_without_event_type_is_a_usage_error(catalog: Catalog) -> None:
    event = catalog.example(SENT)
    del event["eventType"]
    with pytest.raises(UsageError, match="the event has no eventType"):
        catalog.validate(event)


def test_an_unknown_event_type_names_the_closest(catalog: Catalog) -> None:
    event = catalog.example(SENT)
    event["eventType"] = "intervention.referral.snet"
    with pytest.raises(UnknownEventType, match=r"did you mean intervention\.referral\.sent"):
        catalog.validate(event)


def test_an_unknown_version_is_a_usage_error(catalog: Catalog) -> None:
    event = catalog.example(SENT)
    event["version"] = 7
    with pytest.raises(UnknownVersion, match="has no version 7"):
        catalog.validate(event)


@pytest.mark.parametrize(("version", "found"), [(None, "absent"), ("1", 'string "1"'), (True, "boolean true")])
def test_a_missing_or_mistyped_version_is_a_violation_of_the_latest_contract(
    catalog: Catalog, version: object, found: str
) -> None:
    event = catalog.example(SENT)
    if version is None:
        del event["version"]
    else:
        event["version"] = version
    [violation] = catalog.validate(event)
    assert violation.pointer == "/version"
    assert violation.found == found


def test_an_integral_float_version_is_accepted_like_jsonschema_does(catalog: Catalog) -> None:
    event = catalog.example(SENT)
    event["version"] = 1.0
    assert catalog.validate(event) == []


def test_compiled_validators_are_cached_per_type_and_version(catalog: Catalog) -> None:
    assert catalog.compiled(SENT) is catalog.compiled(SENT, 1)
    assert catalog.compiled(SENT).fast_kind == "generated"
