"""What tidings reads from a consumer's pact file: the pact, its asynchronous message interactions and its HTTP
interactions (requests to the producer's business API), and a finding of the static check about one of them.

Pacts are written by consumers with plain pact-python (or any Pact implementation), specification V3
(`messages`) or V4 (`interactions` of type `Asynchronous/Messages`); `pact.file` turns either into these types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "ERROR",
    "WARNING",
    "Finding",
    "Findings",
    "HttpInteraction",
    "MessageInteraction",
    "PactFile",
    "ProviderState",
    "Severity",
]

Severity = Literal["error", "warning"]
ERROR: Severity = "error"
WARNING: Severity = "warning"


@dataclass(frozen=True)
class ProviderState:
    """One `given(name, **params)` of an interaction: the state the producer must be in to send the message."""

    name: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        if not self.params:
            return self.name
        params = ", ".join(f"{key}={value!r}" for key, value in self.params.items())
        return f"{self.name} ({params})"


@dataclass(frozen=True)
class MessageInteraction:
    """One asynchronous message a consumer expects. `body` is the parsed JSON example (`None` when the message
    is not JSON); `body_rules` and `metadata_rules` are pact's matching rules, `{path: [matcher, ...]}` (a body
    path is pact's JSONPath, `$.additionalInformation.referralId`; a metadata path is the key)."""

    description: str
    states: tuple[ProviderState, ...] = ()
    body: Any = None
    content_type: str | None = "application/json"
    metadata: dict[str, Any] = field(default_factory=dict)
    body_rules: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    metadata_rules: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    consumer: str = ""
    provider: str = ""
    source: str = ""
    """Where it was read: `file.json#/interactions/2`, for messages that point back into the pact."""

    def __str__(self) -> str:
        return self.description


@dataclass(frozen=True)
class HttpInteraction:
    """One request a consumer makes to the producer's business API and the response it expects (pact's
    `Synchronous/HTTP`, or a V3 HTTP interaction). `body` is the parsed JSON response example (`None` when there
    is none, or it is not JSON); `body_rules` the response body's matching rules, `{path: [matcher, ...]}`;
    `path_rules` the matchers on the request path (pact-python's `with_request("GET", match.regex(...))`)."""

    description: str
    states: tuple[ProviderState, ...] = ()
    method: str = "GET"
    path: str = "/"
    query: dict[str, Any] = field(default_factory=dict)
    status: int | None = 200
    headers: dict[str, str] = field(default_factory=dict)
    """The response headers the consumer expects (names as written, values joined by `, `)."""
    body: Any = None
    content_type: str | None = None
    body_rules: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    path_rules: list[dict[str, Any]] = field(default_factory=list)
    consumer: str = ""
    provider: str = ""
    source: str = ""
    """Where it was read: `file.json#/interactions/3`."""

    def __str__(self) -> str:
        return self.description

    @property
    def request_line(self) -> str:
        """`GET /sent-referral/...`, as messages show the request."""
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class PactFile:
    """A pact between one consumer and one provider, as loaded from `path`."""

    path: Path
    consumer: str
    provider: str
    specification: str
    """`V3` or `V4`."""
    interactions: tuple[MessageInteraction, ...]
    skipped: tuple[str, ...] = ()
    """Interactions tidings does not check (synchronous messages, plugins), as `description (type)`."""
    http_interactions: tuple[HttpInteraction, ...] = ()
    """The requests to the producer's business API (`Synchronous/HTTP`)."""


@dataclass(frozen=True)
class Finding:
    """One thing the static check says about an interaction: an `error` (the pact cannot hold against the
    contract) or a `warning` (it may fail on some events the producer is allowed to send).

    `pointer` is where in the consumer's message (a JSON pointer into the body, or `metadata/<key>`);
    `field` the contract field it was checked against (a pointer into the schema, `*` for array items)."""

    severity: Severity
    pointer: str
    message: str
    field: str = ""
    hint: str = ""

    def __str__(self) -> str:
        text = f"{self.severity} {self.pointer or '/'}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form (for `--json`)."""
        return {
            "severity": self.severity,
            "pointer": self.pointer,
            "message": self.message,
            "field": self.field,
            "hint": self.hint,
        }


class Findings:
    """What an interaction's check found, judged: the base of each interaction kind's check (the subclass, a
    dataclass, declares `findings`)."""

    findings: list[Finding]

    @property
    def errors(self) -> list[Finding]:
        """The findings that fail the check."""
        return [finding for finding in self.findings if finding.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        """The findings that do not fail the check."""
        return [finding for finding in self.findings if finding.severity == WARNING]

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not self.errors
