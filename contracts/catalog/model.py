"""The catalogue's value types: one contract per (event type, version), and a violation of one."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["EventContract", "UrlOnlyParam", "Violation"]


@dataclass(frozen=True)
class UrlOnlyParam:
    """A `detailUrl` placeholder whose value is not in `additionalInformation` (the producer puts it only in the
    URL), declared in the contract with the reason and an example value."""

    name: str
    reason: str
    example: Any = None


@dataclass(frozen=True)
class EventContract:
    """What a producer promises for one version of one event type.

    `schema` is the JSON Schema (Draft 2020-12) of the whole envelope; `$ref`s in it are resolved through the
    catalogue's registry, relative to `schema_uri`. `message_attributes` are the SNS message attributes in the
    form `sns.publish(MessageAttributes=...)` takes them.
    """

    event_type: str
    version: int
    description: str
    schema: dict[str, Any]
    detail_url_template: str
    message_attributes: dict[str, Any]
    examples: list[dict[str, Any]]
    source_path: Path
    url_only_params: dict[str, UrlOnlyParam] = field(default_factory=dict)
    schema_uri: str = ""
    # Fields built from others (`additionalInformation.referralURN: "urn:…:{referralId}"`): see examples.derive.
    derived: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, int]:
        """`(event_type, version)`: how the catalogue and its validator cache name this contract."""
        return (self.event_type, self.version)

    def __str__(self) -> str:
        return f"{self.event_type} v{self.version}"


@dataclass(frozen=True)
class Violation:
    """One way an event breaks its contract: where (a JSON pointer into the event), what, expected vs found."""

    pointer: str
    message: str
    expected: str = ""
    found: str = ""

    def __str__(self) -> str:
        where = self.pointer or "/"
        if self.expected or self.found:
            return f"{where}: {self.message} (expected {self.expected}, found {self.found})"
        return f"{where}: {self.message}"
