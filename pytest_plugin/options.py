"""The plugin's command-line options, ini keys and the marker, and how they resolve into `Settings`.

Each setting is read from, in order: the command line (`--tidings-engine`), the environment (`TIDINGS_ENGINE`),
the pytest ini file (`tidings_engine = ...`), then `[tool.tidings]` in pyproject.toml and the default. This
module imports nothing heavy: it is loaded in every pytest run, including those that never start an engine.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

__all__ = [
    "DEFAULT_PACT_DIR",
    "MARKER",
    "MARKER_HELP",
    "Settings",
    "add_options",
    "pact_dir_from_config",
    "settings_from_config",
]

MARKER = "tidings_scenario"
MARKER_HELP = (
    f"{MARKER}(name, *, seed=None, faults=None, start_at=None, speed=None, **params): play the tidings "
    "scenario `name` (with these parameters, seed, faults, start time and pace, e.g. faults=['redeliver=0.5']) "
    "after the test's fixtures are set up and before its body; the Run is in tidings.runs"
)

# key → (metavar, help). Each becomes --tidings-KEY, the ini key tidings_KEY and the variable TIDINGS_KEY.
_OPTIONS: dict[str, tuple[str, str]] = {
    "engine": ("KIND", "SNS/SQS engine: embedded (default: moto in this process), localstack or aws."),
    "endpoint": ("URL", "Use the engine already running at URL (a `tidings up`, LocalStack) instead of starting one."),
    "contracts": ("DIR", "Contract catalogue folder (default: the shipped interventions catalogue)."),
    "fixtures": ("DIR", "Folder with your own scenarios (DIR/scenarios/*.yaml), used before the shipped ones."),
    "topology": ("FILE", "Topology file applied to a local engine (default: the shipped topology.yaml)."),
    "registry": (
        "DIR",
        "Registry of several producers on one topic (registry.yaml): events built, validated and served by the "
        "producer of each event type. When set, it is used instead of contracts.",
    ),
}
_PATHS = {"contracts", "fixtures", "topology", "registry"}

DEFAULT_PACT_DIR = "pacts"
_PACT_DIR_HELP = "Folder the `tidings_pact` fixture writes pact files to, relative to the rootdir (default: pacts)."


@dataclass(frozen=True)
class Settings:
    """What the session's engine and fake API are built from (None: the default). Override the
    `tidings_settings` fixture to change them in code, e.g. `dataclasses.replace(settings, fixtures="…")`."""

    engine: str | None = None
    endpoint: str | None = None
    contracts: str | None = None
    fixtures: str | None = None
    topology: str | None = None
    registry: str | None = None
    worker: str | None = None
    """The pytest-xdist worker id (`gw0`), None when not running under xdist."""


def add_options(parser: pytest.Parser) -> None:
    """Register `--tidings-*` options and `tidings_*` ini keys."""
    group = parser.getgroup("tidings", "tidings (SNS/SQS engine, fake business API and scenarios)")
    for key, (metavar, text) in _OPTIONS.items():
        group.addoption(f"--tidings-{key}", dest=f"tidings_{key}", metavar=metavar, default=None, help=text)
        parser.addini(f"tidings_{key}", f"{text} (--tidings-{key} and TIDINGS_{key.upper()} win)", default=None)
    group.addoption("--tidings-pact-dir", dest="tidings_pact_dir", metavar="DIR", default=None, help=_PACT_DIR_HELP)
    parser.addini("tidings_pact_dir", f"{_PACT_DIR_HELP} (--tidings-pact-dir and TIDINGS_PACT_DIR win)", default=None)


def settings_from_config(config: pytest.Config) -> Settings:
    """The settings for this session: command line, else environment, else ini, else `[tool.tidings]` in the
    pyproject.toml nearest pytest's rootdir (paths relative to that file, wherever pytest runs from), else None
    (the default)."""
    from tidings.contracts.settings import project_setting  # imported when a tidings fixture is first used

    found: dict[str, str | None] = {}
    for key in _OPTIONS:
        value = config.getoption(f"tidings_{key}") or os.environ.get(f"TIDINGS_{key.upper()}") or None
        if value is None:
            value = _ini(config, key)
        if value is None:
            declared = project_setting(key, cwd=config.rootpath)
            value = str(declared) if declared is not None else None
        found[key] = value
    # `workerinput` exists on pytest-xdist workers only (the PYTEST_XDIST_WORKER variable would also be seen
    # by a pytest run started from inside a worker, which is no worker itself).
    worker = getattr(config, "workerinput", {}).get("workerid")
    return Settings(**found, worker=str(worker) if worker else None)


def pact_dir_from_config(config: pytest.Config) -> Path:
    """Where pact files go: --tidings-pact-dir, else TIDINGS_PACT_DIR, else the ini key tidings_pact_dir, else
    `pacts`; a relative path is taken from the rootdir, wherever pytest runs from."""
    value = (
        config.getoption("tidings_pact_dir")
        or os.environ.get("TIDINGS_PACT_DIR")
        or str(config.getini("tidings_pact_dir") or "").strip()
        or DEFAULT_PACT_DIR
    )
    return (config.rootpath / Path(value).expanduser()).resolve()


def _ini(config: pytest.Config, key: str) -> str | None:
    value = config.getini(f"tidings_{key}")
    if not value:
        return None
    text = str(value).strip()
    if key in _PATHS and config.inipath is not None:
        # A path in the ini file is relative to that file, wherever pytest runs from.
        return str((config.inipath.parent / text).resolve())
    return text
