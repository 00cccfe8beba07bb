"""Projections as data: after every shipped scenario, and after random valid event sequences, every resource the
fake API serves validates against the producer's schema, and links between resources hold."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from catalog_edits import edit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tidings.contracts import Catalog, load_catalog
from tidings.contracts.catalog.loader import load_catalog_dir
from tidings.simulator.fake_api.state import FakeApiState
from tidings.simulator.scenarios.loader import ScenarioLibrary
from tidings.simulator.scenarios.plan import Plan

BASE = "http://127.0.0.1:8080"
SCENARIOS = sorted(path.stem for path in (Path(__file__).parents[3] / "fixtures" / "scenarios").glob("*.yaml"))


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def play(catalog: Catalog, name: str, seed: int = 3, **params: Any) -> tuple[FakeApiState, set[str]]:
    state = FakeApiState(BASE, catalog=catalog, seed=seed)
    plan = Plan(
        ScenarioLibrary().load(name),
        catalog,
        params=params,
        seed=seed,
        base_url=BASE,
        start=datetime(2024, 5, 1, tzinfo=UTC),
    )
    touched = {state.apply(planned.event, planned.state) for planned in plan.events()}
    return state, {path for path in touched if path}


def assert_all_valid(catalog: Catalog, state: FakeApiState) -> None:
    for path in state.paths():
        matched = catalog.api.match(path)
        assert matched is not None, f"{path} is served but no resource is declared for it"
        answer = state.served(path)
        assert answer is not None
        assert answer[0] == 200, answer[1].decode()
        assert catalog.api.violations(matched[0].name, state.get(path)) == []


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_resource_a_shipped_scenario_touches_validates(catalog: Catalog, name: str) -> None:
    state, touched = play(catalog, name, **({"count": 3} if name == "caseload" else {}))
    assert touched and touched <= set(state.paths())
    assert_all_valid(catalog, state)


def test_generated_fields_are_deterministic_per_seed_and_id(catalog: Catalog) -> None:
    first, _ = play(catalog, "referral-lifecycle", seed=5)
    again, _ = play(catalog, "referral-lifecycle", seed=5)
    other, _ = play(catalog, "referral-lifecycle", seed=6)
    assert [first.get(p) for p in first.paths()] == [again.get(p) for p in again.paths()]
    assert first.paths() != other.paths()


_EVENT_TYPES = [
    "intervention.referral.sent",
    "intervention.referral.assigned",
    "intervention.action-plan.submitted",
    "intervention.action-plan.approved",
    "intervention.session-appointment.attended",
    "intervention.session-appointment.missed",
    "intervention.session-appointment.session-feedback-submitted",
    "intervention.initial-assessment-appointment.attended",
    "intervention.initial-assessment-appointment.missed",
    "intervention.initial-assessment-appointment.session-feedback-submitted",
    "intervention.end-of-service-report.submitted",
    "intervention.referral.ended",
    "intervention.referral.concluded",
]
_REFERRALS = [f"00000000-0000-4000-8000-{i:012d}" for i in range(3)]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(_EVENT_TYPES), st.sampled_from(_REFERRALS), st.integers(1, 4)),
        min_size=1,
        max_size=25,
    ),
    seed=st.integers(0, 1000),
)
def test_random_valid_event_sequences_keep_every_resource_valid(
    catalog: Catalog, steps: list[tuple[str, str, int]], seed: int
) -> None:
    state = FakeApiState(BASE, catalog=catalog, seed=seed)
    for event_type, referral_id, session in steps:
        overrides: dict[str, Any] = {"additionalInformation.referralId": referral_id}
        if "end-of-service-report" in event_type:
            overrides = {}
        if "session-appointment" in event_type:
            overrides["sessionNumber"] = session
        event = catalog.example(event_type, base_url=BASE, **overrides)
        assert catalog.validate(event) == []
        state.apply(event)
    assert_all_valid(catalog, state)


def test_strict_mode_names_the_pointer_the_schema_rule_and_the_projection_rule(copy: Path) -> None:
    edit(
        copy / "projections" / "intervention.referral.sent.yaml",
        '      sentAt: "{{ steps.event.occurredAt }}"',
        '      sentAt: "{{ steps.event.occurredAt }}"\n      relevantSentenceId: "{{ steps.event.crn }}"',
    )
    catalog = load_catalog_dir(copy)
    state = FakeApiState(BASE, catalog=catalog)
    path = state.apply(catalog.example("intervention.referral.sent", base_url=BASE))
    assert path is not None
    status, body, media_type = state.served(path) or (0, b"", "")
    assert (status, media_type) == (500, "application/problem+json")
    text = body.decode()
    assert "/relevantSentenceId" in text and "type" in text
    assert "projections/intervention.referral.sent.yaml rules[0]" in text
    lenient = FakeApiState(BASE, catalog=catalog, strict=False)
    lenient.apply(catalog.example("intervention.referral.sent", base_url=BASE))
    assert (lenient.served(path) or (0,))[0] == 200


def test_the_referral_embeds_its_end_of_service_report_as_the_report_is_served(catalog: Catalog) -> None:
    state, _ = play(catalog, "referral-lifecycle")
    [path] = [path for path in state.paths() if path.startswith("/end-of-service-report/")]
    report = state.get(path)
    assert report is not None and report["submittedAt"] is not None
    referral = state.get(f"/sent-referral/{report['referralId']}")
    assert referral is not None
    assert referral["endOfServiceReport"] == report


@pytest.mark.parametrize(("sent", "served"), [("ACQ", "ACQ"), ("", None)])
def test_the_event_s_empty_withdrawal_code_is_the_dto_s_null(catalog: Catalog, sent: str, served: str | None) -> None:
    state, _ = play(catalog, "referral-withdrawn", withdrawalCode=sent)
    [path] = [path for path in state.paths() if path.startswith("/sent-referral/") and path.count("/") == 2]
    referral = state.get(path)
    assert referral is not None and referral["withdrawalCode"] == served
    assert_all_valid(catalog, state)
