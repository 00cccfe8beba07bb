"""`tidings contracts lint`: the catalogue's house rules, each problem with file:line and the rule's name.

Rules: `load` (content problems found while loading), `schema` (not valid JSON Schema, or a `$ref` that does
not resolve), `naming` (`<producer>.<entity>.<past-tense-verb>`, lowercase kebab-case segments, one producer
prefix), `versions` (consecutive integers from 1, pinned by the schema), `description`, `detail-url`
(placeholders exist in additionalInformation or are declared url-only), `attributes` (SNS eventType
attribute), `examples` (at least one, each validates and follows the detailUrl template), `stray-file`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tidings.contracts.catalog.catalog import Catalog
from tidings.contracts.catalog.compiled import CompiledContract
from tidings.contracts.catalog.examples import placeholders
from tidings.contracts.catalog.fields import schema_fields
from tidings.contracts.catalog.files import key_line
from tidings.contracts.catalog.loader import CATALOG_FILE, EVENTS_DIR, VERSION_FILE
from tidings.contracts.catalog.model import EventContract
from tidings.contracts.errors import TidingsError

__all__ = ["LintProblem", "is_past_tense", "lint_catalog"]

_SEGMENT = r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*"
_EVENT_NAME = re.compile(rf"{_SEGMENT}\.{_SEGMENT}\.{_SEGMENT}")

# Irregular past participles an event name may end with; regular ones end in -ed.
_IRREGULAR_PAST_WORDS = """
sent built paid made held begun done known taken given written run set put read cut lost found won
bound left kept met sold told brought bought thought caught taught chosen frozen spoken stolen
broken drawn grown shown thrown withdrawn undone overridden hidden ridden forgotten got gotten
became become began came come went gone saw seen ate eaten fell fallen felt led lent let meant rose
risen shut split spent stood struck swept understood woke woken wore worn
"""
_IRREGULAR_PAST = frozenset(_IRREGULAR_PAST_WORDS.split())


@dataclass(frozen=True)
class LintProblem:
    """One broken rule: where (file, line when known), which rule, what to do."""

    path: str
    line: int | None
    rule: str
    message: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: [{self.rule}] {self.message}"

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form (for `--json`)."""
        return {"file": self.path, "line": self.line, "rule": self.rule, "message": self.message}


def is_past_tense(word: str) -> bool:
    """Whether the last word of an event name reads as a past tense/participle (`submitted`, `sent`)."""
    return word.endswith("ed") or word in _IRREGULAR_PAST


def lint_catalog(catalog: Catalog) -> list[LintProblem]:
    """Every rule broken by the catalogue, in file order; `[]` means it passes."""
    problems = [_load_problem(text) for text in catalog.problems]
    problems += _naming(catalog)
    problems += _versions(catalog)
    for contract in catalog.events:
        problems += _contract_problems(catalog, contract)
    problems += _stray_files(catalog)
    return sorted(problems, key=lambda p: (p.path, p.line or 0, p.rule, p.message))


def _load_problem(text: str) -> LintProblem:
    match = re.match(r"^(.*?):(\d+): (.*)$", text, re.S)
    if match:
        return LintProblem(match.group(1), int(match.group(2)), "load", match.group(3))
    path, _, message = text.partition(": ")
    return LintProblem(path, None, "load", message)


def _index(catalog: Catalog) -> Path:
    return catalog.root / CATALOG_FILE


def _naming(catalog: Catalog) -> list[LintProblem]:
    index = _index(catalog)
    line = key_line(index, "events")
    problems = []
    prefixes: dict[str, str] = {}
    for event_type in catalog.declared_event_types:
        if not _EVENT_NAME.fullmatch(event_type):
            problems.append(
                LintProblem(
                    str(index),
                    line,
                    "naming",
                    f"{event_type!r} does not follow <producer>.<entity>.<past-tense-verb> with lowercase "
                    "kebab-case segments, e.g. intervention.action-plan.submitted",
                )
            )
            continue
        prefix, _, verb = event_type.split(".")
        prefixes.setdefault(prefix, event_type)
        last_word = verb.rsplit("-", 1)[-1]
        if not is_past_tense(last_word):
            problems.append(
                LintProblem(
                    str(index),
                    line,
                    "naming",
                    f"{event_type!r}: {verb!r} should end in a past-tense verb (an event reports what happened: "
                    f"'submitted', 'sent')",
                )
            )
    if len(prefixes) > 1:
        examples = ", ".join(sorted(prefixes.values()))
        problems.append(
            LintProblem(str(index), line, "naming", f"event types use more than one producer prefix: {examples}")
        )
    return problems


def _versions(catalog: Catalog) -> list[LintProblem]:
    problems = []
    for event_type in catalog.event_types:
        versions = catalog.versions(event_type)
        if versions != list(range(1, len(versions) + 1)):
            folder = catalog.root / EVENTS_DIR / event_type
            problems.append(
                LintProblem(
                    str(folder),
                    None,
                    "versions",
                    f"versions of {event_type} are {versions}; they must be consecutive from 1 "
                    f"(expected {list(range(1, len(versions) + 1))})",
                )
            )
    return problems


