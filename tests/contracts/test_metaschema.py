"""The fast metaschema check (fastjsonschema on a draft-07 rewrite of the 2020-12 metaschema) gives jsonschema's
verdict: on the schemas tidings ships, on hand-picked broken ones, and on generated schema-like documents."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema.exceptions import best_match
from jsonschema.validators import Draft7Validator, Draft202012Validator

from tidings.contracts.catalog.metaschema import _fast_2020_12, first_metaschema_error

REPO = Path(__file__).parents[2]
_OF_RECORD = Draft202012Validator(Draft202012Validator.META_SCHEMA)

BROKEN = [
    {"minLength": None},
    {"properties": None},
    {"type": "strin"},
    {"type": ["string", "string"]},
    {"$id": "urn:x#fragment"},
    {"$anchor": "1starts-with-a-digit"},
    {"required": ["a", "a"]},
    {"required": "a"},
    {"prefixItems": [True, {"minimum": "x"}]},
    {"$defs": {"a": {"type": 3}}},
    {"definitions": {"a": {"type": 3}}},
    {"dependencies": {"a": [1]}},
    {"minLength": -1},
    {"minLength": 1.5},
    {"minLength": True},
    {"$ref": 3},
    {"unevaluatedProperties": {"type": 1}},
    {"contentSchema": {"type": 1}},
    {"deprecated": "yes"},
    {"examples": 3},
    {"$vocabulary": {"urn:x": "yes"}},
    {"not": {"not": {"type": "nope"}}},
    {"properties": {"$ref": {"type": "x"}}},
    {"multipleOf": 0},
    {"items": {"properties": {"a": {"enum": "not-a-list"}}}},
]


def _shipped_schemas() -> list[Any]:
    """Event and resource schemas of the shipped catalogues, their shared schema files, and the payloads of the
    real registry sample (awkward ones included)."""
    found = []
    for path in sorted((REPO / "contracts" / "catalogs").rglob("*.json")):
        found.append(json.loads(path.read_text(encoding="utf-8")))
    sources = [
        *(REPO / "contracts" / "catalogs").rglob("*.yaml"),
        *(REPO / "tests" / "data" / "registry").rglob("*.y*ml"),
    ]
    for path in sorted(sources):
        try:
            document = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        except yaml.YAMLError:
            continue  # the sample's deliberately broken files
        for key in ("schema", "payload"):
            if isinstance(document, dict) and isinstance(document.get(key), dict):
                found.append(document[key])
    return found


def test_there_are_shipped_schemas_to_compare() -> None:
    assert len(_shipped_schemas()) >= 60


@pytest.mark.parametrize("index", range(len(_shipped_schemas())))
def test_shipped_schemas_get_the_same_verdict(index: int) -> None:
    schema = _shipped_schemas()[index]
    assert _fast_2020_12()(schema) == _OF_RECORD.is_valid(schema)


@pytest.mark.parametrize("schema", BROKEN, ids=[str(schema) for schema in BROKEN])
def test_broken_schemas_are_rejected_with_jsonschemas_own_error(schema: dict[str, Any]) -> None:
    assert not _fast_2020_12()(schema)
    error = first_metaschema_error(schema)
    expected = best_match(_OF_RECORD.iter_errors(schema))
    assert error is not None and expected is not None
    assert (error.message, list(error.absolute_path)) == (expected.message, list(expected.absolute_path))


def test_another_draft_is_checked_against_its_own_metaschema() -> None:
    draft07 = {"$schema": "http://json-schema.org/draft-07/schema#", "definitions": {"a": {"type": 3}}}
    error = first_metaschema_error(draft07)
    assert error is not None and not Draft7Validator(Draft7Validator.META_SCHEMA).is_valid(draft07)
    assert first_metaschema_error({"$schema": "http://json-schema.org/draft-07/schema#", "type": "string"}) is None


_KEYWORDS = st.sampled_from(
    [
        "type", "properties", "required", "items", "prefixItems", "enum", "const", "minLength", "maxItems",
        "minimum", "multipleOf", "pattern", "format", "$ref", "$id", "$anchor", "$defs", "definitions", "allOf",
        "anyOf", "not", "if", "then", "additionalProperties", "dependentRequired", "dependentSchemas",
        "dependencies", "unevaluatedItems", "contentSchema", "deprecated", "examples", "title", "uniqueItems",
        "$comment", "x-custom",
    ]
)  # fmt: skip
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from([0.0, 1.0, 1.5, -2.0]),
    st.sampled_from(["string", "object", "integer", "strin", "a", "#/$defs/a", "urn:x#f", "^a$", ""]),
)
_DOCUMENTS = st.recursive(
    _SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(_KEYWORDS, children, max_size=4)),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(_KEYWORDS, _DOCUMENTS, max_size=5))
def test_generated_documents_get_the_same_verdict(schema: dict[str, Any]) -> None:
    assert _fast_2020_12()(schema) == _OF_RECORD.is_valid(schema)
    assert (first_metaschema_error(schema) is None) == _OF_RECORD.is_valid(schema)
