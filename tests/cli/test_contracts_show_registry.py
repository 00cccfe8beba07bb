"""`tidings contracts show` over a registry: the contract of the producer that owns the event type, named in the
output; an event type no producer emits is one `error:` line naming the close matches, exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.multi_producer import BOOKING, MULTI, SECOND, SENT, SHIPPED_CATALOG
from tests.registry_support import MOVED, moved_registry
from tidings.cli.app import app

runner = CliRunner()


def _show(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, ["contracts", "show", *args], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    "options",
    [["--registry", str(MULTI)], ["--contracts", str(SHIPPED_CATALOG), "--contracts", str(SECOND)]],
    ids=["registry", "two-contracts"],
)
def test_show_takes_each_contract_from_its_producer(options: list[str]) -> None:
    code, out, err = _show(BOOKING, *options, "--json")
    assert code == 0, err
    booking = json.loads(out)
    assert (booking["producer"], booking["eventType"]) == ("approved-premises", BOOKING)
    assert booking["source"].startswith(str(SECOND))
    code, out, err = _show(SENT, *options)
    assert code == 0, err
    assert "producer: hmpps-interventions-service" in out
    assert "/additionalInformation/referralId" in out


def test_the_registry_comes_from_tidings_registry() -> None:
    code, out, err = _show(BOOKING, env={"TIDINGS_REGISTRY": str(MULTI)})
    assert code == 0, err
    assert "producer: approved-premises" in out


def test_an_event_type_no_producer_emits_names_the_closest(tmp_path: Path) -> None:
    code, out, err = _show("approved-premises.booking.mad", "--registry", str(MULTI))
    assert code == 2
    first = err.splitlines()[0]
    assert first.startswith("error: no producer of the registry emits 'approved-premises.booking.mad'")
    assert "did you mean approved-premises.booking.made" in first
    assert "Traceback" not in err + out


def test_without_a_registry_the_second_producers_event_is_unknown() -> None:
    code, _, err = _show(BOOKING, env={"TIDINGS_REGISTRY": ""})
    assert code == 2
    assert f"unknown event type {BOOKING!r}" in err


def test_a_moved_event_type_is_shown_from_its_new_producer(tmp_path: Path) -> None:
    code, out, err = _show(MOVED, "--registry", str(moved_registry(tmp_path)))
    assert code == 0, err
    assert "producer: new-service (moved from hmpps-interventions-service)" in out
