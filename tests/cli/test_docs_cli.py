"""`tidings docs build|serve` through the CLI: what it writes and says, and what it refuses (exit 2)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tests.registry_support import MOVED, moved_registry
from tidings.cli.app import app
from tidings.contracts import load_catalog

runner = CliRunner()


def test_build_writes_the_shipped_catalogue_by_default(tmp_path: Path) -> None:
    result = runner.invoke(app, ["docs", "build", "--out", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    count = len(load_catalog().event_types)
    assert f"{count} event type(s), 1 producer(s)" in result.output
    assert len(list((tmp_path / "site" / "events").glob("*.html"))) == count


def test_build_takes_a_registry(tmp_path: Path) -> None:
    root = moved_registry(tmp_path / "registry")
    result = runner.invoke(app, ["docs", "build", "--registry", str(root), "--out", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    assert "2 producer(s)" in result.output
    assert "new-service" in (tmp_path / "site" / "events" / f"{MOVED}.html").read_text()


def test_build_refuses_a_file_as_out(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    result = runner.invoke(app, ["docs", "build", "--out", str(tmp_path / "file")])
    assert result.exit_code == 2
    assert "not a directory" in result.output


def test_serve_refuses_a_remote_address_and_an_unbuilt_site(tmp_path: Path) -> None:
    result = runner.invoke(app, ["docs", "serve", "--host", "0.0.0.0", "--site", str(tmp_path)])
    assert result.exit_code == 2 and "--allow-remote" in result.output
    result = runner.invoke(app, ["docs", "serve", "--site", str(tmp_path)])
    assert result.exit_code == 2 and "no index.html" in result.output


def test_an_out_folder_that_cannot_be_written_is_one_error_line(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("")
    result = CliRunner().invoke(app, ["docs", "build", "--out", str(tmp_path / "afile" / "site")])
    assert result.exit_code == 2, result.output
    assert "cannot write the site to" in result.output and "Traceback" not in result.output
