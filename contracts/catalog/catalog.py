"""`Catalog`: the published contracts of one producer, and what callers do with them (look up, validate,
build examples and detail URLs)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from referencing import Registry

from tidings.contracts.catalog.api import BusinessApi
from tidings.contracts.catalog.compiled import CompiledContract, compile_contract
from tidings.contracts.catalog.examples import build_example, render_detail_url
from tidings.contracts.catalog.model import EventContract, Violation
from tidings.contracts.catalog.notification import event_of
from tidings.contracts.errors import CatalogError, UnknownEventType, UnknownVersion, UsageError

__all__ = ["Catalog"]


class Catalog:
    """A loaded catalogue. Build one with `load_catalog()`; it is read-only apart from its validator cache."""

    def __init__(
        self,
        *,
        root: Path,
        producer: str,
        topic: str,
        api_base_url: str,
        description: str,
        contracts: list[EventContract],
        registry: Registry[Any],
        declared_event_types: list[str],
        shared_files: list[str],
        problems: list[str],
        api: BusinessApi | None = None,
        schema_errors: list[CatalogError] | None = None,
    ) -> None:
        self.root = root
        self.producer = producer
        self.topic = topic
        self.api_base_url = api_base_url
        self.description = description
        self.registry = registry
        self.declared_event_types = declared_event_types
        self.shared_files = shared_files
        self.problems = problems
        self.api = api if api is not None else BusinessApi([], {}, registry)
        """The business API: resources behind the detailUrls, and the projections that fill them."""
        self.schema_errors = schema_errors or []
        """Schemas their metaschema rejects (file + JSON pointer); `load_catalog` raises the first."""
        """Content problems found while loading (`file:line: what`); `tidings contracts lint` reports them."""
        self.events: list[EventContract] = sorted(contracts, key=lambda contract: contract.key)
        self._by_key = {contract.key: contract for contract in self.events}
        self._versions: dict[str, list[int]] = {}
        for contract in self.events:
            self._versions.setdefault(contract.event_type, []).append(contract.version)
        self._compiled: dict[tuple[str, int], CompiledContract] = {}
        self._fast: dict[tuple[str, int], Callable[[Any], bool] | None] = {}

    def __repr__(self) -> str:
        return f"<Catalog {self.producer} ({len(self.events)} contracts) at {self.root}>"

    def __iter__(self) -> Iterator[EventContract]:
        return iter(self.events)

    def __len__(self) -> int:
        return len(self.events)

    @property
    def event_types(self) -> list[str]:
        """The event types that have at least one contract, sorted."""
        return sorted(self._versions)

    def versions(self, event_type: str) -> list[int]:
        """The versions of `event_type`, ascending; `UnknownEventType` (naming the closest) if there are none."""
        try:
            return list(self._versions[event_type])
        except KeyError:
            raise UnknownEventType(event_type, self._versions) from None

    def get(self, event_type: str, version: int | None = None) -> EventContract:
        """The contract of `event_type` at `version` (the latest when `None`)."""
        versions = self.versions(event_type)
        chosen = versions[-1] if version is None else version
        try:
            return self._by_key[(event_type, chosen)]
        except (KeyError, TypeError):
            raise UnknownVersion(event_type, version, versions) from None

    def compiled(self, event_type: str, version: int | None = None) -> CompiledContract:
        """The compiled validator of a contract, built once per (type, version) and cached."""
        contract = self.get(event_type, version)
        compiled = self._compiled.get(contract.key)
        if compiled is None:
            compiled = self._compiled[contract.key] = compile_contract(contract, self.registry)
            self._fast[contract.key] = compiled.fast
        return compiled

    def validate(self, event_or_notification: Any) -> list[Violation]:
        """Every way an event breaks its contract (`[]` if none). Accepts a raw envelope, an SNS notification or
        SQS message (dict), or the JSON text of one. The contract is chosen by the event's `eventType` and
        `version` (the latest version when `version` is missing or not an integer, so that is reported).

        Raises `UsageError` when no contract can be chosen: not a JSON object, no `eventType`, an unknown event
        type (`UnknownEventType`, naming the closest) or version (`UnknownVersion`); `CatalogError` when the
        chosen contract's schema is broken (`tidings contracts lint` names it)."""
        # The hot path (a known, valid raw event) is kept to a few dictionary lookups and one generated call.
        obj = event_or_notification
        event = obj if type(obj) is dict and "eventType" in obj else event_of(obj)
        try:
            fast = self._fast[(event["eventType"], event["version"])]
        except (KeyError, TypeError):  # not compiled yet, no such key, or an unhashable version
            fast = None
        if fast is not None and fast(event):
            return []
        return self._compiled_for(event).violations(event)

    def _compiled_for(self, event: dict[str, Any]) -> CompiledContract:
        event_type = event.get("eventType")
        if not isinstance(event_type, str) or not event_type:
            found = "no eventType" if event_type is None else f"eventType {event_type!r}"
            raise UsageError(
                f"cannot choose a contract: the event has {found}",
                hint=f'every event names its type, e.g. "eventType": "{self.event_types[0] if self.events else "x"}"',
            )
        version = event.get("version")
        if isinstance(version, int) and not isinstance(version, bool):
            return self.compiled(event_type, version)
        return self.compiled(event_type)  # the schema reports the missing or mistyped version

    def example(
        self, event_type: str, *, version: int | None = None, base_url: str | None = None, **overrides: Any
    ) -> dict[str, Any]:
        """A new event from the contract's first example, with `overrides` deep-merged. It is NOT validated
        (build invalid events on purpose for poison tests; call `validate` otherwise).

        - nested dicts merge: `additionalInformation={"assignedTo": "x"}` keeps the other keys;
        - dotted keys reach inside: `**{"additionalInformation.referralId": rid}`;
        - `crn="X123456"` sets the person's CRN (personReference, and serviceUserCRN where the event has it);
        - a keyword naming a url-only placeholder (`sessionNumber=3`) fills it in the detailUrl;
        - `REMOVE` as a value deletes the key.

        `version=` chooses the contract; to put another `version` in the event, edit the returned dict.

        `detailUrl` is rendered from the template with the final `additionalInformation` and `base_url`
        (default `api_base_url`), unless `detailUrl` itself is overridden."""
        contract = self.get(event_type, version)
        return build_example(contract, base_url or self.api_base_url, overrides)

    def detail_url(
        self,
        event_type: str,
        additional_information: dict[str, Any],
        *,
        version: int | None = None,
        base_url: str | None = None,
        **url_params: Any,
    ) -> str:
        """The detailUrl of an event: the template filled from `url_params` and `additional_information`."""
        contract = self.get(event_type, version)
        return render_detail_url(contract, additional_information, base_url or self.api_base_url, url_params)
