"""Finding and loading scenario files: the shipped ones plus a user's `--fixtures DIR`, includes resolved (with
cycle detection), templates compiled and every static mistake reported as `file:line` with a hint.

Static checks here need no catalogue: unknown keys, bad durations and fault specs, templates that refer to an
unknown parameter or to a step not defined above. Event types and payloads are checked by scenario_plan.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from tidings.contracts.errors import TidingsError, UsageError, closest
from tidings.contracts.settings import resolve_setting

from .clock import parse_duration
from .faults import FaultSet
from .scenario_model import EmitStep, IncludeStep, Param, Scenario, ScenarioError, Step
from .scenario_templates import Template, TemplateError, compile_tree, compiled_mapping, compiled_sequence
from .scenario_yaml import YamlList, YamlMap, line_of, load_yaml

__all__ = ["ScenarioLibrary", "ScenarioNotFound", "shipped_scenarios_dir"]

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_TOP_KEYS = ("name", "description", "provides", "params", "data", "faults", "steps")
_EMIT_KEYS = ("emit", "version", "data", "state", "as", "after", "repeat", "faults")
_INCLUDE_KEYS = ("include", "params", "after", "repeat", "interleave", "faults")
_PARAM_KEYS = ("default", "type", "description", "required")
_IN_STEPS = ("params", "steps", "faker", "now")
_TYPES = {bool: "boolean", int: "integer", float: "number", str: "string"}


class ScenarioNotFound(UsageError):
    """No scenario of that name in the shipped scenarios or the user's fixtures."""


def shipped_scenarios_dir() -> Path:
    """The scenarios that ship with tidings (package data of `tidings.fixtures`)."""
    return Path(str(resources.files("tidings.fixtures").joinpath("scenarios")))


@dataclass(frozen=True, slots=True)
class _Where:
    """Where a value sits, for errors: the file, its line and the step it belongs to."""

    path: Path
    line: int
    step: str | None = None

    def error(self, what: str, *, line: int | None = None, hint: str | None = None) -> ScenarioError:
        return ScenarioError(self.path, what, line=line or self.line, step=self.step, hint=hint)

    def at(self, line: int) -> _Where:
        return _Where(self.path, line, self.step)


