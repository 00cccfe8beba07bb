"""Waiting for the consumer and failing well (pytester): `queue.wait_until_consumed` and `tidings.settle` return
once a consumer has emptied the test's queues and fail saying what is left; a NotReceived says what the test's
runs published for the queue; a bad play() or emit() shows the test's line, not tidings' frames."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

USER_TESTS = """
import threading
import time

import pytest
from tidings.pytest_plugin import NotConsumed, NotReceived


def consume(queue, delay=0.2):
    def run():
        time.sleep(delay)
        queue.drain()
    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_settle_returns_once_the_consumer_has_taken_everything(tidings):
    first, second = tidings.queue("a"), tidings.queue("b")
    tidings.play("referral-lifecycle", seed=1)
    threads = [consume(first), consume(second, delay=0.4)]
    started = time.monotonic()
    tidings.settle(timeout=5)
    assert time.monotonic() - started >= 0.4 and first.depth == second.depth == 0
    for thread in threads:
        thread.join()


def test_wait_until_consumed_fails_saying_what_is_left(tidings):
    queue = tidings.queue("idle")
    tidings.play("referral-withdrawn", seed=1)
    with pytest.raises(NotConsumed, match=r"not consumed within 0.3s: .*idle.*: \\d+ visible") as caught:
        queue.wait_until_consumed(timeout=0.3)
    assert isinstance(caught.value, AssertionError)


def test_not_received_says_what_the_runs_published_for_the_queue(tidings):
    queue = tidings.queue()
    tidings.play("referral-sent", seed=1)
    with pytest.raises(NotReceived) as caught:
        queue.receive(3, timeout=0.3)
    assert "the test's runs published 1 message(s) this queue's filter admits (referral-sent: 1)" in str(caught.value)


def test_taps_observe_what_each_queue_admitted_and_are_deleted(tidings, tidings_engine):
    queue = tidings.queue(filter="intervention.referral.sent")
    run = tidings.play("referral-lifecycle", seed=2, taps=True)
    (delivery,) = run.deliveries
    assert delivery.observed and (delivery.queue, delivery.expected, delivery.received) == (queue.name, 1, 1)
    left = tidings_engine.client("sqs").list_queues(QueueNamePrefix="tidings-tap-").get("QueueUrls", [])
    assert left == []


def test_a_bad_emit_shows_the_tests_line(tidings):
    tidings.emit("intervention.referral.sent", occurredAt="yesterday")


def test_a_bad_play_shows_the_tests_line(tidings):
    tidings.play("referral-sent", faults="poison=1:rotten")
"""


def test_waits_and_failures_as_a_consumer_test_meets_them(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\naddopts = -p no:cacheprovider\nfilterwarnings = error\n")
    pytester.makepyfile(test_waits=USER_TESTS)
    result = pytester.runpytest_subprocess("-q")
    result.assert_outcomes(passed=4, failed=2)
    out = result.stdout.str()
    assert "UsageError: refusing to publish: the intervention.referral.sent event breaks its contract" in out
    assert "unknown poison kind 'rotten'" in out
    # Only the test's own frames: nothing from inside tidings.
    assert "simulator/harness/harness.py" not in out and "simulator/runs/player.py" not in out
    assert "pytest_plugin/handles.py" not in out
