"""The static check of a consumer's message pact against the published contracts (`tidings pact lint`).

A pact body is partial: it holds only the fields the consumer relies on, and the producer may send more. So,
for each asynchronous message interaction, once `pact.resolve` has chosen the contract:

- the body is checked field by field, example value and matcher, against the contract's schema
  (`pact.body_check`: missing fields and wrong values are errors, optional fields and values no matcher covers
  warnings);
- metadata must be what the producer sends: its SNS message attributes (`eventType`) and `contentType`.

Fields the consumer leaves out are fine. HTTP interactions are `pact.http_check`'s.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any

from tidings.contracts.catalog.compiled import CompiledContract
from tidings.contracts.catalog.model import EventContract
from tidings.contracts.pact.body_check import SchemaView, check_json_body
from tidings.contracts.pact.matchers import regex_accepts
from tidings.contracts.pact.model import ERROR, Finding, Findings, MessageInteraction, PactFile
from tidings.contracts.pact.regex_lint import regex_findings
from tidings.contracts.pact.resolve import Contracts, resolve_contract

__all__ = ["InteractionCheck", "check_interaction", "check_pact", "inspect_interaction"]

JSON_CONTENT_TYPE = "application/json"


@dataclass
class InteractionCheck(Findings):
    """The static check of one interaction: the contract it was checked against and what was found."""

    interaction: MessageInteraction
    contract: EventContract | None
    event_type: str | None
    resolved_by: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def target(self) -> str:
        """What the interaction was checked against, as messages name it."""
        return f"{self.contract} (by {self.resolved_by})" if self.contract else "no contract"

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form (for `--json`)."""
        return {
            "description": self.interaction.description,
            "consumer": self.interaction.consumer,
            "providerStates": [state.name for state in self.interaction.states],
            "source": self.interaction.source,
            "eventType": self.event_type,
            "version": self.contract.version if self.contract else None,
            "resolvedBy": self.resolved_by,
            "ok": self.ok,
            "findings": [finding.to_json() for finding in self.findings],
        }


def check_interaction(catalog: Contracts, interaction: MessageInteraction) -> list[Finding]:
    """Everything the static check finds about one interaction (errors and warnings), `[]` when it holds."""
    return inspect_interaction(catalog, interaction).findings


def check_pact(catalog: Contracts, pact: PactFile) -> list[InteractionCheck]:
    """The static check of every message interaction of a pact."""
    return [inspect_interaction(catalog, interaction) for interaction in pact.interactions]


def inspect_interaction(catalog: Contracts, interaction: MessageInteraction) -> InteractionCheck:
    """The static check of one interaction, with the contract it chose."""
    resolution = resolve_contract(catalog, interaction)
    check = InteractionCheck(
        interaction, resolution.contract, resolution.event_type, resolution.source, list(resolution.findings)
    )
    check.findings += regex_findings(interaction)  # before the contract: a broken pattern is broken for any
    if resolution.contract is None:
        return check
    view = _view(catalog.compiled(resolution.contract.event_type, resolution.contract.version))
    check.findings += _check_metadata(resolution.contract, interaction)
    if not _is_json(interaction):
        check.findings.append(
            Finding(
                ERROR,
                "",
                f"the message is not JSON (content type {interaction.content_type!r}); "
                f"{view.label} is published as application/json",
                hint='use .with_body({...}, content_type="application/json")',
            )
        )
        return check
    check.findings += check_json_body(
        view, interaction.body, interaction.body_rules, interaction.states, sender="the producer's events"
    )
    check.findings.sort(key=lambda finding: (finding.pointer, finding.severity, finding.message))
    return check


_VIEWS: weakref.WeakKeyDictionary[CompiledContract, SchemaView] = weakref.WeakKeyDictionary()


def _view(compiled: CompiledContract) -> SchemaView:
    view = _VIEWS.get(compiled)
    if view is None:
        view = _VIEWS[compiled] = SchemaView(str(compiled.contract), compiled.bundled, compiled.contract.examples)
    return view


def _is_json(interaction: MessageInteraction) -> bool:
    content_type = interaction.content_type
    return interaction.body is not None and (content_type is None or "json" in str(content_type).lower())


def _check_metadata(contract: EventContract, interaction: MessageInteraction) -> list[Finding]:
    sent = {
        name: attribute.get("StringValue", attribute.get("Value"))
        for name, attribute in contract.message_attributes.items()
        if isinstance(attribute, dict)
    }
    sent["contentType"] = JSON_CONTENT_TYPE
    findings = []
    for key, expected in interaction.metadata.items():
        pointer = f"metadata/{key}"
        if key not in sent:
            findings.append(
                Finding(
                    ERROR,
                    pointer,
                    f"the producer sends no message attribute {key!r} with {contract}",
                    hint=f"it sends: {', '.join(sorted(sent))}",
                )
            )
            continue
        rules = interaction.metadata_rules.get(key, [])
        regexes = [rule["regex"] for rule in rules if rule.get("match") == "regex" and "regex" in rule]
        if rules:
            for pattern in regexes:
                if regex_accepts(str(pattern), sent[key]) is False:
                    findings.append(
                        Finding(
                            ERROR, pointer, f"regex {pattern!r} does not accept what the producer sends, {sent[key]!r}"
                        )
                    )
        elif expected != sent[key]:
            findings.append(Finding(ERROR, pointer, f"expects {expected!r}, but the producer sends {sent[key]!r}"))
    return findings
