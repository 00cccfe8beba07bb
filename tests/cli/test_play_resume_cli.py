"""`tidings play --from N` and the resume hint of a run that stopped: the command it gives keeps everything the
user typed and replaces --seed, --start-at and --from; a run resumed from N publishes the plan's events N+1.."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from typer.testing import CliRunner

from tidings.cli.app import app
from tidings.cli.play_progress import RunProgress, resume_command
from tidings.simulator.engine.publisher import PublishFailed
from tidings.simulator.runs.events import EventPublished, FaultInjected, RunEvent, RunStarted

runner = CliRunner()
REPLAY = ["--seed", "7", "--start-at", "2024-01-01T09:00Z"]


def _json_run(*args: str) -> list[dict[str, object]]:
    result = runner.invoke(app, ["play", "referral-lifecycle", "--json", *REPLAY, *args])
    assert result.exit_code == 0, result.stdout + result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def _published(events: list[dict[str, object]]) -> list[tuple[object, ...]]:
    return [(e["seq"], e["at"], e["event_type"], e["crn"]) for e in events if e["type"] == "EventPublished"]


def test_from_n_publishes_the_events_after_the_first_n_of_the_same_run() -> None:
    full, rest = _json_run(), _json_run("--from", "10")
    assert rest[0]["resumed_from"] == 10 and rest[0]["total_events"] == 4
    assert _published(rest) == _published(full)[10:]


def test_the_header_and_summary_say_the_run_resumed() -> None:
    result = runner.invoke(app, ["play", "referral-lifecycle", *REPLAY, "--from", "12"], env={"COLUMNS": "220"})
    assert result.exit_code == 0, result.stdout
    assert "2 events (resumed from event 12: the rest of 14)" in result.stdout
    assert "emitted 2 events (resumed from event 12: the rest of 14)" in result.stdout


def test_from_beyond_the_plan_or_below_0_is_one_error_line_and_exit_2() -> None:
    beyond = runner.invoke(app, ["play", "referral-lifecycle", *REPLAY, "--from", "15"])
    assert beyond.exit_code == 2
    assert beyond.stderr.startswith("error: --from 15: scenario 'referral-lifecycle' has only 14 events")
    below = runner.invoke(app, ["play", "referral-lifecycle", "--from", "-1"])
    assert below.exit_code == 2 and "'--from'" in below.stderr and "hint:" in below.stderr


def test_the_resume_command_replaces_the_replay_options_in_either_spelling() -> None:
    argv = ["play", "caseload", "-p", "count=5", "--seed=3", "--from", "9", "--start-at", "2020-01-01T00:00Z", "--json"]
    assert resume_command(argv, 11, "2024-01-01T09:00:00+00:00", 40) == (
        "tidings play caseload -p count=5 --json --seed 11 --start-at 2024-01-01T09:00:00+00:00 --from 40"
    )


def _started(total: int, resumed_from: int = 0) -> RunStarted:
    at = datetime(2024, 1, 1, tzinfo=UTC)
    return RunStarted("r", "caseload", 11, {}, "none", total, at, "e", "b", resumed_from=resumed_from)


def _published_event(seq: int, fault: str | None = None) -> EventPublished:
    return EventPublished(seq, datetime(2024, 1, 1, tzinfo=UTC), "s", "t", None, f"m{seq}", "t", fault)


def _stopping(events: list[RunEvent]) -> Iterator[RunEvent]:
    yield from events
    raise PublishFailed("t", "{}", "EndpointConnectionError: Could not connect", 4)


def test_a_run_that_stops_says_what_was_confirmed_and_resumes_after_the_settled_prefix() -> None:
    drop = FaultInjected(3, datetime(2024, 1, 1, tzinfo=UTC), "s", "t", None, "drop", "dropped")
    run = [
        _started(8, resumed_from=2),
        _published_event(4),
        drop,
        _published_event(4, "republish"),
        _published_event(6),
    ]
    progress = RunProgress(_stopping(run))
    try:
        for _ in progress:
            pass
    except PublishFailed as failed:
        error = progress.stopped(failed, ["play", "caseload", "--seed", "1"])
    assert error.message == (
        "published 2 of 8 events of caseload (seed 11, resumed from event 2, 1 dropped by the drop fault), then the "
        "run stopped: publishing t failed after 4 attempts: EndpointConnectionError: Could not connect"
    )
    # Events 3 and 4 settled (dropped, published): the rest starts after 4; 6 went out ahead and goes again.
    assert progress.settled == 4 and progress.ahead == 1
    assert error.hint is not None and error.hint.endswith(
        "publish the other 6 events (1 of them went out ahead of event 5, by the reorder or delay fault, and will be "
        "published again) with: tidings play caseload --seed 11 --start-at 2024-01-01T00:00:00+00:00 --from 4"
    )


def test_an_engine_that_stops_taking_publishes_mid_run_is_exit_2_with_the_count_and_the_command_for_the_rest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tidings.simulator.engine.publisher import Publisher

    real = Publisher.publish_many
    calls = {"n": 0}

    def two_batches_then_gone(self: Publisher, events: Any, *, validate: bool = True) -> Any:
        calls["n"] += 1
        if calls["n"] > 2:
            raise PublishFailed("t", "{}", "EndpointConnectionError: Could not connect to the endpoint URL", 4)
        return real(self, events, validate=validate)

    monkeypatch.setattr(Publisher, "publish_many", two_batches_then_gone)
    args = ["play", "caseload", "-p", "count=3", *REPLAY]
    monkeypatch.setattr("sys.argv", ["tidings", *args])  # what the hint repeats (the runner does not set it)
    result = runner.invoke(app, args, env={"COLUMNS": "220"})
    assert result.exit_code == 2, result.stdout + result.stderr
    lines = result.stderr.splitlines()
    assert lines[0] == (
        "error: published 20 of 42 events of caseload (seed 7), then the run stopped: publishing t failed after 4 "
        "attempts: EndpointConnectionError: Could not connect to the endpoint URL"
    )
    assert lines[1] == (
        "hint: once the engine is back (e.g. `tidings up`), publish the other 22 events with: tidings play caseload "
        "-p count=3 --seed 7 --start-at 2024-01-01T09:00:00+00:00 --from 20"
    )
    assert len(lines) == 2 and "Traceback" not in result.output
