"""The scenario template language: lookups, seeded generators, typing, and errors that explain themselves."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from tidings.simulator.scenarios.generators import Generators
from tidings.simulator.scenarios.templates import (
    Template,
    TemplateError,
    TemplateScope,
    compile_tree,
    iter_templates,
    render_tree,
)

NOW = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)
SENT = {
    "eventType": "intervention.referral.sent",
    "occurredAt": "2024-03-01T09:00:00+00:00",
    "additionalInformation": {"referralId": "r-1", "nested": {"deep": 7}},
    "personReference": {"identifiers": [{"type": "CRN", "value": "X123456"}]},
}


def scope(index: int | None = None, seed: int = 1) -> TemplateScope:
    return TemplateScope({"crn": "X123456", "count": 3}, {"sent": SENT}, Generators(seed), NOW, index)


def render(value: object, **kwargs: object) -> object:
    return render_tree(compile_tree(value), scope(**kwargs))  # type: ignore[arg-type]


def test_a_string_that_is_one_template_keeps_the_value_type() -> None:
    assert render("{{ params.count }}") == 3
    assert render("{{params.count}}") == 3


def test_text_around_templates_makes_a_string() -> None:
    assert render("case {{ params.crn }} has {{ params.count }}") == "case X123456 has 3"


def test_step_fields_come_from_additional_information_then_the_top_level() -> None:
    assert render("{{ steps.sent.referralId }}") == "r-1"
    assert render("{{ steps.sent.nested.deep }}") == 7
    assert render("{{ steps.sent.occurredAt }}") == "2024-03-01T09:00:00+00:00"
    assert render("{{ steps.sent.crn }}") == "X123456"


def test_a_missing_step_field_lists_the_fields_there_are() -> None:
    with pytest.raises(TemplateError) as caught:
        render("{{ steps.sent.referalId }}")
    assert "no field 'referalId'" in str(caught.value)
    assert "referralId" in (caught.value.hint or "")


def test_index_number_and_now() -> None:
    assert render(["{{ index }}", "{{ number }}", "{{ now }}"], index=4) == [4, 5, "2024-03-01T09:30:00+00:00"]


def test_index_outside_a_repeat_is_an_error() -> None:
    with pytest.raises(TemplateError, match="repeat"):
        render("{{ index }}")


def test_containers_with_templates_are_fresh_copies_and_static_ones_are_shared() -> None:
    compiled = compile_tree({"a": ["{{ params.crn }}", {"b": "x"}]})
    first, second = render_tree(compiled, scope()), render_tree(compiled, scope())
    assert first == second == {"a": ["X123456", {"b": "x"}]}
    assert first is not second and first["a"] is not second["a"]
    assert first["a"][1] is second["a"][1]  # no template inside: not copied (callers copy what they keep)


def test_generators_are_deterministic_per_seed() -> None:
    template = ["{{ faker.uuid4() }}", "{{ faker.crn() }}", "{{ faker.name() }}", "{{ faker.bothify('??##') }}"]
    assert render(template, seed=7) == render(template, seed=7)
    assert render(template, seed=7) != render(template, seed=8)


def test_generated_values_have_the_promised_shape() -> None:
    uuid, crn, ref, number = render(
        ["{{ faker.uuid4() }}", "{{ faker.crn() }}", "{{ faker.bothify('??#####??') }}", "{{ faker.random_int(1, 3) }}"]
    )  # type: ignore[misc]
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", uuid)
    assert re.fullmatch(r"[A-Z][0-9]{6}", crn)
    assert re.fullmatch(r"[A-Z]{2}[0-9]{5}[A-Z]{2}", ref)
    assert number in {1, 2, 3}


def test_only_whitelisted_faker_calls_are_allowed_and_the_closest_is_suggested() -> None:
    with pytest.raises(TemplateError) as caught:
        compile_tree("{{ faker.nmae() }}")
    assert "not one of the allowed generators" in caught.value.message
    assert "faker.name()" in (caught.value.hint or "")


@pytest.mark.parametrize(
    "source",
    ["{{ __import__('os') }}", "{{ faker.random_int(x) }}", "{{ params }}", "{{ 1 + 1 }}", "{{ faker.name }}"],
)
def test_anything_but_the_small_language_is_refused(source: str) -> None:
    with pytest.raises(TemplateError):
        compile_tree(source)


def test_unbalanced_braces_are_an_error() -> None:
    with pytest.raises(TemplateError, match="unbalanced"):
        compile_tree("{{ params.crn }} and {{ params.count")


def test_wrong_argument_count_is_an_error() -> None:
    with pytest.raises(TemplateError, match="takes 0-0 arguments"):
        compile_tree("{{ faker.crn(1) }}")


def test_templates_can_be_listed_for_static_checks() -> None:
    compiled = compile_tree({"a": "{{ params.crn }}", "b": ["x {{ steps.sent.referralId }}"], "c": 1})
    found = [(e.root, e.name) for t in iter_templates(compiled) for e in t.expressions]
    assert found == [("params", "crn"), ("steps", "sent")]
    assert isinstance(compiled["a"], Template)
