"""`tidings pact lint|verify` on HTTP interactions, as a user runs them: exit codes, pointers, JUnit."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from http_pact_support import (
    REFERRAL_ID,
    SENT_STATE,
    write_http_pact,
    write_unknown_state_http_pact,
    write_wrong_http_pact,
)
from typer.testing import CliRunner

from tidings.cli.app import app


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_http_pact(tmp_path_factory.mktemp("good"))


@pytest.fixture(scope="module")
def wrong(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_wrong_http_pact(tmp_path_factory.mktemp("wrong"))


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["pact", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_lint_a_mixed_pact_that_keeps_the_contracts_exits_0(good: Path) -> None:
    code, output = run("lint", str(good))
    assert code == 0, output
    assert "(V4, 1 message interaction(s), 2 HTTP interaction(s))" in output
    assert (
        f"'a request for a sent referral' → GET /sent-referral/{REFERRAL_ID} → "
        "sent-referral v1 (/sent-referral/{referralId})"
    ) in output
    assert "3 interaction(s) in 1 pact(s)" in output and "0 failed" in output


def test_lint_a_wrong_field_path_and_matcher_exits_1_with_pointers(wrong: Path) -> None:
    code, output = run("lint", str(wrong))
    assert code == 1
    assert "error /serviceUser: sent-referral v1 (/sent-referral/{referralId}) has no field /serviceUser" in output
    assert "did you mean /serviceUserCRN?" in output
    assert f"error request/path: GET /sent-referal/{REFERRAL_ID} maps to no resource" in output
    assert "error /relevantSentenceId: example value breaks the contract: wrong type (expected integer" in output
    assert "5 interaction(s) in 1 pact(s): 1 OK, 1 with warnings, 3 failed" in output


def test_lint_json_lists_http_interactions_with_their_resource(wrong: Path) -> None:
    code, output = run("lint", str(wrong), "--json")
    assert code == 1
    [file] = json.loads(output)["files"]
    by_description = {check["description"]: check for check in file["httpInteractions"]}
    typo = by_description["a path with a typo"]
    assert (typo["resource"], typo["ok"], typo["findings"][0]["pointer"]) == (None, False, "request/path")
    assert by_description["a referral no state created"]["template"] == "/sent-referral/{referralId}"


def test_verify_a_good_mixed_pact_exits_0_with_one_junit_file(good: Path, tmp_path: Path) -> None:
    junit = tmp_path / "pact.xml"
    code, output = run("verify", str(good), "--junit", str(junit))
    assert code == 0, output
    assert (
        f"PASS a request for a sent referral [given {SENT_STATE}] → GET /sent-referral/{REFERRAL_ID} (sent-referral v1)"
    ) in output
    assert f"PASS a referral sent event [given {SENT_STATE}] → intervention.referral.sent v1" in output
    assert "3 interaction(s): 3 passed, 0 failed" in output
    root = ET.parse(junit).getroot()
    assert (root.get("tests"), root.get("failures")) == ("3", "0")


def test_verify_a_wrong_pact_exits_1_saying_what_differs(wrong: Path) -> None:
    code, output = run("verify", str(wrong))
    assert code == 1
    assert "FAIL a referral with a field the producer never sends" in output
    assert "$: Actual map is missing the following keys: serviceUser" in output
    assert "Expected 'X246813' (String) to be equal to 'X999999' (String)" in output
    assert "5 interaction(s): 0 passed, 5 failed" in output


def test_verify_an_unknown_state_exits_2_naming_the_known_states(tmp_path: Path) -> None:
    code, output = run("verify", str(write_unknown_state_http_pact(tmp_path)))
    assert code == 2
    assert "needs unknown provider state 'a referral was teleported'" in output
    assert "known states: 'a referral has been assigned', " in output and f"'{SENT_STATE}'" in output
