"""The check of a JSON body a consumer expects (a message's, or an HTTP response's) against the schema of what the
producer sends, shared by `pact.check` (messages) and `pact.http_check` (the business API):

- every field of the body must exist at that path in the schema (error, naming the closest field);
- its example value must validate against that field's schema (error);
- each matcher must fit the field's type (`match.int` on a string field: error; on a number field: warning);
  a regex matcher must accept the schema's example values (error);
- a field the schema marks optional is a warning: the producer may leave it out;
- a value no matcher covers must be sent exactly as written (pact compares it for equality): a warning, unless
  the schema fixes it (`const`) or a provider state's parameter supplies it.

Fields the consumer leaves out are fine.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Any

from jsonschema import Draft202012Validator

from tidings.contracts.catalog.fields import ITEMS, Field, schema_fields
from tidings.contracts.catalog.formats import FORMAT_CHECKER
from tidings.contracts.catalog.violations import describe_value, to_violations
from tidings.contracts.pact.formats import format_regex
from tidings.contracts.pact.matchers import describe_matcher, fit, regex_accepts
from tidings.contracts.pact.model import ERROR, WARNING, Finding, ProviderState
from tidings.contracts.pact.paths import ANY_KEY, Segment, body_pointer, field_pointer, parse_path, value_at

__all__ = ["Rules", "SchemaView", "check_json_body", "state_values"]

Rules = dict[str, list[dict[str, Any]]]
"""Pact's matching rules of one category, `{path: [matcher, ...]}`."""


def check_json_body(
    view: SchemaView, body: Any, body_rules: Rules, states: Sequence[ProviderState], *, sender: str
) -> list[Finding]:
    """Every finding about `body` (with its matchers `body_rules`) against `view`'s schema, sorted by pointer.
    `sender` says what carries other values in the no-matcher warning ("the producer's events")."""
    matcher_findings, mistyped = _check_matchers(view, body, body_rules)
    findings = _check_body(view, body, body_rules, state_values(states), mistyped, sender) + matcher_findings
    findings.sort(key=lambda finding: (finding.pointer, finding.severity, finding.message))
    return findings


def state_values(states: Sequence[ProviderState]) -> list[Any]:
    """The values the provider states' params supply (a value equal to one needs no matcher)."""
    return [value for state in states for value in state.params.values()]


class SchemaView:
    """What the check needs of a schema (an event's or a resource's), built once per schema: its fields, a
    validator per field for example values, and the schema's own examples (which regex matchers must accept).
    `label` names it in messages (`intervention.referral.sent v1`, `sent-referral v1 (/sent-referral/{id})`)."""

    def __init__(self, label: str, bundled: dict[str, Any], examples: Sequence[Any]) -> None:
        self.label = label
        self.examples = list(examples)
        self.fields = schema_fields(bundled)
        self._validators: dict[tuple[str, bool], Draft202012Validator] = {}

    def validator(self, pointer: str, *, with_sizes: bool) -> Draft202012Validator:
        key = (pointer, with_sizes)
        found = self._validators.get(key)
        if found is None:
            schema_field = self.fields[pointer]
            schema: dict[str, Any] = {
                keyword: value
                for keyword, value in schema_field.constraints.items()
                if keyword != "additionalProperties" and (with_sizes or keyword not in _SIZES)
            }
            if schema_field.types:
                schema["type"] = list(schema_field.types)
            found = self._validators[key] = Draft202012Validator(schema, format_checker=FORMAT_CHECKER)
        return found

    def children(self, pointer: str) -> list[str]:
        """The names of the fields directly under `pointer`."""
        prefix = pointer + "/"
        return [p[len(prefix) :] for p in self.fields if p.startswith(prefix) and "/" not in p[len(prefix) :]]


# A pact example of `match.each_like(x, min=2)` holds one item whatever the minimum: sizes are the matcher's.
_SIZES = frozenset({"minItems", "maxItems"})


def _check_matchers(view: SchemaView, body: Any, body_rules: Rules) -> tuple[list[Finding], set[str]]:
    """Findings about the body's matchers, and the field pointers where a matcher can never match (their
    example value's type is then not reported a second time)."""
    findings: list[Finding] = []
    never: set[str] = set()
    for path, matchers in body_rules.items():
        segments = parse_path(path)
        if segments is None:
            findings.append(
                Finding(WARNING, path, f"cannot read the matcher path {path!r}; its matchers are not checked")
            )
            continue
        if any(segment is ANY_KEY for segment in segments):
            continue  # `.*` reaches several fields; each is checked as a body field
        pointer, schema_pointer = body_pointer(segments), field_pointer(segments)
        schema_field = view.fields.get(schema_pointer)
        if schema_field is None:
            if not list(value_at(body, segments)):
                findings.append(_missing(view, segments))
            continue  # otherwise the body walk reports the missing field
        for matcher in matchers:
            finding = _matcher_finding(view, matcher, schema_field, segments, pointer)
            if finding is not None:
                findings.append(finding)
            if fit(matcher, schema_field.types).verdict == "never":
                never.add(schema_pointer)
    return findings, never


def _matcher_finding(
    view: SchemaView, matcher: dict[str, Any], schema_field: Field, segments: list[Segment], pointer: str
) -> Finding | None:
    described = describe_matcher(matcher)
    verdict = fit(matcher, schema_field.types)
    where = schema_field.pointer
    if not verdict.known:
        return Finding(WARNING, pointer, f"{described} is not one tidings knows; not checked", where)
    if verdict.verdict == "never":
        return Finding(
            ERROR,
            pointer,
            f"{described} can never match: {view.label} sends this field as {schema_field.type_text}",
            where,
            hint=_constraint_hint(schema_field),
        )
    if verdict.verdict == "partial":
        return Finding(
            WARNING,
            pointer,
            f"{described} fails on some values the contract allows ({schema_field.type_text})",
            where,
        )
    for value in _example_values(view, segments):
        rejected = _rejects(matcher, value)
        if rejected:
            return Finding(
                ERROR,
                pointer,
                f"{described} rejects {describe_value(value)}, a value the contract's example sends",
                where,
                hint=rejected,
            )
    return None


