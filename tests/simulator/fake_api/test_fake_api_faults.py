"""Business-API faults by path (fake_api.api_faults): lag by wall-clock time or by requests, errors and latency
drawn from a seeded source, all cleared by a reset of the fake API."""

from __future__ import annotations

import json

from tidings.simulator.fake_api.api_faults import ApiFaults


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def statuses(faults: ApiFaults, path: str, n: int) -> list[int]:
    answers = [faults.decide(path) for _ in range(n)]
    return [200 if a is None or a[1] is None else a[1][0] for a in answers]


def test_a_lagging_resource_is_404_until_its_time_then_served() -> None:
    clock = Clock()
    faults = ApiFaults(clock)
    faults.add("/sent-referral/1", ["api-lag=2s"])
    decision = faults.decide("/sent-referral/1")
    assert decision is not None and decision[1] is not None
    status, body, media_type = decision[1]
    assert (status, media_type) == (404, "application/problem+json")
    assert json.loads(body)["tidings-fault"] == "api-lag"
    clock.now += 1.9
    assert statuses(faults, "/sent-referral/1", 1) == [404]
    clock.now += 0.2
    assert statuses(faults, "/sent-referral/1", 3) == [200, 200, 200]
    assert faults.decide("/other") is None


def test_lag_by_requests_then_errors_at_their_rate_and_the_same_seed_the_same_answers() -> None:
    faults = ApiFaults(Clock())
    faults.add("/a", ["api-lag=2req", "api-error=0.5"], seed=3)
    first = statuses(faults, "/a", 40)
    assert first[:2] == [404, 404] and {200, 503} <= set(first[2:]) and 404 not in first[2:]
    faults.add("/a", ["api-lag=2req", "api-error=0.5"], seed=3)
    assert statuses(faults, "/a", 40) == first
    faults.add("/a", ["api-lag=2req", "api-error=0.5"], seed=4)
    assert statuses(faults, "/a", 40) != first


def test_slow_answers_wait_within_the_range_and_a_reset_forgets_every_fault() -> None:
    faults = ApiFaults(Clock())
    faults.add("/a", ["api-slow=100-300ms"])
    waits = [faults.decide("/a") for _ in range(50)]
    assert all(w is not None and 0.1 <= w[0] <= 0.3 and w[1] is None for w in waits)
    faults.reset()
    assert faults.decide("/a") is None and not faults
