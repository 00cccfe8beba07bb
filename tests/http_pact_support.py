"""HTTP pacts for the tests, written as a consumer team writes them: plain pact-python (V4), requests to the
producer's detail endpoints, in provider states the shipped scenarios provide. No tests here.

- `write_http_pact`: a mixed pact (a referral sent message and two GETs of the referral it names) that lints
  clean and verifies against the fake API;
- `write_wrong_http_pact`: one GET per mistake (a field the resource lacks, a value the state does not make, a
  path no resource has, a matcher that can never match, an id no state created);
- `write_unknown_state_http_pact`: a GET in a state nobody declared.
"""

from __future__ import annotations

import os
from pathlib import Path

os.environ["PACT_DO_NOT_TRACK"] = "true"  # before pact is imported

from pact import Pact, match

PROVIDER = "hmpps-interventions-service"
REFERRAL_ID = "5d1c7e2a-4b3f-4a6e-9c8d-7e6f5a4b3c2d"
OTHER_ID = "0a0b0c0d-1e1f-4a2b-8c3d-4e5f6a7b8c9d"
CRN = "X246813"
SENT_STATE = "a referral has been sent"
ASSIGNED_STATE = "a referral has been assigned"
UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
DATE_TIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"

__all__ = [
    "CRN",
    "OTHER_ID",
    "REFERRAL_ID",
    "SENT_STATE",
    "write_http_pact",
    "write_unknown_state_http_pact",
    "write_wrong_http_pact",
]


def _pact(consumer: str) -> Pact:
    return Pact(consumer, PROVIDER).with_specification("V4")


def _write(pact: Pact, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    pact.write_file(directory, overwrite=True)
    return directory / f"{pact.consumer}-{pact.provider}.json"


def write_http_pact(directory: Path, consumer: str = "referral-reader") -> Path:
    """A message and two HTTP interactions that keep the contracts (the referral as SentReferralDTO serves it)."""
    pact = _pact(consumer)
    (
        pact.upon_receiving("a referral sent event", "Async")
        .given(SENT_STATE, referralId=REFERRAL_ID, crn=CRN)
        .with_body(
            {"eventType": "intervention.referral.sent", "additionalInformation": {"referralId": REFERRAL_ID}},
            content_type="application/json",
        )
        .with_metadata({"eventType": "intervention.referral.sent"})
    )
    (
        pact.upon_receiving("a request for a sent referral")
        .given(SENT_STATE, referralId=REFERRAL_ID, crn=CRN)
        .with_request("GET", f"/sent-referral/{REFERRAL_ID}")
        .will_respond_with(200)
        .with_body(
            {
                "id": REFERRAL_ID,
                "serviceUserCRN": CRN,
                "referenceNumber": match.str("JS18726AC"),
                "interventionId": match.regex("98a42c61-c30f-4beb-8062-04033c376e2d", regex=UUID),
                "relevantSentenceId": match.int(2500284169),
                "sentAt": match.regex("2024-03-04T10:15:30.123Z", regex=DATE_TIME),
                "sentBy": {"username": match.str("pp.user@justice.example")},
                "referral": {"serviceUser": {"crn": CRN}},
            },
            content_type="application/json",
        )
    )
    (
        pact.upon_receiving("a request for an assigned referral")
        .given(ASSIGNED_STATE, referralId=REFERRAL_ID, crn=CRN)
        .with_request("GET", f"/sent-referral/{REFERRAL_ID}")
        .will_respond_with(200)
        .with_body(
            {"id": REFERRAL_ID, "assignedTo": {"username": match.str("caseworker.one@provider.example")}},
            content_type="application/json",
        )
    )
    return _write(pact, directory)


def write_wrong_http_pact(directory: Path, consumer: str = "wrong-reader") -> Path:
    """HTTP interactions that break the contracts, by description."""
    pact = _pact(consumer)
    (
        pact.upon_receiving("a referral with a field the producer never sends")
        .given(SENT_STATE, referralId=REFERRAL_ID, crn=CRN)
        .with_request("GET", f"/sent-referral/{REFERRAL_ID}")
        .will_respond_with(200)
        .with_body({"serviceUser": {"crn": CRN}}, content_type="application/json")
    )
    (
        pact.upon_receiving("a referral about another person")
        .given(SENT_STATE, referralId=REFERRAL_ID, crn=CRN)
        .with_request("GET", f"/sent-referral/{REFERRAL_ID}")
        .will_respond_with(200)
        .with_body({"serviceUserCRN": "X999999"}, content_type="application/json")
    )
    (
        pact.upon_receiving("a referral whose sentence id is text")
        .given(SENT_STATE, referralId=REFERRAL_ID, crn=CRN)
        .with_request("GET", f"/sent-referral/{REFERRAL_ID}")
        .will_respond_with(200)
        .with_body({"relevantSentenceId": match.str("2500284169")}, content_type="application/json")
    )
    (
        pact.upon_receiving("a path with a typo")
        .given(SENT_STATE, referralId=REFERRAL_ID, crn=CRN)
        .with_request("GET", f"/sent-referal/{REFERRAL_ID}")
        .will_respond_with(200)
    )
    (
        pact.upon_receiving("a referral no state created")
        .given(SENT_STATE, referralId=REFERRAL_ID, crn=CRN)
        .with_request("GET", f"/sent-referral/{OTHER_ID}")
        .will_respond_with(200)
    )
    return _write(pact, directory)


def write_unknown_state_http_pact(directory: Path, consumer: str = "teleport-reader") -> Path:
    """A GET in a provider state no scenario provides."""
    pact = _pact(consumer)
    (
        pact.upon_receiving("a teleported referral")
        .given("a referral was teleported", referralId=REFERRAL_ID)
        .with_request("GET", f"/sent-referral/{REFERRAL_ID}")
        .will_respond_with(200)
    )
    return _write(pact, directory)
