"""The fast paths (generated check, fastjsonschema on a draft-07 translation) agree with jsonschema, the
validator of record, on valid and invalid events; and the formats behave as documented."""

from __future__ import annotations

import copy
import random
from datetime import date
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from tidings.contracts import Catalog, load_catalog
from tidings.contracts.catalog.codegen import NotGeneratable, generate_check
from tidings.contracts.catalog.compiled import _fast_check
from tidings.contracts.catalog.draft07 import NotTranslatable, to_draft07
from tidings.contracts.catalog.formats import FORMAT_CHECKER, is_date_time, is_uri, is_uuid
from tidings.contracts.catalog.schemas import fold_all_of

MUTANT_VALUES: list[Any] = [
    None, True, False, 0, 1, 1.0, 2, -1, 1.5, "", "x", "1", "X123456", "2024-01-01T10:00:00",
    "2024-01-01T10:00:00Z", "http://a/b", "/relative", "68df9f6c-3fcb-4ec6-8fcf-96551cd9b080", "CRN", [], [{}],
    {}, {"type": "CRN"}, "COMPLETED",
]  # fmt: skip


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _mutants(event: dict, rng: random.Random) -> list[Any]:
    """The event with one value replaced, one key deleted, or one key added, at every path."""
    mutants = []
    for path in _paths(event)[1:]:
        for value in rng.sample(MUTANT_VALUES, 6):
            mutant = copy.deepcopy(event)
            target = mutant
            for part in path[:-1]:
                target = target[part]
            target[path[-1]] = value
            mutants.append(mutant)
        deleted = copy.deepcopy(event)
        target = deleted
        for part in path[:-1]:
            target = target[part]
        if isinstance(target, dict):
            del target[path[-1]]
            mutants.append(deleted)
    mutants.append({**event, "extra": 1})
    mutants += [None, [], "text", 1]
    return mutants


def test_every_shipped_contract_gets_the_generated_fast_path(catalog: Catalog) -> None:
    assert {catalog.compiled(event_type).fast_kind for event_type in catalog.event_types} == {"generated"}


@pytest.mark.parametrize("kind", ["generated", "fastjsonschema"])
def test_fast_checks_agree_with_jsonschema_on_valid_and_invalid_events(catalog: Catalog, kind: str) -> None:
    rng = random.Random(1)
    disagreements = []
    tested = 0
    for event_type in catalog.event_types:
        compiled = catalog.compiled(event_type)
        folded = fold_all_of(compiled.bundled)
        if kind == "generated":
            check = generate_check(folded)[0]
        else:
            # Force the second tier: a schema the generator refuses still gets the same verdicts.
            check, got = _fast_check({"allOf": [folded, {"not": {"required": ["__never__"], "type": "object"}}]})
            assert got == "fastjsonschema"
        reference = Draft202012Validator(compiled.bundled, format_checker=FORMAT_CHECKER)
        for event in [compiled.contract.examples[0], *_mutants(compiled.contract.examples[0], rng)]:
            tested += 1
            if bool(check(event)) != reference.is_valid(event):
                disagreements.append((event_type, event))
    assert tested > 500
    assert disagreements == []


def test_the_generator_refuses_keywords_outside_its_subset() -> None:
    for schema in ({"anyOf": [{"type": "string"}]}, {"const": [1]}, {"enum": [1, "a"]}, {"$ref": "#/x"}):
        with pytest.raises(NotGeneratable):
            generate_check(schema)


@pytest.mark.parametrize(
    ("schema", "good", "bad"),
    [
        ({"type": "integer"}, [1, 2.0], [True, 1.5, "1"]),
        ({"const": 1}, [1, 1.0], [True, "1"]),
        ({"const": False}, [False], [0, None]),
        ({"type": ["string", "null"], "minLength": 2}, ["ab", None], ["a", 1]),
        ({"minimum": 1, "exclusiveMaximum": 3}, [1, 2.5, "x"], [0, 3]),
        ({"type": "object", "additionalProperties": False, "properties": {"a": {}}}, [{}, {"a": 1}], [{"b": 1}]),
        ({"items": {"type": "string"}, "maxItems": 1}, [[], ["a"], "x"], [[1], ["a", "b"]]),
        ({"pattern": "^a"}, ["ab", 1], ["ba"]),
        (False, [], [1]),
    ],
)
def test_generated_checks_follow_jsonschema_semantics(schema: Any, good: list, bad: list) -> None:
    check = generate_check(schema)[0]
    reference = Draft202012Validator(schema, format_checker=FORMAT_CHECKER)
    for value in good:
        assert check(value) and reference.is_valid(value), value
    for value in bad:
        assert not check(value) and not reference.is_valid(value), value


def test_draft07_translation_renames_and_refuses() -> None:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "prefixItems": [{"type": "string"}],
        "items": {"type": "integer"},
        "dependentRequired": {"a": ["b"]},
        "format": "email",
    }
    assert to_draft07(schema) == {
        "items": [{"type": "string"}],
        "additionalItems": {"type": "integer"},
        "dependencies": {"a": ["b"]},
        "$schema": "http://json-schema.org/draft-07/schema#",
    }
    with pytest.raises(NotTranslatable):
        to_draft07({"unevaluatedProperties": False})


def test_fold_all_of_merges_what_is_safe_and_keeps_the_rest() -> None:
    folded = fold_all_of(
        {
            "allOf": [
                {"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}},
                {"required": ["b"], "properties": {"a": {"minLength": 1}, "b": {}}},
                {"additionalProperties": False},
            ]
        }
    )
    assert folded == {
        "type": "object",
        "required": ["a", "b"],
        "properties": {"a": {"type": "string", "minLength": 1}, "b": {}},
        "allOf": [{"additionalProperties": False}],
    }


def test_date_time_checks_the_calendar_and_requires_an_offset() -> None:
    for year in (1900, 2000, 2023, 2024):
        for month in range(1, 13):
            for day in range(1, 32):
                try:
                    date(year, month, day)
                    exists = True
                except ValueError:
                    exists = False
                assert is_date_time(f"{year:04d}-{month:02d}-{day:02d}T10:00:00Z") is exists
    assert is_date_time("2024-01-01t10:00:00.5-05:30")
    for bad in ("2024-01-01T10:00:00", "2024-01-01T10:00:00+0100", "2024-01-01T24:00:00Z", "2024-01-01T10:00:00Z\n"):
        assert not is_date_time(bad), bad


def test_uri_and_uuid_formats() -> None:
    assert all(map(is_uri, ["http://localhost:8080/a", "urn:hmpps:interventions-referral:1", "mailto:a@b.c"]))
    assert not any(map(is_uri, ["/sent-referral/1", "http://", "http://a b", "no scheme"]))
    assert is_uuid("68DF9F6C-3fcb-4ec6-8fcf-96551cd9b080")
    assert not is_uuid("68df9f6c3fcb4ec68fcf96551cd9b080")
    assert is_uri(5) and is_uuid(None)  # formats only constrain strings


def test_explained_violations_equal_jsonschema_on_the_whole_event(catalog: Catalog) -> None:
    from tidings.contracts.catalog.violations import to_violations

    rng = random.Random(2)
    for event_type in catalog.event_types:
        compiled = catalog.compiled(event_type)
        for event in _mutants(compiled.contract.examples[0], rng)[::5]:
            assert compiled.violations(event) == to_violations(compiled.validator.iter_errors(event))
