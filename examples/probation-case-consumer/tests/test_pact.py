"""The consumer's side of the contract: a pact of what this service relies on, in the referral events it handles
(message interactions, handed to the consumer's own handler with `pact.verify`) and in the referral it then
reads from the producer's API by the event's detailUrl (HTTP interactions, served by pact's mock server and
read with the consumer's own `fetch_json` and `SentReferral`). The `tidings_pact` fixture checks both against
the interventions service's published contracts: the event schemas and the sent-referral resource.

The pact (one file, messages and requests together) is written to `pacts/` (the ini key `tidings_pact_dir` in
pyproject.toml) when the session ends; the producer's side runs `tidings pact lint pacts/` and
`tidings pact verify pacts/` on it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pact import match  # the tidings plugin has set PACT_DO_NOT_TRACK=true by now
from probation_case_consumer import ReferralConsumer, ReferralStore, SentReferral, fetch_json

CONSUMER = "probation-case-consumer"
REFERRAL_ID = "2c7e9a41-5d3f-4b8e-a6c1-0f9d8e7b6a54"
CRN = "X362514"
# What this service needs of each referral event (see ReferralConsumer.handle): its type and version, when it
# happened, the referral and the person it is about, and where to ask the producer for the rest.
DATE_TIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
DETAIL_URL = r"^https?://.+/sent-referral/[0-9a-f-]{36}$"
# The event it handles, and the provider state (a scenario the producer's simulator plays) that makes it.
SENT_AT = "2024-03-04T10:15:30.123Z"
UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
HANDLED = {
    "intervention.referral.sent": "a referral has been sent",
    "intervention.referral.assigned": "a referral has been assigned",
    "intervention.referral.concluded": "a referral has been concluded",
}


@pytest.fixture
def store(tmp_path: Path) -> Any:
    database = ReferralStore(tmp_path / "referrals.db")
    yield database
    database.close()


def test_the_consumer_handles_the_referral_events_it_relies_on(tidings_pact: Any, store: ReferralStore) -> None:
    pact = tidings_pact(CONSUMER)  # provider: the catalogue's producer, hmpps-interventions-service
    for event_type, state in HANDLED.items():
        (
            pact.upon_receiving(f"an {event_type} event", "Async")
            .given(state, referralId=REFERRAL_ID, crn=CRN)
            .with_body(
                {
                    "eventType": event_type,
                    "version": match.int(1),
                    "occurredAt": match.regex("2024-03-20T17:00:00+00:00", regex=DATE_TIME),
                    "detailUrl": match.regex(f"http://localhost:8080/sent-referral/{REFERRAL_ID}", regex=DETAIL_URL),
                    "additionalInformation": {"referralId": REFERRAL_ID},
                    "personReference": {"identifiers": [{"type": "CRN", "value": CRN}]},
                },
                content_type="application/json",
            )
            .with_metadata({"eventType": event_type})
        )

    fetched: list[str] = []

    def fetch(url: str) -> dict[str, Any]:  # the producer's API: its own pact is the HTTP test below
        fetched.append(url)
        return {"id": REFERRAL_ID, "referenceNumber": "JS18726AC", "serviceUserCRN": CRN, "sentAt": SENT_AT}

    consumer = ReferralConsumer(None, "unused: pact hands the messages over", store, fetch=fetch)
    outcomes: list[str] = []

    def handle(event: dict[str, Any], metadata: dict[str, object]) -> None:
        # tidings_pact hands over the decoded event; on raw delivery the SQS message body is the event itself.
        assert event["eventType"] == metadata["eventType"]
        outcomes.append(consumer.handle({"MessageId": f"pact-{len(outcomes)}", "Body": json.dumps(event)}))

    pact.verify(handle, "Async")

    assert outcomes == ["recorded"] * len(HANDLED)
    assert fetched == [f"http://localhost:8080/sent-referral/{REFERRAL_ID}"] * len(HANDLED)
    referral = store.referral(REFERRAL_ID)
    assert referral is not None and (referral.crn, referral.reference) == (CRN, "JS18726AC")


# What this service reads of the referral behind detailUrl (SentReferral.from_json), in each state it handles:
# the producer's SentReferralDTO, whose non-null fields it needs non-null, and what each state adds.
READ = {
    "a referral has been sent": {},
    "a referral has been assigned": {"assignedTo": {"username": match.str("caseworker.one@provider.example")}},
    "a referral has been concluded": {"concludedAt": match.regex("2024-04-18T11:00:00Z", regex=DATE_TIME)},
}


def test_the_consumer_reads_the_referral_as_the_producer_serves_it(tidings_pact: Any) -> None:
    read = {}
    for state, extra in READ.items():
        # One pact per state (pact's mock server cannot tell states apart); all land in the one pact file.
        pact = tidings_pact(CONSUMER)
        (
            pact.upon_receiving(f"a request for the referral, {state.removeprefix('a referral has been ')}")
            .given(state, referralId=REFERRAL_ID, crn=CRN)
            .with_request("GET", f"/sent-referral/{REFERRAL_ID}")
            .will_respond_with(200)
            .with_body(
                {
                    "id": REFERRAL_ID,
                    "serviceUserCRN": CRN,
                    "referenceNumber": match.str("JS18726AC"),
                    "sentAt": match.regex(SENT_AT, regex=DATE_TIME),
                    "interventionId": match.regex("98a42c61-c30f-4beb-8062-04033c376e2d", regex=UUID),
                    **extra,
                },
                content_type="application/json",
            )
        )
        with pact.serve() as server:  # pact's mock of the producer's API, answering as the interaction says
            read[state] = SentReferral.from_json(fetch_json(f"{server.url}/sent-referral/{REFERRAL_ID}"))

    assert {referral.id for referral in read.values()} == {REFERRAL_ID}
    assert {referral.service_user_crn for referral in read.values()} == {CRN}
    assert [referral.status for referral in read.values()] == ["SENT", "ASSIGNED", "CONCLUDED"]
    assert read["a referral has been assigned"].assigned_to == "caseworker.one@provider.example"
