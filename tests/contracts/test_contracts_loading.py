"""Loading catalogues and reading files: bad input gives InputFileError/CatalogError with file:line and a
hint, never a traceback; content problems are collected for lint instead of stopping the load."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tidings.contracts import SHIPPED_CATALOG, CatalogError, InputFileError, load_catalog
from tidings.contracts.catalog.files import key_line, parse_json_or_yaml, read_data_file

SENT_FILE = Path("events/intervention.referral.sent/v1.yaml")


def test_a_copy_loads_like_the_original(copy: Path) -> None:
    assert load_catalog(copy).event_types == load_catalog().event_types


def test_a_directory_without_catalog_yaml_is_not_a_catalogue(tmp_path: Path) -> None:
    with pytest.raises(CatalogError) as caught:
        load_catalog(tmp_path)
    assert "not a contract catalogue (no catalog.yaml)" in str(caught.value)
    assert "--contracts" in str(caught.value)


def test_a_missing_directory_and_a_file_are_refused(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="no such catalogue directory"):
        load_catalog(tmp_path / "nowhere")
    (tmp_path / "file.yaml").write_text("a: 1\n")
    with pytest.raises(CatalogError, match="a catalogue is a directory"):
        load_catalog(tmp_path / "file.yaml")


def test_malformed_yaml_in_catalog_yaml_names_file_and_line(copy: Path) -> None:
    (copy / "catalog.yaml").write_text("producer: p\ntopic: t\nevents:\n  - a\n - b\n")
    with pytest.raises(InputFileError) as caught:
        load_catalog(copy)
    assert caught.value.line == 5
    assert str(caught.value).startswith(f"{copy / 'catalog.yaml'}:5: not valid YAML")
    assert "hint: fix the YAML syntax" in str(caught.value)


def test_malformed_yaml_in_an_event_file_names_file_and_line(copy: Path) -> None:
    path = copy / SENT_FILE
    path.write_text(path.read_text() + "examples: [unclosed\n")
    with pytest.raises(InputFileError) as caught:
        load_catalog(copy)
    assert caught.value.path == str(path)
    assert caught.value.line is not None


def test_malformed_json_in_a_shared_schema_names_file_and_line(copy: Path) -> None:
    path = copy / "envelope.schema.json"
    path.write_text('{\n  "a": 1,\n}\n')
    with pytest.raises(InputFileError) as caught:
        load_catalog(copy)
    assert str(caught.value).startswith(f"{path}:3: not valid JSON")


def test_an_empty_file_is_named(copy: Path) -> None:
    (copy / SENT_FILE).write_text("  \n")
    with pytest.raises(InputFileError, match="file is empty"):
        load_catalog(copy)


def test_a_file_of_only_comments_is_named(copy: Path) -> None:
    (copy / SENT_FILE).write_text("# nothing yet\n")
    with pytest.raises(InputFileError, match="holds no document"):
        load_catalog(copy)


def test_a_non_utf8_file_is_named_with_its_line(copy: Path) -> None:
    (copy / SENT_FILE).write_bytes(b"description: ok\ndetailUrl: caf\xe9\n")
    with pytest.raises(InputFileError) as caught:
        load_catalog(copy)
    assert caught.value.line == 2
    assert "not UTF-8 text" in str(caught.value) and "save the file as UTF-8" in str(caught.value)


def test_catalog_yaml_without_producer_is_refused_with_the_key(copy: Path) -> None:
    (copy / "catalog.yaml").write_text("topic: t\nevents: []\n")
    with pytest.raises(InputFileError, match="missing `producer`"):
        load_catalog(copy)


def test_events_must_be_a_list_of_names(copy: Path) -> None:
    (copy / "catalog.yaml").write_text("producer: p\ntopic: t\nevents: intervention.referral.sent\n")
    with pytest.raises(InputFileError) as caught:
        load_catalog(copy)
    assert caught.value.line == 3


def test_content_problems_do_not_stop_the_load(copy: Path) -> None:
    path = copy / SENT_FILE
    path.write_text(path.read_text().replace("description: >-", "description:\n  - a list\nunused: >-"))
    catalog = load_catalog(copy)
    assert any("`description` must be a str" in problem for problem in catalog.problems)
    assert catalog.get("intervention.referral.sent").description == ""


def test_an_invalid_json_schema_does_not_stop_the_load(copy: Path) -> None:
    path = copy / SENT_FILE
    path.write_text(path.read_text().replace("version: {const: 1}", "version: {type: whole-number}"))
    catalog = load_catalog(copy, strict=False)
    with pytest.raises(CatalogError, match=r"is not valid JSON Schema at /properties/version/type"):
        catalog.validate(catalog.example("intervention.referral.sent"))
    assert catalog.validate(catalog.example("intervention.referral.assigned")) == []


@pytest.mark.parametrize("value", ["null", "{a: 1}"])
@pytest.mark.parametrize("keyword", ["minLength", "required", "type", "$defs", "$ref", "properties"])
def test_a_schema_its_metaschema_rejects_is_refused_by_file_and_pointer(copy: Path, keyword: str, value: str) -> None:
    path = copy / SENT_FILE
    path.write_text(path.read_text().replace("version: {const: 1}", f"version: {{{keyword}: {value}}}"))
    pointer = f"/schema/properties/version/{re.escape(keyword)}(/a)?"
    with pytest.raises(CatalogError, match=rf"v1.yaml: {pointer}: not a valid"):
        load_catalog(copy)


def test_a_shared_schema_that_is_not_an_object_is_refused(copy: Path) -> None:
    (copy / "envelope.schema.json").write_text("0")
    with pytest.raises(CatalogError, match=r"envelope.schema.json: not a JSON Schema: the document is int"):
        load_catalog(copy)


def test_an_unresolvable_ref_is_a_catalog_error(copy: Path) -> None:
    path = copy / SENT_FILE
    path.write_text(path.read_text().replace("$defs/uuid", "$defs/nothing"))
    catalog = load_catalog(copy)
    with pytest.raises(CatalogError, match=r"\$ref '../../envelope.schema.json#/\$defs/nothing' does not resolve"):
        catalog.compiled("intervention.referral.sent")


def test_yaml_timestamps_stay_strings(tmp_path: Path) -> None:
    assert parse_json_or_yaml("at: 2024-01-01T10:00:00Z\n", "x.yaml") == {"at": "2024-01-01T10:00:00Z"}


def test_key_line_finds_nested_keys() -> None:
    path = SHIPPED_CATALOG / SENT_FILE
    assert key_line(path, "schema", "properties") == read_lines(path).index("  properties:") + 1


def read_lines(path: Path) -> list[str]:
    return path.read_text().splitlines()


def test_a_byte_order_mark_is_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "event.json"
    path.write_bytes(b'\xef\xbb\xbf{"a": 1}')
    assert read_data_file(path) == {"a": 1}


def test_the_contracts_setting_comes_from_the_environment(copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (copy / "catalog.yaml").write_text((copy / "catalog.yaml").read_text().replace("producer: hmpps", "producer: env"))
    monkeypatch.setenv("TIDINGS_CONTRACTS", str(copy))
    assert load_catalog().producer == "env-interventions-service"


def test_the_contracts_setting_comes_from_pyproject(
    copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (copy / "catalog.yaml").write_text((copy / "catalog.yaml").read_text().replace("producer: hmpps", "producer: toml"))
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text('[tool.tidings]\ncontracts = "../catalog"\n')
    monkeypatch.delenv("TIDINGS_CONTRACTS", raising=False)
    monkeypatch.chdir(project)
    assert load_catalog().producer == "toml-interventions-service"
