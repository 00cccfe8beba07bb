"""Hostile corpus, classes 8 and 9: numbers and options out of range (on the command line and in scenario and
topology files), and destructive operations pointed off target. Each is refused before anything starts."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import yaml
from pact_support import write_good_pact

__all__ = ["ENVIRONMENTS", "ENV_CASES", "NUMBER_CASES", "TARGET_CASES"]

# (id, argv builder, exit, pattern); hostile_cases turns them into Cases.
Spec = tuple[str, Callable[[Path], list[str]], int, str]
REMOTE = "http://queues.example.invalid:4566"
SENT = "intervention.referral.sent"


def _argv(*argv: str) -> Callable[[Path], list[str]]:
    return lambda folder: list(argv)


def _play(*extra: str) -> Callable[[Path], list[str]]:
    return _argv("play", "referral-sent", *extra)


def _scenario(command: str, step: dict[str, object], **top: object) -> Callable[[Path], list[str]]:
    def build(folder: Path) -> list[str]:
        scenarios = folder / "fx" / "scenarios"
        scenarios.mkdir(parents=True)
        doc = {"name": "numbers", "description": "hostile numbers", **top, "steps": [{"emit": SENT, **step}]}
        (scenarios / "numbers.yaml").write_text(yaml.safe_dump(doc))
        head = ["scenarios", "validate"] if command == "validate" else ["play", "--no-wait"]
        return [*head, "numbers", "--fixtures", str(folder / "fx")]

    return build


def _topology(queue: dict[str, object]) -> Callable[[Path], list[str]]:
    def build(folder: Path) -> list[str]:
        (folder / "topology.yaml").write_text(yaml.safe_dump({"queues": [{"name": "q", **queue}]}))
        return ["topology", "show", "--topology", str(folder / "topology.yaml")]

    return build


def _junit(target: Callable[[Path], Path]) -> Callable[[Path], list[str]]:
    def build(folder: Path) -> list[str]:
        shutil.copy(write_good_pact(folder / "written"), folder / "pact.json")
        return ["pact", "verify", str(folder / "pact.json"), "--junit", str(target(folder))]

    return build


def _file_in_the_way(folder: Path) -> Path:
    (folder / "afile").write_text("")
    return folder / "afile" / "report.xml"


_OPTIONS: list[Spec] = [
    ("play:speed-nan", _play("--speed", "nan"), 2, r"--speed nan is not a finite number"),
    ("play:speed-inf", _play("--speed", "inf"), 2, r"--speed inf is not a finite number"),
    ("play:speed-tiny", _play("--speed", "1e-300"), 2, r"--speed 1e-300 is outside 0\.001\.\.1,000,000"),
    ("play:speed-negative", _play("--speed", "-1"), 2, r"--speed -1 is outside"),
    ("play:delivery-timeout-negative", _play("--delivery-timeout", "-1"), 2, r"--delivery-timeout -1 is outside"),
    ("play:delivery-timeout-nan", _play("--delivery-timeout", "nan"), 2, r"--delivery-timeout nan is not a finite"),
    ("play:api-port-70000", _play("--api-port", "70000"), 2, r"--api-port.*less than or equal to 65535"),
    ("play:api-port-negative", _play("--api-port", "-1"), 2, r"--api-port.*greater than or equal to 0"),
    ("play:rows-negative", _play("--rows", "-5"), 2, r"--rows.*greater than or equal to 1"),
    ("play:rows-not-a-number", _play("--rows", "many"), 2, r"--rows"),
    ("play:seed-not-a-number", _play("--seed", "x1"), 2, r"--seed"),
    ("up:port-70000", _argv("up", "--port", "70000"), 2, r"--port.*less than or equal to 65535"),
    ("up:api-port-99999", _argv("up", "--api-port", "99999"), 2, r"--api-port.*less than or equal to 65535"),
    ("queue-peek:limit-negative", _argv("queue", "peek", "q", "--limit", "-5"), 2, r"--limit.*greater than or"),
    ("queue-receive:wait-99", _argv("queue", "receive", "q", "--wait", "99"), 2, r"--wait.*less than or equal to 20"),
    ("emit:version-zero", _argv("emit", SENT, "--version", "0", "--engine", "embedded"), 2, r"has no version 0"),
    ("contracts-show:version-huge", _argv("contracts", "show", SENT, "-v", "9" * 30), 2, r"has no version 9{30}"),
    ("play:unknown-option", _play("--bogus"), 2, r"No such option: --bogus"),
    ("play:delay-overflow", _play("-f", "delay=0-99999999999d"), 2, r"longer than the limit of 3,650d"),
    ("play:duplicate-nan", _play("-f", "duplicate=nan"), 2, r"rate nan is not between 0 and 1"),
    ("play:poison-inf", _play("-f", "poison=inf"), 2, r"rate inf is not between 0 and 1"),
    ("play:reorder-huge", _play("-f", "reorder=1e9"), 2, r"whole number of events"),
    ("pact-verify:junit-directory", _junit(lambda folder: folder), 2, r"--junit .* is a directory, not a file"),
    ("pact-verify:junit-under-a-file", _junit(_file_in_the_way), 2, r"afile is not a directory"),
    ("topology:visibility-inf", _topology({"visibility_timeout": float("inf")}), 2, r"visibility_timeout must be"),
    ("topology:visibility-huge", _topology({"visibility_timeout": 10**20}), 2, r"visibility_timeout must be"),
    ("topology:receives-nan", _topology({"dead_letter": {"max_receive_count": float("nan")}}), 2, r"max_receive"),
]

_IN_FILES: list[tuple[str, dict[str, object], dict[str, object], str]] = [
    ("after-inf", {"after": float("inf")}, {}, r"duration inf is longer than the limit"),
    ("after-nan", {"after": float("nan")}, {}, r"not a duration: nan|duration nan"),
    ("after-negative", {"after": "-5s"}, {}, r"not a duration"),
    ("after-overflow", {"after": "99999999999d"}, {}, r"longer than the limit of 3,650d"),
    ("clock-past-9999", {"after": "3650d", "repeat": 5000}, {}, r"simulated clock runs past the year 9999"),
    ("repeat-negative", {"repeat": -1}, {}, r"repeat: -1"),
    ("repeat-fraction", {"repeat": 1.5}, {}, r"repeat: 1\.5"),
    ("repeat-nan", {"repeat": float("nan")}, {}, r"repeat: nan"),
    (
        "random-int-backwards",
        {"data": {"additionalInformation.referralId": "{{ faker.random_int(10, 1) }}"}},
        {},
        r"random_int\(10, 1\) is not a range",
    ),
    (
        "random-int-huge",
        {"data": {"additionalInformation.referralId": "{{ faker.random_int(0, 10**30) }}"}},
        {},
        r"arguments must be numbers",
    ),
    ("step-fault-nan", {"faults": {"duplicate": float("nan")}}, {}, r"rate nan is not between 0 and 1"),
    ("scenario-delay-overflow", {}, {"faults": {"delay": "0-99999999999d"}}, r"longer than the limit of 3,650d"),
]


def _file_specs() -> list[Spec]:
    specs: list[Spec] = []
    for name, step, top, pattern in _IN_FILES:
        specs.append((f"scenario-validate:{name}", _scenario("validate", step, **top), 1, pattern))
        specs.append((f"scenario-play:{name}", _scenario("play", step, **top), 2, pattern))
    return specs


NUMBER_CASES: list[Spec] = _OPTIONS + _file_specs()

TARGET_CASES: list[Spec] = [
    ("purge:remote-endpoint", _argv("queue", "purge", "q", "--endpoint", REMOTE), 2, r"refusing to purge q on"),
    ("redrive:remote-endpoint", _argv("queue", "redrive", "q", "--endpoint", REMOTE), 2, r"refusing to redrive q"),
    ("purge:aws", _argv("queue", "purge", "q", "--engine", "aws"), 2, r"refusing to purge q on AWS"),
    (
        "purge:remote-localstack-host",
        _argv("queue", "purge", "q"),
        2,
        r"refusing to purge q on the engine at http://queues\.example\.invalid:4566",
    ),
    (
        "purge:queue-url-on-another-host",
        _argv("queue", "purge", f"{REMOTE}/000000000000/q", "--endpoint", "http://127.0.0.1:9"),
        2,
        r"is on queues\.example\.invalid:4566, not on the engine at http://127\.0\.0\.1:9",
    ),
    (
        "peek:queue-url-on-another-port",
        _argv("queue", "peek", "http://127.0.0.1:4567/000000000000/q", "--endpoint", "http://127.0.0.1:9"),
        2,
        r"is on 127\.0\.0\.1:4567, not on the engine",
    ),
    (
        "purge:queue-url-not-sqs",
        _argv("queue", "purge", "http://127.0.0.1:9/q", "--endpoint", "http://127.0.0.1:9"),
        2,
        r"not an SQS queue URL",
    ),
    (
        "play:fault-remote",
        _play("--no-wait", "-f", "duplicate=0.5", "--endpoint", REMOTE),
        2,
        r"refusing to inject faults \(republish=0\.5\)",
    ),
    ("play:fault-aws", _play("--no-wait", "-f", "drop=0.1", "--engine", "aws"), 2, r"refusing to inject faults.*AWS"),
    (
        "play:declared-faults-remote",
        lambda folder: [*_scenario("play", {"faults": {"duplicate": 0.5}})(folder), "--endpoint", REMOTE],
        2,
        r"refusing to inject faults \(those the scenario declares\)",
    ),
]

_BAD_VARIABLES = {
    "AWS_ENDPOINT_URL": ("::::", r"AWS_ENDPOINT_URL='::::' is not an http\(s\) URL"),
    "LOCALSTACK_HOST": ("127.0.0.1:notaport", r"LOCALSTACK_HOST='127\.0\.0\.1:notaport' is not HOST or HOST:PORT"),
    "AWS_REGION": ("not a region!", r"AWS_REGION='not a region!' is not an AWS region name"),
    "AWS_DEFAULT_REGION": ("EU WEST", r"AWS_DEFAULT_REGION='EU WEST' is not an AWS region"),
    "TIDINGS_INPROCESS": ("maybe", r"TIDINGS_INPROCESS='maybe' is neither on nor off"),
    "TIDINGS_MOTO_PATCHES": ("2", r"TIDINGS_MOTO_PATCHES='2' is neither on nor off"),
    "TIDINGS_API_URL": ("ftp://x", r"TIDINGS_API_URL='ftp://x' is not an http\(s\) URL"),
    "TIDINGS_ENDPOINT": ("http://127.0.0.1:99999", r"TIDINGS_ENDPOINT='http://127\.0\.0\.1:99999' is not an http"),
    "TIDINGS_ENGINE": ("bogus", r"unknown engine 'bogus' \(from TIDINGS_ENGINE\)"),
}
_ENV_COMMANDS = {
    "play": ["play", "referral-sent", "--no-wait"],
    "purge": ["queue", "purge", "q"],
    "apply": ["topology", "apply"],
}

ENV_CASES: list[Spec] = [
    (f"env-{name}:{command}", _argv(*argv), 2, pattern)
    for name, (_, pattern) in _BAD_VARIABLES.items()
    for command, argv in _ENV_COMMANDS.items()
]

ENVIRONMENTS = {"purge:remote-localstack-host": {"LOCALSTACK_HOST": "queues.example.invalid:4566"}} | {
    f"env-{name}:{command}": {name: value} for name, (value, _) in _BAD_VARIABLES.items() for command in _ENV_COMMANDS
}
"""Cases that need a variable set."""
