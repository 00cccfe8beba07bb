"""Consumer pacts for the pact tests, written the way a consumer team writes them: with plain pact-python (V4,
asynchronous messages). No tests here; `tests/test_pact_*.py` import these builders.

- `write_good_pact`: every interaction holds against the shipped contracts and verifies against the simulator.
- `write_bad_pacts`: one pact per failure the issue names (a field the contract lacks, a wrong type, an unknown
  provider state, an unknown event type), each under its own consumer name.
- `write_given_pact`: interactions that expect exactly the referral and person their `given(...)` names, in states
  the shipped scenarios provide (so it verifies with no `--state`).
"""

from __future__ import annotations

import os
from pathlib import Path

os.environ["PACT_DO_NOT_TRACK"] = "true"  # before pact is imported

from pact import Pact, match

PROVIDER = "hmpps-interventions-service"
REFERRAL_ID = "8f4c2a3e-6b1d-4f7a-9c2e-1d3b5a7c9e0f"
CRN = "X654321"
SENT_STATE = "a referral has been sent"
SENT = "intervention.referral.sent"
ASSIGNED = "intervention.referral.assigned"
FEEDBACK = "intervention.session-appointment.session-feedback-submitted"
APPROVED = "intervention.action-plan.approved"

DATE_TIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
CRN_PATTERN = r"^[A-Z][0-9]{6}$"

__all__ = [
    "APPROVED",
    "ASSIGNED",
    "CRN",
    "FEEDBACK",
    "PROVIDER",
    "REFERRAL_ID",
    "SENT",
    "SENT_STATE",
    "write_bad_pacts",
    "write_given_pact",
    "write_good_pact",
]


def _pact(consumer: str, specification: str = "V4") -> Pact:
    return Pact(consumer, PROVIDER).with_specification(specification)


def write_good_pact(directory: Path, consumer: str = "referrals-dashboard", specification: str = "V4") -> Path:
    """A pact that keeps the contracts: three event types, one of them needing a provider state."""
    pact = _pact(consumer, specification)
    (
        pact.upon_receiving("a referral sent event", "Async")
        .given(SENT_STATE, referralId=REFERRAL_ID, crn=CRN)
        .with_body(
            {
                "eventType": SENT,
                "version": match.int(1),
                "occurredAt": match.regex("2024-03-20T17:00:00+00:00", regex=DATE_TIME),
                "detailUrl": match.regex(
                    f"http://localhost:8080/sent-referral/{REFERRAL_ID}",
                    regex=r"^https?://.+/sent-referral/[0-9a-f-]{36}$",
                ),
                "additionalInformation": {"referralId": REFERRAL_ID},
                "personReference": {"identifiers": [{"type": "CRN", "value": CRN}]},
            },
            content_type="application/json",
        )
        .with_metadata({"eventType": SENT})
    )
    (
        pact.upon_receiving("session feedback was submitted", "Async")
        .with_body(
            {
                "eventType": FEEDBACK,
                "additionalInformation": {
                    "referralId": match.uuid("68df9f6c-3fcb-4ec6-8fcf-96551cd9b080"),
                    "serviceUserCRN": match.regex("X123456", regex=CRN_PATTERN),
                    "deliusAppointmentId": match.str("2500009788"),
                },
            },
            content_type="application/json",
        )
        .with_metadata({"eventType": FEEDBACK})
    )
    (
        pact.upon_receiving("an action plan approved event", "Async")
        .with_body(
            {
                "eventType": APPROVED,
                "additionalInformation": match.like(
                    {
                        "actionPlanId": "0c5e3c4f-8a0f-4f8e-9a5e-2f1d0b6c7d8e",
                        "approvedBy": "someone@example.org",
                        "referralId": "68df9f6c-3fcb-4ec6-8fcf-96551cd9b080",
                    }
                ),
            },
            content_type="application/json",
        )
        .with_metadata({"eventType": APPROVED})
    )
    return _write(pact, directory)