class ScenarioLibrary:
    """The scenarios a user can play, by name: a user's folders first (they may shadow shipped names)."""

    def __init__(self, folders: Sequence[Path] = (), *, shipped: bool = True) -> None:
        self.folders = [Path(folder) for folder in folders] + ([shipped_scenarios_dir()] if shipped else [])
        self._paths: dict[str, Path] = {}
        for folder in reversed(self.folders):
            for path in sorted(folder.glob("*.yaml")):
                self._paths[path.stem] = path
        self._loaded: dict[str, Scenario] = {}

    @classmethod
    def from_setting(cls, fixtures: str | Path | None = None) -> ScenarioLibrary:
        """The library for `--fixtures DIR` (else TIDINGS_FIXTURES, else `[tool.tidings] fixtures`): scenarios
        from DIR/scenarios/*.yaml, or DIR/*.yaml when DIR has no scenarios folder, then the shipped ones."""
        chosen = resolve_setting("fixtures", str(fixtures) if fixtures is not None else None)
        if chosen is None:
            return cls()
        folder = Path(chosen)
        if not folder.is_dir():
            raise UsageError(f"fixtures folder {folder} does not exist", hint="pass --fixtures DIR with DIR/scenarios/")
        nested = folder / "scenarios"
        return cls([nested if nested.is_dir() else folder])

    def names(self) -> list[str]:
        """Every scenario name, sorted."""
        return sorted(self._paths)

    def path_of(self, name: str) -> Path:
        """The file of scenario `name`; ScenarioNotFound naming the closest ones otherwise."""
        path = self._paths.get(name)
        if path is None:
            raise self._not_found(name)
        return path

    def load(self, name: str) -> Scenario:
        """Scenario `name` with its includes, checked; cached."""
        return self._load(name, ())

    def load_path(self, path: Path) -> Scenario:
        """A scenario file given by path (its includes are looked up by name in this library)."""
        return self._parse(Path(path), (Path(path).stem,))

    def load_all(self) -> Iterator[Scenario | TidingsError]:
        """Every scenario, or the error that stops it loading (for `scenarios list` and `validate`)."""
        for name in self.names():
            try:
                yield self.load(name)
            except TidingsError as error:
                yield error

    def _not_found(self, name: str) -> ScenarioNotFound:
        suggestions = closest(name, self._paths)
        hint = f"did you mean {', '.join(suggestions)}?" if suggestions else "run `tidings scenarios list`"
        folders = ", ".join(str(folder) for folder in self.folders)
        return ScenarioNotFound(f"unknown scenario {name!r} (looked in {folders})", hint=hint)

    def _load(self, name: str, stack: tuple[str, ...]) -> Scenario:
        cached = self._loaded.get(name)
        if cached is None:
            cached = self._loaded[name] = self._parse(self.path_of(name), (*stack, name))
        return cached

    # -- parsing ------------------------------------------------------------------------------------------------

    def _parse(self, path: Path, stack: tuple[str, ...]) -> Scenario:
        document = load_yaml(path)
        where = _Where(path, line_of(document, 1))
        if not isinstance(document, YamlMap):
            raise where.error("a scenario file is a mapping", hint="start with `name:`, `description:` and `steps:`")
        _check_keys(document, _TOP_KEYS, where, "scenario")
        name = document.get("name", path.stem)
        if name != path.stem:
            raise where.error(
                f"the scenario is named {name!r} but its file is {path.name}",
                line=document.line_of("name"),
                hint=f"rename the file to {name}.yaml or the scenario to {path.stem!r}: scenarios are found by file",
            )
        params = _parse_params(document.get("params"), where.at(document.line_of("params")))
        check = _checker(params, set(), allow=("params", "faker", "now"))
        data = _compile_mapping(document.get("data"), where.at(document.line_of("data")), "data", check)
        faults = _parse_faults(document.get("faults"), where.at(document.line_of("faults")), step_level=False)
        raw_steps = document.get("steps")
        if not isinstance(raw_steps, YamlList) or not raw_steps:
            raise where.error("`steps:` must be a non-empty list", line=document.line_of("steps"))
        steps: list[Step] = []
        visible: set[str] = set()
        for number, raw in enumerate(raw_steps, start=1):
            step_where = _Where(path, raw_steps.item_lines[number - 1], f"step #{number}")
            step = self._parse_step(raw, step_where, params, visible, stack, number)
            steps.append(step)
            if isinstance(step, EmitStep) and step.name:
                if step.name in visible:
                    raise step_where.error(f"a step named {step.name!r} is already above", hint="names must be unique")
                visible.add(step.name)
            elif isinstance(step, IncludeStep) and step.repeat is None:
                visible |= step.scenario.exported_names()
        description = str(document.get("description", "")).strip()
        provides = _parse_provides(document.get("provides"), where.at(document.line_of("provides")))
        return Scenario(
            str(name), description, path, params, tuple(steps), data, faults, document.line_of("params"), provides
        )

    def _parse_step(
        self,
        raw: Any,
        where: _Where,
        params: dict[str, Param],
        visible: set[str],
        stack: tuple[str, ...],
        number: int,
    ) -> Step:
        if not isinstance(raw, YamlMap) or ("emit" in raw) == ("include" in raw):
            raise where.error(
                "a step is a mapping with either `emit: EVENT_TYPE` or `include: SCENARIO`",
                hint="e.g. `- emit: intervention.referral.sent` or `- include: referral-sent`",
            )
        if "as" in raw and isinstance(raw.get("as"), str):
            where = _Where(where.path, where.line, f"step {raw['as']}")
        if isinstance(raw.get("emit"), str):
            where = _Where(where.path, where.line, f"{where.step} ({raw['emit']})")
        elif isinstance(raw.get("include"), str):
            where = _Where(where.path, where.line, f"{where.step} (include {raw['include']})")
        after = _parse_after(raw, where)
        repeat = _parse_repeat(raw, where, params, visible)
        faults = _parse_faults(raw.get("faults"), where.at(raw.line_of("faults")), step_level=True)
        allowed = _IN_STEPS if repeat is None else (*_IN_STEPS, "index", "number")
        if "include" in raw:
            _check_keys(raw, _INCLUDE_KEYS, where, "include step")
            include = self._parse_include(raw, where, params, visible, stack, after, repeat, faults, allowed)
            return replace(include, number=number)
        _check_keys(raw, _EMIT_KEYS, where, "emit step")
        event_type = raw["emit"]
        if not isinstance(event_type, str) or not event_type:
            raise where.error("`emit:` names an event type", line=raw.line_of("emit"))
        version = raw.get("version")
        if version is not None and (not isinstance(version, int) or isinstance(version, bool) or version < 1):
            raise where.error(f"`version: {version!r}` is not a version", line=raw.line_of("version"), hint="e.g. 1")
        name = raw.get("as")
        if name is not None and (not isinstance(name, str) or not _NAME.match(name)):
            raise where.error(f"`as: {name!r}` is not a name", line=raw.line_of("as"), hint="e.g. `as: sent`")
        check = _checker(params, visible, allow=allowed)
        data = _compile_mapping(raw.get("data"), where.at(raw.line_of("data")), "data", check)
        state = None
        if "state" in raw:
            state = _compile_mapping(raw.get("state"), where.at(raw.line_of("state")), "state", check)
        return EmitStep(event_type, where.line, version, data, state, name, after, repeat, faults, number)

    def _parse_include(
        self,
        raw: YamlMap,
        where: _Where,
        params: dict[str, Param],
        visible: set[str],
        stack: tuple[str, ...],
        after: timedelta,
        repeat: Any,
        faults: FaultSet | None,
        allowed: tuple[str, ...],
    ) -> IncludeStep:
        target = raw["include"]
        line = raw.line_of("include")
        if not isinstance(target, str):
            raise where.error("`include:` names a scenario", line=line, hint="e.g. `include: referral-sent`")
        if target in stack:
            cycle = " → ".join([*stack[stack.index(target) :], target])
            raise where.error(
                f"include cycle: {cycle}", line=line, hint="a scenario cannot include itself, even via others"
            )
        if target not in self._paths:
            error = self._not_found(target)
            raise where.error(error.message, line=line, hint=error.hint)
        included = self._load(target, stack)
        check = _checker(params, visible, allow=allowed)
        bound = _compile_mapping(raw.get("params"), where.at(raw.line_of("params")), "params", check)
        for key in bound:
            if key not in included.params:
                suggestions = closest(key, included.params)
                raise where.error(
                    f"scenario {target!r} has no parameter {key!r}",
                    line=raw.line_of("params"),
                    hint=f"did you mean {', '.join(suggestions)}?" if suggestions else _params_hint(included),
                )
        interleave = raw.get("interleave", 1)
        if not isinstance(interleave, int) or isinstance(interleave, bool) or interleave < 1:
            raise where.error(
                f"`interleave: {interleave!r}` must be a whole number ≥ 1", line=raw.line_of("interleave")
            )
        if interleave > 1 and repeat is None:
            raise where.error("`interleave:` needs `repeat:`", line=raw.line_of("interleave"))
        return IncludeStep(included, where.line, bound, after, repeat, interleave, faults)