def _example_values(view: SchemaView, segments: list[Segment]) -> list[Any]:
    field_segments = _as_field_segments(segments)
    return [value for example in view.examples for value in value_at(example, field_segments)]


def _rejects(matcher: dict[str, Any], value: Any) -> str:
    """Why a regex or date/time matcher rejects `value` (a hint for the fix), or `""` when it accepts it (or
    tidings cannot tell)."""
    kind = matcher.get("match")
    if kind == "regex" and isinstance(matcher.get("regex"), str):
        return f"regex {matcher['regex']}" if regex_accepts(matcher["regex"], value) is False else ""
    if kind in _DATE_TIME_MATCHERS and isinstance(matcher.get("format"), str) and isinstance(value, str):
        pattern = format_regex(matcher["format"])
        if pattern is None or pattern.fullmatch(value):
            return ""
        advice = "; XXX is an offset like +01:00, Z is +0100" if "Z" in matcher["format"].replace("'Z'", "") else ""
        return f"format {matcher['format']}{advice}"
    return ""


_DATE_TIME_MATCHERS = frozenset({"datetime", "timestamp", "date", "time"})


def _as_field_segments(segments: list[Segment]) -> list[Segment]:
    return [ITEMS if isinstance(segment, int) or segment == ITEMS else segment for segment in segments]


def _check_body(
    view: SchemaView, body: Any, body_rules: Rules, supplied: list[Any], never: set[str], sender: str
) -> list[Finding]:
    findings: list[Finding] = []
    covered = [segments for path in body_rules if (segments := parse_path(path)) is not None]

    def visit(value: Any, segments: list[Segment]) -> None:
        schema_pointer = field_pointer(segments)
        schema_field = view.fields.get(schema_pointer)
        if schema_field is None:
            findings.append(_missing(view, segments))
            return
        pointer = body_pointer(segments)
        matched = _is_covered(segments, covered)
        violations = to_violations(view.validator(schema_pointer, with_sizes=not matched).iter_errors(value))
        for violation in violations:
            if violation.message == "wrong type" and schema_pointer in never:
                continue
            findings.append(
                Finding(
                    ERROR,
                    pointer,
                    f"example value breaks the contract: {violation.message} "
                    f"(expected {violation.expected}, found {violation.found})",
                    schema_pointer,
                )
            )
        if segments and not schema_field.required and not isinstance(segments[-1], int):
            findings.append(
                Finding(
                    WARNING,
                    pointer,
                    f"optional in {view.label}: the producer may leave it out; handle its absence",
                    schema_pointer,
                )
            )
        if any(violation.message == "wrong type" for violation in violations):
            return  # its children would be checked against a shape it does not have
        if isinstance(value, dict):
            for key, child in value.items():
                visit(child, [*segments, key])
        elif isinstance(value, list):
            for index, child in enumerate(value):
                visit(child, [*segments, index])
        elif not matched and not _fixed(schema_field) and not _is_supplied(value, supplied):
            findings.append(
                Finding(
                    WARNING,
                    pointer,
                    f"no matcher: pact expects exactly {describe_value(value)}, and {sender} carry other values",
                    schema_pointer,
                    hint="use a matcher (match.like, match.regex, ...) or take the value from a provider state",
                )
            )

    visit(body, [])
    return findings


def _missing(view: SchemaView, segments: list[Segment]) -> Finding:
    name = str(segments[-1]) if segments else ""
    parent = field_pointer(segments[:-1])
    siblings = view.children(parent)
    suggestions = difflib.get_close_matches(name, siblings, n=3, cutoff=0.6)
    if suggestions:
        hint = "did you mean " + ", ".join(f"{parent}/{suggestion}" for suggestion in suggestions) + "?"
    elif siblings:
        hint = f"{parent or 'the event'} has: {', '.join(siblings)}"
    else:
        hint = ""
    return Finding(
        ERROR,
        body_pointer(segments),
        f"{view.label} has no field {field_pointer(segments)}: the producer never promises it",
        field_pointer(segments),
        hint=hint,
    )


def _constraint_hint(schema_field: Field) -> str:
    constraints = schema_field.constraint_text()
    return f"the contract: {schema_field.type_text}" + (f", {constraints}" if constraints else "")


def _is_covered(segments: list[Segment], rules: Iterable[list[Segment]]) -> bool:
    """Whether a matcher applies to the value at `segments`: one on it or on an ancestor (pact's type matchers
    cascade to everything below them)."""
    for rule in rules:
        if len(rule) <= len(segments) and all(
            _segment_matches(wanted, actual) for wanted, actual in zip(rule, segments, strict=False)
        ):
            return True
    return False


def _segment_matches(wanted: Segment, actual: Segment) -> bool:
    if wanted == "*":  # ANY_ITEM or ANY_KEY
        return True
    return wanted == actual


def _fixed(schema_field: Field) -> bool:
    enum = schema_field.constraints.get("enum")
    return "const" in schema_field.constraints or (isinstance(enum, list) and len(enum) == 1)


def _is_supplied(value: Any, supplied: list[Any]) -> bool:
    return any(value == candidate and type(value) is type(candidate) for candidate in supplied)
