"""The public token endpoint and the pool of agents: production refuses a public page
unless asked for one; rate limits hold across API processes that share Redis."""

from __future__ import annotations

import time

import pytest
from pydantic import ValidationError

from core.config import Settings
from livekit_stack import LocalStack
from tests.live_services import start_api

SECRETS = {"environment": "production", "admin_api_key": "a" * 40,
           "livekit_api_secret": "b" * 40, "data_encryption_key": "c" * 40}


def test_production_refuses_a_public_token_endpoint_unless_allowed() -> None:
    with pytest.raises(ValidationError, match="TOKEN_REQUIRES_AUTH"):
        Settings(_env_file=None, **SECRETS)
    assert Settings(_env_file=None, token_requires_auth=True, **SECRETS).token_requires_auth
    assert Settings(_env_file=None, token_public_allowed=True, **SECRETS).token_public_allowed


@pytest.mark.live
def test_the_rate_limit_holds_across_api_processes_sharing_redis(
        live_stack: LocalStack, service_env: dict[str, str], artifacts_dir) -> None:  # type: ignore[no-untyped-def]
    env = {**service_env, "REDIS_URL": f"redis://{live_stack.cfg.redis_address}/3",
           "TOKEN_RATE_LIMIT_PER_MINUTE": "4", "SIP_AUTO_SYNC": "false"}
    apis = [start_api(live_stack.cfg.host, env, artifacts_dir, name=f"api-shared-{i}")
            for i in range(2)]
    try:
        if time.time() % 60 > 50:  # the limit counts per minute: start in a fresh one
            time.sleep(60.5 - time.time() % 60)
        statuses = []
        for i in range(6):  # alternate between the two processes
            with apis[i % 2].client() as client:
                statuses.append(client.post("/api/v1/token",
                                            json={"department": "sales"}).status_code)
        # 4 per minute in all, not 4 per process
        assert statuses == [201] * 4 + [429] * 2, statuses
    finally:
        for api in apis:
            api.stop()
