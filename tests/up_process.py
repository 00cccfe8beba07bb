"""`tidings up` in a process of its own (its own engine: nothing it creates is seen by tests sharing this
process's), for as long as a `with` lasts; it yields the environment `up` printed for consumers."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["TIDINGS", "up_process"]

TIDINGS = [sys.executable, "-c", "from tidings.cli.app import main; main()"]
"""The tidings command line, run by this interpreter."""


@contextmanager
def up_process(*args: str, env: dict[str, str]) -> Iterator[dict[str, str]]:
    """Start `tidings up ARGS...` with `env`, wait until it is ready, yield what it exported; stop it (SIGTERM)."""
    process = subprocess.Popen(
        [*TIDINGS, "up", *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    assert process.stdout is not None
    printed: dict[str, str] = {}
    for line in process.stdout:
        if line.strip().startswith("export "):
            name, _, value = line.strip().removeprefix("export ").partition("=")
            printed[name] = value
        if line.startswith("ready"):
            break
    try:
        yield printed
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)
