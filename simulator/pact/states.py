"""Provider states for pact verification: what the simulator does when a consumer's interaction says
`given("a referral has been sent", referralId=...)`.

A state maps to a function of (event type, version, the `given` params) that returns a `StateOutcome`: the event
of that type the state's world produced, if any, and overrides for the message (`Catalog.example` syntax).
States come from scenarios that declare them (`provides: ["a referral has been sent"]` in the scenario file; the
shipped scenarios declare the interventions states, so a consumer's pact verifies with no options), from an
explicit mapping of state → scenario (`tidings pact verify --state "a referral has been sent=referral-sent"`,
which wins over a scenario's declaration of the same state), or from Python (`ProviderStates.add`). A
scenario-backed state plays the scenario with the `given` params as its parameters (those it declares) and a seed
fixed by the state and params, so verification is repeatable.

An unknown state is an `UnknownProviderState` naming the known ones; it fails the interaction that needs it.
For HTTP interactions a state is also a *world*: the events its scenario plays, with their steps' `state:`,
which `pact.http_states` projects into the fake API before the request.
"""

from __future__ import annotations

import copy
import itertools
import json
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from tidings.contracts.catalog.fields import schema_fields
from tidings.contracts.errors import CheckFailed, TidingsError, UsageError, closest
from tidings.contracts.registry.routed import CatalogView
from tidings.simulator.scenarios.loader import ScenarioLibrary
from tidings.simulator.scenarios.model import Scenario
from tidings.simulator.scenarios.plan import Plan, PlannedEvent, crn_of

__all__ = [
    "ProviderStates",
    "StateDefinition",
    "StateFunction",
    "StateOutcome",
    "StateWorld",
    "UnknownProviderState",
    "parse_state_options",
    "scenario_state",
]

_EVENT_LIMIT = 1_000
"""A state plays at most this many events of its scenario (a volume scenario needs no more to set a state)."""


@dataclass(frozen=True)
class StateOutcome:
    """What setting a state gives the message: `event` replaces the contract's example (an event of the
    interaction's type the state produced), `overrides` are merged into it, and `unused` params are left for
    the generic mapping (a param named like a field of the event sets that field)."""

    event: dict[str, Any] | None = None
    overrides: dict[str, Any] = field(default_factory=dict)
    unused: dict[str, Any] = field(default_factory=dict)


StateFunction = Callable[[str, int, Mapping[str, Any]], "StateOutcome | Mapping[str, Any]"]
"""`(event_type, version, params) -> StateOutcome` (or a plain mapping of overrides)."""

StateWorld = Callable[[Mapping[str, Any]], list[tuple[dict[str, Any], dict[str, Any] | None]]]
"""`params -> [(event, step state), ...]`: what the state's world published, in order, for the fake API."""


