"""deploy/kubernetes validated offline against Kubernetes' schemas (kubernetes-validate), and
checked against the code: settings, ports, the metric the autoscaler reads; the Grafana
dashboard queries only metrics the code exports."""

from __future__ import annotations

import json
import re
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from core.config import Settings

ROOT = Path(__file__).resolve().parents[1]
K8S = ROOT / "deploy" / "kubernetes"
KUBERNETES_VERSION = "1.31.0"
MANIFESTS = sorted(p for p in K8S.glob("*.yaml") if not p.name.endswith("-values.yaml"))
DOCS = {(p.name, d["kind"], d["metadata"]["name"]): d
        for p in MANIFESTS for d in yaml.safe_load_all(p.read_text())}
SDK_ENV = {"OPENAI_API_KEY", "ELEVEN_API_KEY"}  # read by the provider SDKs themselves
DEFAULTS = Settings(_env_file=None)


def _doc(kind: str, name: str) -> dict:
    (doc,) = [d for (_, k, n), d in DOCS.items() if (k, n) == (kind, name)]
    return doc


@pytest.mark.parametrize("key", sorted(DOCS), ids=lambda k: f"{k[0]}:{k[1]}/{k[2]}")
def test_manifests_are_valid_kubernetes_objects(key: tuple[str, str, str]) -> None:
    kubernetes_validate.validate(DOCS[key], KUBERNETES_VERSION, strict=True)


def test_the_validator_rejects_a_broken_object() -> None:
    broken = json.loads(json.dumps(_doc("Deployment", "agent")))
    broken["spec"]["template"]["spec"]["containers"][0]["port"] = 8082  # no such field
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def _exported_metrics() -> set[str]:
    """Names of the cc_ metrics the API and the workers define."""
    names = set()
    for path in ("agent/metrics.py", "app/metrics.py", "app/supervision/metrics.py"):
        text = (ROOT / path).read_text()
        names |= set(re.findall(r'"(cc_[a-z_]+)"', text))
    return names


def test_the_autoscaler_scales_the_agents_on_a_metric_they_export() -> None:
    hpa = _doc("HorizontalPodAutoscaler", "agent")
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment",
                                             "name": "agent"}
    (metric,) = hpa["spec"]["metrics"]
    assert metric["type"] == "Pods" and metric["pods"]["metric"]["name"] == "cc_worker_load"
    assert "cc_worker_load" in _exported_metrics()
    adapter = yaml.safe_load((K8S / "prometheus-adapter-values.yaml").read_text())
    (rule,) = adapter["rules"]["custom"]
    assert rule["name"]["as"] == "cc_worker_load" and "cc_worker_load" in rule["seriesQuery"]


def test_the_agents_ports_and_grace_period_match_their_settings() -> None:
    agent = _doc("Deployment", "agent")
    spec = agent["spec"]["template"]["spec"]
    ports = {p["name"]: p["containerPort"] for p in spec["containers"][0]["ports"]}
    config = _doc("ConfigMap", "contact-center")["data"]
    assert ports == {"health": int(config["AGENT_HTTP_PORT"]),
                     "metrics": int(config["AGENT_METRICS_PORT"])}
    assert agent["spec"]["template"]["metadata"]["annotations"]["prometheus.io/port"] == \
        config["AGENT_METRICS_PORT"]
    assert spec["terminationGracePeriodSeconds"] > int(config["AGENT_DRAIN_TIMEOUT_SECONDS"])


def test_config_and_secret_keys_are_settings() -> None:
    fields = {f.upper() for f in Settings.model_fields}
    keys = set(_doc("ConfigMap", "contact-center")["data"]) | \
        set(_doc("Secret", "contact-center")["stringData"])
    assert keys - fields - SDK_ENV == set()


def test_app_containers_run_commands_of_the_cli() -> None:
    import typer

    from cli.main import cli

    group = typer.main.get_command(cli)
    for (_, kind, _name), doc in DOCS.items():
        if kind not in ("Deployment", "Job"):
            continue
        for container in doc["spec"]["template"]["spec"]["containers"]:
            argv = container.get("command") or []
            if argv[:1] != ["contact-center"]:
                continue
            command = group
            for word in [w for w in argv[1:] if not w.startswith("-")][:2]:
                if not hasattr(command, "commands"):
                    break
                assert word in command.commands, argv
                command = command.commands[word]


def test_livekit_server_values_post_webhooks_to_the_api() -> None:
    from app.supervision.webhook import LIVEKIT_WEBHOOK_PATH

    values = yaml.safe_load((K8S / "livekit-server-values.yaml").read_text())
    service = _doc("Service", "api")["spec"]["ports"][0]["port"]
    assert values["livekit"]["webhook"]["urls"] == [
        f"http://api:{service}{LIVEKIT_WEBHOOK_PATH}"]
    assert values["replicaCount"] >= 2 and values["livekit"]["redis"]["address"]


def test_the_grafana_dashboard_queries_only_exported_metrics() -> None:
    dashboard = json.loads((ROOT / "deploy" / "grafana" / "contact-center.json").read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    used = {re.sub(r"_(bucket|sum|count)$", "", m) for e in exprs
            for m in re.findall(r"\bcc_[a-z_]+", e)}
    assert used - _exported_metrics() == set()
    assert {"cc_answer_latency_seconds", "cc_turn_latency_seconds", "cc_worker_load",
            "cc_calls_active", "cc_calls_answered_total"} <= used
