"""Moves (strangler fig): the new producer's schema must be a drop-in for the old one's, both ways, field by field."""

from __future__ import annotations

from pathlib import Path

from tests.catalog_edits import edit
from tests.registry_support import MOVED, moved_registry
from tidings.contracts.registry.loader import load_registry
from tidings.contracts.registry.moves import check_moves


def _new_schema(root: Path) -> Path:
    return root / "new-service" / "events" / MOVED / "v1.yaml"


def test_an_identical_schema_is_a_drop_in(tmp_path: Path) -> None:
    [verdict] = check_moves(load_registry(moved_registry(tmp_path)))
    assert verdict.drop_in and verdict.reasons == []
    assert (verdict.move.source, verdict.move.target, verdict.version) == (
        "hmpps-interventions-service",
        "new-service",
        1,
    )
    assert "is a drop-in" in str(verdict)


def test_a_changed_type_breaks_both_ways_and_names_the_field(tmp_path: Path) -> None:
    root = moved_registry(tmp_path)
    edit(
        _new_schema(root),
        'referralId:               {$ref: "../../envelope.schema.json#/$defs/uuid"}',
        "referralId: {type: integer}",
    )
    edit(_new_schema(root), "referralId: 68df9f6c-3fcb-4ec6-8fcf-96551cd9b080\n", "referralId: 7\n")
    [verdict] = check_moves(load_registry(root))
    assert not verdict.drop_in
    [reason] = [r for r in verdict.reasons if r.startswith("/additionalInformation/referralId: type string → integer")]
    assert "consumers of the old producer's contract reject" in reason
    assert "already published fail" in reason


def test_a_new_required_field_is_not_a_drop_in_for_events_already_published(tmp_path: Path) -> None:
    root = moved_registry(tmp_path)
    edit(
        _new_schema(root),
        "required: [deliveryState, referralId,",
        "required: [withdrawalCode, deliveryState, referralId,",
    )
    [verdict] = check_moves(load_registry(root))
    assert not verdict.drop_in
    assert any(
        r.startswith("/additionalInformation/withdrawalCode") and "already published fail" in r for r in verdict.reasons
    ), verdict.reasons


def test_a_version_the_new_producer_lacks_is_reported(tmp_path: Path) -> None:
    root = moved_registry(tmp_path)
    edit(root / "new-service" / "catalog.yaml", MOVED, "intervention.referral.sent")
    [verdict] = check_moves(load_registry(root))
    assert not verdict.drop_in
    assert verdict.reasons == [f"new-service has no v1 of {MOVED}; add it to its catalogue"]