def write_bad_pacts(directory: Path) -> dict[str, Path]:
    """One pact per kind of failure, by kind: `missing-field`, `wrong-type`, `unknown-state`, `unknown-type`."""
    missing = _pact("missing-field")
    (
        missing.upon_receiving("a referral assigned event", "Async")
        .with_body(
            {
                "eventType": ASSIGNED,
                "additionalInformation": {
                    "referralId": match.uuid("68df9f6c-3fcb-4ec6-8fcf-96551cd9b080"),
                    "assignedToName": match.str("Alex Caseworker"),
                },
            },
            content_type="application/json",
        )
        .with_metadata({"eventType": ASSIGNED})
    )
    wrong = _pact("wrong-type")
    (
        wrong.upon_receiving("session feedback was submitted", "Async")
        .with_body(
            {"eventType": FEEDBACK, "additionalInformation": {"deliusAppointmentId": match.int(2500009788)}},
            content_type="application/json",
        )
        .with_metadata({"eventType": FEEDBACK})
    )
    state = _pact("unknown-state")
    (
        state.upon_receiving("a referral sent event", "Async")
        .given("a referral was teleported", referralId=REFERRAL_ID)
        .with_body({"eventType": SENT, "version": match.int(1)}, content_type="application/json")
        .with_metadata({"eventType": SENT})
    )
    unknown = _pact("unknown-type")
    (
        unknown.upon_receiving("a referral sent event", "Async")
        .with_body({"version": match.int(1)}, content_type="application/json")
        .with_metadata({"eventType": "intervention.referral.sendt"})
    )
    return {
        "missing-field": _write(missing, directory),
        "wrong-type": _write(wrong, directory),
        "unknown-state": _write(state, directory),
        "unknown-type": _write(unknown, directory),
    }


def write_given_pact(directory: Path, referral_id: str, crn: str, *, expected_referral_id: str | None = None) -> Path:
    """Three interactions whose states are given `referralId=referral_id, crn=crn` and whose bodies expect those
    values literally (`expected_referral_id` makes the bodies expect another referral, so verification fails)."""
    expected = expected_referral_id or referral_id
    person = {"identifiers": [{"type": "CRN", "value": crn}]}
    pact = _pact("referral-watcher")
    (
        pact.upon_receiving("a referral sent event", "Async")
        .given(SENT_STATE, referralId=referral_id, crn=crn)
        .with_body(
            {
                "eventType": SENT,
                "detailUrl": f"http://localhost:8080/sent-referral/{expected}",
                "additionalInformation": {"referralId": expected},
                "personReference": person,
            },
            content_type="application/json",
        )
        .with_metadata({"eventType": SENT})
    )
    ended = "intervention.referral.ended"
    (
        pact.upon_receiving("a referral withdrawn event", "Async")
        .given("a referral has been withdrawn", referralId=referral_id, crn=crn)
        .with_body(
            {
                "eventType": ended,
                "additionalInformation": {
                    "referralId": expected,
                    "deliveryState": "CANCELLED",
                    "withdrawalCode": match.str("INE"),
                },
                "personReference": person,
            },
            content_type="application/json",
        )
        .with_metadata({"eventType": ended})
    )
    missed = "intervention.session-appointment.missed"
    (
        pact.upon_receiving("a session missed event", "Async")
        .given("a session has been missed", referralId=referral_id, crn=crn, sessionNumber=2)
        .with_body(
            {
                "eventType": missed,
                "detailUrl": f"http://localhost:8080/referral/{expected}/sessions/2",
                "additionalInformation": {"referralId": expected, "serviceUserCRN": crn},
            },
            content_type="application/json",
        )
        .with_metadata({"eventType": missed})
    )
    return _write(pact, directory)


def _write(pact: Pact, directory: Path) -> Path:
    pact.write_file(directory, overwrite=True)
    return directory / f"{pact.consumer}-{pact.provider}.json"
