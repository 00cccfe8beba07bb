"""The consumer tested the way a consumer team would: only the tidings plugin's fixtures and marker, a queue of
its own subscribed as production subscribes it, scenarios for state, faults for what SNS/SQS really do."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from probation_case_consumer import ReferralConsumer, ReferralStore, sqs_client

from tidings.pytest_plugin import Queue, Tidings, TidingsEngine

EXAMPLE = Path(__file__).resolve().parents[1]
REFERRAL_ID = "6f2d3b1a-2c4e-4d0b-9a51-3c7e5f8b9d10"
# How production subscribes this service: referral events only, dead-lettered after 3 failed receives.
REFERRAL_EVENTS = [{"prefix": "intervention.referral."}]


@pytest.fixture
def queue(tidings: Tidings) -> Queue:
    """Created in a fixture, so it exists when a `tidings_scenario` marker plays."""
    return tidings.queue("probation-case", filter=REFERRAL_EVENTS, max_receive_count=3)


@pytest.fixture
def store(tmp_path: Path) -> Any:
    database = ReferralStore(tmp_path / "referrals.db")
    yield database
    database.close()


def consumer_for(queue: Queue, store: ReferralStore, engine: TidingsEngine, sqs: Any = None) -> ReferralConsumer:
    """The consumer as it runs in production, but polling without waiting and retrying failures at once."""
    return ReferralConsumer(sqs or sqs_client(engine.env), queue.url, store, wait_seconds=0, retry_delay=0)


@pytest.mark.tidings_scenario("referral-lifecycle", crn="X123456", referralId=REFERRAL_ID, seed=11)
def test_the_referral_a_scenario_set_up_is_recorded_from_the_producers_api(
    tidings: Tidings, tidings_engine: TidingsEngine, queue: Queue, store: ReferralStore
) -> None:
    stats = consumer_for(queue, store, tidings_engine).run(until_idle=True)

    (run,) = tidings.runs
    referral = store.referral(REFERRAL_ID)
    assert referral is not None
    assert (referral.crn, referral.status, referral.end_state) == ("X123456", "CONCLUDED", "COMPLETED")
    # Only the fake API knows the reference number and the caseworker: the consumer followed detailUrl.
    assert referral.reference == run.params["referralReference"]
    assert referral.assigned_to == run.params["caseworker"]
    sent, assigned, concluded = (e.event_type for e in run.events if e.event_type.startswith("intervention.referral."))
    assert [event_type for event_type, _ in store.events(REFERRAL_ID)] == [sent, assigned, concluded]
    assert (stats.recorded, stats.failures) == (3, 0)
    assert queue.depth == 0


def test_duplicates_and_reordering_are_survived(
    tidings: Tidings, tidings_engine: TidingsEngine, queue: Queue, store: ReferralStore
) -> None:
    # Every event twice, all 28 messages shuffled; seed 7 publishes the referral's conclusion first.
    run = tidings.play("referral-lifecycle", referralId=REFERRAL_ID, faults=["republish=1", "reorder=30"], seed=7)
    published = [e.event_type for e in run.events if e.event_type.startswith("intervention.referral.")]
    assert published.index("intervention.referral.concluded") < published.index("intervention.referral.sent")
    assert len(published) == 6  # sent, assigned and concluded, each published twice

    stats = consumer_for(queue, store, tidings_engine).run(until_idle=True)

    assert stats.recorded == 6 and stats.failures == 0  # every copy processed, under its own MessageId...
    applied = store.events(REFERRAL_ID)
    assert [event_type for event_type, _ in applied] == [
        "intervention.referral.sent",
        "intervention.referral.assigned",
        "intervention.referral.concluded",
    ]  # ...but each event applied once, in the order it happened
    referral = store.referral(REFERRAL_ID)
    assert referral is not None and referral.status == "CONCLUDED"
    assert referral.last_event_at == applied[-1][1]  # an older event processed later did not overwrite it


def test_a_redelivered_message_is_a_no_op(
    tidings: Tidings, tidings_engine: TidingsEngine, queue: Queue, store: ReferralStore
) -> None:
    tidings.emit("intervention.referral.sent", crn="X654321", additionalInformation={"referralId": REFERRAL_ID})
    flaky = _FirstDeleteFails(sqs_client(tidings_engine.env))  # processed, but the delete is lost: SQS redelivers

    stats = consumer_for(queue, store, tidings_engine, sqs=flaky).run(until_idle=True)

    assert (stats.recorded, stats.failures, stats.duplicates) == (1, 1, 1)
    assert store.processed_count() == 1
    assert [event_type for event_type, _ in store.events(REFERRAL_ID)] == ["intervention.referral.sent"]


def test_the_same_message_delivered_again_by_sqs_is_a_no_op(
    tidings: Tidings, tidings_engine: TidingsEngine, queue: Queue, store: ReferralStore
) -> None:
    if tidings_engine.kind != "embedded":
        pytest.skip("redeliver needs the embedded engine of this process (tidings loses the delete inside moto)")
    # tidings' redeliver fault: SQS hands the consumer the same message again (same MessageId, receive count 2).
    run = tidings.play("referral-sent", crn="X654321", referralId=REFERRAL_ID, faults=["redeliver=1"], seed=5)
    assert [e.fault for e in run.events] == ["redeliver"]

    stats = consumer_for(queue, store, tidings_engine).run(until_idle=True)

    assert (stats.recorded, stats.duplicates, stats.failures) == (1, 1, 0)  # the second copy is recognised
    assert [event_type for event_type, _ in store.events(REFERRAL_ID)] == ["intervention.referral.sent"]
    assert queue.depth == 0


def test_a_poison_message_lands_in_the_dead_letter_queue(
    tidings: Tidings, tidings_engine: TidingsEngine, store: ReferralStore
) -> None:
    queue = tidings.queue("probation-case", filter=REFERRAL_EVENTS, max_receive_count=2, expect_dlq=True)
    run = tidings.play("referral-sent", faults=["poison=1"], seed=3)
    (poison,) = run.events
    assert poison.fault is not None and poison.fault.startswith("poison")

    stats = consumer_for(queue, store, tidings_engine).run(until_idle=True)

    assert stats.failures == 2 and stats.recorded == 0  # received twice, failed twice, then dead-lettered
    assert queue.dlq is not None
    (dead,) = queue.dlq.receive(1)
    assert dead.message_id == poison.message_id
    assert store.referrals() == []


def test_the_consumer_runs_as_a_process_with_the_engines_environment(
    tidings: Tidings, tidings_engine: TidingsEngine, queue: Queue, tmp_path: Path
) -> None:
    run = tidings.play("referral-sent", crn="X111111", referralId=REFERRAL_ID)
    database = tmp_path / "referrals.db"
    env = {**os.environ, **tidings_engine.env, "PYTHONPATH": str(EXAMPLE)}
    command = ["probation_case_consumer", "--queue-url", queue.url, "--database", str(database), "--until-idle"]
    done = subprocess.run(
        [sys.executable, "-m", *command, "--wait-seconds", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1])["recorded"] == 1
    store = ReferralStore(database)
    try:
        referral = store.referral(REFERRAL_ID)
        assert referral is not None
        assert (referral.crn, referral.status) == ("X111111", "SENT")
        assert referral.reference == run.params["referralReference"]
    finally:
        store.close()
    assert queue.depth == 0


class _FirstDeleteFails:
    """An SQS client whose first DeleteMessage is lost (a timeout after the consumer committed)."""

    def __init__(self, sqs: Any) -> None:
        self._sqs = sqs
        self._failed = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sqs, name)

    def delete_message(self, **kwargs: Any) -> Any:
        if not self._failed:
            self._failed = True
            raise TimeoutError("the connection dropped before SQS answered")
        return self._sqs.delete_message(**kwargs)
