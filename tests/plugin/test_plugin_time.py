"""Time in the plugin (pytester): a run ends now by default, `start_at` places it (and with a seed replays the same
events), `speed` waits out simulated delays, and the marker takes both."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

USER_TESTS = """
import time
from datetime import datetime, timezone

import pytest


def occurred(queue, n):
    return [m.event["occurredAt"] for m in queue.receive(n)]


def test_by_default_no_event_is_in_the_future(tidings):
    queue = tidings.queue()
    run = tidings.play("referral-withdrawn", seed=1)
    stamps = [datetime.fromisoformat(t) for t in occurred(queue, len(run.events))]
    assert max(stamps) <= datetime.now(timezone.utc) and run.start == min(stamps)


def test_start_at_and_seed_replay_the_same_events(tidings):
    queue = tidings.queue()
    first = tidings.play("referral-withdrawn", seed=9, start_at="2024-03-01T10:00Z")
    one = [m.event for m in queue.receive(len(first.events))]
    again = tidings.play("referral-withdrawn", seed=9, start_at=first.start)
    two = [m.event for m in queue.receive(len(again.events))]
    assert one == two and one[0]["occurredAt"] == "2024-03-01T10:00:00+00:00"
    assert "replay with seed=9, start_at='2024-03-01T10:00:00+00:00'" in first.describe()


def test_speed_waits_out_simulated_delays(tidings):
    speed = 3600 * 24 * 10  # 10 simulated days a second
    started = time.monotonic()
    run = tidings.play("referral-withdrawn", seed=1, speed=speed)
    waited = run.summary.simulated.total_seconds() / speed
    assert waited > 0.1 and time.monotonic() - started >= waited


@pytest.mark.tidings_scenario("referral-sent", seed=2, start_at="2022-02-02T02:02Z")
def test_the_marker_takes_start_at(tidings):
    (run,) = tidings.runs
    assert run.start.isoformat() == "2022-02-02T02:02:00+00:00"


def test_a_bad_start_is_a_usage_error(tidings):
    with pytest.raises(Exception, match="not an ISO-8601 date-time"):
        tidings.play("referral-sent", start_at="whenever")
"""


def test_time_in_the_plugin(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\naddopts = -p no:cacheprovider\nfilterwarnings = error\n")
    pytester.makepyfile(test_time=USER_TESTS)
    result = pytester.runpytest_subprocess("-q")
    result.assert_outcomes(passed=5)
