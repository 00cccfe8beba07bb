"""Fault specs and the injector: parsing with helpful errors, determinism by seed, and a mark for every fault."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tidings.contracts import load_catalog
from tidings.contracts.errors import UsageError
from tidings.simulator.scenarios.faults import FaultInjector, FaultSet, Outgoing, parse_fault, poison_body

START = datetime(2024, 1, 1, tzinfo=UTC)


@dataclass
class Item:
    """Stands in for a PlannedEvent: what the injector reads."""

    seq: int
    occurred_at: datetime
    event: dict[str, Any]
    faults: FaultSet | None = None


def items(n: int, *, step: timedelta = timedelta(seconds=1), faults: FaultSet | None = None) -> list[Item]:
    catalog = load_catalog()
    return [
        Item(i, START + i * step, catalog.example("intervention.referral.sent", crn=f"X{i:06d}"), faults)
        for i in range(n)
    ]


def run(faults: str | list[str], n: int = 200, seed: int = 1, **kwargs: Any) -> list[Outgoing]:
    specs = FaultSet.parse([faults] if isinstance(faults, str) else faults)
    return list(FaultInjector(specs, seed).apply(items(n, **kwargs)))


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("duplicate=0.2", "republish=0.2"),
        ("duplicate", "republish=1"),
        ("republish=0.2", "republish=0.2"),
        ("redeliver=0.3", "redeliver=0.3"),
        ("poison=0.1:malformed", "poison=0.1:malformed"),
        ("poison=0.1:schema-invalid|wrong-type", "poison=0.1:invalid|unknown-type"),
        ("poison=0.1:malformed,invalid,unknown-version,unknown-type", "poison=0.1"),
        ("api-lag=2s", "api-lag=2s"),
        ("api-lag=3req", "api-lag=3req"),
        ("api-error=0.2", "api-error=0.2"),
        ("api-error=0.2:500", "api-error=0.2:500"),
        ("api-slow=0-500ms", "api-slow=0-0.5s"),
        ("drop=10%", "drop=0.1"),
        ("poison=0.05", "poison=0.05"),
        ("reorder=5", "reorder=5"),
        ("delay=0-3s", "delay=0-3s"),
        ("delay=500ms-2s", "delay=0.5-2s"),
        ("delay=2s", "delay=2-2s"),
    ],
)
def test_good_specs(text: str, shown: str) -> None:
    assert str(parse_fault(text)) == shown


@pytest.mark.parametrize(
    ("text", "message", "example"),
    [
        ("duplicate=2", "the rate 2 is not between 0 and 1", "republish=0.2"),
        ("poison=0.1:rotten", "unknown poison kind 'rotten'", "poison=0.1:malformed|invalid"),
        ("api-lag=soon", "a number of requests (3req)", "api-lag=2s"),
        ("api-error=0.2:404", "is not a 5xx", "api-error=0.2"),
        ("api-slow=2-1s", "runs backwards", "api-slow=0-500ms"),
        ("drop=lots", "must be a number", "drop=0.1"),
        ("reorder=1", "at least 2", "reorder=5"),
        ("reorder=x", "whole number", "reorder=5"),
        ("delay=3-1s", "runs backwards", "delay=0-3s"),
        ("delay=soon", "duration", "delay=0-3s"),
    ],
)
def test_bad_specs_say_why_and_show_a_good_one(text: str, message: str, example: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_fault(text)
    assert message in caught.value.message and example in (caught.value.hint or "")


def test_an_unknown_fault_kind_suggests_the_closest() -> None:
    with pytest.raises(UsageError) as caught:
        parse_fault("duplicat=0.1")
    assert "unknown fault 'duplicat'" in caught.value.message
    assert (caught.value.hint or "").startswith("did you mean duplicate?")


def test_no_faults_passes_everything_through_in_order() -> None:
    out = run([], n=20)
    assert [m.planned.seq for m in out] == list(range(20))
    assert all(m.kind == "event" and not m.marks for m in out)


def test_the_same_seed_injects_the_same_faults() -> None:
    spec = ["duplicate=0.2", "drop=0.1", "poison=0.1", "reorder=5", "delay=0-3s"]
    first = [(m.planned.seq, m.kind, tuple(m.marks)) for m in run(spec, seed=7)]
    again = [(m.planned.seq, m.kind, tuple(m.marks)) for m in run(spec, seed=7)]
    other = [(m.planned.seq, m.kind, tuple(m.marks)) for m in run(spec, seed=8)]
    assert first == again and first != other


def test_duplicates_repeat_the_same_event_right_after_it() -> None:
    out = run("duplicate=1", n=10)
    assert [m.kind for m in out] == ["event", "duplicate"] * 10
    assert all(out[i].planned is out[i + 1].planned for i in range(0, 20, 2))
    assert all(m.marks == ["republish"] for m in out[1::2])


def test_rates_are_roughly_honoured() -> None:
    kinds = Counter(m.kind for m in run("duplicate=0.2", n=2000))
    assert 300 < kinds["duplicate"] < 500


def test_drop_keeps_the_event_out_of_publishing_but_marks_it() -> None:
    out = run("drop=1", n=5)
    assert [m.kind for m in out] == ["drop"] * 5 and not any(m.published for m in out)


def test_poison_replaces_the_event_with_a_broken_body() -> None:
    out = run("poison=1", n=60)
    assert all(m.kind == "poison" and m.body for m in out)
    variants = [m.marks[0] for m in out]
    kinds = ["malformed", "invalid", "unknown-version", "unknown-type"]
    # All kinds in turn, never at random: each comes 15 times, one after the other, from a seeded start.
    assert Counter(variants) == {f"poison:{kind}": 15 for kind in kinds}
    start = kinds.index(variants[0].split(":")[1])
    assert variants[:8] == [f"poison:{kinds[(start + i) % 4]}" for i in range(8)]


def test_a_poison_kind_is_used_alone_when_named() -> None:
    out = run("poison=1:invalid", n=10)
    assert {m.marks[0] for m in out} == {"poison:invalid"}
    both = [m.marks[0] for m in run("poison=1:malformed|unknown-type", n=6, seed=3)]
    assert set(both) == {"poison:malformed", "poison:unknown-type"} and both[0] != both[1] and both[::2] == both[:1] * 3


def test_each_poison_variant_really_is_poison() -> None:
    catalog = load_catalog()
    event = catalog.example("intervention.referral.sent")
    with pytest.raises(json.JSONDecodeError):
        json.loads(poison_body(event, "malformed"))
    assert catalog.validate(poison_body(event, "invalid")) != []
    with pytest.raises(UsageError, match="version"):
        catalog.validate(poison_body(event, "unknown-version"))
    with pytest.raises(UsageError, match=r"tidings\.poison\.unknown-type"):
        catalog.validate(poison_body(event, "unknown-type"))


def test_reorder_shuffles_within_windows_and_marks_what_moved() -> None:
    out = run("reorder=5", n=50)
    seqs = [m.planned.seq for m in out]
    assert sorted(seqs) == list(range(50)) and seqs != list(range(50))
    for window in range(0, 50, 5):
        assert sorted(seqs[window : window + 5]) == list(range(window, window + 5))
    moved = [m for m in out if m.marks]
    assert moved and all(m.marks[0].startswith("reorder ") for m in moved)


def test_delay_publishes_in_order_of_occurred_at_plus_jitter() -> None:
    out = run("delay=0-3s", n=100)
    times = [m.publish_at for m in out]
    assert times == sorted(times)  # type: ignore[type-var]
    assert [m.planned.seq for m in out] != list(range(100))  # jitter larger than the gaps reorders some
    assert all(timedelta(0) <= m.publish_at - m.planned.occurred_at <= timedelta(seconds=3) for m in out)  # type: ignore[operator]
    assert all(m.marks[0].startswith("delay +") for m in out)


def test_a_step_fault_overrides_the_run_fault_of_the_same_kind() -> None:
    step = FaultSet.parse(["duplicate=0"])
    out = list(FaultInjector(FaultSet.parse(["duplicate=1"]), 1).apply(items(5, faults=step)))
    assert [m.kind for m in out] == ["event"] * 5


def test_a_fault_set_from_a_mapping() -> None:
    faults = FaultSet.parse({"duplicate": 0.5, "delay": "1-2s"})
    assert str(faults) == "republish=0.5, delay=1-2s"
    assert str(FaultSet()) == "none" and not FaultSet()


def test_redeliver_marks_the_event_itself_and_publishes_it_once() -> None:
    out = run("redeliver=1", n=5)
    assert [m.kind for m in out] == ["event"] * 5 and all(m.redeliver and m.marks == ["redeliver"] for m in out)
    some = run("redeliver=0.3", n=1000, seed=5)
    assert 230 < sum(m.redeliver for m in some) < 370
    assert [m.redeliver for m in some] == [m.redeliver for m in run("redeliver=0.3", n=1000, seed=5)]


def test_api_faults_ride_on_the_event_they_apply_to_and_are_marked() -> None:
    out = run(["api-lag=2s", "api-error=0.2:500"], n=3)
    assert all(m.kind == "event" for m in out)
    assert all([str(spec) for spec in m.api] == ["api-lag=2s", "api-error=0.2:500"] for m in out)
    assert all(m.marks == ["api-lag 2s", "api-error 0.2:500"] for m in out)


def test_adding_a_fault_leaves_the_draws_of_the_others_as_they_were() -> None:
    alone = [(m.planned.seq, m.kind) for m in run(["drop=0.2"], seed=4)]
    with_api = [(m.planned.seq, m.kind) for m in run(["drop=0.2", "api-slow=0-1s"], seed=4)]
    assert alone == with_api
