"""Loading scenario files: the shipped ones load, and every static mistake is reported as file:line + hint."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tidings.contracts.errors import TidingsError
from tidings.simulator.scenarios.loader import ScenarioLibrary, ScenarioNotFound
from tidings.simulator.scenarios.model import EmitStep, IncludeStep, ScenarioError

SHIPPED = {
    "caseload",
    "missed-sessions",
    "referral-lifecycle",
    "referral-prematurely-ended",
    "referral-sent",
    "referral-withdrawn",
    "session-attended",
}


def library(tmp_path: Path, **files: str) -> ScenarioLibrary:
    for name, text in files.items():
        (tmp_path / f"{name}.yaml").write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return ScenarioLibrary([tmp_path])


def error_of(lib: ScenarioLibrary, name: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as caught:
        lib.load(name)
    return caught.value


def test_every_shipped_scenario_loads() -> None:
    lib = ScenarioLibrary()
    assert set(lib.names()) == SHIPPED
    loaded = list(lib.load_all())
    assert not [item for item in loaded if isinstance(item, TidingsError)]


def test_the_lifecycle_includes_referral_sent_and_sees_its_named_step() -> None:
    lifecycle = ScenarioLibrary().load("referral-lifecycle")
    first = lifecycle.steps[0]
    assert isinstance(first, IncludeStep) and first.scenario.name == "referral-sent"
    assert "sent" in lifecycle.exported_names()
    assert lifecycle.event_types()[0] == "intervention.referral.sent"
    assert "intervention.referral.concluded" in lifecycle.event_types()


def test_an_unknown_scenario_names_the_closest(tmp_path: Path) -> None:
    with pytest.raises(ScenarioNotFound) as caught:
        ScenarioLibrary().load("referal-lifecycle")
    assert "unknown scenario 'referal-lifecycle'" in caught.value.message
    assert "referral-lifecycle" in (caught.value.hint or "")


def test_user_scenarios_shadow_shipped_ones_and_may_include_them(tmp_path: Path) -> None:
    lib = library(
        tmp_path,
        **{
            "referral-withdrawn": """
                name: referral-withdrawn
                steps:
                  - include: referral-sent
                  - emit: intervention.referral.assigned
                    data: {additionalInformation.referralId: "{{ steps.sent.referralId }}"}
            """
        },
    )
    scenario = lib.load("referral-withdrawn")
    assert scenario.path == tmp_path / "referral-withdrawn.yaml"
    assert isinstance(scenario.steps[1], EmitStep)


def test_a_template_referring_to_a_missing_step_names_file_line_and_step(tmp_path: Path) -> None:
    lib = library(
        tmp_path,
        bad="""
            name: bad
            steps:
              - emit: intervention.referral.sent
                as: sent
              - emit: intervention.referral.assigned
                data:
                  additionalInformation:
                    referralId: "{{ steps.snet.referralId }}"
        """,
    )
    error = error_of(lib, "bad")
    assert str(error).startswith(f"{tmp_path / 'bad.yaml'}:8: step #2 (intervention.referral.assigned): ")
    assert "no step named 'snet' above this one" in str(error)
    assert error.hint == "did you mean steps.sent?"


def test_a_step_cannot_refer_to_a_later_step(tmp_path: Path) -> None:
    lib = library(
        tmp_path,
        bad="""
            name: bad
            steps:
              - emit: intervention.referral.assigned
                data: {additionalInformation.referralId: "{{ steps.sent.referralId }}"}
              - emit: intervention.referral.sent
                as: sent
        """,
    )
    error = error_of(lib, "bad")
    assert error.line == 4
    assert "only steps above" in (error.hint or "")


def test_an_unknown_param_in_a_template(tmp_path: Path) -> None:
    lib = library(
        tmp_path,
        bad="""
            name: bad
            params:
              crn: X123456
            steps:
              - emit: intervention.referral.sent
                data: {crn: "{{ params.crm }}"}
        """,
    )
    error = error_of(lib, "bad")
    assert error.line == 6 and "no parameter 'crm'" in str(error) and error.hint == "did you mean params.crn?"


def test_an_include_cycle_is_reported_where_it_closes(tmp_path: Path) -> None:
    lib = library(
        tmp_path,
        a="""
            name: a
            steps:
              - include: b
        """,
        b="""
            name: b
            steps:
              - emit: intervention.referral.sent
              - include: a
        """,
    )
    error = error_of(lib, "a")
    assert "include cycle: a → b → a" in str(error)
    assert error.path == str(tmp_path / "b.yaml") and error.line == 4


def test_a_scenario_including_itself(tmp_path: Path) -> None:
    lib = library(tmp_path, a="name: a\nsteps:\n  - include: a\n")
    assert "include cycle: a → a" in str(error_of(lib, "a"))


def test_including_an_unknown_scenario(tmp_path: Path) -> None:
    lib = library(tmp_path, a="name: a\nsteps:\n  - include: referral-snet\n")
    error = error_of(lib, "a")
    assert error.line == 3 and "referral-sent" in (error.hint or "")


def test_include_params_must_exist_in_the_included_scenario(tmp_path: Path) -> None:
    lib = library(tmp_path, a="name: a\nsteps:\n  - include: referral-sent\n    params: {crm: X123456}\n")
    error = error_of(lib, "a")
    assert "has no parameter 'crm'" in str(error) and "crn" in (error.hint or "")


@pytest.mark.parametrize(
    ("step", "line", "message"),
    [
        ("  - emit: intervention.referral.sent\n    dta: {}\n", 4, "unknown key 'dta'"),
        ("  - emit: intervention.referral.sent\n    after: soon\n", 4, "not a duration"),
        ("  - emit: intervention.referral.sent\n    repeat: -1\n", 4, "whole number"),
        ("  - emit: intervention.referral.sent\n    faults: [duplicate=2]\n", 4, "not between 0 and 1"),
        ("  - emit: intervention.referral.sent\n    faults: [reorder=3]\n", 4, "cannot be a step's fault"),
        ("  - emit: intervention.referral.sent\n    data: {crn: '{{ index }}'}\n", 4, "cannot be used here"),
        ("  - emit: intervention.referral.sent\n    data: {crn: '{{ faker.nope() }}'}\n", 4, "allowed generators"),
        ("  - emitt: intervention.referral.sent\n", 3, "either `emit"),
    ],
)
def test_static_mistakes_in_a_step(tmp_path: Path, step: str, line: int, message: str) -> None:
    lib = library(tmp_path, bad="name: bad\nsteps:\n" + step)
    error = error_of(lib, "bad")
    assert error.line == line, str(error)
    assert message in str(error)


def test_malformed_yaml_gives_file_and_line(tmp_path: Path) -> None:
    lib = library(tmp_path, bad="name: bad\nsteps:\n  - emit: [unclosed\n")
    with pytest.raises(TidingsError) as caught:
        lib.load("bad")
    assert f"{tmp_path / 'bad.yaml'}:" in str(caught.value) and "not valid YAML" in str(caught.value)


def test_duplicate_keys_are_refused(tmp_path: Path) -> None:
    lib = library(tmp_path, bad="name: bad\nsteps: []\nsteps:\n  - emit: x\n")
    with pytest.raises(TidingsError, match="duplicate key 'steps'"):
        lib.load("bad")


def test_the_name_must_match_the_file(tmp_path: Path) -> None:
    lib = library(tmp_path, bad="name: good\nsteps:\n  - emit: x\n")
    error = error_of(lib, "bad")
    assert error.line == 1 and "rename" in (error.hint or "")


def test_params_infer_their_type_from_the_default(tmp_path: Path) -> None:
    lib = library(
        tmp_path,
        p="""
            name: p
            params:
              count: 3
              crn: "{{ faker.crn() }}"
              flag: {default: true, description: a switch}
              needed: {required: true}
            steps:
              - emit: intervention.referral.sent
        """,
    )
    params = lib.load("p").params
    assert [params[n].type for n in ("count", "crn", "flag", "needed")] == ["integer", "string", "boolean", "string"]
    assert params["needed"].required and not params["count"].required
    assert params["flag"].description == "a switch"


def test_yaml_merge_keys_work(tmp_path: Path) -> None:
    lib = library(
        tmp_path,
        m="""
            name: m
            steps:
              - emit: intervention.referral.sent
                data: &base {crn: X123456}
              - emit: intervention.referral.assigned
                data:
                  <<: *base
                  additionalInformation.assignedTo: someone
        """,
    )
    step = lib.load("m").steps[1]
    assert isinstance(step, EmitStep)
    assert step.data == {"crn": "X123456", "additionalInformation.assignedTo": "someone"}


def test_fixtures_setting_reads_dir_scenarios(tmp_path: Path) -> None:
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "mine.yaml").write_text("name: mine\nsteps:\n  - emit: x\n", encoding="utf-8")
    lib = ScenarioLibrary.from_setting(tmp_path)
    assert "mine" in lib.names() and "referral-lifecycle" in lib.names()


def test_provides_lists_the_pact_provider_states_a_scenario_sets(tmp_path: Path) -> None:
    lib = library(
        tmp_path,
        states="""
            name: states
            provides:
              - a referral has been sent
              - "a person has a referral"
            steps:
              - include: referral-sent
        """,
        plain="name: plain\nsteps:\n  - emit: x\n",
    )
    assert lib.load("states").provides == ("a referral has been sent", "a person has a referral")
    assert lib.load("plain").provides == ()
    # An includer does not inherit the included scenario's states: a state means one scenario.
    include = lib.load("states").steps[0]
    assert isinstance(include, IncludeStep) and include.scenario.provides == ("a referral has been sent",)
    assert ScenarioLibrary().load("referral-lifecycle").provides[0] == "a referral has been assigned"


@pytest.mark.parametrize(
    ("provides", "line", "message"),
    [
        ("provides: a referral has been sent\n", 2, "`provides:` is a list of provider state names"),
        ("provides: {a: b}\n", 2, "`provides:` is a list of provider state names"),
        ("provides:\n  - ok\n  - 3\n", 4, "`provides:` item #2 (3) is not a provider state name"),
        ("provides:\n  - ''\n", 3, "`provides:` item #1 ('') is not a provider state name"),
        ("provides:\n  - [a, b]\n", 3, "item #1 (['a', 'b']) is not a provider state name"),
        ("provides:\n  - same\n  - other\n  - same\n", 5, "`provides:` lists 'same' twice"),
        ("provide: [a]\n", 2, "unknown key 'provide'"),
    ],
)
def test_a_bad_provides_names_file_and_line(tmp_path: Path, provides: str, line: int, message: str) -> None:
    lib = library(tmp_path, bad="name: bad\n" + provides + "steps:\n  - emit: x\n")
    error = error_of(lib, "bad")
    assert error.exit_code == 2
    assert error.line == line, str(error)
    assert str(error).startswith(f"{tmp_path / 'bad.yaml'}:{line}: "), str(error)
    assert message in str(error)
