"""`contact-center stack --nodes N --workers N`: the nodes' ports and the workers' settings
(the two-node stack itself runs in tests/telephony/test_multi_node.py)."""

from __future__ import annotations

from types import SimpleNamespace

from cli.main import stack_config, worker_env
from core.config import Settings
from livekit_stack.config import livekit_server_config, livekit_sip_config


def test_node_n_serves_on_node_1s_ports_plus_ten_and_all_share_redis_and_webhooks() -> None:
    cfg = stack_config(Settings(_env_file=None), nodes=3)
    assert [n.ports.livekit for n in cfg.nodes] == [7880, 7890, 7900]
    assert [n.ports.sip for n in cfg.nodes] == [5060, 5070, 5080]
    assert [(n.ports.sip_rtp_start, n.ports.sip_rtp_end) for n in cfg.nodes] == \
        [(10000, 10199), (10200, 10399), (10400, 10599)]
    servers = [livekit_server_config(cfg, node) for node in cfg.nodes]
    sips = [livekit_sip_config(cfg, node) for node in cfg.nodes]
    assert {s["redis"]["address"] for s in servers + sips} == {"127.0.0.1:6390"}
    assert len({tuple(s["webhook"]["urls"]) for s in servers}) == 1
    assert len({(s["rtc"]["tcp_port"], s["rtc"]["udp_port"]) for s in servers}) == 3
    assert [s["ws_url"] for s in sips] == [n.livekit_url for n in cfg.nodes]  # its own node


def test_worker_n_registers_through_node_n_on_its_own_ports() -> None:
    s = Settings(_env_file=None)
    local = SimpleNamespace(cfg=stack_config(s, nodes=2))
    envs = [worker_env(s, local, i) for i in range(3)]
    assert [e["LIVEKIT_URL"] for e in envs] == ["ws://127.0.0.1:7880", "ws://127.0.0.1:7890",
                                                "ws://127.0.0.1:7880"]
    assert [e["AGENT_HTTP_PORT"] for e in envs] == ["8081", "8181", "8281"]
    assert [e["AGENT_METRICS_PORT"] for e in envs] == ["8082", "8182", "8282"]
    off = Settings(_env_file=None, agent_metrics_port=0)
    assert worker_env(off, local, 1)["AGENT_METRICS_PORT"] == "0"
