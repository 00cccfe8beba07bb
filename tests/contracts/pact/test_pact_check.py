"""The static check of message pacts against the contracts (`check_interaction`), on interactions written with
plain pact-python: fields the contract lacks, values and matchers that do not fit, optional fields, which
contract an interaction is about, and the metadata the producer sends."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pact import Pact, match
from pact_support import ASSIGNED, FEEDBACK, PROVIDER, SENT, write_bad_pacts, write_good_pact

from tidings.contracts import Catalog, load_catalog
from tidings.contracts.pact.check import check_interaction, check_pact, inspect_interaction
from tidings.contracts.pact.file import load_pact
from tidings.contracts.pact.matchers import fit
from tidings.contracts.pact.model import Finding, MessageInteraction

_names = itertools.count()


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture
def interaction(tmp_path: Path) -> Callable[..., MessageInteraction]:
    """Write one message interaction with pact-python and read it back."""

    def build(
        description: str,
        body: Any,
        metadata: dict[str, Any] | None = None,
        given: tuple[str, dict[str, Any]] | None = None,
    ) -> MessageInteraction:
        consumer = f"consumer-{next(_names)}"
        pact = Pact(consumer, PROVIDER).with_specification("V4")
        message = pact.upon_receiving(description, "Async")
        if given is not None:
            message.given(given[0], **given[1])
        message.with_body(body, content_type="application/json")
        if metadata:
            message.with_metadata(metadata)
        pact.write_file(tmp_path)
        [only] = load_pact(tmp_path / f"{consumer}-{PROVIDER}.json").interactions
        return only

    return build


def errors(findings: list[Finding]) -> list[Finding]:
    return [finding for finding in findings if finding.severity == "error"]


def test_a_pact_that_keeps_the_contracts_has_no_errors(tmp_path: Path, catalog: Catalog) -> None:
    checks = check_pact(catalog, load_pact(write_good_pact(tmp_path)))
    assert [check.ok for check in checks] == [True, True, True]
    assert [str(f) for check in checks for f in check.findings] == [
        "warning /additionalInformation/deliusAppointmentId: optional in "
        f"{FEEDBACK} v1: the producer may leave it out; handle its absence"
    ]


def test_each_bad_pact_fails_with_the_field_or_type_named(tmp_path: Path, catalog: Catalog) -> None:
    pacts = {kind: load_pact(path) for kind, path in write_bad_pacts(tmp_path).items()}
    [missing] = errors(check_interaction(catalog, pacts["missing-field"].interactions[0]))
    assert missing.pointer == "/additionalInformation/assignedToName"
    assert f"{ASSIGNED} v1 has no field /additionalInformation/assignedToName" in missing.message
    assert missing.hint == "did you mean /additionalInformation/assignedTo?"
    [wrong] = errors(check_interaction(catalog, pacts["wrong-type"].interactions[0]))
    assert wrong.pointer == "/additionalInformation/deliusAppointmentId"
    assert "match.int (integer) can never match" in wrong.message
    assert "sends this field as string" in wrong.message
    [unknown] = errors(check_interaction(catalog, pacts["unknown-type"].interactions[0]))
    assert unknown.message == "unknown event type 'intervention.referral.sendt' (metadata eventType)"
    assert unknown.hint.startswith("did you mean intervention.referral.sent")
    # Provider states are the verifier's business: statically, that pact is fine.
    assert check_interaction(catalog, pacts["unknown-state"].interactions[0]) == []


def test_an_example_value_that_breaks_the_field_schema_is_an_error(catalog: Catalog, interaction: Callable) -> None:
    found = check_interaction(
        catalog,
        interaction(
            "feedback",
            {"eventType": FEEDBACK, "additionalInformation": {"serviceUserCRN": match.str("12345")}},
        ),
    )
    [error] = errors(found)
    assert error.pointer == "/additionalInformation/serviceUserCRN"
    assert "does not match the pattern" in error.message
    assert "^[A-Z][0-9]{6}$" in error.message


def test_the_event_type_comes_from_metadata_then_body_then_description(catalog: Catalog, interaction: Callable) -> None:
    by_metadata = inspect_interaction(catalog, interaction("anything", {"version": 1}, {"eventType": SENT}))
    by_body = inspect_interaction(catalog, interaction("anything", {"eventType": ASSIGNED}))
    by_description = inspect_interaction(catalog, interaction("the referral was assigned to a caseworker", {}))
    assert (by_metadata.event_type, by_metadata.resolved_by) == (SENT, "metadata eventType")
    assert (by_body.event_type, by_body.resolved_by) == (ASSIGNED, "body eventType")
    assert (by_description.event_type, by_description.resolved_by) == (ASSIGNED, "description")


def test_a_description_naming_no_event_type_is_an_error_naming_close_ones(
    catalog: Catalog, interaction: Callable
) -> None:
    [error] = check_interaction(catalog, interaction("a referral was teleported", {}))
    assert error.message.startswith("unknown event type: no eventType in the metadata or body")
    assert "closest: intervention.referral." in error.hint
    assert 'with_metadata(eventType="...")' in error.hint


def test_a_version_the_catalogue_lacks_names_the_known_ones(catalog: Catalog, interaction: Callable) -> None:
    [error] = check_interaction(catalog, interaction("sent", {"eventType": SENT, "version": 2}))
    assert (error.pointer, error.message, error.hint) == ("/version", f"{SENT} has no version 2", "known versions: 1")


def test_metadata_must_be_what_the_producer_sends(catalog: Catalog, interaction: Callable) -> None:
    found = check_interaction(
        catalog, interaction("sent", {"eventType": ASSIGNED}, {"eventType": SENT, "traceparent": "abc"})
    )
    assert [(f.pointer, f.message) for f in errors(found)] == [
        (
            "/eventType",
            f'example value breaks the contract: wrong value (expected "{SENT}", found string "{ASSIGNED}")',
        ),
        ("/eventType", f"the body says {ASSIGNED!r} but the metadata eventType says {SENT!r}"),
        ("metadata/traceparent", f"the producer sends no message attribute 'traceparent' with {SENT} v1"),
    ]


def test_a_date_time_format_the_producer_s_timestamps_do_not_fit_is_an_error(
    catalog: Catalog, interaction: Callable
) -> None:
    # pact-python turns %z into Z, which means +0100; the contract's timestamps carry +01:00.
    body = {"eventType": FEEDBACK, "occurredAt": match.datetime("2024-03-20T17:00:00+0000", "%Y-%m-%dT%H:%M:%S%z")}
    value_error, format_error = errors(check_interaction(catalog, interaction("feedback", body)))
    assert value_error.message.startswith("example value breaks the contract: not a valid date-time")
    assert format_error.pointer == "/occurredAt"
    assert 'rejects string "2024-03-20T17:00:00+00:00", a value the contract\'s example sends' in format_error.message
    assert "XXX is an offset like +01:00" in format_error.hint


def test_a_regex_that_rejects_the_contract_s_example_is_an_error(catalog: Catalog, interaction: Callable) -> None:
    body = {
        "eventType": FEEDBACK,
        "additionalInformation": {"referralReference": match.regex("AB123", regex=r"^AB\d+$")},
    }
    [error] = errors(check_interaction(catalog, interaction("feedback", body)))
    assert error.message.startswith('match.regex (regex) rejects string "JS18726AC"')


def test_a_value_pact_compares_exactly_is_a_warning_unless_a_state_supplies_it(
    catalog: Catalog, interaction: Callable
) -> None:
    rid = "0c5e3c4f-8a0f-4f8e-9a5e-2f1d0b6c7d8e"
    body = {"eventType": ASSIGNED, "additionalInformation": {"referralId": rid}}
    [warning] = check_interaction(catalog, interaction("assigned", body))
    assert warning.severity == "warning"
    assert warning.message.startswith(f'no matcher: pact expects exactly string "{rid}"')
    assert check_interaction(catalog, interaction("assigned", body, given=("a referral exists", {"id": rid}))) == []


def test_a_non_json_message_is_an_error(catalog: Catalog) -> None:
    plain = MessageInteraction("sent", body="hello", content_type="text/plain", metadata={"eventType": SENT})
    [error] = check_interaction(catalog, plain)
    assert "the message is not JSON (content type 'text/plain')" in error.message


@pytest.mark.parametrize(
    ("matcher", "types", "verdict"),
    [
        ({"match": "integer"}, ("string",), "never"),
        ({"match": "integer"}, ("number",), "partial"),
        ({"match": "number"}, ("integer",), "ok"),
        ({"match": "decimal"}, ("integer",), "never"),
        ({"match": "regex", "regex": "x"}, ("string", "null"), "partial"),
        ({"match": "type"}, ("string",), "ok"),
        ({"match": "type", "min": 1}, ("object",), "never"),
        ({"match": "boolean"}, (), "ok"),
        ({"match": "somethingNew"}, ("string",), "unknown"),
    ],
)
def test_matchers_fit_field_types(matcher: dict[str, Any], types: tuple[str, ...], verdict: str) -> None:
    assert fit(matcher, types).verdict == verdict
