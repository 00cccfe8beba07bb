"""The tidings pytest plugin: an SNS/SQS engine, the fake business API, fresh queues per test, scenarios that
set up state, and waits and assertions on what arrives. Registered as the `pytest11` entry point `tidings`
(disable with `-p no:tidings`); a thin adapter over `tidings.simulator.harness.harness` and `.owned_queues`.

    import pytest

    @pytest.fixture
    def referrals(tidings):
        return tidings.queue("referrals", filter=[{"prefix": "intervention.referral."}])

    @pytest.mark.tidings_scenario("referral-sent", crn="X123456")
    def test_a_sent_referral_arrives(tidings, referrals):
        (message,) = referrals.receive(1)
        assert message.event["eventType"] == "intervention.referral.sent"
        assert tidings.runs[0].events[0].message_id == message.message_id

Consumers' message pacts, checked against the contracts when the test ends and written at the end of the session:

    def test_the_consumer_handles_a_sent_referral(tidings_pact):
        pact = tidings_pact("probation-case-consumer")  # provider: the catalogue's producer
        (
            pact.upon_receiving("a referral sent event", "Async")
            .given("a referral has been sent", referralId=REFERRAL_ID, crn="X123456")
            .with_body({"eventType": "intervention.referral.sent", "additionalInformation": {"referralId": ...}})
            .with_metadata({"eventType": "intervention.referral.sent"})
        )
        pact.verify(handler, "Async")  # the consumer's handler gets each message

Fixtures: `tidings_engine` and `tidings_api` (session), `tidings` (each test), `tidings_settings` (session,
override it to configure in code), `tidings_pact` (each test; a factory of pact-python V4 pacts). Marker:
`tidings_scenario(name, *, seed=None, faults=None, **params)`. Options:
`--tidings-engine/-endpoint/-contracts/-fixtures/-topology/-pact-dir`, ini `tidings_*`, env `TIDINGS_*`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# pytest finds the plugin's hooks and fixtures as attributes of this module, the one registered: every name
# plugin.py exports is re-exported here, so the list is written once.
from . import plugin as _plugin
from .options import Settings
from .plugin import *  # noqa: F403

if TYPE_CHECKING:
    from .handles import NotConsumed, NotReceived, Published, Queue, Received, Run, Tidings, TidingsApi, TidingsEngine

__all__ = [
    # what tests use
    "NotConsumed",
    "NotReceived",
    "Published",
    "Queue",
    "Received",
    "Run",
    "Settings",
    "Tidings",
    "TidingsApi",
    "TidingsEngine",
    *_plugin.__all__,
]

_LAZY = {
    "NotConsumed",
    "NotReceived",
    "Published",
    "Queue",
    "Received",
    "Run",
    "Tidings",
    "TidingsApi",
    "TidingsEngine",
}


def __getattr__(name: str) -> Any:
    # The handles import boto3, moto and FastAPI: only when asked for, so that loading the plugin in every
    # pytest run costs nothing.
    if name in _LAZY:
        from . import handles

        return getattr(handles, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
