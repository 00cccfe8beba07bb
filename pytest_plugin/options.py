"""The plugin's command-line options, ini keys and the marker, and how they resolve into `Settings`.

Each setting is read from, in order: the command line (`--tidings-engine`), the environment (`TIDINGS_ENGINE`),
the pytest ini file (`tidings_engine = ...`), then `[tool.tidings]` in pyproject.toml and the default. This
module imports nothing heavy: it is loaded in every pytest run, including those that never start an engine.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

__all__ = ["MARKER", "MARKER_HELP", "Settings", "add_options", "settings_from_config"]

MARKER = "tidings_scenario"
MARKER_HELP = (
    f"{MARKER}(name, *, seed=None, faults=None, **params): play the tidings scenario `name` (with these "
    "parameters, seed and faults, e.g. faults=['duplicate=0.5']) after the test's fixtures are set up and "
    "before its body; the Run is in tidings.runs"
)

# key → (metavar, help). Each becomes --tidings-KEY, the ini key tidings_KEY and the variable TIDINGS_KEY.
_OPTIONS: dict[str, tuple[str, str]] = {
    "engine": ("KIND", "SNS/SQS engine: embedded (default: moto in this process), localstack or aws."),
    "endpoint": ("URL", "Use the engine already running at URL (a `tidings up`, LocalStack) instead of starting one."),
    "contracts": ("DIR", "Contract catalogue folder (default: the shipped interventions catalogue)."),
    "fixtures": ("DIR", "Folder with your own scenarios (DIR/scenarios/*.yaml), used before the shipped ones."),
    "topology": ("FILE", "Topology file applied to a local engine (default: the shipped topology.yaml)."),
}
_PATHS = {"contracts", "fixtures", "topology"}


@dataclass(frozen=True)
class Settings:
    """What the session's engine and fake API are built from (None: the default). Override the
    `tidings_settings` fixture to change them in code, e.g. `dataclasses.replace(settings, fixtures="…")`."""

    engine: str | None = None
    endpoint: str | None = None
    contracts: str | None = None
    fixtures: str | None = None
    topology: str | None = None
    worker: str | None = None
    """The pytest-xdist worker id (`gw0`), None when not running under xdist."""


def add_options(parser: pytest.Parser) -> None:
    """Register `--tidings-*` options and `tidings_*` ini keys."""
    group = parser.getgroup("tidings", "tidings (SNS/SQS engine, fake business API and scenarios)")
    for key, (metavar, text) in _OPTIONS.items():
        group.addoption(f"--tidings-{key}", dest=f"tidings_{key}", metavar=metavar, default=None, help=text)
        parser.addini(f"tidings_{key}", f"{text} (--tidings-{key} and TIDINGS_{key.upper()} win)", default=None)


def settings_from_config(config: pytest.Config) -> Settings:
    """The settings for this session: command line, else environment, else ini, else None (the default)."""
    found: dict[str, str | None] = {}
    for key in _OPTIONS:
        value = config.getoption(f"tidings_{key}") or os.environ.get(f"TIDINGS_{key.upper()}") or None
        if value is None:
            value = _ini(config, key)
        found[key] = value
    # `workerinput` exists on pytest-xdist workers only (the PYTEST_XDIST_WORKER variable would also be seen
    # by a pytest run started from inside a worker, which is no worker itself).
    worker = getattr(config, "workerinput", {}).get("workerid")
    return Settings(**found, worker=str(worker) if worker else None)


def _ini(config: pytest.Config, key: str) -> str | None:
    value = config.getini(f"tidings_{key}")
    if not value:
        return None
    text = str(value).strip()
    if key in _PATHS and config.inipath is not None:
        # A path in the ini file is relative to that file, wherever pytest runs from.
        return str((config.inipath.parent / text).resolve())
    return text
