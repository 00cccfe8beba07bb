"""Regex matchers that cannot work are found by `pact lint` before `pact verify` fails them, and a pattern that
backtracks catastrophically is never run on an example (lint stays fast)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from pact_support import write_good_pact
from typer.testing import CliRunner

from tidings.cli.app import app
from tidings.contracts.pact.matchers import regex_accepts
from tidings.contracts.pact.model import HttpInteraction
from tidings.contracts.pact.regex_lint import regex_findings, regex_problem


@pytest.mark.parametrize(
    ("pattern", "severity", "says"),
    [
        ("(", "error", "does not compile"),
        ("[z-a]", "error", "does not compile"),
        ("(?=x)y", "error", "lookaround"),
        ("(?<!x)y", "error", "lookaround"),
        (r"(a)\1", "error", "backreferences"),
        ("a" * 1001, "error", "longer than 1,000"),
        ("(a+)+$", "warning", "catastrophic"),
        (r"^(\w+\s?)*$", "warning", "catastrophic"),
        ("(?:x*|y)*", "warning", "catastrophic"),
    ],
)
def test_patterns_that_cannot_work_are_named(pattern: str, severity: str, says: str) -> None:
    problem = regex_problem(pattern)
    assert problem is not None and problem[0] == severity and says in problem[1]


@pytest.mark.parametrize("pattern", [r"^[A-Z][0-9]{6}$", "(a+){2}", r"^https?://.+/x/[0-9a-f-]{36}$", "(ab)*c+"])
def test_ordinary_patterns_pass(pattern: str) -> None:
    assert regex_problem(pattern) is None


def test_a_catastrophic_pattern_is_not_run_on_an_example() -> None:
    started = time.process_time()
    assert regex_accepts("^(a+)+$", "a" * 40 + "!") is None  # Python's re would take minutes on this
    assert time.process_time() - started < 1


@pytest.mark.parametrize(("pattern", "code", "says"), [("(", 1, "does not compile"), ("(a+)+$", 0, "catastrophic")])
def test_pact_lint_reports_the_matcher_with_its_path(tmp_path: Path, pattern: str, code: int, says: str) -> None:
    pact = json.loads(write_good_pact(tmp_path / "written").read_text())
    pact["interactions"][0]["matchingRules"]["body"]["$.detailUrl"]["matchers"][0]["regex"] = pattern
    path = tmp_path / "pact.json"
    path.write_text(json.dumps(pact))
    result = CliRunner().invoke(app, ["pact", "lint", str(path)])
    assert result.exit_code == code, result.output
    assert f"$.detailUrl: regex {pattern!r} " in result.output and says in result.output
    assert "Traceback" not in result.output


def test_an_http_interaction_s_path_and_body_patterns_are_linted_too() -> None:
    interaction = HttpInteraction(
        "a referral",
        path="/sent-referral/8f4c2a3e-6b1d-4f7a-9c2e-1d3b5a7c9e0f",
        body={"serviceUserCRN": "X123456"},
        body_rules={"$.serviceUserCRN": [{"match": "regex", "regex": "(?=X)X[0-9]+"}]},
        path_rules=[{"match": "regex", "regex": "(/sent-referral/"}],
    )
    found = {(finding.pointer, finding.severity) for finding in regex_findings(interaction)}
    assert found == {("request/path", "error"), ("$.serviceUserCRN", "error")}
