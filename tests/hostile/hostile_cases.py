"""The hostile corpus as a table: each case is a command, an input builder, the expected exit code and a pattern
the `error:` line must match. Built from (reader x hostile file kind) plus cases for numbers, options and plans."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from hostile_files import FILE_KINDS, YAML_ONLY
from hostile_numbers import ENV_CASES, ENVIRONMENTS, NUMBER_CASES, TARGET_CASES

__all__ = ["CASES", "Case"]

CATALOG = Path(__file__).parents[2] / "contracts" / "catalogs" / "interventions"
SENT_SCENARIO = Path(__file__).parents[2] / "fixtures" / "scenarios" / "referral-sent.yaml"


@dataclass(frozen=True)
class Case:
    """One hostile invocation: `build(folder)` writes its inputs and returns the argv (after `tidings`)."""

    id: str
    build: Callable[[Path], list[str]]
    exit: int
    pattern: str
    env: dict[str, str] = field(default_factory=dict)
    isolated: bool = False  # a true subprocess of its own (FIFOs, pipes, signals)


def _file_reader(argv: Callable[[Path, Path], list[str]], name: str, kind: str) -> Callable[[Path], list[str]]:
    writer, _ = FILE_KINDS[kind]

    def build(folder: Path) -> list[str]:
        target = folder / name
        writer(target)
        return argv(folder, target)

    return build


def _fixtures_dir(folder: Path, target: Path) -> Path:
    """A fixtures folder holding the hostile file as scenarios/bad.yaml (plus a good scenario beside it)."""
    scenarios = folder / "fx" / "scenarios"
    scenarios.mkdir(parents=True)
    shutil.copy(SENT_SCENARIO, scenarios / "good.yaml")
    text = (scenarios / "good.yaml").read_text().replace("name: referral-sent", "name: good")
    (scenarios / "good.yaml").write_text(text)
    if target.is_symlink() or target.exists():
        target.rename(scenarios / "bad.yaml")
    return folder / "fx"


def _catalog_copy(folder: Path, target: Path, relative: str) -> Path:
    copy = folder / "cat"
    shutil.copytree(CATALOG, copy)
    (copy / relative).unlink()
    if target.is_symlink() or target.exists():
        target.rename(copy / relative)
    return copy


_SENT = "events/intervention.referral.sent/v1.yaml"

# reader -> (file name, argv builder, kinds it skips, exit code)
_READERS: dict[str, tuple[str, Callable[[Path, Path], list[str]], set[str], int]] = {
    "contracts-validate": ("event.yaml", lambda d, f: ["contracts", "validate", str(f)], set(), 2),
    "emit-file": ("event.yaml", lambda d, f: ["emit", "--file", str(f)], set(), 2),
    "pact-lint": ("pact.json", lambda d, f: ["pact", "lint", str(f)], {"empty"}, 2),
    "pact-verify": ("pact.json", lambda d, f: ["pact", "verify", str(f)], {"empty"}, 2),
    "scenarios-validate-file": ("bad.yaml", lambda d, f: ["scenarios", "validate", str(f)], set(), 2),
    "play-fixtures": ("bad.yaml", lambda d, f: ["play", "bad", "--fixtures", str(_fixtures_dir(d, f))], set(), 2),
    "topology-show": ("topology.yaml", lambda d, f: ["topology", "show", "--topology", str(f)], {"empty"}, 2),
    "play-topology": (
        "topology.yaml",
        lambda d, f: ["play", "referral-sent", "--no-wait", "--topology", str(f)],
        {"empty"},
        2,
    ),
    "contracts-list-index": (
        "catalog.yaml",
        lambda d, f: ["contracts", "list", "--contracts", str(_catalog_copy(d, f, "catalog.yaml"))],
        set(),
        2,
    ),
    "contracts-show-event": (
        "v1.yaml",
        lambda d, f: [
            "contracts",
            "show",
            "intervention.referral.sent",
            "--contracts",
            str(_catalog_copy(d, f, _SENT)),
        ],
        set(),
        2,
    ),
    "contracts-lint-shared": (
        "envelope.schema.json",
        lambda d, f: ["contracts", "lint", "--contracts", str(_catalog_copy(d, f, "envelope.schema.json"))],
        set(),
        2,
    ),
}

_JSON_ONLY = {"pact-lint", "pact-verify", "contracts-lint-shared"}


_RELOCATED = {"play-fixtures", "contracts-list-index", "contracts-show-event", "contracts-lint-shared"}
"""Readers whose hostile file is moved into a folder: a symlink loop's links then dangle."""
_SPECIAL = {
    ("play-fixtures", "missing"): r"unknown scenario 'bad'",
    ("play-fixtures", "directory"): r"unknown scenario 'bad'|directory",
    ("contracts-list-index", "missing"): r"no catalog.yaml",
    ("contracts-show-event", "missing"): r"unknown event type",
    ("contracts-show-event", "directory"): r"unknown event type",
}


