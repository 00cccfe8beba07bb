"""`tidings asyncapi import|export` through the CLI: reports, exit codes, files written."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

from tidings.cli.app import app
from tidings.contracts.asyncapi.schema_check import asyncapi_errors

REGISTRY = Path(__file__).parents[1] / "data" / "registry" / "hmpps-domain-events"
TOPOLOGY = Path(__file__).parents[2] / "fixtures" / "topology.yaml"
runner = CliRunner()


def test_import_reports_per_file_and_exports_again(tmp_path: Path) -> None:
    into = tmp_path / "registry"
    result = runner.invoke(
        app, ["asyncapi", "import", str(REGISTRY / "spec"), str(REGISTRY / "schema"), "--into", str(into), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    assert "short form `referralId: string` read as {type: string}" in result.output
    assert "0 refused" in result.output.splitlines()[-1]
    again = runner.invoke(app, ["asyncapi", "import", str(REGISTRY), "--into", str(into)])
    assert again.exit_code == 2 and "not empty" in again.output
    out = tmp_path / "all.yaml"
    exported = runner.invoke(
        app,
        [
            "asyncapi",
            "export",
            "--registry",
            str(into),
            "--producer",
            "refer-and-monitor",
            "--topology",
            str(TOPOLOGY),
            "--out",
            str(out),
        ],
    )
    assert exported.exit_code == 0, exported.output
    doc = yaml.safe_load(out.read_text())
    assert asyncapi_errors(doc) == []
    assert {m["name"] for m in doc["components"]["messages"].values()} >= {"intervention.referral.ended"}
    assert any(op["action"] == "receive" for op in doc["operations"].values())


def test_import_exits_1_when_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "bad.yml").write_text("name: [\n")
    result = runner.invoke(app, ["asyncapi", "import", str(tmp_path / "bad.yml"), "--into", str(tmp_path / "out")])
    assert result.exit_code == 1 and "refused" in result.output


def test_bad_ref_base_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["asyncapi", "import", str(REGISTRY), "--into", str(tmp_path / "o"), "--ref-base", "nope"]
    )
    assert result.exit_code == 2 and "URL=DIR" in result.output


def test_a_path_that_is_not_a_file_is_named_for_what_it_is(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "registry.fifo"
    os.mkfifo(fifo)
    result = runner.invoke(app, ["asyncapi", "import", str(fifo), "--into", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert "is a FIFO (named pipe), expected a regular file" in result.output
