"""Finding and loading scenario files: the shipped ones plus a user's `--fixtures DIR`, includes resolved (with
cycle detection), templates compiled and every static mistake reported as `file:line` with a hint.

Static checks here need no catalogue: unknown keys, bad durations and fault specs, templates that refer to an
unknown parameter or to a step not defined above. Event types and payloads are checked by scenarios.plan.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from tidings.contracts.errors import TidingsError, UsageError, closest
from tidings.contracts.settings import resolve_setting
from tidings.simulator.scenarios.clock import parse_start
from tidings.simulator.scenarios.faults import FaultSet
from tidings.simulator.scenarios.loader_checks import (
    NAME,
    Where,
    check_keys,
    checker,
    compile_mapping,
    params_hint,
    parse_after,
    parse_faults,
    parse_params,
    parse_provides,
    parse_repeat,
)
from tidings.simulator.scenarios.model import EmitStep, IncludeStep, Param, Scenario, Step
from tidings.simulator.scenarios.yaml_lines import YamlList, YamlMap, line_of, load_yaml

__all__ = ["ScenarioLibrary", "ScenarioNotFound", "shipped_scenarios_dir"]

_TOP_KEYS = ("name", "description", "provides", "params", "data", "faults", "start_at", "steps")
_EMIT_KEYS = ("emit", "version", "data", "state", "as", "after", "repeat", "faults")
_INCLUDE_KEYS = ("include", "params", "after", "repeat", "interleave", "faults")
_IN_STEPS = ("params", "steps", "faker", "now")


class ScenarioNotFound(UsageError):
    """No scenario of that name in the shipped scenarios or the user's fixtures."""


def shipped_scenarios_dir() -> Path:
    """The scenarios that ship with tidings (package data of `tidings.fixtures`)."""
    return Path(str(resources.files("tidings.fixtures").joinpath("scenarios")))


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
        where = Where(path, line_of(document, 1))
        if not isinstance(document, YamlMap):
            raise where.error("a scenario file is a mapping", hint="start with `name:`, `description:` and `steps:`")
        check_keys(document, _TOP_KEYS, where, "scenario")
        name = document.get("name", path.stem)
        if name != path.stem:
            raise where.error(
                f"the scenario is named {name!r} but its file is {path.name}",
                line=document.line_of("name"),
                hint=f"rename the file to {name}.yaml or the scenario to {path.stem!r}: scenarios are found by file",
            )
        params = parse_params(document.get("params"), where.at(document.line_of("params")))
        check = checker(params, set(), allow=("params", "faker", "now"))
        data = compile_mapping(document.get("data"), where.at(document.line_of("data")), "data", check)
        faults = parse_faults(document.get("faults"), where.at(document.line_of("faults")), step_level=False)
        raw_steps = document.get("steps")
        if not isinstance(raw_steps, YamlList) or not raw_steps:
            raise where.error("`steps:` must be a non-empty list", line=document.line_of("steps"))
        steps: list[Step] = []
        visible: set[str] = set()
        for number, raw in enumerate(raw_steps, start=1):
            step_where = Where(path, raw_steps.item_lines[number - 1], f"step #{number}")
            step = self._parse_step(raw, step_where, params, visible, stack, number)
            steps.append(step)
            if isinstance(step, EmitStep) and step.name:
                if step.name in visible:
                    raise step_where.error(f"a step named {step.name!r} is already above", hint="names must be unique")
                visible.add(step.name)
            elif isinstance(step, IncludeStep) and step.repeat is None:
                visible |= step.scenario.exported_names()
        description = str(document.get("description", "")).strip()
        provides = parse_provides(document.get("provides"), where.at(document.line_of("provides")))
        start_at = None
        if document.get("start_at") is not None:
            try:
                start_at = parse_start(document.get("start_at"))
            except UsageError as error:
                raise where.error(error.message, line=document.line_of("start_at"), hint=error.hint) from None
        return Scenario(
            str(name),
            description,
            path,
            params,
            tuple(steps),
            data,
            faults,
            document.line_of("params"),
            provides,
            start_at,
        )

    def _parse_step(
        self,
        raw: Any,
        where: Where,
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
            where = Where(where.path, where.line, f"step {raw['as']}")
        if isinstance(raw.get("emit"), str):
            where = Where(where.path, where.line, f"{where.step} ({raw['emit']})")
        elif isinstance(raw.get("include"), str):
            where = Where(where.path, where.line, f"{where.step} (include {raw['include']})")
        after = parse_after(raw, where)
        repeat = parse_repeat(raw, where, params, visible)
        faults = parse_faults(raw.get("faults"), where.at(raw.line_of("faults")), step_level=True)
        allowed = _IN_STEPS if repeat is None else (*_IN_STEPS, "index", "number")
        if "include" in raw:
            check_keys(raw, _INCLUDE_KEYS, where, "include step")
            include = self._parse_include(raw, where, params, visible, stack, after, repeat, faults, allowed)
            return replace(include, number=number)
        check_keys(raw, _EMIT_KEYS, where, "emit step")
        event_type = raw["emit"]
        if not isinstance(event_type, str) or not event_type:
            raise where.error("`emit:` names an event type", line=raw.line_of("emit"))
        version = raw.get("version")
        if version is not None and (not isinstance(version, int) or isinstance(version, bool) or version < 1):
            raise where.error(f"`version: {version!r}` is not a version", line=raw.line_of("version"), hint="e.g. 1")
        name = raw.get("as")
        if name is not None and (not isinstance(name, str) or not NAME.match(name)):
            raise where.error(f"`as: {name!r}` is not a name", line=raw.line_of("as"), hint="e.g. `as: sent`")
        check = checker(params, visible, allow=allowed)
        data = compile_mapping(raw.get("data"), where.at(raw.line_of("data")), "data", check)
        state = None
        if "state" in raw:
            state = compile_mapping(raw.get("state"), where.at(raw.line_of("state")), "state", check)
        return EmitStep(event_type, where.line, version, data, state, name, after, repeat, faults, number)

    def _parse_include(
        self,
        raw: YamlMap,
        where: Where,
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
        check = checker(params, visible, allow=allowed)
        bound = compile_mapping(raw.get("params"), where.at(raw.line_of("params")), "params", check)
        for key in bound:
            if key not in included.params:
                suggestions = closest(key, included.params)
                raise where.error(
                    f"scenario {target!r} has no parameter {key!r}",
                    line=raw.line_of("params"),
                    hint=f"did you mean {', '.join(suggestions)}?" if suggestions else params_hint(included),
                )
        interleave = raw.get("interleave", 1)
        if not isinstance(interleave, int) or isinstance(interleave, bool) or interleave < 1:
            raise where.error(
                f"`interleave: {interleave!r}` must be a whole number ≥ 1", line=raw.line_of("interleave")
            )
        if interleave > 1 and repeat is None:
            raise where.error("`interleave:` needs `repeat:`", line=raw.line_of("interleave"))
        return IncludeStep(included, where.line, bound, after, repeat, interleave, faults)
