"""docker-compose.yml: valid against the compose specification (no Docker engine runs here), LocalStack pinned
to a tag that needs no auth token, only SNS and SQS, a health check, and the tidings service built here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"


def _compose() -> dict[str, Any]:
    return dict(yaml.safe_load(COMPOSE.read_text(encoding="utf-8")))


def test_the_file_follows_the_compose_specification() -> None:
    checker = Path(sys.executable).with_name("check-jsonschema")
    result = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.compose-spec", str(COMPOSE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_localstack_is_pinned_to_a_community_tag_with_sns_and_sqs_and_a_health_check() -> None:
    localstack = _compose()["services"]["localstack"]
    image, _, tag = localstack["image"].partition(":")
    assert image == "localstack/localstack" and tag and tag != "latest"  # `latest` needs LOCALSTACK_AUTH_TOKEN
    assert localstack["environment"]["SERVICES"] == "sns,sqs"
    assert "/_localstack/health" in " ".join(localstack["healthcheck"]["test"])
    assert localstack["ports"] == ["127.0.0.1:4566:4566"]
    assert "LOCALSTACK_AUTH_TOKEN" in COMPOSE.read_text(encoding="utf-8")  # the comment says why it is pinned


def test_the_tidings_service_is_built_here_and_waits_for_a_healthy_localstack() -> None:
    tidings = _compose()["services"]["tidings"]
    assert tidings["build"]["dockerfile"] == "Dockerfile" and (ROOT / "Dockerfile").is_file()
    assert tidings["depends_on"]["localstack"]["condition"] == "service_healthy"
    assert tidings["command"][:3] == ["up", "--engine", "localstack"]
    assert tidings["environment"]["LOCALSTACK_HOST"] == "localstack:4566"
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert 'ENTRYPOINT ["tidings"]' in dockerfile
    for folder in ("contracts", "simulator", "fixtures", "cli", "pytest_plugin"):
        assert f"COPY {folder} " in dockerfile  # every package pyproject.toml installs
