"""What a scenario file says, parsed: parameters, steps (emit an event, or include another scenario), and the
error type that points back into the file. Templates in values are already compiled (scenarios.templates)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tidings.contracts.errors import InputFileError
from tidings.simulator.scenarios.faults import FaultSet

__all__ = ["EmitStep", "IncludeStep", "Param", "Scenario", "ScenarioError", "Step"]


class ScenarioError(InputFileError):
    """A scenario that cannot be played: `file:line: step …: /pointer: what`, with a hint."""

    def __init__(
        self,
        path: object,
        what: str,
        *,
        line: int | None = None,
        step: str | None = None,
        pointer: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.step = step
        self.pointer = pointer
        prefix = "".join([f"{step}: " if step else "", f"{pointer}: " if pointer else ""])
        super().__init__(path, prefix + what, line=line, hint=hint)


@dataclass(frozen=True, slots=True)
class Param:
    """A scenario parameter. `default` is a compiled value (it may be a template such as `{{ faker.crn() }}`);
    a parameter without one must be given."""

    name: str
    type: str  # string | integer | number | boolean
    default: Any = None
    required: bool = False
    description: str = ""
    line: int = 0


@dataclass(frozen=True, slots=True)
class EmitStep:
    """Publish one event (or `repeat` of them): the contract's example with `data` merged in."""

    event_type: str
    line: int
    version: int | None = None
    data: dict[str, Any] = field(default_factory=dict)
    state: dict[str, Any] | None = None
    name: str | None = None
    after: timedelta = timedelta()
    repeat: Any = None  # None (once), an int, or a Template
    faults: FaultSet | None = None
    number: int = 0

    @property
    def label(self) -> str:
        """The step's name, or its position in the file (`#3`)."""
        return self.name or f"#{self.number}"

    def describe(self) -> str:
        return f"step {self.label} ({self.event_type})"


@dataclass(frozen=True, slots=True)
class IncludeStep:
    """Play another scenario here, with `params` (templates in this scenario's scope); `repeat` plays it several
    times, `interleave` of them side by side in simulated time (volume scenarios)."""

    scenario: Scenario
    line: int
    params: dict[str, Any] = field(default_factory=dict)
    after: timedelta = timedelta()
    repeat: Any = None
    interleave: int = 1
    faults: FaultSet | None = None
    number: int = 0

    @property
    def label(self) -> str:
        return f"#{self.number}"

    def describe(self) -> str:
        return f"step {self.label} (include {self.scenario.name})"


Step = EmitStep | IncludeStep


@dataclass(frozen=True, slots=True)
class Scenario:
    """A named, parameterised sequence of events, loaded from `path`."""

    name: str
    description: str
    path: Path
    params: dict[str, Param]
    steps: tuple[Step, ...]
    data: dict[str, Any] = field(default_factory=dict)  # merged into every step's data (the step wins)
    faults: FaultSet = field(default_factory=FaultSet)
    params_line: int = 1  # where `params:` is (or the top of the file), for errors about parameters
    provides: tuple[str, ...] = ()  # pact provider states playing it sets (`given("…")`); not inherited by includers
    start_at: datetime | None = None  # `start_at:` simulated time starts here (else the run ends about now)

    def exported_names(self) -> set[str]:
        """Step names visible after this scenario is included (not repeated): its own and its includes'."""
        names: set[str] = set()
        for step in self.steps:
            if isinstance(step, EmitStep) and step.name:
                names.add(step.name)
            elif isinstance(step, IncludeStep) and step.repeat is None:
                names |= step.scenario.exported_names()
        return names

    def declares_faults(self) -> bool:
        """Whether this scenario (or one it includes) injects faults of its own."""
        return bool(self.faults) or any(
            bool(step.faults) or (isinstance(step, IncludeStep) and step.scenario.declares_faults())
            for step in self.steps
        )

    def fault_kinds(self) -> set[str]:
        """The kinds of fault this scenario (with its steps and includes) declares."""
        kinds = set(self.faults.specs) if self.faults else set()
        for step in self.steps:
            if step.faults:
                kinds.update(step.faults.specs)
            if isinstance(step, IncludeStep):
                kinds.update(step.scenario.fault_kinds())
        return kinds

    def event_types(self) -> list[str]:
        """Every event type this scenario (with its includes) emits, in order of first appearance."""
        seen: dict[str, None] = {}
        for step in self.steps:
            if isinstance(step, EmitStep):
                seen.setdefault(step.event_type)
            else:
                seen.update(dict.fromkeys(step.scenario.event_types()))
        return list(seen)
