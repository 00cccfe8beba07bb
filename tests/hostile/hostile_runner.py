"""Run many `tidings` invocations in one interpreter, under a memory cap and a per-case timeout.

Starting Python and importing boto3/moto costs seconds; the corpus has hundreds of cases. So one subprocess runs a
batch: `python runner.py CASES.json RESULTS.json`. The address-space cap (`resource.setrlimit(RLIMIT_AS)`) is the
interpreter's own mapping after the imports plus `CAP_BYTES`, so a case that tries to grow by more than that gets a
MemoryError (a failure: the corpus wants no such thing). Each case gets `TIMEOUT_S` seconds (SIGALRM).
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sys
import time
import traceback

CAP_BYTES = 300 * 1024 * 1024
TIMEOUT_S = 10


class CaseTimeout(BaseException):
    """Raised by SIGALRM: a BaseException so that no `except Exception` in tidings swallows it."""


def _alarm(signum: int, frame: object) -> None:
    raise CaseTimeout


def _vm_size() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


_LOCAL_NAMES = {"localhost", "127.0.0.1", "::1", "", None}


def _guard_network() -> None:
    """No case may reach off this machine: a lookup of another name, or a connection to another address, fails
    at once (as an unreachable host would), so a case that tries instead of refusing shows as "cannot reach"."""
    import ipaddress
    import socket

    lookup, connect = socket.getaddrinfo, socket.socket.connect

    def local_lookup(host: object, *args: object, **kwargs: object) -> object:
        if host not in _LOCAL_NAMES and not str(host).startswith("127."):
            raise socket.gaierror(f"the hostile corpus forbids looking up {host}")
        return lookup(host, *args, **kwargs)  # type: ignore[arg-type]

    def local_connect(self: socket.socket, address: object) -> None:
        if isinstance(address, tuple) and not ipaddress.ip_address(address[0]).is_loopback:
            raise OSError(f"the hostile corpus forbids connecting to {address[0]}")
        connect(self, address)  # type: ignore[arg-type]

    socket.getaddrinfo = local_lookup  # type: ignore[assignment]
    socket.socket.connect = local_connect  # type: ignore[method-assign]


def _share_the_shipped_catalogue() -> None:
    """Load the shipped catalogue once per batch, not once per case (~1 s each): no case changes it, and a
    case's own catalogue (a copy it made hostile) is still read afresh."""
    from tidings.contracts.catalog import loader

    read, shipped = loader.load_catalog_dir, loader.SHIPPED_CATALOG
    cached: list[object] = []

    def load_catalog_dir(root: object) -> object:
        if root != shipped:
            return read(root)  # type: ignore[arg-type]
        if not cached:
            cached.append(read(shipped))
        return cached[0]

    loader.load_catalog_dir = load_catalog_dir  # type: ignore[assignment]


def main() -> None:
    os.environ["PACT_DO_NOT_TRACK"] = "true"
    _guard_network()
    _share_the_shipped_catalogue()
    from typer.testing import CliRunner

    from tidings.cli.app import app

    with open(sys.argv[1]) as handle:
        cases = json.load(handle)
    limit = _vm_size() + CAP_BYTES
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    signal.signal(signal.SIGALRM, _alarm)
    results = []
    for case in cases:
        saved = dict(os.environ)
        os.environ.update(case.get("env", {}))
        cwd = os.getcwd()
        os.chdir(case["cwd"])
        started = time.perf_counter()
        rss_before = _vm_size()
        outcome: dict[str, object] = {"id": case["id"]}
        try:
            signal.alarm(TIMEOUT_S)
            result = CliRunner().invoke(app, case["argv"], input=case.get("stdin"), catch_exceptions=True)
            signal.alarm(0)
            outcome.update(exit=result.exit_code, stdout=result.stdout, stderr=result.stderr)
            if result.exception is not None and not isinstance(result.exception, SystemExit):
                outcome["traceback"] = "".join(traceback.format_exception(result.exception))
        except CaseTimeout:
            outcome.update(exit=None, stdout="", stderr="", traceback=f"timed out after {TIMEOUT_S}s")
        except BaseException as exc:  # a MemoryError outside the CLI runner, say
            signal.alarm(0)
            outcome.update(exit=None, stdout="", stderr="", traceback="".join(traceback.format_exception(exc)))
        finally:
            os.chdir(cwd)
            os.environ.clear()
            os.environ.update(saved)
        outcome["seconds"] = time.perf_counter() - started
        outcome["grew_bytes"] = max(0, _vm_size() - rss_before)
        results.append(outcome)
    with open(sys.argv[2], "w") as handle:
        json.dump(results, handle)


if __name__ == "__main__":
    main()
