"""The example consumer's pact, end to end as CI runs it: its pact test writes the pact (in a subprocess, as
`pytest` in the example's folder): three messages and three HTTP reads of the referral behind detailUrl, in one
file; then `tidings pact lint` and `tidings pact verify` both pass on it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from tidings.cli.app import app

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "probation-case-consumer"


def test_the_example_consumers_pact_lints_and_verifies(tmp_path: Path) -> None:
    pacts = tmp_path / "pacts"
    written = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "tests/test_pact.py", "--tidings-pact-dir", str(pacts)],
        cwd=EXAMPLE,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert written.returncode == 0, written.stdout + written.stderr
    (pact_file,) = pacts.glob("*.json")
    assert pact_file.name == "probation-case-consumer-hmpps-interventions-service.json"
    kinds = [interaction["type"] for interaction in json.loads(pact_file.read_text())["interactions"]]
    assert sorted(kinds) == ["Asynchronous/Messages"] * 3 + ["Synchronous/HTTP"] * 3

    lint = CliRunner().invoke(app, ["pact", "lint", str(pacts)])
    assert lint.exit_code == 0, lint.output
    assert "(V4, 3 message interaction(s), 3 HTTP interaction(s))" in lint.output
    assert "6 interaction(s) in 1 pact(s)" in lint.output and "0 failed" in lint.output

    verify = CliRunner().invoke(app, ["pact", "verify", str(pacts)])
    assert verify.exit_code == 0, verify.output
    assert "PASS a request for the referral, assigned [given a referral has been assigned]" in verify.output
    assert "6 interaction(s): 6 passed, 0 failed" in verify.output
