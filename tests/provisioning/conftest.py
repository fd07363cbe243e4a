"""Provisioning against the real livekit-server of the session's live stack."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from livekit import api as lkapi
from pydantic import SecretStr

from core.config import Settings
from livekit_stack import LocalStack
from tests.support.fixtures import *  # noqa: F403  (db, app, settings on SQLite and Postgres)
from tests.support.fixtures import ADMIN_KEY
from tests.support.livekit import delete_managed


@pytest.fixture
def lk_settings(settings: Settings, live_stack: LocalStack) -> Settings:
    """The test settings pointed at the live stack, syncing after every API change."""
    cfg = live_stack.cfg
    settings.livekit_url = cfg.livekit_http_url
    settings.livekit_api_key = cfg.api_key
    settings.livekit_api_secret = SecretStr(cfg.api_secret)
    settings.sip_auto_sync = True
    return settings


@pytest.fixture
async def clean_livekit(lk: lkapi.LiveKitAPI) -> AsyncIterator[lkapi.LiveKitAPI]:
    """No managed objects from earlier tests before, none left behind after."""
    await delete_managed(lk)
    yield lk
    await delete_managed(lk)


@pytest.fixture
async def api_client(app: FastAPI, lk_settings: Settings,
                     clean_livekit: lkapi.LiveKitAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://cc.test",
                                 headers={"Authorization": f"Bearer {ADMIN_KEY}"}) as client:
        yield client
