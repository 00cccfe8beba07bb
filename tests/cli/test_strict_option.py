"""Strict mode from the command line: `tidings play` and `tidings up` serve a strict fake API unless told
`--no-strict`; then a resource its schema rejects is served as it is instead of a 500 problem."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from catalog_edits import edit
from typer.testing import CliRunner

from tidings.cli import play_cmd
from tidings.cli.app import app
from tidings.contracts.catalog.loader import load_catalog_dir
from tidings.contracts.errors import UsageError
from tidings.simulator.scenarios.loader import ScenarioLibrary
from tidings.simulator.session import start_fake_api


def _broken(copy: Path) -> Path:
    """A catalogue whose referral-sent projection writes the CRN into an integer field."""
    edit(
        copy / "projections" / "intervention.referral.sent.yaml",
        '      sentAt: "{{ steps.event.occurredAt }}"',
        '      sentAt: "{{ steps.event.occurredAt }}"\n      relevantSentenceId: "{{ steps.event.crn }}"',
    )
    return copy


def _get(url: str) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.parametrize(("strict", "status"), [(True, 500), (False, 200)])
def test_the_fake_api_is_strict_unless_told_otherwise(copy: Path, strict: bool, status: int) -> None:
    catalog = load_catalog_dir(_broken(copy))
    api = start_fake_api(catalog, ScenarioLibrary(), port=0, strict=strict)
    try:
        event = catalog.example("intervention.referral.sent", base_url=api.base_url)
        path = api.state.apply(event)
        code, body = _get(f"{api.base_url}{path}")
    finally:
        api.stop()
    assert code == status
    if strict:
        assert "/relevantSentenceId" in body["detail"]
    else:
        assert body["relevantSentenceId"] == event["personReference"]["identifiers"][0]["value"]


@pytest.mark.parametrize(("flags", "strict"), [((), True), (("--strict",), True), (("--no-strict",), False)])
def test_play_passes_strict_to_its_session(
    monkeypatch: pytest.MonkeyPatch, flags: tuple[str, ...], strict: bool
) -> None:
    seen: dict[str, Any] = {}

    def session(*args: Any, **kwargs: Any) -> Any:
        seen.update(kwargs)
        raise UsageError("stopped by the test")

    monkeypatch.setattr(play_cmd, "play_session", session)
    result = CliRunner().invoke(app, ["play", "referral-sent", *flags])
    assert result.exit_code == 2
    assert seen["strict"] is strict


@pytest.mark.parametrize(("flags", "strict"), [((), True), (("--no-strict",), False)])
def test_up_passes_strict_to_its_fake_api(
    monkeypatch: pytest.MonkeyPatch, flags: tuple[str, ...], strict: bool
) -> None:
    from tidings.cli import up_cmd
    from tidings.simulator import up

    seen: list[bool] = []

    def services(*args: Any) -> list[Any]:
        seen.append(args[-1])
        return []

    def start(*args: Any, **kwargs: Any) -> Any:
        raise UsageError("stopped by the test")

    monkeypatch.setattr(up_cmd, "extra_services", services)
    monkeypatch.setattr(up, "start_up", start)
    result = CliRunner().invoke(app, ["up", "--port", "0", *flags])
    assert result.exit_code == 2
    assert seen == [strict]
