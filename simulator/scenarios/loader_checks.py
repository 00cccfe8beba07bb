"""The pieces of a scenario file the loader checks one by one: keys, provides, durations, repeats, faults,
params and templates, each mistake reported at its `file:line` with a hint (`Where`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from tidings.contracts.errors import UsageError, closest
from tidings.simulator.scenarios.clock import parse_duration
from tidings.simulator.scenarios.faults import FaultSet
from tidings.simulator.scenarios.model import Param, Scenario, ScenarioError
from tidings.simulator.scenarios.templates import (
    Template,
    TemplateError,
    compile_tree,
    compiled_mapping,
    compiled_sequence,
)
from tidings.simulator.scenarios.yaml_lines import YamlList, YamlMap

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
PARAM_KEYS = ("default", "type", "description", "required")
TYPES = {bool: "boolean", int: "integer", float: "number", str: "string"}


@dataclass(frozen=True, slots=True)
class Where:
    """Where a value sits, for errors: the file, its line and the step it belongs to."""

    path: Path
    line: int
    step: str | None = None

    def error(self, what: str, *, line: int | None = None, hint: str | None = None) -> ScenarioError:
        return ScenarioError(self.path, what, line=line or self.line, step=self.step, hint=hint)

    def at(self, line: int) -> Where:
        return Where(self.path, line, self.step)


def params_hint(scenario: Scenario) -> str:
    return f"its parameters: {', '.join(scenario.params) or 'none'}"


def check_keys(mapping: YamlMap, allowed: Iterable[str], where: Where, what: str) -> None:
    allowed = tuple(allowed)
    for key in mapping:
        if key not in allowed:
            suggestions = closest(key, allowed)
            raise where.error(
                f"unknown key {key!r} in {'an' if what[0] in 'aeiou' else 'a'} {what}",
                line=mapping.line_of(key),
                hint=f"did you mean {suggestions[0]!r}?" if suggestions else f"keys: {', '.join(allowed)}",
            )


def parse_provides(raw: Any, where: Where) -> tuple[str, ...]:
    """`provides:` — the pact provider states this scenario sets, as consumers name them in `given(...)`."""
    example = 'e.g. `provides: ["a referral has been sent"]`'
    if raw is None:
        return ()
    if not isinstance(raw, YamlList):
        raise where.error(f"`provides:` is a list of provider state names, not {raw!r}", hint=example)
    names: list[str] = []
    for number, item in enumerate(raw):
        line = raw.item_lines[number]
        if not isinstance(item, str) or not item.strip():
            raise where.error(
                f"`provides:` item #{number + 1} ({item!r}) is not a provider state name",
                line=line,
                hint=f"a state is a non-empty string, as the consumer writes it in `given(...)`; {example}",
            )
        if item in names:
            raise where.error(f"`provides:` lists {item!r} twice", line=line, hint="list each state once")
        names.append(item)
    return tuple(names)


def parse_after(raw: YamlMap, where: Where) -> timedelta:
    if "after" not in raw:
        return timedelta()
    try:
        return parse_duration(raw["after"])
    except UsageError as error:
        raise where.error(error.message, line=raw.line_of("after"), hint=error.hint) from None


def parse_repeat(raw: YamlMap, where: Where, params: dict[str, Param], visible: set[str]) -> Any:
    if "repeat" not in raw:
        return None
    line = raw.line_of("repeat")
    value = compile_value(raw["repeat"], where.at(line), checker(params, visible, allow=("params", "steps")))
    if isinstance(value, Template):
        return value
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise where.error(f"`repeat: {value!r}` must be a whole number ≥ 0", line=line, hint="e.g. `repeat: 3`")
    return value


def parse_faults(raw: Any, where: Where, *, step_level: bool) -> Any:
    if raw is None:
        return None if step_level else FaultSet()
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, Mapping | list):
        raise where.error("`faults:` is a list of fault specs", hint="e.g. `faults: [duplicate=0.5, delay=0-3s]`")
    try:
        faults = FaultSet.parse(raw)
    except UsageError as error:
        raise where.error(error.message, hint=error.hint) from None
    if step_level and "reorder" in faults.specs:
        raise where.error(
            "`reorder` shuffles the whole run, so it cannot be a step's fault",
            hint="put it in the scenario's top-level `faults:` or pass --fault reorder=5",
        )
    return faults


def parse_params(raw: Any, where: Where) -> dict[str, Param]:
    if raw is None:
        return {}
    if not isinstance(raw, YamlMap):
        raise where.error("`params:` is a mapping of name → default (or → {default, type, description})")
    params: dict[str, Param] = {}
    for name, spec in raw.items():
        here = where.at(raw.line_of(name))
        if not NAME.match(name):
            raise here.error(f"{name!r} is not a parameter name", hint="use letters, digits, _ and -")
        if isinstance(spec, YamlMap):
            check_keys(spec, PARAM_KEYS, here, f"parameter {name!r}")
            fields = dict(spec)
        else:
            fields = {"default": spec}
        default = compile_value(fields.get("default"), here, checker(params, set(), allow=("params", "faker", "now")))
        declared = fields.get("type")
        inferred = TYPES.get(type(default), "string")
        if declared is not None and declared not in TYPES.values():
            raise here.error(f"unknown type {declared!r}", hint=f"types: {', '.join(TYPES.values())}")
        required = bool(fields.get("required", default is None))
        params[name] = Param(
            name, declared or inferred, default, required, str(fields.get("description", "")), here.line
        )
    return params


Check = Callable[[Template, Where], None]


def compile_value(value: Any, where: Where, check: Check) -> Any:
    """Compile templates in `value` and `check` each, reporting a bad one at the line of the innermost key or
    item holding it."""
    if isinstance(value, YamlMap):
        return compiled_mapping(
            {key: compile_value(item, where.at(value.line_of(key)), check) for key, item in value.items()}
        )
    if isinstance(value, YamlList):
        return compiled_sequence(
            [compile_value(item, where.at(value.item_lines[i]), check) for i, item in enumerate(value)]
        )
    try:
        compiled = compile_tree(value)
    except TemplateError as error:
        raise where.error(error.message, hint=error.hint) from None
    if isinstance(compiled, Template):
        check(compiled, where)
    return compiled


def compile_mapping(value: Any, where: Where, key: str, check: Check) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, YamlMap):
        raise where.error(f"`{key}:` is a mapping", hint=f"e.g. `{key}: {{crn: '{{{{ params.crn }}}}'}}`")
    return compile_value(value, where, check)


def checker(params: Mapping[str, Param], visible: set[str], *, allow: tuple[str, ...]) -> Check:
    """A check that a template uses only `allow`ed roots, declared parameters and steps defined above."""
    known = set(visible)  # a snapshot: steps defined later are not visible here
    return lambda template, where: check_references(template, params, known, where, allow=allow)


def check_references(
    template: Template, params: Mapping[str, Param], visible: set[str], where: Where, *, allow: tuple[str, ...]
) -> None:
    """`template` refers only to what `allow` lists, to declared parameters and to steps defined above."""
    for expression in template.expressions:
        text = f"{{{{ {expression.source} }}}}"
        if expression.root not in allow:
            hint = {
                "index": "`index` and `number` exist only in a step with `repeat:`",
                "number": "`index` and `number` exist only in a step with `repeat:`",
                "steps": "steps can be referred to only from steps",
            }.get(expression.root, f"here templates may use: {', '.join(allow)}")
            raise where.error(f"{text} cannot be used here", hint=hint)
        if expression.root == "params" and expression.name not in params:
            suggestions = closest(expression.name, params)
            raise where.error(
                f"{text}: no parameter {expression.name!r}",
                hint=f"did you mean params.{suggestions[0]}?"
                if suggestions
                else f"declare it under `params:` (declared: {', '.join(params) or 'none'})",
            )
        if expression.root == "steps" and expression.name not in visible:
            suggestions = closest(expression.name, visible)
            raise where.error(
                f"{text}: no step named {expression.name!r} above this one",
                hint=f"did you mean steps.{suggestions[0]}?"
                if suggestions
                else "name the step you mean with `as: NAME`; only steps above can be referred to",
            )
