"""`tidings docs build|serve` through the CLI: what it writes and says, and what it refuses (exit 2)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.registry_support import MOVED, moved_registry
from tests.site_topology import write_site_topology
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


def _queues_on(page: Path) -> list[str]:
    return re.findall(r'<td class="queue">([^<]+)</td>', page.read_text(encoding="utf-8"))


def test_build_with_a_topology_names_each_event_types_queues(tmp_path: Path) -> None:
    topology = write_site_topology(tmp_path / "topology.yaml")
    site = tmp_path / "site"
    result = runner.invoke(app, ["docs", "build", "--topology", str(topology), "--out", str(site)])
    assert result.exit_code == 0, result.output
    assert "6 queue(s)" in result.output
    events = site / "events"
    assert _queues_on(events / "intervention.referral.sent.html") == ["sent-only", "everything", "wildcard"]
    assert _queues_on(events / "intervention.referral.concluded.html") == ["everything", "completed", "wildcard"]
    assert "sent-only" not in _queues_on(events / "intervention.referral.assigned.html")
    svg = (site / "diagram.svg").read_text(encoding="utf-8")
    for queue in ("sent-only", "everything", "not-referrals", "appointments", "completed", "wildcard"):
        assert f'class="queue-node">{queue}</text>' in svg
    assert "elsewhere" not in svg  # subscribed to another topic


def test_build_uses_the_shipped_topology_unless_told_otherwise(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TIDINGS_TOPOLOGY", raising=False)
    result = runner.invoke(app, ["docs", "build", "--out", str(tmp_path / "default")])
    assert result.exit_code == 0 and "1 queue(s)" in result.output
    assert _queues_on(tmp_path / "default" / "events" / "intervention.referral.sent.html") == ["intervention-events"]
    result = runner.invoke(app, ["docs", "build", "--no-topology", "--out", str(tmp_path / "none")])
    assert result.exit_code == 0 and "queue(s)" not in result.output
    assert "queue-node" not in (tmp_path / "none" / "diagram.svg").read_text(encoding="utf-8")


def test_a_bad_topology_is_one_error_line(tmp_path: Path) -> None:
    (tmp_path / "topology.yaml").write_text("queues: [1]\n")
    site = tmp_path / "site"
    result = runner.invoke(app, ["docs", "build", "--topology", str(tmp_path / "topology.yaml"), "--out", str(site)])
    assert result.exit_code == 2, result.output
    assert "topology.yaml" in result.output and "Traceback" not in result.output
    assert not site.exists()  # refused before anything is written


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
