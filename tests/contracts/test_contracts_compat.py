"""Versioning governance: the field diff, jsoncompat verdicts, version pairs, and --against dirs and git refs."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from catalog_edits import edit

from tidings.contracts import SHIPPED_CATALOG, UsageError, load_catalog
from tidings.contracts.check import check_catalog
from tidings.contracts.compat.field_diff import BACKWARD, FORWARD, diff_schemas
from tidings.contracts.compat.git_ref import catalog_at_ref
from tidings.contracts.compat.verdicts import check_against, compare

FEEDBACK = "intervention.session-appointment.session-feedback-submitted"
FEEDBACK_FILE = Path("events") / FEEDBACK / "v1.yaml"
DELIUS = "deliusAppointmentId:      {type: string}"


def obj(properties: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required or [], **extra}


@pytest.mark.parametrize(
    ("old", "new", "change", "breaks"),
    [
        (
            obj({"a": {"type": "string"}}),
            obj({"a": {"type": "number"}}),
            "/a: type string → number",
            {FORWARD, BACKWARD},
        ),
        (obj({"a": {"type": "integer"}}), obj({"a": {"type": "number"}}), "/a: type integer → number", {FORWARD}),
        (obj({"a": {}}), obj({"a": {}}, ["a"]), "/a: now required", {BACKWARD}),
        (obj({"a": {}}, ["a"]), obj({"a": {}}), "/a: no longer required", {FORWARD}),
        (obj({}), obj({"a": {}}), "/a: added (optional)", {BACKWARD}),
        (
            obj({}, additionalProperties=False),
            obj({"a": {}}, additionalProperties=False),
            "/a: added (optional)",
            {FORWARD},
        ),
        (obj({"a": {}}), obj({}), "/a: removed (was optional)", {FORWARD}),
        (obj({"a": {"enum": ["X", "Y"]}}), obj({"a": {"enum": ["X"]}}), "/a: enum narrowed: dropped Y", {BACKWARD}),
        (obj({"a": {"enum": ["X"]}}), obj({"a": {"enum": ["X", "Y"]}}), "/a: enum widened: added Y", {FORWARD}),
        (obj({"a": {"const": 1}}), obj({"a": {"const": 2}}), "/a: const 1 → 2", {FORWARD, BACKWARD}),
        (obj({"a": {}}), obj({"a": {"pattern": "^x$"}}), "/a: pattern (none) → ^x$", {BACKWARD}),
        (obj({"a": {"minLength": 1}}), obj({"a": {"minLength": 2}}), "/a: minLength 1 → 2", {BACKWARD}),
        (obj({"a": {"maxLength": 1}}), obj({"a": {"maxLength": 2}}), "/a: maxLength 1 → 2", {FORWARD}),
    ],
)
def test_field_changes_say_what_changed_and_which_readers_break(
    old: dict, new: dict, change: str, breaks: set[str]
) -> None:
    [found] = diff_schemas(old, new)
    assert str(found) == change
    assert found.breaks == breaks


def test_nested_fields_and_array_items_have_pointers() -> None:
    old = obj({"list": {"type": "array", "items": obj({"v": {"type": "string"}})}})
    new = obj({"list": {"type": "array", "items": obj({"v": {"type": "integer"}})}})
    assert [str(c) for c in diff_schemas(old, new)] == ["/list/*/v: type string → integer"]


@pytest.mark.parametrize(("mode", "compatible"), [("forward", True), ("backward", False), ("full", False)])
def test_compare_uses_jsoncompat_for_the_verdict(mode: str, compatible: bool) -> None:
    verdict, changes, _ = compare(obj({"a": {}}), obj({"a": {}}, ["a"]), mode)
    assert verdict is compatible
    assert [str(c) for c in changes] == ["/a: now required"]


def test_pattern_changes_count_although_jsoncompat_ignores_them() -> None:
    assert (
        compare(obj({"a": {"type": "string"}}), obj({"a": {"type": "string", "pattern": "^x"}}), "backward")[0] is False
    )
    assert (
        compare(obj({"a": {"type": "string"}}), obj({"a": {"type": "string", "pattern": "^x"}}), "forward")[0] is True
    )


def test_an_unknown_mode_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown mode"):
        compare({}, {}, "sideways")


def test_the_shipped_catalogue_passes_check() -> None:
    report = check_catalog(load_catalog())
    assert report.ok and report.versions == [] and report.against == []


def test_a_type_change_under_the_same_version_is_breaking_and_names_the_field(copy: Path) -> None:
    edit(copy / FEEDBACK_FILE, DELIUS, "deliusAppointmentId:      {type: number}")
    report = check_catalog(load_catalog(copy), baseline=load_catalog(SHIPPED_CATALOG), baseline_name="shipped")
    assert not report.ok
    [breaking] = report.breaking
    assert breaking.event_type == FEEDBACK
    assert breaking.reasons(report.next_versions[FEEDBACK]) == [
        "/additionalInformation/deliusAppointmentId: type string → number; readers of v1 break; publish as v2"
    ]


def test_backward_mode_words_the_consequence_for_published_events(copy: Path) -> None:
    edit(copy / FEEDBACK_FILE, DELIUS, "deliusAppointmentId:      {type: number}")
    [comparison] = [c for c in check_against(load_catalog(copy), load_catalog(), "backward") if not c.compatible]
    assert comparison.reasons(2) == [
        "/additionalInformation/deliusAppointmentId: type string → number; "
        "v1 events already published are rejected; publish as v2"
    ]


def test_a_compatible_change_under_the_same_version_passes_forward(copy: Path) -> None:
    # Making an optional field required: readers of the published v1 still accept what is sent now.
    edit(copy / FEEDBACK_FILE, "required: [serviceUserCRN,", "required: [deliusAppointmentId, serviceUserCRN,")
    report = check_catalog(load_catalog(copy), baseline=load_catalog(), baseline_name="shipped")
    assert report.ok
    [changed] = [c for c in report.against if c.changes]
    assert [str(c) for c in changed.changes] == ["/additionalInformation/deliusAppointmentId: now required"]
    assert not check_catalog(load_catalog(copy), mode="backward", baseline=load_catalog()).ok


def test_a_removed_contract_is_breaking(copy: Path) -> None:
    shutil.rmtree(copy / "events" / FEEDBACK)
    edit(copy / "catalog.yaml", f"  - {FEEDBACK}\n", "")
    report = check_catalog(load_catalog(copy), baseline=load_catalog())
    [removed] = report.breaking
    assert removed.scope == "removed" and removed.event_type == FEEDBACK


def test_a_new_version_may_break_and_is_reported_not_failed(copy: Path) -> None:
    v2 = copy / FEEDBACK_FILE.with_name("v2.yaml")
    shutil.copy(copy / FEEDBACK_FILE, v2)
    edit(v2, DELIUS, "deliusAppointmentId:      {type: integer}")
    edit(v2, "version: {const: 1}", "version: {const: 2}")
    report = check_catalog(load_catalog(copy))
    assert report.ok
    [pair] = report.versions
    assert (pair.old_version, pair.new_version, pair.compatible) == (1, 2, False)
    assert pair.reasons() == ["/additionalInformation/deliusAppointmentId: type string → integer; readers of v1 break"]


def test_versions_are_compared_transitively(copy: Path) -> None:
    for version in (2, 3):
        path = copy / FEEDBACK_FILE.with_name(f"v{version}.yaml")
        shutil.copy(copy / FEEDBACK_FILE, path)
        edit(path, "version: {const: 1}", f"version: {{const: {version}}}")
    pairs = [(c.old_version, c.new_version) for c in check_catalog(load_catalog(copy)).versions]
    assert pairs == [(1, 2), (1, 3), (2, 3)]


def git(cwd: Path, *args: str) -> str:
    completed = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout


def test_against_a_git_ref_reads_the_catalogue_at_that_commit(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    catalog_dir = repo / "contracts" / "interventions"
    shutil.copytree(SHIPPED_CATALOG, catalog_dir)
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "publish v1")
    edit(catalog_dir / FEEDBACK_FILE, DELIUS, "deliusAppointmentId:      {type: number}")
    head_before = git(repo, "rev-parse", "HEAD")
    with catalog_at_ref(catalog_dir, "HEAD") as folder:
        baseline = load_catalog(folder)
        assert folder.name == "interventions" and folder != catalog_dir
        report = check_catalog(load_catalog(catalog_dir), baseline=baseline)
    assert not folder.exists()
    assert [c.event_type for c in report.breaking] == [FEEDBACK]
    assert git(repo, "rev-parse", "HEAD") == head_before
    assert "deliusAppointmentId:      {type: number}" in (catalog_dir / FEEDBACK_FILE).read_text()


def test_an_unknown_git_ref_is_a_usage_error(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(SHIPPED_CATALOG, repo / "catalog")
    git(repo, "init", "-q")
    with (
        pytest.raises(UsageError, match="neither a directory nor a git ref"),
        catalog_at_ref(repo / "catalog", "no-such-branch"),
    ):
        pass


def test_outside_a_git_repository_against_a_ref_is_a_usage_error(copy: Path) -> None:
    with pytest.raises(UsageError, match="not inside a git repository"), catalog_at_ref(copy, "main"):
        pass
