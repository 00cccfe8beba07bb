"""Ctrl-C (SIGINT) in `tidings play` stops publishing cleanly: exit 130, no traceback, and a summary saying how
many events went out. Run as a real subprocess: the signal must reach a real process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).parents[2]


def test_ctrl_c_stops_the_run_with_a_summary_of_what_was_published(tmp_path: Path) -> None:
    scenarios = tmp_path / "fx" / "scenarios"
    scenarios.mkdir(parents=True)
    steps = [{"emit": "intervention.referral.sent", "repeat": 20, "after": "1s"}]
    (scenarios / "slow.yaml").write_text(yaml.safe_dump({"name": "slow", "description": "x", "steps": steps}))
    env = {**os.environ, "PACT_DO_NOT_TRACK": "true", "TIDINGS_ENGINE": "embedded"}
    for name in ("TIDINGS_ENDPOINT", "AWS_ENDPOINT_URL", "TIDINGS_API_URL"):
        env.pop(name, None)
    argv = [
        str(Path(sys.executable).with_name("tidings")),
        "play",
        "slow",
        "--fixtures",
        str(tmp_path / "fx"),
        "--json",
    ]
    process = subprocess.Popen(
        [*argv, "--speed", "2", "--no-taps"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 60
        published = 0
        while published < 2 and time.monotonic() < deadline:  # two events out, the third due in 0.5 s
            line = process.stdout.readline()
            assert line, process.stderr.read() if process.stderr else ""
            published += json.loads(line)["type"] == "EventPublished"
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.startswith("interrupted: ")]
    assert len(lines) == 1, stderr
    said = int(lines[0].split("published ")[1].split(" of ")[0])
    assert 2 <= said < 20 and " of 20 events of slow (seed " in lines[0]
    assert said == published + sum(json.loads(line)["type"] == "EventPublished" for line in stdout.splitlines())


def test_a_closed_pipe_ends_play_quietly_with_exit_0(tmp_path: Path) -> None:
    env = {**os.environ, "PACT_DO_NOT_TRACK": "true", "TIDINGS_ENGINE": "embedded"}
    for name in ("TIDINGS_ENDPOINT", "AWS_ENDPOINT_URL", "TIDINGS_API_URL"):
        env.pop(name, None)
    scenarios = tmp_path / "fx" / "scenarios"
    scenarios.mkdir(parents=True)
    steps = [{"emit": "intervention.referral.sent", "repeat": 2000}]  # ~1 MB of JSON lines: more than a pipe holds
    (scenarios / "many.yaml").write_text(yaml.safe_dump({"name": "many", "description": "x", "steps": steps}))
    tidings = str(Path(sys.executable).with_name("tidings"))
    command = f"'{tidings}' play many --fixtures fx --json --no-taps | head -n 1"
    done = subprocess.run(
        ["bash", "-c", f'{command}; echo "status ${{PIPESTATUS[0]}}" >&2'],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert json.loads(done.stdout)["type"] == "RunStarted"
    assert "status 0" in done.stderr, done.stderr  # `tidings play`'s own exit status, like `head` would want
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr and "error:" not in done.stderr
