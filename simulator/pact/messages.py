"""The message the producer would publish for a consumer's interaction, made by the simulator: the contract's
example, replaced or refined by each provider state's outcome, with the SNS metadata the producer sets
(`eventType` from the contract's message attributes, `contentType: application/json`). The message is validated
against its contract: a state whose params make an event the producer could never send fails the interaction.
"""

from __future__ import annotations

import dataclasses
import json
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tidings.contracts import Catalog, EventContract
from tidings.contracts.catalog.compiled import CompiledContract
from tidings.contracts.catalog.examples import build_example, placeholders
from tidings.contracts.catalog.fields import Field, schema_fields
from tidings.contracts.errors import CheckFailed
from tidings.contracts.pact.model import ProviderState
from tidings.simulator.pact.states import ProviderStates

__all__ = ["CONTENT_TYPE", "InvalidStateMessage", "ProducedMessage", "param_overrides", "produce_message"]

CONTENT_TYPE = "application/json"

# Envelope fields a state cannot change: they say which contract the message keeps.
_FIXED = frozenset({"eventType", "version"})


class InvalidStateMessage(CheckFailed):
    """The provider state made a message its contract rejects (the producer would never send it)."""


@dataclass(frozen=True)
class ProducedMessage:
    """One message as the producer publishes it."""

    contract: EventContract
    event: dict[str, Any]
    metadata: dict[str, str]

    def to_pact(self) -> dict[str, Any]:
        """The form pact-python's message handler returns (`pact.types.Message`)."""
        return {
            "contents": json.dumps(self.event).encode("utf-8"),
            "metadata": dict(self.metadata),
            "content_type": CONTENT_TYPE,
        }


def produce_message(
    catalog: Catalog, states: ProviderStates, contract: EventContract, given: Sequence[ProviderState]
) -> ProducedMessage:
    """The message for an interaction of `contract` in the provider states `given` (in order; later states
    refine earlier ones). Raises `UnknownProviderState` or `InvalidStateMessage`."""
    event = catalog.example(contract.event_type, version=contract.version)
    for state in given:
        outcome = states.get(state.name).outcome(contract.event_type, contract.version, state.params)
        if outcome.event is not None:
            event = outcome.event
        for overrides in (outcome.overrides, param_overrides(catalog, contract, outcome.unused)):
            if overrides:
                event = _refined(catalog, contract, event, overrides)
    violations = catalog.validate(event)
    if violations:
        named = ", ".join(str(state) for state in given) or "no state"
        raise InvalidStateMessage(
            f"the message for {contract} in state {named} breaks its contract: "
            + "; ".join(str(violation) for violation in violations),
            hint="the state's params must be values the producer can send",
        )
    return ProducedMessage(contract, event, _metadata(contract))


def param_overrides(catalog: Catalog, contract: EventContract, params: Mapping[str, Any]) -> dict[str, Any]:
    """The `given` params that name something of the event, as `Catalog.example` overrides: `crn`, a url-only
    placeholder, a dotted path, a top-level field, or a field of `additionalInformation`. Others are not about
    this event and are left out."""
    fields = _fields(catalog.compiled(contract.event_type, contract.version))
    overrides: dict[str, Any] = {}
    information: dict[str, Any] = {}
    for name, value in params.items():
        if name in _FIXED:
            continue
        if name == "crn" or name in contract.url_only_params or "." in name or f"/{name}" in fields:
            overrides[name] = value
        elif f"/additionalInformation/{name}" in fields:
            information[name] = value
    if information:
        overrides["additionalInformation"] = information
    return overrides


def _refined(
    catalog: Catalog, contract: EventContract, event: dict[str, Any], overrides: dict[str, Any]
) -> dict[str, Any]:
    """`event` with `overrides` merged in. Its detailUrl is rendered again only if an override feeds one of
    the template's placeholders: a url-only value the event already carries (a session number) must stay."""
    names = set(placeholders(contract.detail_url_template))
    information = overrides.get("additionalInformation")
    touched = names & (set(overrides) | set(information if isinstance(information, dict) else {}))
    touched |= {
        name for name in overrides if name.startswith("additionalInformation.") and name.split(".", 1)[1] in names
    }
    if not touched and "detailUrl" in event:
        overrides = {**overrides, "detailUrl": event["detailUrl"]}
    return build_example(dataclasses.replace(contract, examples=[event]), catalog.api_base_url, overrides)


def _metadata(contract: EventContract) -> dict[str, str]:
    metadata = {
        name: str(attribute.get("StringValue", attribute.get("Value", "")))
        for name, attribute in contract.message_attributes.items()
        if isinstance(attribute, dict)
    }
    metadata.setdefault("eventType", contract.event_type)
    metadata["contentType"] = CONTENT_TYPE
    return metadata


_FIELDS: weakref.WeakKeyDictionary[CompiledContract, dict[str, Field]] = weakref.WeakKeyDictionary()


def _fields(compiled: CompiledContract) -> dict[str, Field]:
    found = _FIELDS.get(compiled)
    if found is None:
        found = _FIELDS[compiled] = schema_fields(compiled.bundled)
    return found
