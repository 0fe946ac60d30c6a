"""Fixtures of the simulator tests."""

from __future__ import annotations

import aiohttp
import pytest

from tests.icws_simulator.server import RunningSimulator

from .helpers import Login, login


@pytest.fixture
async def lg(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> Login:
    """Log alice in to `icws_simulator` over the raw client session."""
    return await login(client_session, icws_simulator.url)