@dataclass(frozen=True)
class StateDefinition:
    """A provider state tidings can set, and where it was declared (for listings and duplicate errors)."""

    name: str
    origin: str
    produce: StateFunction
    world: StateWorld | None = None
    """The events the state plays (scenario states); None for a state defined only by its messages."""

    def events(self, params: Mapping[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
        """What the state's world published for `params` (`[]` for a Python state without a world)."""
        return self.world(params) if self.world is not None else []

    def outcome(self, event_type: str, version: int, params: Mapping[str, Any]) -> StateOutcome:
        """The state's outcome for a message of `event_type` v`version`."""
        result = self.produce(event_type, version, params)
        return result if isinstance(result, StateOutcome) else StateOutcome(overrides=dict(result))


class UnknownProviderState(CheckFailed):
    """A consumer's interaction needs a provider state nobody declared (it fails that interaction)."""

    def __init__(self, state: str, known: list[str]) -> None:
        self.state = state
        self.known = known
        suggestions = closest(state, known)
        if known:
            hint = (
                (f"did you mean {suggestions[0]!r}? " if suggestions else "")
                + "known states: "
                + ", ".join(repr(name) for name in known)
            )
        else:
            hint = "no provider states are declared"
        hint += "; declare it with `provides:` in a scenario, or --state 'NAME=SCENARIO'"
        super().__init__(f"unknown provider state {state!r}", hint=hint)


class ProviderStates:
    """The provider states the simulator can set, by name."""

    def __init__(self) -> None:
        self._states: dict[str, StateDefinition] = {}
        self.problems: list[str] = []
        """Scenario files that could not be loaded while collecting states (their states are unknown)."""

    def __contains__(self, name: object) -> bool:
        return name in self._states

    def __iter__(self) -> Iterator[StateDefinition]:
        return iter(self._states.values())

    def __len__(self) -> int:
        return len(self._states)

    def names(self) -> list[str]:
        """The known state names, sorted."""
        return sorted(self._states)

    def add(
        self, name: str, produce: StateFunction, *, origin: str = "Python", world: StateWorld | None = None
    ) -> None:
        """Declare state `name` (`world`: the events it plays, for HTTP interactions); declaring one name twice is
        a UsageError naming both places."""
        existing = self._states.get(name)
        if existing is not None:
            raise UsageError(
                f"provider state {name!r} is declared twice: by {existing.origin} and by {origin}",
                hint="a state must mean one thing; rename one of them",
            )
        self._states[name] = StateDefinition(name, origin, produce, world)

    def add_scenario(self, name: str, scenario: Scenario, catalog: CatalogView, *, origin: str | None = None) -> None:
        """Declare state `name` as "what scenario `scenario` leaves behind"."""
        played = _ScenarioWorld(scenario, catalog)
        self.add(name, played.produce, origin=origin or f"scenario {scenario.name}", world=played.world)

    def get(self, name: str) -> StateDefinition:
        """The state `name`; `UnknownProviderState` listing the known ones otherwise."""
        try:
            return self._states[name]
        except KeyError:
            raise UnknownProviderState(name, self.names()) from None

    @classmethod
    def from_scenarios(
        cls, library: ScenarioLibrary, catalog: CatalogView, mapping: Mapping[str, str] | None = None
    ) -> ProviderStates:
        """The states the library's scenarios declare (`provides:`), plus `mapping` (state → scenario name).

        A state `mapping` names is the user's explicit choice, so it replaces a scenario's declaration of that
        state; two scenarios declaring one state is a UsageError naming both files."""
        mapping = mapping or {}
        states = cls()
        declared: dict[str, Scenario] = {}
        for loaded in library.load_all():
            if isinstance(loaded, TidingsError):
                states.problems.append(str(loaded))
                continue
            for name in loaded.provides:
                if name in mapping:
                    continue
                first = declared.setdefault(name, loaded)
                if first is not loaded:
                    raise UsageError(
                        f"provider state {name!r} is declared by two scenarios: {first.path} and {loaded.path}",
                        hint=f"a state must mean one thing: remove it from the `provides:` of one of them, "
                        f"or choose one with --state '{name}=SCENARIO'",
                    )
                states.add_scenario(name, loaded, catalog, origin=f"scenario {loaded.name} ({loaded.path})")
        for name, scenario_name in mapping.items():
            states.add_scenario(name, library.load(scenario_name), catalog, origin=f"--state {name}={scenario_name}")
        return states


def parse_state_options(options: list[str] | None) -> dict[str, str]:
    """`["a referral has been sent=referral-sent"]` → `{"a referral has been sent": "referral-sent"}`."""
    mapping: dict[str, str] = {}
    for option in options or []:
        name, equals, scenario = option.rpartition("=")
        if not equals or not name.strip() or not scenario.strip():
            raise UsageError(
                f"--state {option!r} is not STATE=SCENARIO",
                hint="e.g. --state 'a referral has been sent=referral-sent'",
            )
        mapping[name.strip()] = scenario.strip()
    return mapping


def scenario_state(scenario: Scenario, catalog: CatalogView) -> StateFunction:
    """A state function that plays `scenario` (params it declares come from `given`) and returns the last event
    of the interaction's type it publishes; when it publishes none of that type, the person (CRN) and the
    `additionalInformation` values of its events that the message's contract also has (ids, references) carry
    over, so the message belongs to the same world."""
    return _ScenarioWorld(scenario, catalog).produce


class _ScenarioWorld:
    """One scenario played per distinct `given` params (cached, seeded by the state and params)."""

    def __init__(self, scenario: Scenario, catalog: CatalogView) -> None:
        self.scenario = scenario
        self.catalog = catalog
        self._played: dict[str, list[PlannedEvent]] = {}

    def _split(self, params: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        given = {name: value for name, value in params.items() if name in self.scenario.params}
        unused = {name: value for name, value in params.items() if name not in self.scenario.params}
        return given, unused

    def planned(self, params: Mapping[str, Any]) -> list[PlannedEvent]:
        """The scenario's events (at most `_EVENT_LIMIT`) for the `given` params it declares."""
        given, _ = self._split(params)
        key = json.dumps(given, sort_keys=True, default=str)
        events = self._played.get(key)
        if events is None:
            seed = zlib.crc32(f"{self.scenario.name}|{key}".encode())
            plan = Plan(self.scenario, self.catalog, params=given, seed=seed)
            events = self._played[key] = list(itertools.islice(plan.events(), _EVENT_LIMIT))
        return events

    def world(self, params: Mapping[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
        """Every event played, with its step's `state:` (copies: the fake API keeps what it is given)."""
        return [(copy.deepcopy(p.event), copy.deepcopy(p.state)) for p in self.planned(params)]

    def produce(self, event_type: str, version: int, params: Mapping[str, Any]) -> StateOutcome:
        """The state function (see `scenario_state`)."""
        _, unused = self._split(params)
        events = [planned.event for planned in self.planned(params)]
        same = [event for event in events if event.get("eventType") == event_type and event.get("version") == version]
        if same:
            return StateOutcome(event=copy.deepcopy(same[-1]), unused=unused)
        return StateOutcome(overrides=_carried(events, self.catalog, event_type, version), unused=unused)


def _carried(events: list[dict[str, Any]], catalog: CatalogView, event_type: str, version: int) -> dict[str, Any]:
    fields = schema_fields(catalog.compiled(event_type, version).bundled)
    overrides: dict[str, Any] = {}
    information: dict[str, Any] = {}
    for event in events:
        crn = crn_of(event)
        if crn is not None:
            overrides["crn"] = crn
        info = event.get("additionalInformation")
        for name, value in (info if isinstance(info, dict) else {}).items():
            if f"/additionalInformation/{name}" in fields:
                information[name] = copy.deepcopy(value)
    if information:
        overrides["additionalInformation"] = information
    return overrides
