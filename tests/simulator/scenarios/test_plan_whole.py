"""A plan is validated whole before anything is published, its indices are lazy and its size is capped."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tidings.contracts import load_catalog
from tidings.contracts.errors import UsageError
from tidings.simulator.scenarios.loader import ScenarioLibrary
from tidings.simulator.scenarios.model import ScenarioError
from tidings.simulator.scenarios.plan import Plan

ONE_BAD = "{{ faker.random_element('" + "COMPLETED," * 3000 + "BOGUS') }}"


def _plan(tmp_path: Path, repeat: int) -> Plan:
    step = {"emit": "intervention.referral.ended", "repeat": repeat}
    step["data"] = {"additionalInformation.deliveryState": ONE_BAD}
    doc = {"name": "hostile", "description": "x", "steps": [step]}
    (tmp_path / "hostile.yaml").write_text(yaml.safe_dump(doc, width=10**6))
    return Plan(ScenarioLibrary([tmp_path]).load("hostile"), load_catalog(), seed=1)


def test_a_bad_repetition_past_the_sample_fails_the_preflight_and_is_named(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"repetition \d+ of 10,001\): /additionalInformation/deliveryState"):
        _plan(tmp_path, 10_001).preflight()


def test_a_billion_repetitions_are_refused_by_the_cap_at_once(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"1,000,000,000 events, more than the limit of 2,000,000 per run"):
        _plan(tmp_path, 1_000_000_000).preflight()


def test_the_cap_can_be_lowered_and_must_be_a_number(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIDINGS_MAX_EVENTS", "3")
    with pytest.raises(UsageError, match=r"more than the limit of 3 per run"):
        _plan(tmp_path, 4).preflight()
    monkeypatch.setenv("TIDINGS_MAX_EVENTS", "nan")
    with pytest.raises(UsageError, match=r"TIDINGS_MAX_EVENTS='nan' is not a positive whole number"):
        _plan(tmp_path, 4).preflight()
