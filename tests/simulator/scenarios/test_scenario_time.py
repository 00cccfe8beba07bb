"""Where a run sits in time: by default it ends now (no occurredAt in the future), however long and however
interleaved; `start_at` (argument or the scenario's own key) places it exactly, and the same seed and start give
byte-identical events."""

from __future__ import annotations

import json
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tidings.contracts import Catalog, load_catalog
from tidings.contracts.errors import UsageError
from tidings.simulator.scenarios.clock import interleaved_end, parse_start
from tidings.simulator.scenarios.loader import ScenarioLibrary
from tidings.simulator.scenarios.model import ScenarioError
from tidings.simulator.scenarios.plan import Plan

BASE = "http://127.0.0.1:9999"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def shipped() -> ScenarioLibrary:
    return ScenarioLibrary()


@pytest.mark.parametrize(
    ("name", "params"), [("referral-lifecycle", {}), ("missed-sessions", {}), ("caseload", {"count": "45"})]
)
def test_by_default_the_last_event_is_now_and_none_is_in_the_future(
    shipped: ScenarioLibrary, catalog: Catalog, name: str, params: dict[str, str]
) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    plan = Plan(shipped.load(name), catalog, params=params, seed=3, base_url=BASE)
    times = [event.occurred_at for event in plan.events()]
    after = datetime.now(UTC)
    assert max(times) <= after and max(times) >= before - timedelta(seconds=1)
    assert all(datetime.fromisoformat(e.event["occurredAt"]) <= after for e in plan.events())
    assert plan.start <= min(times) < before - timedelta(days=7)  # weeks of simulated time, all in the past


def test_the_same_seed_and_start_give_byte_identical_events(shipped: ScenarioLibrary, catalog: Catalog) -> None:
    def events(seed: int, start: datetime) -> list[str]:
        plan = Plan(shipped.load("referral-lifecycle"), catalog, seed=seed, base_url=BASE, start=start)
        return [json.dumps(e.event, sort_keys=True) for e in plan.events()]

    start = parse_start("2024-01-01T09:00Z")
    first = events(7, start)
    assert first == events(7, start)
    assert first != events(8, start) and first != events(7, start + timedelta(hours=1))
    assert json.loads(first[0])["occurredAt"] == "2024-01-01T09:00:00+00:00"


def test_a_scenarios_own_start_at_is_used_unless_a_start_is_given(tmp_path: Path, catalog: Catalog) -> None:
    (tmp_path / "mine.yaml").write_text(
        textwrap.dedent(
            """
            name: mine
            start_at: "2023-06-01T08:30:00+01:00"
            steps:
              - emit: intervention.referral.sent
              - emit: intervention.referral.assigned
                after: 2h
            """
        ).lstrip(),
        encoding="utf-8",
    )
    scenario = ScenarioLibrary([tmp_path]).load("mine")
    times = [e.event["occurredAt"] for e in Plan(scenario, catalog, seed=1, base_url=BASE).events()]
    assert times == ["2023-06-01T08:30:00+01:00", "2023-06-01T10:30:00+01:00"]
    given = Plan(scenario, catalog, seed=1, base_url=BASE, start=parse_start("2020-01-01"))
    assert given.start == datetime(2020, 1, 1, tzinfo=UTC)


def test_a_bad_start_at_is_named_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text(
        "name: mine\nstart_at: next tuesday\nsteps:\n  - emit: intervention.referral.sent\n", encoding="utf-8"
    )
    with pytest.raises(ScenarioError) as caught:
        ScenarioLibrary([tmp_path]).load("mine")
    assert f"{tmp_path / 'mine.yaml'}:2" in str(caught.value) and "2024-01-01T09:00Z" in (caught.value.hint or "")


@pytest.mark.parametrize("text", ["2024-01-01T09:00", "yesterday", "2024-13-01"])
def test_a_start_needs_an_iso_date_time_with_an_offset(text: str) -> None:
    with pytest.raises(UsageError):
        parse_start(text)


def test_interleaved_repetitions_end_when_the_last_slot_does() -> None:
    start, hour = datetime(2024, 1, 1, tzinfo=UTC), timedelta(hours=1)
    assert interleaved_end(start, hour, 10 * hour, 1, 5) == start + 11 * hour
    # 4 repetitions of 10 h, 2 at a time, starting an hour apart: the 3rd waits for the 1st to end (at 11 h).
    assert interleaved_end(start, hour, 10 * hour, 4, 2) == start + 22 * hour
    assert interleaved_end(start, hour, 10 * hour, 0, 2) == start
