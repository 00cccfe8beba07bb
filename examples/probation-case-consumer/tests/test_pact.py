"""The consumer's side of the contract: a message pact of what this service relies on in the referral events it
handles, checked against the interventions service's published contracts by the `tidings_pact` fixture and
handed to the consumer's own handler with `pact.verify`.

The pact is written to `pacts/` (the ini key `tidings_pact_dir` in pyproject.toml) when the session ends; the
producer's side runs `tidings pact lint pacts/` and `tidings pact verify pacts/` on it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pact import match  # the tidings plugin has set PACT_DO_NOT_TRACK=true by now
from probation_case_consumer import ReferralConsumer, ReferralStore

CONSUMER = "probation-case-consumer"
REFERRAL_ID = "2c7e9a41-5d3f-4b8e-a6c1-0f9d8e7b6a54"
CRN = "X362514"
# What this service needs of each referral event (see ReferralConsumer.handle): its type and version, when it
# happened, the referral and the person it is about, and where to ask the producer for the rest.
DATE_TIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
DETAIL_URL = r"^https?://.+/sent-referral/[0-9a-f-]{36}$"
# The event it handles, and the provider state (a scenario the producer's simulator plays) that makes it.
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

    def fetch(url: str) -> dict[str, Any]:  # the producer's API, as the consumer reads it
        fetched.append(url)
        return {"referenceNumber": "JS18726AC", "assignedTo": None, "concludedAt": None}

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
