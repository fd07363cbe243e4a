"""docker compose cannot run here, so check that docker-compose.yml, the Dockerfile and
.env.example agree with the code: services, commands, ports, healthchecks, settings."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
import typer
import yaml

from app.main import create_app
from cli.main import cli
from core.config import Settings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ("migrate", "api", "agent")
# Read by the provider SDKs themselves rather than by Settings.
SDK_ENV = {"OPENAI_API_KEY", "ELEVEN_API_KEY"}


def test_all_services_present() -> None:
    assert set(SERVICES) == {"livekit-server", "livekit-sip", "redis", "postgres", "migrate",
                             "api", "speech", "agent"}


def test_agents_reach_the_one_speech_service() -> None:
    speech, agent = SERVICES["speech"], SERVICES["agent"]
    assert speech["command"][:2] == ["contact-center", "speech"]
    port = speech["command"][speech["command"].index("--port") + 1]
    assert agent["environment"]["SPEECH_URL"] == f"http://speech:{port}/v1"
    assert agent["depends_on"]["speech"] == {"condition": "service_healthy"}


@pytest.mark.parametrize("name", [s for s in SERVICES if s != "migrate"])
def test_long_running_services_have_healthchecks(name: str) -> None:
    check = SERVICES[name]["healthcheck"]["test"]
    assert check[0] in {"CMD", "CMD-SHELL"} and len(check) > 1


def test_depends_on_uses_conditions_on_existing_services() -> None:
    allowed = {"service_healthy", "service_completed_successfully", "service_started"}
    for name, svc in SERVICES.items():
        for dep, spec in svc.get("depends_on", {}).items():
            assert dep in SERVICES, f"{name} depends on unknown {dep}"
            assert spec["condition"] in allowed, f"{name} -> {dep}"
            if spec["condition"] == "service_healthy":
                assert "healthcheck" in SERVICES[dep], f"{dep} has no healthcheck"
    assert SERVICES["api"]["depends_on"]["migrate"]["condition"] == \
        "service_completed_successfully"


def test_build_targets_exist_in_dockerfile() -> None:
    stages = set(re.findall(r"^FROM \S+ AS (\S+)$", (ROOT / "Dockerfile").read_text(), re.M))
    for name, svc in SERVICES.items():
        if "build" in svc:
            assert svc["build"]["target"] in stages, name


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_commands_exist_in_cli(name: str) -> None:
    argv = SERVICES[name]["command"]
    assert argv[0] == "contact-center"
    command = typer.main.get_command(cli)
    for word in argv[1:]:
        assert hasattr(command, "commands"), f"{argv}: {word} has no parent group"
        assert word in command.commands, f"`{' '.join(argv)}`: no command {word!r}"
        command = command.commands[word]


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_environment_names_are_settings(name: str) -> None:
    fields = {f.upper() for f in Settings.model_fields}
    for key in SERVICES[name]["environment"]:
        assert key in fields or key in SDK_ENV, f"{name}: {key} is not a setting"


def test_ports_and_health_paths_match_the_code() -> None:
    defaults = Settings(_env_file=None)
    assert SERVICES["api"]["ports"] == [f"{defaults.api_port}:{defaults.api_port}"]
    api_health = SERVICES["api"]["healthcheck"]["test"][-1]
    assert urlparse(api_health).path in create_app().openapi()["paths"]
    lk_port = urlparse(defaults.livekit_url).port
    assert f"{lk_port}:{lk_port}" in SERVICES["livekit-server"]["ports"]
    assert urlparse(SERVICES["api"]["environment"]["LIVEKIT_URL"]).port == lk_port
    sip_conf = yaml.safe_load(SERVICES["livekit-sip"]["environment"]["SIP_CONFIG_BODY"])
    assert SERVICES["livekit-sip"]["healthcheck"]["test"][-1].endswith(
        f":{sip_conf['health_port']}/")


def test_every_compose_variable_is_documented_in_env_example() -> None:
    used = set(re.findall(r"\$\{(\w+)", (ROOT / "docker-compose.yml").read_text()))
    documented = set(re.findall(r"^#?\s*(\w+)=", (ROOT / ".env.example").read_text(), re.M))
    assert used - documented == set()


def test_every_setting_is_documented_in_env_example() -> None:
    documented = set(re.findall(r"^#?\s*(\w+)=", (ROOT / ".env.example").read_text(), re.M))
    missing = {f.upper() for f in Settings.model_fields} - documented
    assert missing == set()


def test_app_image_ships_livekit_client_for_the_call_page() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "npm ci" in dockerfile and "COPY package.json package-lock.json" in dockerfile
    app_stage = dockerfile.split("AS app", 1)[1]
    assert "/srv/node_modules" in app_stage and "NODE_MODULES_DIR=/srv/node_modules" in app_stage
    assert "NODE_MODULES_DIR" in {f.upper() for f in Settings.model_fields}


def test_livekit_posts_its_webhooks_to_the_api_and_agents_drain_before_they_stop() -> None:
    from app.supervision.webhook import LIVEKIT_WEBHOOK_PATH
    from core.config import Settings

    config = yaml.safe_load(SERVICES["livekit-server"]["environment"]["LIVEKIT_CONFIG"])
    port = Settings(_env_file=None).api_port
    assert config["webhook"]["urls"] == [f"http://api:{port}{LIVEKIT_WEBHOOK_PATH}"]
    grace = SERVICES["agent"]["stop_grace_period"]
    assert grace.endswith("m") and int(grace[:-1]) * 60 > \
        Settings(_env_file=None).agent_drain_timeout_seconds


def test_docker_compose_accepts_the_file() -> None:
    """Debian's docker-compose (`make install`) parses and interpolates it as compose would;
    no daemon is needed for `config`."""
    import shutil
    import subprocess

    binary = shutil.which("docker-compose")
    assert binary, "docker-compose not found: run `make install` (Debian package docker-compose)"
    result = subprocess.run([binary, "--env-file", str(ROOT / ".env.example"), "-f",
                             str(ROOT / "docker-compose.yml"), "config", "--services"],
                            capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert set(result.stdout.split()) == set(SERVICES)


def test_agents_scale_with_compose_scale() -> None:
    """`docker compose up --scale agent=N`: nothing in the agent service may be unique to one
    container (a name, a published port)."""
    agent = SERVICES["agent"]
    assert "container_name" not in agent and "ports" not in agent
    assert agent["environment"]["AGENT_METRICS_PORT"] == str(
        Settings(_env_file=None).agent_metrics_port)
