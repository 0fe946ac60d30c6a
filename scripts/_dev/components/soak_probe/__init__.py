"""Development only: what a soak run measures inside Home Assistant (scripts/soak).

One WebSocket command, `soak_probe/stats`: the process's resident memory and the number of
asyncio tasks (all, and the voicemail integration's own). Not part of the integration;
scripts/_dev links it into a soak run's configuration directory.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from homeassistant.components import websocket_api
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType
import probatio

DOMAIN = "soak_probe"
CONFIG_SCHEMA = cv.empty_config_schema(DOMAIN)
_PAGE = os.sysconf("SC_PAGE_SIZE")


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the command (`soak_probe:` in configuration.yaml)."""
    websocket_api.async_register_command(hass, _stats)
    return True


def _rss_bytes() -> int:
    """Return the resident memory of this process (Linux: /proc/self/statm)."""
    statm = Path("/proc/self/statm").read_text(encoding="ascii")
    return int(statm.split()[1]) * _PAGE


def _ours(task: asyncio.Task[Any]) -> bool:
    """Whether a task runs code of the voicemail integration."""
    code = getattr(task.get_coro(), "cr_code", None)
    return "voicemail" in task.get_name() or (
        code is not None and "custom_components/voicemail" in code.co_filename
    )


@websocket_api.websocket_command({probatio.Required("type"): "soak_probe/stats"})
@websocket_api.async_response
async def _stats(
    hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]
) -> None:
    """Answer the memory and the task counts (the file is read off the event loop)."""
    rss = await hass.async_add_executor_job(_rss_bytes)
    tasks = [task for task in asyncio.all_tasks() if not task.done()]
    connection.send_result(
        msg["id"],
        {
            "rss": rss,
            "tasks": len(tasks),
            "voicemail_tasks": sum(1 for task in tasks if _ours(task)),
        },
    )