def _pattern(reader: str, kind: str) -> str:
    pattern = FILE_KINDS[kind][1]
    if (reader, kind) in _SPECIAL:
        return _SPECIAL[reader, kind]
    if reader in _RELOCATED and kind == "symlink-loop":
        return r"symlink (loop|to a missing file)"
    if reader in _JSON_ONLY and kind in YAML_ONLY:
        return r"not (valid )?JSON"
    if reader in _JSON_ONLY and kind == "not-utf8":
        return r"not UTF-8"
    if reader == "contracts-lint-shared" and kind == "empty":
        return r"empty"
    return pattern


def _file_cases() -> list[Case]:
    cases = []
    for reader, (name, argv, skips, code) in _READERS.items():
        for kind in FILE_KINDS:
            if kind in skips:
                continue
            cases.append(Case(f"{reader}:{kind}", _file_reader(argv, name, kind), code, _pattern(reader, kind)))
    return cases


def _scenario(folder: Path, name: str, steps: list[dict[str, object]]) -> Path:
    scenarios = folder / "fx" / "scenarios"
    scenarios.mkdir(parents=True, exist_ok=True)
    doc = {"name": name, "description": "hostile", "steps": steps}
    (scenarios / f"{name}.yaml").write_text(yaml.safe_dump(doc, width=10**6))
    return folder / "fx"


def _one_bad_in(count: int) -> list[dict[str, object]]:
    choices = "COMPLETED," * 3000 + "BOGUS"
    data = {"additionalInformation.deliveryState": "{{ faker.random_element('" + choices + "') }}"}
    return [{"emit": "intervention.referral.ended", "repeat": count, "data": data}]


def _plan(command: str, steps: list[dict[str, object]], *extra: str) -> Callable[[Path], list[str]]:
    def build(folder: Path) -> list[str]:
        fixtures = _scenario(folder, "hostile", steps)
        head = ["scenarios", "validate"] if command == "validate" else ["play", "--no-wait"]
        return [*head, "hostile", "--fixtures", str(fixtures), *extra]

    return build


def _argv(*argv: str) -> Callable[[Path], list[str]]:
    return lambda folder: list(argv)


def _plan_cases() -> list[Case]:
    half_played = _one_bad_in(10_001)
    billion = [{"emit": "intervention.referral.sent", "repeat": 1_000_000_000}]
    cases = [
        Case("validate:one-bad-in-10001", _plan("validate", half_played), 1, r"repetition \d+ of 10,001"),
        Case("play:one-bad-in-10001", _plan("play", half_played), 2, r"repetition \d+ of 10,001"),
        Case("validate:repeat-1e9", _plan("validate", billion), 1, r"more than the limit of [\d,]+ per run"),
        Case("play:repeat-1e9", _plan("play", billion), 2, r"more than the limit of [\d,]+ per run"),
        Case("validate:unknown-param", _argv("scenarios", "validate", "referral-sent", "-p", "bogus=1"), 1, r"bogus"),
        Case("play:unknown-param", _argv("play", "referral-sent", "--no-wait", "-p", "bogus=1"), 2, r"bogus"),
        Case("play:unknown-scenario", _argv("play", "no-such-scenario"), 2, r"unknown scenario"),
        Case("validate:missing-file", _argv("scenarios", "validate", "nope.yaml"), 2, r"no such file"),
        Case("show:unknown-scenario", _argv("scenarios", "show", "nope"), 2, r"unknown scenario"),
        Case(
            "play:bad-max-events-env",
            _plan("play", [{"emit": "intervention.referral.sent"}]),
            2,
            r"TIDINGS_MAX_EVENTS",
            env={"TIDINGS_MAX_EVENTS": "lots"},
        ),
        Case(
            "validate:max-events-env-lowered",
            _plan("validate", [{"emit": "intervention.referral.sent", "repeat": 20}]),
            1,
            r"more than the limit of 10 per run",
            env={"TIDINGS_MAX_EVENTS": "10"},
        ),
        Case(
            "contracts-validate:bad-max-file-bytes",
            _argv("contracts", "validate", str(SENT_SCENARIO)),
            2,
            r"TIDINGS_MAX_FILE_BYTES",
            env={"TIDINGS_MAX_FILE_BYTES": "-1"},
        ),
    ]
    for keyword in ("minLength", "required", "type", "$defs", "$ref", "properties"):
        for command in ("list", "validate", "show"):
            cases.append(
                Case(
                    f"schema-{keyword}-null:contracts-{command}",
                    _null_schema(keyword, command),
                    2,
                    r"/schema/.*not a valid JSON Schema",
                )
            )
    return cases


def _null_schema(keyword: str, command: str) -> Callable[[Path], list[str]]:
    def build(folder: Path) -> list[str]:
        copy = folder / "cat"
        shutil.copytree(CATALOG, copy)
        path = copy / _SENT
        path.write_text(path.read_text().replace("version: {const: 1}", f"version: {{{keyword}: null}}"))
        tail = {"list": [], "validate": [str(SENT_SCENARIO)], "show": ["intervention.referral.sent"]}[command]
        return ["contracts", command, *tail, "--contracts", str(copy)]

    return build


def _spec_cases() -> list[Case]:
    return [
        Case(case_id, build, code, pattern, env=ENVIRONMENTS.get(case_id, {}))
        for case_id, build, code, pattern in NUMBER_CASES + TARGET_CASES + ENV_CASES
    ]


CASES: list[Case] = _file_cases() + _plan_cases() + _spec_cases()
