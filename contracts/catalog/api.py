"""`BusinessApi`: the resources of one producer's API and the projections that fill them, as the catalogue holds
them; path matching, validators of record (jsonschema 2020-12, formats checked) and the load-time checks
(examples validate, every detailUrl template names a resource, every link names one)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry

from tidings.contracts.catalog.formats import FORMAT_FUNCTIONS
from tidings.contracts.catalog.model import EventContract, Violation
from tidings.contracts.catalog.projection_checks import check_projection
from tidings.contracts.catalog.resources import Projection, ResourceContract, path_pattern
from tidings.contracts.catalog.schemas import bundle, with_base_uri

__all__ = ["RESOURCE_FORMATS", "BusinessApi"]


def _is_date(value: Any) -> bool:
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        return not isinstance(value, str)
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


RESOURCE_FORMATS = FormatChecker(formats=())
"""The event formats (uuid, date-time, uri) plus `date` (java.time.LocalDate), which responses use."""
for _name, _check in FORMAT_FUNCTIONS.items():
    RESOURCE_FORMATS.checks(_name)(_check)
RESOURCE_FORMATS.checks("date")(_is_date)


class BusinessApi:
    """The declared resources (by name) and projections (by event type) of a catalogue."""

    def __init__(
        self, resources: Iterable[ResourceContract], projections: dict[str, Projection], registry: Registry[Any]
    ) -> None:
        self.resources = {resource.name: resource for resource in resources}
        self.projections = projections
        self.registry = registry
        # literal segments first, so /sent-referral/{id}/supplier-assessment never loses to a shorter template
        self._patterns = sorted(
            ((path_pattern(r.path), r) for r in self.resources.values()), key=lambda pair: -len(pair[1].path)
        )
        self._validators: dict[str, Draft202012Validator] = {}
        self._bundles: dict[str, dict[str, Any]] = {}

    def __bool__(self) -> bool:
        return bool(self.resources)

    def match(self, path: str) -> tuple[ResourceContract, dict[str, str]] | None:
        """The resource whose template matches the concrete `path`, and the placeholders' values."""
        for pattern, resource in self._patterns:
            found = pattern.match(path)
            if found:
                return resource, found.groupdict()
        return None

    def for_template(self, template: str) -> ResourceContract | None:
        """The resource declared at exactly this path template (placeholder names aside)."""
        shape = re.sub(r"\{[^}]*\}", "{}", template)
        for resource in self.resources.values():
            if re.sub(r"\{[^}]*\}", "{}", resource.path) == shape:
                return resource
        return None

    def validator(self, name: str) -> Draft202012Validator:
        """The validator of record for resource `name`, built once."""
        found = self._validators.get(name)
        if found is None:
            resource = self.resources[name]
            schema = with_base_uri(resource.schema, resource.schema_uri)
            found = Draft202012Validator(schema, registry=self.registry, format_checker=RESOURCE_FORMATS)
            self._validators[name] = found
        return found

    def bundled(self, name: str) -> dict[str, Any]:
        """Resource `name`'s schema with every `$ref` inlined (for OpenAPI, generation and compatibility)."""
        found = self._bundles.get(name)
        if found is None:
            resource = self.resources[name]
            found = self._bundles[name] = bundle(resource.schema, resource.schema_uri, self.registry)
        return found

    def _bundled_or_none(self, name: str) -> dict[str, Any] | None:
        try:
            return self.bundled(name) if name in self.resources else None
        except Exception:  # reported by the schema check
            return None

    def violations(self, name: str, body: Any) -> list[Violation]:
        """Every way `body` breaks resource `name`'s schema, deepest first."""
        errors = sorted(self.validator(name).iter_errors(body), key=lambda e: (-len(e.absolute_path), e.json_path))
        return [
            Violation(
                "".join(f"/{part}" for part in error.absolute_path),
                error.message,
                expected=f"{error.validator}: {error.validator_value!r}"[:120],
            )
            for error in errors
        ]

    def problems(self, events: Iterable[EventContract]) -> list[str]:
        """Load-time content problems: bad schemas, examples that do not validate, detailUrls and links that
        name no resource, projections of unknown event types or resources."""
        found: list[str] = []
        for resource in self.resources.values():
            try:
                Draft202012Validator.check_schema(resource.schema)
                self.bundled(resource.name)
                for index, example in enumerate(resource.examples):
                    for violation in self.violations(resource.name, example):
                        found.append(f"{resource.source_path}: examples[{index}]{violation.pointer}: {violation}")
            except Exception as exc:  # jsonschema and referencing raise several types for a broken schema
                found.append(f"{resource.source_path}: the schema is not usable: {str(exc).splitlines()[0]}")
            for field, target in resource.links.items():
                if self.for_template(target) is None:
                    found.append(f"{resource.source_path}: link {field} -> {target} names no declared resource")
        if not self.resources:
            return found
        types: set[str] = set()
        for contract in events:
            types.add(contract.event_type)
            template = contract.detail_url_template
            path = "/" + template.split("://", 1)[-1].split("/", 1)[-1] if "://" in template else template
            if template and self.for_template(path) is None:
                found.append(f"{contract.source_path}: detailUrl {template} maps to no resource in resources/")
        latest = {contract.event_type: contract for contract in sorted(events, key=lambda c: c.version)}
        for event_type, projection in self.projections.items():
            if event_type not in types:
                found.append(f"{projection.source_path}: {event_type} is not an event type of this catalogue")
            event = latest.get(event_type)
            try:
                event_schema = bundle(event.schema, event.schema_uri, self.registry) if event else None
            except Exception:  # a broken event schema is reported by the event checks
                event_schema = None
            found.extend(check_projection(projection, self._bundled_or_none, event_schema))
            for index, rule in enumerate(projection.rules):
                if rule.get("resource") not in self.resources:
                    found.append(
                        f"{projection.source_path}: rules[{index}]: resource {rule.get('resource')!r} is not declared"
                    )
        return found
