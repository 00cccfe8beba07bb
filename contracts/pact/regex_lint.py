"""Regex matchers that cannot work: a pattern that does not compile, one that pact's verifier cannot run (it uses
Rust's `regex`, which has no lookaround and no backreferences), and one that backtracks catastrophically in
Python (an unbounded repeat inside another, `(a+)+`) — which tidings then never runs on an example, so `pact lint`
cannot hang on it. `pact verify` would fail the first two; `pact lint` now says so first."""

from __future__ import annotations

import re
from re import _constants as constants  # type: ignore[attr-defined]
from re import _parser as parser  # type: ignore[attr-defined]
from typing import Any

from tidings.contracts.pact.model import ERROR, WARNING, Finding, HttpInteraction, MessageInteraction, Severity

__all__ = ["regex_findings", "regex_problem"]

MAX_PATTERN = 1_000
_REPEATS = {constants.MAX_REPEAT, constants.MIN_REPEAT, getattr(constants, "POSSESSIVE_REPEAT", None)}
_RUST_LACKS = {constants.ASSERT: "lookaround", constants.ASSERT_NOT: "lookaround", constants.GROUPREF: "backreferences"}


def regex_problem(pattern: str) -> tuple[Severity, str] | None:
    """(severity, what is wrong) for a regex matcher's pattern, or None when it is fine."""
    if len(pattern) > MAX_PATTERN:
        return ERROR, f"is longer than {MAX_PATTERN:,} characters"
    try:
        parsed = parser.parse(pattern)
    except (re.error, RecursionError, OverflowError) as error:
        return ERROR, f"does not compile: {error}"
    lacking = _lacking(parsed)
    if lacking:
        return ERROR, f"uses {lacking}, which pact's verifier (Rust regex) does not have"
    if _nested_unbounded(parsed, inside=False):
        return WARNING, "nests an unbounded repeat in another (like (a+)+): catastrophic backtracking in Python"
    return None


def regex_findings(interaction: MessageInteraction | HttpInteraction) -> list[Finding]:
    """A finding for each regex matcher of the interaction (body, and a message's metadata or an HTTP request's
    path) that cannot work."""
    findings = []
    rules = [(path, matchers, "") for path, matchers in interaction.body_rules.items()]
    if isinstance(interaction, HttpInteraction):
        rules.append(("path", interaction.path_rules, "request/"))
    else:
        rules += [(path, matchers, "metadata/") for path, matchers in interaction.metadata_rules.items()]
    for path, matchers, prefix in rules:
        for matcher in matchers:
            pattern = matcher.get("regex") if matcher.get("match") == "regex" else None
            if pattern is None:
                continue
            if not isinstance(pattern, str):
                findings.append(Finding(ERROR, prefix + path, f"the regex matcher's pattern {pattern!r} is not text"))
                continue
            problem = regex_problem(pattern)
            if problem is not None:
                severity, what = problem
                hint = "write it for Rust's regex syntax, without nested unbounded repeats, e.g. ^[A-Z][0-9]{6}$"
                findings.append(Finding(severity, prefix + path, f"regex {pattern!r} {what}", hint=hint))
    return findings


def _items(parsed: Any) -> list[tuple[Any, Any]]:
    return list(parsed.data if hasattr(parsed, "data") else parsed)


def _children(op: Any, value: Any) -> list[Any]:
    if op in _REPEATS:
        return [value[2]]
    if op == constants.SUBPATTERN:
        return [value[-1]]
    if op == constants.BRANCH:
        return list(value[1])
    if op in (constants.ASSERT, constants.ASSERT_NOT):
        return [value[1]]
    return []


def _lacking(parsed: Any) -> str | None:
    for op, value in _items(parsed):
        if op in _RUST_LACKS:
            return str(_RUST_LACKS[op])
        for child in _children(op, value):
            found = _lacking(child)
            if found:
                return found
    return None


def _nested_unbounded(parsed: Any, *, inside: bool) -> bool:
    for op, value in _items(parsed):
        unbounded = op in _REPEATS and value[1] == constants.MAXREPEAT
        if unbounded and inside:
            return True
        for child in _children(op, value):
            if _nested_unbounded(child, inside=inside or unbounded):
                return True
    return False
