"""The timeline folds run events into rows, keeps long runs bounded, and serialises to JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from tidings.simulator.runs.events import (
    DeliveryChecked,
    EventPublished,
    FaultInjected,
    RunFinished,
    RunStarted,
    RunSummary,
    to_json,
)
from tidings.simulator.runs.timeline import Timeline

START = datetime(2024, 1, 1, tzinfo=UTC)


def started() -> RunStarted:
    return RunStarted("r1", "s", 1, {"crn": "X1"}, "none", 3, START, "http://e", "http://a")


def published(seq: int, fault: str | None = None) -> EventPublished:
    at = START + timedelta(hours=seq)
    return EventPublished(seq, at, "s:#1", "t", "X1", f"m{seq}", f"t{seq}", fault, ("q",))


def test_rows_come_from_published_and_dropped_events() -> None:
    timeline = Timeline()
    timeline.add(started())
    timeline.add(published(1))
    timeline.add(FaultInjected(2, START + timedelta(days=1), "s:#2", "t", "X1", "drop", "dropped"))
    timeline.add(FaultInjected(3, START, "s:#3", "t", "X1", "duplicate", "duplicate"))  # shown on its row
    timeline.add(published(3, "duplicate"))
    rows = timeline.rows
    assert [(r.seq, r.message_id, r.fault) for r in rows] == [
        (1, "m1", None),
        (2, None, "drop"),
        (3, "m3", "duplicate"),
    ]
    assert rows[1].time == "+1d 00:00:00" and rows[0].time == "+01:00:00"


def test_a_long_run_keeps_only_its_first_and_last_rows() -> None:
    timeline = Timeline(keep=3)
    timeline.add(started())
    for seq in range(1, 101):
        timeline.add(published(seq))
    assert [r.seq for r in timeline.rows] == [1, 2, 3, 98, 99, 100]
    assert timeline.omitted == 94 and timeline.row_count == 100


def test_json_of_the_whole_run() -> None:
    timeline = Timeline()
    timeline.add(started())
    timeline.add(published(1))
    timeline.add(DeliveryChecked("q", 1, 1, True))
    timeline.add(RunFinished("r1", RunSummary(1, 1, {"t": 1}, {"q": 1}, {"q": 1}, {}, True, 0.5, timedelta(hours=1))))
    document = json.loads(json.dumps(timeline.to_json()))
    assert document["run"]["type"] == "RunStarted" and document["run"]["seed"] == 1
    assert document["rows"][0]["messageId"] == "m1" and document["rows"][0]["queues"] == ["q"]
    assert document["summary"]["simulated"] == 3600.0
    assert document["deliveries"] == [
        {
            "type": "DeliveryChecked",
            "queue": "q",
            "expected": 1,
            "received": 1,
            "complete": True,
            "message_ids": [],
            "observed": False,
        }
    ]


def test_every_run_event_serialises() -> None:
    assert to_json(published(1))["at"] == "2024-01-01T01:00:00+00:00"


def test_observed_delivery_replaces_the_queues_column_with_what_the_taps_received() -> None:
    timeline = Timeline()
    timeline.add(started())
    timeline.add(published(1))
    assert timeline.rows[0].queues == ("q",)
    timeline.add(DeliveryChecked("q", 1, 0, False, (), observed=True))
    timeline.add(DeliveryChecked("other", 0, 1, True, ("m1",), observed=True))
    assert timeline.rows[0].queues == ("other",)


def test_observed_delivery_of_a_long_run_fills_the_kept_rows() -> None:
    timeline = Timeline(keep=2)
    timeline.add(started())
    for seq in range(1, 11):
        timeline.add(published(seq))
    every = tuple(f"m{seq}" for seq in range(1, 11))
    timeline.add(DeliveryChecked("q", 10, 10, True, every, observed=True))
    timeline.add(DeliveryChecked("b", 2, 3, True, ("m10", "m2", "m10"), observed=True))  # m10 got twice
    assert [(r.seq, r.queues) for r in timeline.rows] == [
        (1, ("q",)),
        (2, ("b", "q")),
        (9, ("q",)),
        (10, ("b", "b", "q")),
    ]
    assert timeline.rows == timeline.rows and timeline.to_json()["omitted"] == 6
