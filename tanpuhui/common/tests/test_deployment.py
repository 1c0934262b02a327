"""The deployment files (docs/deployment.md) are valid for the tools that read them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def test_the_compose_file_passes_docker_compose_config():
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip(
            "no docker CLI on this machine (scripts/ensure-compose.sh adds Compose v2 where there is one)"
        )
    version = subprocess.run(  # noqa: S603 - the docker CLI found on PATH, fixed arguments
        [docker, "compose", "version"], capture_output=True, text=True
    )
    if version.returncode != 0:
        pytest.skip("Docker Compose v2 is not installed: run scripts/ensure-compose.sh")
    result = subprocess.run(  # noqa: S603 - as above
        [docker, "compose", "-f", str(ROOT / "deploy" / "compose.yaml"), "config", "--services"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    services = set(result.stdout.split())
    assert {
        "web",
        "worker",
        "beat",
        "migrate",
        "postgres",
        "postgres-replica",
        "pgbouncer",
        "redis",
    } <= services
    assert {"minio", "nginx", "prometheus"} <= services
