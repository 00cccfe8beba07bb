"""`tidings play` as a user runs it: a timeline and summary, JSON lines, and every kind of bad input → exit 2
with file:line and a hint, before any engine starts."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tidings.cli.app import app

runner = CliRunner()
WIDE = {"COLUMNS": "220"}


def tidings(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=WIDE)
    return result.exit_code, result.stdout, result.stderr


def fixtures(tmp_path: Path, text: str) -> str:
    (tmp_path / "scenarios").mkdir(exist_ok=True)
    (tmp_path / "scenarios" / "mine.yaml").write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return str(tmp_path)


def test_play_prints_the_timeline_and_the_summary() -> None:
    code, out, _ = tidings(
        "play", "referral-lifecycle", "--param", "crn=X123456", "--seed", "7", "--fault", "duplicate=0.3"
    )
    assert code == 0, out
    assert "referral-lifecycle  seed 7  14 events  faults: republish=0.3" in out
    for column in ("time", "step", "eventType", "CRN", "MessageId", "fault", "queues"):
        assert column in out
    assert "intervention.referral.concluded" in out and "X123456" in out and "republish" in out
    assert "emitted 14 events" in out and "--no-wait" in out
    assert "✓ intervention-events: delivered" in out


def test_play_json_lines_are_the_run_events() -> None:
    code, out, _ = tidings("play", "referral-withdrawn", "--json", "--seed", "1", "--fault", "drop=1")
    assert code == 0
    events = [json.loads(line) for line in out.splitlines()]
    assert events[0]["type"] == "RunStarted" and events[-1]["type"] == "RunFinished"
    drops = [e for e in events if e["type"] == "FaultInjected"]
    assert len(drops) == 4 and {e["kind"] for e in drops} == {"drop"}
    assert events[-1]["summary"]["published"] == 0


def test_a_long_timeline_is_cut_in_the_middle() -> None:
    code, out, _ = tidings("play", "caseload", "--param", "count=3", "--rows", "6", "--seed", "2")
    assert code == 0 and "36 more rows" in out and "emitted 42 events" in out


@pytest.mark.parametrize(
    ("args", "message", "hint"),
    [
        (["referal-lifecycle"], "unknown scenario 'referal-lifecycle'", "did you mean referral-lifecycle"),
        (
            ["referral-lifecycle", "-p", "crm=X123456"],
            "referral-lifecycle.yaml:7: scenario 'referral-lifecycle' has no parameter 'crm'",
            "did you mean crn?",
        ),
        (["referral-lifecycle", "-p", "crn"], "--param 'crn' is not NAME=VALUE", "--param crn=X123456"),
        (["caseload", "-p", "count=lots"], "caseload.yaml:8: parameter 'count' is an integer", "count=100"),
        (["referral-lifecycle", "--fault", "duplicate=2"], "bad fault 'duplicate=2'", "republish=0.2"),
        (["referral-lifecycle", "--fault", "jitter=2s"], "unknown fault 'jitter'", "delay=0-3s"),
        (["referral-lifecycle", "--speed", "0"], "--speed 0 is outside 0.001..1,000,000", "--speed 60"),
        (["referral-lifecycle", "--start-at", "soon"], "start time 'soon' is not an ISO-8601", "2024-01-01T09:00Z"),
        (["referral-lifecycle", "--fault", "poison=1:rotten"], "unknown poison kind 'rotten'", "malformed"),
    ],
)
def test_bad_input_exits_2_with_a_hint(args: list[str], message: str, hint: str) -> None:
    code, out, err = tidings("play", *args)
    assert code == 2, out + err
    assert message in err and "hint:" in err and hint in err
    assert "Traceback" not in out + err


@pytest.mark.parametrize(
    ("scenario", "where", "message", "hint"),
    [
        (  # a template referring to a missing step
            """
            name: mine
            steps:
              - include: referral-sent
              - emit: intervention.referral.assigned
                data:
                  additionalInformation.referralId: "{{ steps.snet.referralId }}"
            """,
            "mine.yaml:6: step #2 (intervention.referral.assigned)",
            "no step named 'snet' above this one",
            "did you mean steps.sent?",
        ),
        (  # a step emitting an unknown event type
            """
            name: mine
            steps:
              - emit: intervention.referral.snet
            """,
            "mine.yaml:3: step #1 (intervention.referral.snet)",
            "unknown event type 'intervention.referral.snet'",
            "intervention.referral.sent",
        ),
        (  # a value failing its schema
            """
            name: mine
            steps:
              - emit: intervention.referral.concluded
                data:
                  additionalInformation.deliveryState: FINISHED
            """,
            "mine.yaml:3: step #1 (intervention.referral.concluded): /additionalInformation/deliveryState",
            "does not match its contract",
            "tidings contracts show intervention.referral.concluded",
        ),
        (  # an unknown key
            """
            name: mine
            steps:
              - emit: intervention.referral.sent
                aftr: 2s
            """,
            "mine.yaml:4: step #1 (intervention.referral.sent)",
            "unknown key 'aftr'",
            "did you mean 'after'?",
        ),
        (  # an include cycle
            """
            name: mine
            steps:
              - include: mine
            """,
            "mine.yaml:3: step #1",
            "include cycle: mine → mine",
            "cannot include itself",
        ),
    ],
)
def test_bad_scenarios_exit_2_with_file_line_and_hint(
    tmp_path: Path, scenario: str, where: str, message: str, hint: str
) -> None:
    code, out, err = tidings("play", "mine", "--fixtures", fixtures(tmp_path, scenario))
    assert code == 2, out + err
    assert where in err and message in err and hint in err


def test_speed_and_no_wait_together_is_bad_usage() -> None:
    code, _, err = tidings("play", "referral-sent", "--speed", "60", "--no-wait")
    assert code == 2 and "not both" in err


def test_a_narrow_terminal_gets_a_compact_timeline() -> None:
    result = runner.invoke(app, ["play", "referral-sent", "--seed", "1"], env={"COLUMNS": "100"})
    assert result.exit_code == 0
    assert "MessageIds shortened: --json has them in full" in result.stdout
    assert "referral.sent" in result.stdout and "intervention.referral.sent" not in result.stdout


def test_start_at_places_the_run_and_the_header_says_how_to_replay_it() -> None:
    code, out, _ = tidings("play", "referral-withdrawn", "--seed", "5", "--start-at", "2024-01-01T09:00Z", "--json")
    assert code == 0, out
    events = [json.loads(line) for line in out.splitlines()]
    published = [e for e in events if e["type"] == "EventPublished"]
    assert published[0]["at"].startswith("2024-01-01T09:00:00")
    code, out, _ = tidings("play", "referral-sent", "--seed", "5")
    assert code == 0 and "(replay: --seed 5 --start-at " in out
