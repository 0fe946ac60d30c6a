"""The bench's processes: the ICWS simulator and a real Home Assistant, through scripts/_dev.

Home Assistant runs on its own configuration directory (.dev/bench/config, made afresh at every
run: onboarding included), with scripts/_dev's development configuration except that the
integration logs at warning level as it would for a user (debug logging writes a line per
request) and a `script.noop` with an empty sequence exists as a second no-op reference.
The audio part is the one scripts/develop gets (scripts/_dev/audio_config.py): the `ffmpeg:`
integration with the project's binary (the integration depends on it) and `dev_pocketsphinx:`
(stt.pocketsphinx) when the Python of Home Assistant has pocketsphinx. A `www/` directory
exists before Home Assistant starts, so that it serves `/local/` (the audio section's floor).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
import os
from pathlib import Path
import shutil
import time
from typing import Any

import aiohttp

from scripts._dev.audio_config import audio_yaml, stt_available
from scripts._dev.config import CONFIGURATION_YAML, REPO
from scripts._dev.entry import DOMAIN, Connection, ensure_entry, wait_entry_state
from scripts._dev.hass import HassProcess, hass_python
from scripts._dev.hass_api import DEMO_USER, HassApi, HassWebSocket
from scripts._dev.processes import LOOPBACK, free_port
from scripts._dev.simulator import (
    SIM_PASSWORD,
    SIM_USER,
    SimulatorControl,
    SimulatorProcess,
    simulator_process,
)

BENCH_DIR = REPO / ".dev" / "bench"
CONFIG_DIR = BENCH_DIR / "config"
WWW_DIR = CONFIG_DIR / "www"
DEBUG_LINE = "    custom_components.voicemail: debug\n"
NOOP_SCRIPT = "script.noop"


def bench_configuration(*, stt: bool) -> str:
    """scripts/_dev's configuration.yaml, integration at warning level, plus script.noop.

    Then the audio part (ffmpeg with the project's binary; dev_pocketsphinx when `stt`).
    """
    if DEBUG_LINE not in CONFIGURATION_YAML:
        raise RuntimeError(
            "scripts/_dev/config.py changed its logger section: update scripts/_bench/rig.py"
        )
    return (
        "# Written by scripts/_bench/rig.py for scripts/bench at every run.\n"
        + CONFIGURATION_YAML.replace(
            DEBUG_LINE, "    custom_components.voicemail: warning\n"
        )
        + "\n# A no-op action for comparison: an empty script.\n"
        + "script:\n  noop:\n    alias: No-op\n    sequence: []\n"
        + audio_yaml(stt=stt)
    )


def proc_status_kib(pid: int, field_name: str) -> int:
    """Return a field of /proc/<pid>/status in KiB (VmRSS, VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
        if line.startswith(f"{field_name}:"):
            return int(line.split()[1])
    raise KeyError(field_name)


def proc_cpu_seconds(pid: int) -> float:
    """Return utime + stime of a process (all its threads), in seconds."""
    stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    fields = stat.rpartition(")")[2].split()
    # After the command: state is field 3, utime 14 and stime 15 (1-based, proc(5)).
    ticks = int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


@dataclass
class Rig:
    """The running simulator and Home Assistant, logged in, with the voicemail entry."""

    http: aiohttp.ClientSession
    simulator: SimulatorProcess
    hass: HassProcess
    api: HassApi
    control: SimulatorControl
    entry_id: str = ""
    ws: HassWebSocket | None = None
    hass_start_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def hass_pid(self) -> int:
        """Process id of the `hass` process."""
        pid = self.hass.child.pid
        assert pid is not None
        return pid

    @property
    def sim_url(self) -> str:
        """Base URL of the simulator."""
        return self.simulator.url

    async def websocket(self) -> HassWebSocket:
        """Return the rig's WebSocket connection (opened once, or after refresh)."""
        if self.ws is None:
            self.ws = await self.api.websocket()
        return self.ws

    async def refresh_websocket(self) -> None:
        """Close the rig's WebSocket connection; the next use opens a new one.

        Between sections, outside any timing: Home Assistant pings every WebSocket client
        each 55 s and closes one whose pong does not come, and this client answers pings
        only while it reads (during a command). A connection left unread for longer than
        about a minute (the idle section, then the audio section) is closed by the server.
        """
        if self.ws is not None:
            with contextlib.suppress(aiohttp.ClientError, OSError):
                await self.ws.close()
            self.ws = None

    async def entity_id(self, key: str) -> str:
        """Return the id of one of the entry's entities, by the end of its unique id."""
        ws = await self.websocket()
        registry: list[dict[str, Any]] = await ws.command("config/entity_registry/list")
        for entity in registry:
            if entity.get("config_entry_id") == self.entry_id and str(
                entity.get("unique_id", "")
            ).endswith(f"_{key}"):
                entity_id: str = entity["entity_id"]
                return entity_id
        raise RuntimeError(f"no entity with key {key!r} in the voicemail entry")

    async def set_entry_enabled(self, enabled: bool) -> None:
        """Disable (unload) or enable (set up) the entry; returns when Home Assistant has."""
        ws = await self.websocket()
        await ws.command(
            "config_entries/disable",
            entry_id=self.entry_id,
            disabled_by=None if enabled else "user",
            timeout=120.0,
        )

    async def restart_simulator(self, voicemails: int) -> None:
        """Start the simulator again on its port with a fresh mailbox of `voicemails`."""
        self.simulator.stop()
        self.simulator = simulator_process(
            self.simulator.port,
            log_path=BENCH_DIR / "simulator.log",
            tls=False,
            voicemails=voicemails,
        )
        await self.simulator.start(timeout=120.0)

    async def close(self) -> None:
        """Stop everything this rig started."""
        if self.ws is not None:
            await self.ws.close()
        self.hass.stop()
        self.simulator.stop()


async def start_rig(http: aiohttp.ClientSession, voicemails: int) -> Rig:
    """Start the simulator (plain HTTP) and Home Assistant; onboard; add the entry."""
    shutil.rmtree(CONFIG_DIR, ignore_errors=True)
    CONFIG_DIR.mkdir(parents=True)
    (CONFIG_DIR / "configuration.yaml").write_text(
        bench_configuration(stt=stt_available(hass_python())), encoding="utf-8"
    )
    # frontend serves <config>/www at /local only when the directory exists at start.
    WWW_DIR.mkdir()
    simulator = simulator_process(
        free_port(),
        log_path=BENCH_DIR / "simulator.log",
        tls=False,
        voicemails=voicemails,
    )
    await simulator.start(timeout=120.0)
    hass = HassProcess(
        CONFIG_DIR,
        free_port(),
        host=LOOPBACK,
        log_path=BENCH_DIR / "hass.console.log",
    )
    started = time.monotonic()
    try:
        api = await hass.start(http, DEMO_USER)
    except BaseException:
        hass.stop()
        simulator.stop()
        raise
    rig = Rig(http, simulator, hass, api, simulator.control(http))
    rig.hass_start_seconds = time.monotonic() - started
    try:
        await hass.remove_failed_onboarding_entries(api)
        outcome = await ensure_entry(
            api,
            Connection(
                host=LOOPBACK,
                port=simulator.port,
                ssl=False,
                verify_ssl=False,
                username=SIM_USER,
                password=SIM_PASSWORD,
            ),
        )
        rig.entry_id = outcome.entry_id
        await wait_entry_state(api, rig.entry_id, ("loaded",), timeout=60.0)
    except BaseException:
        await rig.close()
        raise
    return rig


__all__ = ["DOMAIN", "NOOP_SCRIPT", "SIM_PASSWORD", "SIM_USER", "Rig", "start_rig"]