def _params_hint(scenario: Scenario) -> str:
    return f"its parameters: {', '.join(scenario.params) or 'none'}"


def _check_keys(mapping: YamlMap, allowed: Iterable[str], where: _Where, what: str) -> None:
    allowed = tuple(allowed)
    for key in mapping:
        if key not in allowed:
            suggestions = closest(key, allowed)
            raise where.error(
                f"unknown key {key!r} in {'an' if what[0] in 'aeiou' else 'a'} {what}",
                line=mapping.line_of(key),
                hint=f"did you mean {suggestions[0]!r}?" if suggestions else f"keys: {', '.join(allowed)}",
            )


def _parse_provides(raw: Any, where: _Where) -> tuple[str, ...]:
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


def _parse_after(raw: YamlMap, where: _Where) -> timedelta:
    if "after" not in raw:
        return timedelta()
    try:
        return parse_duration(raw["after"])
    except UsageError as error:
        raise where.error(error.message, line=raw.line_of("after"), hint=error.hint) from None


def _parse_repeat(raw: YamlMap, where: _Where, params: dict[str, Param], visible: set[str]) -> Any:
    if "repeat" not in raw:
        return None
    line = raw.line_of("repeat")
    value = _compile_value(raw["repeat"], where.at(line), _checker(params, visible, allow=("params", "steps")))
    if isinstance(value, Template):
        return value
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise where.error(f"`repeat: {value!r}` must be a whole number ≥ 0", line=line, hint="e.g. `repeat: 3`")
    return value


