"""`tidings scenarios list|show|validate`."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tidings.cli.app import app

runner = CliRunner()


def tidings(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


def test_list_shows_the_shipped_scenarios() -> None:
    code, out, _ = tidings("scenarios", "list")
    assert code == 0
    for name in (
        "referral-lifecycle",
        "referral-withdrawn",
        "referral-prematurely-ended",
        "missed-sessions",
        "caseload",
    ):
        assert name in out
    code, out, _ = tidings("scenarios", "list", "--json")
    listed = {item["name"]: item for item in json.loads(out)}
    assert listed["caseload"]["params"] == ["count"] and listed["caseload"]["source"] == "shipped"


def test_show_expands_includes() -> None:
    code, out, _ = tidings("scenarios", "show", "referral-lifecycle")
    assert code == 0
    assert "include referral-sent" in out and "intervention.referral.sent" in out
    assert "{{ faker.crn() }}" in out and "+3d 00:00:00" in out


def test_validate_every_scenario() -> None:
    code, out, _ = tidings("scenarios", "validate")
    assert code == 0
    assert "ok    referral-lifecycle: 14 events" in out and "ok    caseload: 1400 events" in out


def test_validate_reports_a_broken_scenario_and_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text("name: broken\nsteps:\n  - emit: intervention.referral.sent\n    data: {crn: nope}\n", "utf-8")
    code, out, err = tidings("scenarios", "validate", str(bad), "referral-sent")
    assert code == 1
    assert "FAIL" in err and "broken.yaml:3" in err and "/personReference/identifiers/0/value" in err
    assert "ok    referral-sent" in out


def test_validate_an_unknown_name_is_bad_usage() -> None:
    code, _, err = tidings("scenarios", "validate", "nope-nope")
    assert code == 2 and "unknown scenario" in err


def test_show_lists_the_provider_states_a_scenario_provides() -> None:
    code, out, _ = tidings("scenarios", "show", "session-attended")
    assert code == 0
    assert "provides (pact provider states, for `tidings pact verify`):" in out
    assert "'a session has been attended'" in out and "'session feedback has been submitted'" in out
    code, out, _ = tidings("scenarios", "show", "caseload")
    assert code == 0 and "provides" not in out


def test_a_bad_provides_is_bad_usage_naming_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: bad\nprovides: a referral has been sent\nsteps:\n  - emit: intervention.referral.sent\n", "utf-8"
    )
    code, out, err = tidings("scenarios", "show", "bad", "--fixtures", str(tmp_path))
    assert code == 2
    assert f"error: {bad}:2: `provides:` is a list of provider state names" in out + err
    assert "Traceback" not in out + err
