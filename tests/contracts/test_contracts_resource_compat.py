"""`tidings contracts check` covers resource schemas: a response changed under the same version in a way that
breaks readers is reported field by field and fails the check; a compatible change does not."""

from __future__ import annotations

from pathlib import Path

from catalog_edits import edit

from tidings.contracts import load_catalog
from tidings.contracts.check import check_catalog

INTERVENTION = Path("resources") / "intervention.yaml"


def test_a_breaking_resource_change_under_the_same_version_fails_field_by_field(copy: Path) -> None:
    edit(copy / INTERVENTION, "    title:                             {type: string}", "    title: {type: integer}")
    report = check_catalog(load_catalog(copy), baseline=load_catalog(), baseline_name="shipped")
    (broken,) = report.breaking
    assert broken.event_type == "resource intervention" and not report.ok
    assert any(change.pointer == "/title" for change in broken.changes)
    assert any("/title" in reason for reason in broken.reasons(report.next_versions[broken.event_type]))


def test_an_unchanged_catalogue_and_a_removed_resource(copy: Path) -> None:
    assert check_catalog(load_catalog(copy), baseline=load_catalog()).ok
    (copy / "resources" / "service-category.yaml").unlink()
    edit(copy / INTERVENTION, "  serviceCategories[].id: /service-category/{serviceCategoryId}\n", "")
    report = check_catalog(load_catalog(copy), baseline=load_catalog())
    assert [(c.event_type, c.scope) for c in report.breaking] == [("resource service-category", "removed")]
