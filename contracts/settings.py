"""Where tidings reads its settings: a command-line value, else an environment variable, else `[tool.tidings]`
in the nearest pyproject.toml (searched upwards from the working directory), else the default."""

from __future__ import annotations

import os
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from tidings.contracts.errors import InputFileError

__all__ = ["project_setting", "resolve_setting"]


@cache
def _pyproject_table(start: Path) -> tuple[Path | None, dict[str, Any]]:
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            try:
                data = tomllib.loads(candidate.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise InputFileError(candidate, f"not valid TOML: {exc}") from None
            table = data.get("tool", {}).get("tidings", {})
            return candidate, table if isinstance(table, dict) else {}
    return None, {}


def project_setting(key: str, *, cwd: Path | None = None) -> Any | None:
    """`[tool.tidings] <key>` from the nearest pyproject.toml; relative paths stay as written."""
    path, table = _pyproject_table((cwd or Path.cwd()).resolve())
    value = table.get(key)
    if value is not None and key in _PATH_KEYS and path is not None:
        # A path in pyproject.toml is relative to that file, not to wherever the command runs.
        return str((path.parent / str(value)).resolve())
    return value


_PATH_KEYS = {"contracts", "fixtures", "topology", "registry"}


def resolve_setting(key: str, cli_value: Any | None = None, *, env: str | None = None) -> Any | None:
    """The first of: `cli_value`, the environment variable `env` (default `TIDINGS_<KEY>`), `[tool.tidings]`."""
    if cli_value is not None:
        return cli_value
    env_name = env or f"TIDINGS_{key.upper()}"
    if os.environ.get(env_name):
        return os.environ[env_name]
    return project_setting(key)
