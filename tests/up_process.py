"""`tidings up` in a process of its own (its own engine: nothing it creates is seen by tests sharing this
process's), for as long as a `with` lasts; it yields the environment `up` printed for consumers."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["TIDINGS", "up_process", "up_started"]

TIDINGS = [sys.executable, "-c", "from tidings.cli.app import main; main()"]
"""The tidings command line, run by this interpreter."""


@contextmanager
def up_process(*args: str, env: dict[str, str]) -> Iterator[dict[str, str]]:
    """Start `tidings up ARGS...` with `env`, wait until it is ready, yield what it exported; stop it (SIGTERM)."""
    with up_started(*args, env=env) as (_, printed):
        yield printed


@contextmanager
def up_started(*args: str, env: dict[str, str]) -> Iterator[tuple[subprocess.Popen[str], dict[str, str]]]:
    """As `up_process`, yielding the process too (its pid, to watch or kill it); stopped with SIGTERM unless it
    has ended already."""
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
    # Read on, so a long run's output can never fill the pipe and block `up` (the last lines kept, to debug).
    tail: deque[str] = deque(maxlen=50)
    reader = threading.Thread(target=tail.extend, args=(process.stdout,), daemon=True)
    reader.start()
    try:
        yield process, printed
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        reader.join(timeout=5)
        process.stdout.close()
