"""The deploy files agree with the code: every setting listed, at its real default."""

from __future__ import annotations

import re

import pytest

from bot.settings import Settings
from tests.harness import ROOT

ENV_EXAMPLE = ROOT / "deploy" / "env.example"


def test_env_example_lists_every_setting_once() -> None:
    names = [m[1] for m in re.finditer(r"^([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE.read_text(), re.M)]
    assert len(names) == len(set(names))
    assert set(names) == {name.upper() for name in Settings.model_fields}


def test_env_example_values_are_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    from_file = Settings(_env_file=ENV_EXAMPLE)  # type: ignore[call-arg]
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    assert from_file == defaults


def test_readme_configuration_table_names_every_setting() -> None:
    readme = (ROOT / "README.md").read_text()
    missing = [n.upper() for n in Settings.model_fields if f"`{n.upper()}`" not in readme]
    assert not missing


def test_deploy_files_set_only_settings_the_bot_has() -> None:
    known = {name.upper() for name in Settings.model_fields} | {
        "MIGRATE_AT_START", "PATH", "PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE",
        "PIP_NO_CACHE_DIR", "PIP_DISABLE_PIP_VERSION_CHECK",
        "POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB",
    }
    compose = (ROOT / "deploy" / "compose.yaml").read_text()
    in_compose = set(re.findall(r"^\s+([A-Z][A-Z0-9_]+):", compose, re.M))
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    in_dockerfile = set(re.findall(r"\b([A-Z][A-Z0-9_]+)=", dockerfile))
    assert in_compose and in_dockerfile
    assert (in_compose | in_dockerfile) <= known, (in_compose | in_dockerfile) - known


def test_the_image_checks_the_health_endpoint_the_bot_serves() -> None:
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    assert "HEALTHCHECK" in dockerfile and "/healthz" in dockerfile
    assert "HEALTH_PORT=8080" in dockerfile
    entrypoint = ROOT / "deploy" / "docker-entrypoint.sh"
    assert entrypoint.stat().st_mode & 0o111
    assert "python -m bot migrate" in entrypoint.read_text()
