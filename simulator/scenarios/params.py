"""Binding a scenario's parameters: given values (from `--param k=v`, an include or the control API), coerced
to the declared type, and defaults rendered (generated with the seeded Faker) for the rest."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from tidings.contracts.errors import UsageError, closest
from tidings.simulator.scenarios.generators import Generators
from tidings.simulator.scenarios.model import Param, Scenario, ScenarioError
from tidings.simulator.scenarios.templates import TemplateError, TemplateScope, render_tree

__all__ = ["bind_params", "coerce_param", "parse_param_options"]

_EXAMPLES = {"integer": "100", "number": "0.5", "boolean": "true", "string": "X123456"}


def parse_param_options(options: list[str] | None) -> dict[str, str]:
    """`["crn=X123456", "count=10"]` → `{"crn": "X123456", "count": "10"}`; UsageError for a missing `=`."""
    given: dict[str, str] = {}
    for option in options or []:
        name, equals, value = option.partition("=")
        if not equals or not name.strip():
            raise UsageError(f"--param {option!r} is not NAME=VALUE", hint="e.g. --param crn=X123456")
        given[name.strip()] = value
    return given


def coerce_param(param: Param, value: Any) -> Any:
    """`value` as the parameter's type; a string from the command line is parsed (`"10"` → 10)."""
    if param.type == "string":
        return value if isinstance(value, str) else str(value)
    if param.type == "boolean":
        if isinstance(value, bool):
            return value
        if str(value).lower() in {"true", "yes", "1", "false", "no", "0"}:
            return str(value).lower() in {"true", "yes", "1"}
    elif param.type == "integer":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value)
    elif param.type == "number":
        try:
            return float(value)
        except (TypeError, ValueError):
            pass
    raise UsageError(
        f"parameter {param.name!r} is {'an' if param.type == 'integer' else 'a'} {param.type}, not {value!r}",
        hint=f"e.g. --param {param.name}={_EXAMPLES[param.type]}",
    )


def bind_params(
    scenario: Scenario,
    given: Mapping[str, Any],
    generators: Generators,
    now: datetime,
    *,
    inherited: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Every parameter of `scenario`: `given` (checked and coerced), else `inherited` (an including scenario's
    parameter of the same name), else the default rendered in declaration order (defaults may use earlier
    parameters). Raises UsageError for an unknown or missing parameter."""
    for name in given:
        if name not in scenario.params:
            suggestions = closest(name, scenario.params)
            declared = ", ".join(scenario.params) or "none"
            raise ScenarioError(
                scenario.path,
                f"scenario {scenario.name!r} has no parameter {name!r}",
                line=scenario.params_line,
                hint=f"did you mean {suggestions[0]}?" if suggestions else f"its parameters: {declared}",
            )
    bound: dict[str, Any] = {}
    scope = TemplateScope(bound, {}, generators, now)
    for name, param in scenario.params.items():
        if name in given:
            try:
                bound[name] = coerce_param(param, given[name])
            except UsageError as error:
                raise ScenarioError(scenario.path, error.message, line=param.line, hint=error.hint) from None
        elif inherited is not None and name in inherited:
            bound[name] = inherited[name]
        elif param.required:
            raise ScenarioError(
                scenario.path,
                f"scenario {scenario.name!r} needs parameter {name!r}"
                + (f" ({param.description})" if param.description else ""),
                line=param.line,
                hint=f"pass --param {name}={_EXAMPLES[param.type]}",
            )
        else:
            try:
                bound[name] = coerce_param(param, render_tree(param.default, scope))
            except (TemplateError, UsageError) as error:
                raise ScenarioError(
                    scenario.path, f"default of parameter {name!r}: {error.message}", line=param.line, hint=error.hint
                ) from None
    return bound
