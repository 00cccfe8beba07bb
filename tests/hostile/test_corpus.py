"""The hostile corpus: every case exits as expected with one `error:` line (where + what) and a `hint:`, no
traceback, within 10 s and 300 MB. Cases run in batches, one subprocess each (see hostile_runner.py)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
from hostile_cases import CASES, Case

RUNNER = Path(__file__).with_name("hostile_runner.py")
ROOT = Path(__file__).parents[2]
BATCH = 60
_BY_ID = {case.id: case for case in CASES}
_ORDER = [case.id for case in CASES]


@cache
def _results(batch: int, base: str) -> dict[str, dict[str, object]]:
    folder = Path(base) / f"batch-{batch}"
    folder.mkdir(parents=True, exist_ok=True)
    chosen = [_BY_ID[case_id] for case_id in _ORDER[batch * BATCH : (batch + 1) * BATCH]]
    specs = []
    for index, case in enumerate(chosen):
        where = folder / f"case-{index}"
        where.mkdir()
        specs.append({"id": case.id, "argv": case.build(where), "env": case.env, "cwd": str(where)})
    cases_file, results_file = folder / "cases.json", folder / "results.json"
    cases_file.write_text(json.dumps(specs))
    subprocess.run(
        [sys.executable, str(RUNNER), str(cases_file), str(results_file)],
        cwd=ROOT,
        timeout=15 * len(specs) + 30,
        check=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "PACT_DO_NOT_TRACK": "true", "HOME": base},
    )
    return {result["id"]: result for result in json.loads(results_file.read_text())}


def test_the_corpus_is_large_and_covers_every_file_kind() -> None:
    assert len(CASES) >= 150
    assert len(_BY_ID) == len(CASES), "case ids must be unique"


def _grouped(case_id: str) -> object:
    """Each batch on one xdist worker (`--dist loadgroup`), so no batch is run twice."""
    return pytest.param(case_id, marks=pytest.mark.xdist_group(f"hostile-{_ORDER.index(case_id) // BATCH}"))


@pytest.mark.parametrize("case_id", [_grouped(case_id) for case_id in _ORDER])
def test_hostile_case(case_id: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    case: Case = _BY_ID[case_id]
    base = tmp_path_factory.getbasetemp() / "hostile"
    result = _results(_ORDER.index(case_id) // BATCH, str(base))[case_id]
    output = f"{result['stdout']}{result['stderr']}"
    assert "traceback" not in result, result.get("traceback")
    assert "Traceback" not in output, output
    assert result["exit"] == case.exit, output
    errors = [line for line in output.splitlines() if re.search(r"(^|: )error: ", line)]
    assert len(errors) == 1, output
    assert re.search(case.pattern, output), output
    assert "hint:" in output, output
    assert result["seconds"] <= 10, result["seconds"]
    assert result["grew_bytes"] <= 300 * 1024 * 1024
