"""The registry's configurable naming rule over the imported sample of the real registry."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from tidings.cli.app import app
from tidings.contracts.asyncapi.importer import import_paths
from tidings.contracts.registry.loader import load_registry
from tidings.contracts.registry.naming import naming_counts, naming_findings

REGISTRY = Path(__file__).parents[2] / "data" / "registry" / "hmpps-domain-events"


@pytest.fixture
def imported(tmp_path: Path) -> Path:
    into = tmp_path / "registry"
    import_paths([REGISTRY], into)
    return into


def _rules(findings, event_type: str) -> set[str]:
    return {f.rule for f in findings if f.event_type == event_type}


def test_misaligned_names_are_found(imported: Path) -> None:
    findings = naming_findings(load_registry(imported))
    assert "kebab-case" in _rules(findings, "adjudication.hearingCompleted.created")
    assert "past-tense" in _rules(findings, "prison-offender-events.prisoner.cell.move")
    assert "segments" in _rules(findings, "prison-visit.booked")
    assert "producer-prefix" in _rules(findings, "intervention.referral.ended")
    assert any(f.rule == "one-concept" and "intervention, interventions" in f.message for f in findings)
    assert sum(naming_counts(findings).values()) == len(findings)


def test_the_rule_is_configurable(imported: Path) -> None:
    index = yaml.safe_load((imported / "registry.yaml").read_text())
    index["naming"] = {
        "segments": [2, 5],
        "allow": ["complete", "move"],
        "prefixes": {"refer-and-monitor": ["intervention"]},
    }
    (imported / "registry.yaml").write_text(yaml.safe_dump(index))
    findings = naming_findings(load_registry(imported))
    assert "segments" not in _rules(findings, "prison-visit.booked")
    assert "past-tense" not in _rules(findings, "prison-offender-events.prisoner.cell.move")
    assert "producer-prefix" not in _rules(findings, "intervention.referral.ended")


def test_cli_warns_with_counts_and_strict_fails(imported: Path) -> None:
    runner = CliRunner()
    warned = runner.invoke(app, ["contracts", "lint", "--registry", str(imported)])
    assert warned.exit_code == 0 and "warning: adjudication.hearingCompleted.created" in warned.output
    assert "naming warning(s) over" in warned.output.splitlines()[-1]
    strict = runner.invoke(app, ["contracts", "lint", "--registry", str(imported), "--strict"])
    assert strict.exit_code == 1 and "error: " in strict.output


def test_list_one_producer_of_a_registry(imported: Path) -> None:
    runner = CliRunner()
    listed = runner.invoke(
        app, ["contracts", "list", "--registry", str(imported), "--producer", "refer-and-monitor", "--json"]
    )
    assert listed.exit_code == 0, listed.output
    assert "intervention.referral.ended" in listed.output and "prison-visit.booked" not in listed.output
    unknown = runner.invoke(app, ["contracts", "list", "--registry", str(imported), "--producer", "nobody"])
    assert unknown.exit_code == 2
