"""The static check of a consumer's HTTP interactions (requests to the producer's business API, its detail
endpoints) against the catalogue's resources (`tidings pact lint`, as for message pacts).

For each interaction:

- the request must be a GET of a path that maps to a declared resource template (`/sent-referral/{referralId}`;
  error naming the closest templates); a regex matcher on the path must accept the example path;
- the response status must be one the producer's API answers there: 200 (the resource) or 404 (no such id);
- a declared Content-Type must be JSON (`application/json`, `application/problem+json` for a 404);
- the 200 response body is checked field by field against the resource's schema, example values and matchers
  alike (`pact.body_check`: a field the resource lacks, a value its schema rejects and a matcher that can never
  match are errors; optional fields and values no matcher covers are warnings).
"""

from __future__ import annotations

import difflib
import re
import weakref
from dataclasses import dataclass, field
from typing import Any

from tidings.contracts.catalog.api import BusinessApi
from tidings.contracts.catalog.catalog import Catalog
from tidings.contracts.catalog.resources import ResourceContract
from tidings.contracts.pact.body_check import SchemaView, check_json_body
from tidings.contracts.pact.matchers import describe_matcher, regex_accepts
from tidings.contracts.pact.model import ERROR, Finding, Findings, HttpInteraction, PactFile
from tidings.contracts.pact.parts import is_json
from tidings.contracts.pact.regex_lint import regex_findings

__all__ = ["HttpInteractionCheck", "check_http", "inspect_http_interaction", "request_path"]

_ANSWERS = (200, 404)


@dataclass
class HttpInteractionCheck(Findings):
    """The static check of one HTTP interaction: the resource its request reaches and what was found."""

    interaction: HttpInteraction
    resource: ResourceContract | None
    findings: list[Finding] = field(default_factory=list)

    @property
    def target(self) -> str:
        """What the interaction was checked against, as messages name it."""
        resource = f"{self.resource}" if self.resource else "no resource"
        return f"{self.interaction.request_line} → {resource}"

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form (for `--json`)."""
        return {
            "description": self.interaction.description,
            "consumer": self.interaction.consumer,
            "providerStates": [state.name for state in self.interaction.states],
            "source": self.interaction.source,
            "request": {"method": self.interaction.method, "path": self.interaction.path},
            "status": self.interaction.status,
            "resource": self.resource.name if self.resource else None,
            "version": self.resource.version if self.resource else None,
            "template": self.resource.path if self.resource else None,
            "ok": self.ok,
            "findings": [finding.to_json() for finding in self.findings],
        }


def check_http(catalog: Catalog, pact: PactFile) -> list[HttpInteractionCheck]:
    """The static check of every HTTP interaction of a pact."""
    return [inspect_http_interaction(catalog, interaction) for interaction in pact.http_interactions]


def request_path(interaction: HttpInteraction) -> str:
    """The request's path without a query string."""
    return interaction.path.split("?", 1)[0] or "/"


def inspect_http_interaction(catalog: Catalog, interaction: HttpInteraction) -> HttpInteractionCheck:
    """The static check of one HTTP interaction (see the module docstring)."""
    api = catalog.api
    path = request_path(interaction)
    matched = api.match(path) if api else None
    check = HttpInteractionCheck(interaction, matched[0] if matched else None)
    check.findings += regex_findings(interaction)  # before the resource: a broken pattern is broken for any
    if interaction.method != "GET":
        check.findings.append(
            Finding(
                ERROR,
                "request/method",
                f"{interaction.method} {path}: the producer's business API is read with GET; "
                "tidings knows only its detail endpoints",
                hint=f'with_request("GET", "{path}")',
            )
        )
    if matched is None:
        check.findings.append(_unknown_path(catalog, path))
        return check
    resource = matched[0]
    check.findings += _path_matchers(interaction, path)
    if interaction.status not in _ANSWERS:
        check.findings.append(
            Finding(
                ERROR,
                "response/status",
                f"the producer answers GET {resource.path} with 200 (the {resource.name}) or 404 (no such id), "
                f"not {interaction.status}",
                hint="will_respond_with(200)",
            )
        )
        return check
    check.findings += _content_type(interaction)
    if interaction.status == 200 and interaction.body is not None:
        if not isinstance(interaction.body, dict | list):
            check.findings.append(
                Finding(
                    ERROR, "response/body", f"the response body is not JSON; {resource} is served as application/json"
                )
            )
        else:
            check.findings += check_json_body(
                _view(api, resource),
                interaction.body,
                interaction.body_rules,
                interaction.states,
                sender="the producer's responses",
            )
    check.findings.sort(key=lambda finding: (finding.pointer, finding.severity, finding.message))
    return check


def _unknown_path(catalog: Catalog, path: str) -> Finding:
    templates = sorted(resource.path for resource in catalog.api.resources.values())
    if not templates:
        return Finding(
            ERROR,
            "request/path",
            f"GET {path}: the catalogue of {catalog.producer} declares no resources (resources/*.yaml)",
            hint="declare the resource the consumer reads, with the producer's response schema",
        )
    shapes = {re.sub(r"\{[^}]*\}", "{}", template): template for template in templates}
    shape = "/".join("{}" if any(c.isdigit() for c in part) else part for part in path.split("/"))
    near = [shapes[found] for found in difflib.get_close_matches(shape, list(shapes), n=3, cutoff=0.6)]
    hint = f"did you mean {' or '.join(near)}?" if near else f"declared: {', '.join(templates)}"
    return Finding(
        ERROR,
        "request/path",
        f"GET {path} maps to no resource of {catalog.producer}'s API: the producer serves nothing there",
        hint=hint,
    )


def _path_matchers(interaction: HttpInteraction, path: str) -> list[Finding]:
    findings = []
    for matcher in interaction.path_rules:
        pattern = matcher.get("regex") if matcher.get("match") == "regex" else None
        if isinstance(pattern, str) and regex_accepts(pattern, path) is False:
            findings.append(
                Finding(
                    ERROR,
                    "request/path",
                    f"{describe_matcher(matcher)} does not accept the example path {path!r}",
                    hint=f"regex {pattern}",
                )
            )
    return findings


def _content_type(interaction: HttpInteraction) -> list[Finding]:
    declared = next((v for k, v in interaction.headers.items() if k.lower() == "content-type"), None)
    declared = declared or interaction.content_type
    if declared is None or is_json(declared):
        return []
    served = "application/json" if interaction.status == 200 else "application/problem+json"
    return [
        Finding(
            ERROR,
            "response/headers/Content-Type",
            f"expects {declared!r}, but the producer answers with {served}",
            hint=f'with_body({{...}}, content_type="{served}")',
        )
    ]


_VIEWS: weakref.WeakKeyDictionary[BusinessApi, dict[str, SchemaView]] = weakref.WeakKeyDictionary()


def _view(api: BusinessApi, resource: ResourceContract) -> SchemaView:
    views = _VIEWS.setdefault(api, {})
    view = views.get(resource.name)
    if view is None:
        view = views[resource.name] = SchemaView(str(resource), api.bundled(resource.name), resource.examples)
    return view