def _parse_faults(raw: Any, where: _Where, *, step_level: bool) -> Any:
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


def _parse_params(raw: Any, where: _Where) -> dict[str, Param]:
    if raw is None:
        return {}
    if not isinstance(raw, YamlMap):
        raise where.error("`params:` is a mapping of name → default (or → {default, type, description})")
    params: dict[str, Param] = {}
    for name, spec in raw.items():
        here = where.at(raw.line_of(name))
        if not _NAME.match(name):
            raise here.error(f"{name!r} is not a parameter name", hint="use letters, digits, _ and -")
        if isinstance(spec, YamlMap):
            _check_keys(spec, _PARAM_KEYS, here, f"parameter {name!r}")
            fields = dict(spec)
        else:
            fields = {"default": spec}
        default = _compile_value(fields.get("default"), here, _checker(params, set(), allow=("params", "faker", "now")))
        declared = fields.get("type")
        inferred = _TYPES.get(type(default), "string")
        if declared is not None and declared not in _TYPES.values():
            raise here.error(f"unknown type {declared!r}", hint=f"types: {', '.join(_TYPES.values())}")
        required = bool(fields.get("required", default is None))
        params[name] = Param(
            name, declared or inferred, default, required, str(fields.get("description", "")), here.line
        )
    return params


_Check = Callable[[Template, _Where], None]


def _compile_value(value: Any, where: _Where, check: _Check) -> Any:
    """Compile templates in `value` and `check` each, reporting a bad one at the line of the innermost key or
    item holding it."""
    if isinstance(value, YamlMap):
        return compiled_mapping(
            {key: _compile_value(item, where.at(value.line_of(key)), check) for key, item in value.items()}
        )
    if isinstance(value, YamlList):
        return compiled_sequence(
            [_compile_value(item, where.at(value.item_lines[i]), check) for i, item in enumerate(value)]
        )
    try:
        compiled = compile_tree(value)
    except TemplateError as error:
        raise where.error(error.message, hint=error.hint) from None
    if isinstance(compiled, Template):
        check(compiled, where)
    return compiled


def _compile_mapping(value: Any, where: _Where, key: str, check: _Check) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, YamlMap):
        raise where.error(f"`{key}:` is a mapping", hint=f"e.g. `{key}: {{crn: '{{{{ params.crn }}}}'}}`")
    return _compile_value(value, where, check)


def _checker(params: Mapping[str, Param], visible: set[str], *, allow: tuple[str, ...]) -> _Check:
    """A check that a template uses only `allow`ed roots, declared parameters and steps defined above."""
    known = set(visible)  # a snapshot: steps defined later are not visible here
    return lambda template, where: _check_references(template, params, known, where, allow=allow)


def _check_references(
    template: Template, params: Mapping[str, Param], visible: set[str], where: _Where, *, allow: tuple[str, ...]
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
