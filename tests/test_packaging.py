"""The project installs as the `tidings.*` namespace, from a wheel as well as editable, shipped data included."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import tomllib
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOP_LEVEL = ["contracts", "simulator", "fixtures", "pytest_plugin", "cli"]


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_every_python_package_folder_is_listed_in_pyproject() -> None:
    listed = set(_pyproject()["tool"]["setuptools"]["packages"])
    on_disk = {
        "tidings." + ".".join(init.parent.relative_to(ROOT).parts)
        for folder in TOP_LEVEL
        for init in (ROOT / folder).rglob("__init__.py")
    }
    assert on_disk == listed, "add new subpackages to [tool.setuptools] packages in pyproject.toml"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        check=True,
        cwd=out,
    )
    (built,) = out.glob("tidings-*.whl")
    return built


def test_wheel_installs_into_a_fresh_venv_with_its_data(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "venv"
    venv.create(target, with_pip=True)
    python = target / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True)
    # Dependencies come from this interpreter's site-packages, where tidings itself is only an editable
    # import hook (activated by a .pth file, which PYTHONPATH entries do not run), so what imports below is
    # the wheel's copy.
    env = {**os.environ, "PYTHONPATH": sysconfig.get_paths()["purelib"], "PACT_DO_NOT_TRACK": "true"}
    where = subprocess.run(
        [python, "-c", "import tidings.contracts as c; print(c.__file__)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    ).stdout
    assert str(target) in where, f"imported tidings from {where}, not from the wheel's venv"
    listed = subprocess.run(
        [target / "bin" / "tidings", "contracts", "list", "--json"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert listed.returncode == 0, listed.stderr
    assert "intervention.referral.sent" in listed.stdout
