"""Registry commands: `contracts check --registry` proves moves are drop-ins; `contracts validate` over several
catalogues (or a registry) routes each event to its producer's contract by eventType."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml
from typer.testing import CliRunner

from tests.catalog_edits import edit
from tests.registry_support import MOVED, moved_registry, second_producer
from tidings.cli.app import app
from tidings.contracts import SHIPPED_CATALOG, load_catalog

runner = CliRunner()


def test_check_registry_passes_a_drop_in_move_and_fails_a_broken_one(tmp_path: Path) -> None:
    root = moved_registry(tmp_path / "registry")
    result = runner.invoke(app, ["contracts", "check", "--registry", str(root)])
    assert result.exit_code == 0, result.output
    assert "1 moved contract(s) checked" in result.output and "0 not a drop-in" in result.output
    edit(
        root / "new-service" / "events" / MOVED / "v1.yaml",
        "required: [deliveryState,",
        "required: [withdrawalCode, deliveryState,",
    )
    result = runner.invoke(app, ["contracts", "check", "--registry", str(root), "--json"])
    assert result.exit_code == 1
    [verdict] = json.loads(result.output)
    assert verdict["dropIn"] is False and verdict["to"] == "new-service"
    assert any(reason.startswith("/additionalInformation/withdrawalCode") for reason in verdict["reasons"])


def _accommodation(root: Path) -> Path:
    other = second_producer(root, "accommodation", "intervention.referral.sent")
    shutil.move(other / "events" / "intervention.referral.sent", other / "events" / "accommodation.booking.made")
    index = yaml.safe_load((other / "catalog.yaml").read_text())
    index["events"] = ["accommodation.booking.made"]
    (other / "catalog.yaml").write_text(yaml.safe_dump(index))
    schema = other / "events" / "accommodation.booking.made" / "v1.yaml"
    schema.write_text(schema.read_text().replace("intervention.referral.sent", "accommodation.booking.made"))
    return other


def test_validate_routes_each_event_to_its_producer(tmp_path: Path) -> None:
    other = _accommodation(tmp_path)
    ours = load_catalog().example("intervention.referral.sent")
    theirs = {**ours, "eventType": "accommodation.booking.made"}
    files = []
    for name, event in (("ours", ours), ("theirs", theirs), ("bad", {**theirs, "occurredAt": "yesterday"})):
        files.append(tmp_path / f"{name}.json")
        files[-1].write_text(json.dumps(event))
    command = ["contracts", "validate", "--contracts", str(SHIPPED_CATALOG), "--contracts", str(other)]
    result = runner.invoke(app, [*command, *map(str, files[:2])])
    assert result.exit_code == 0, result.output
    assert "OK accommodation.booking.made v1" in result.output and "OK intervention.referral.sent v1" in result.output
    result = runner.invoke(app, [*command, str(files[2])])
    assert result.exit_code == 1 and "/occurredAt" in result.output
    alone = runner.invoke(app, ["contracts", "validate", str(files[1])])
    assert alone.exit_code == 2 and "accommodation.booking.made" in alone.output