def _contract_problems(catalog: Catalog, contract: EventContract) -> list[LintProblem]:
    path = contract.source_path
    problems: list[LintProblem] = []

    def problem(rule: str, message: str, *keys: str) -> None:
        problems.append(LintProblem(str(path), key_line(path, *keys) if keys else None, rule, message))

    if not contract.description:
        problem("description", f"{contract} has no description; say what happened and who did it", "description")
    if "eventType" not in contract.message_attributes:
        problem("attributes", "messageAttributes has no eventType (subscribers filter on it)", "messageAttributes")
    else:
        attribute = contract.message_attributes["eventType"]
        value = attribute.get("StringValue") if isinstance(attribute, dict) else None
        if value != contract.event_type or attribute.get("DataType") != "String":
            problem(
                "attributes",
                f"messageAttributes.eventType must be {{DataType: String, StringValue: {contract.event_type}}}",
                "messageAttributes",
            )
    try:
        compiled = catalog.compiled(contract.event_type, contract.version)
    except TidingsError as error:
        problem("schema", error.message.removeprefix(f"{path}: "), "schema")
        return problems  # the remaining rules need a usable schema
    _pinned(contract, compiled, problem)
    _detail_url(contract, compiled, problem)
    _examples(catalog, contract, problem)
    return problems


def _pinned(contract: EventContract, compiled: CompiledContract, problem: Any) -> None:
    fields = schema_fields(compiled.bundled)
    for name, expected in (("eventType", contract.event_type), ("version", contract.version)):
        found = fields.get(f"/{name}")
        if found is None or found.constraints.get("const") != expected:
            problem(
                "versions" if name == "version" else "naming",
                f"the schema must pin {name} with `{name}: {{const: {expected}}}` under properties",
                "schema",
            )


def _detail_url(contract: EventContract, compiled: CompiledContract, problem: Any) -> None:
    template = contract.detail_url_template
    if not template:
        problem("detail-url", f"{contract} has no detailUrl template, e.g. /sent-referral/{{referralId}}", "detailUrl")
        return
    if not template.startswith("/"):
        problem(
            "detail-url", f"detailUrl {template!r} must be a path relative to the API, starting with /", "detailUrl"
        )
    fields = schema_fields(compiled.bundled)
    info_keys = {
        pointer.removeprefix("/additionalInformation/")
        for pointer in fields
        if pointer.startswith("/additionalInformation/") and pointer.count("/") == 2
    }
    used = placeholders(template)
    for name in used:
        if name not in info_keys and name not in contract.url_only_params:
            problem(
                "detail-url",
                f"placeholder {{{name}}} of detailUrl is not in additionalInformation's properties; add it there, "
                f"or declare it under urlOnlyParams with the reason",
                "detailUrl",
            )
    for name in contract.url_only_params:
        if name not in used:
            problem("detail-url", f"urlOnlyParams declares {name!r}, which detailUrl does not use", "urlOnlyParams")
        elif name in info_keys:
            problem(
                "detail-url",
                f"urlOnlyParams declares {name!r}, but additionalInformation has it; remove the declaration",
                "urlOnlyParams",
            )


def _examples(catalog: Catalog, contract: EventContract, problem: Any) -> None:
    if not contract.examples:
        problem("examples", f"{contract} has no example; add one event under examples:", "examples")
    path_pattern = re.compile(_template_regex(contract.detail_url_template))
    for index, example in enumerate(contract.examples):
        try:
            violations = catalog.validate(example)
        except TidingsError as error:
            problem("examples", f"example {index + 1} cannot be validated: {error.message}", "examples")
            continue
        for violation in violations:
            problem("examples", f"example {index + 1} does not validate: {violation}", "examples")
        url = example.get("detailUrl")
        if contract.detail_url_template and isinstance(url, str) and not path_pattern.search(url):
            problem(
                "examples",
                f"example {index + 1}'s detailUrl {url!r} does not follow the template "
                f"{contract.detail_url_template!r}",
                "examples",
            )


def _template_regex(template: str) -> str:
    """`/sent-referral/{referralId}` → a regex matching that path at the end of a URL."""
    pattern = "[^/?#]+".join(re.escape(part) for part in re.split(r"\{[^{}]+\}", template))
    return pattern + r"(?:[?#].*)?$"


def _stray_files(catalog: Catalog) -> list[LintProblem]:
    expected = {(catalog.root / CATALOG_FILE).resolve()}
    expected |= {(catalog.root / shared).resolve() for shared in catalog.shared_files}
    expected |= {resource.source_path.resolve() for resource in catalog.api.resources.values()}
    expected |= {projection.source_path.resolve() for projection in catalog.api.projections.values()}
    for event_type in catalog.declared_event_types:
        folder = catalog.root / EVENTS_DIR / event_type
        if folder.is_dir():
            expected |= {path.resolve() for path in folder.iterdir() if VERSION_FILE.match(path.name)}
    problems = []
    for path in sorted(catalog.root.rglob("*")):
        if path.is_file() and path.resolve() not in expected:
            problems.append(
                LintProblem(
                    str(path),
                    None,
                    "stray-file",
                    "not part of the catalogue: list its event type in catalog.yaml, name it v<N>.yaml, "
                    "list it under `shared:`, or remove it",
                )
            )
    return problems
