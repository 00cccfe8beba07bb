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


def main() -> None:
    os.environ["PACT_DO_NOT_TRACK"] = "true"
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
