"""The soak's processes: the simulator and a real Home Assistant with the integration.

Spawned from the main thread (children die with the thread that forks them); the async
part (onboarding, the entry) runs on the caller's loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import aiohttp

from scripts._dev.audio_config import link_dev_components
from scripts._dev.config import prepare_config_dir
from scripts._dev.entry import Connection, ensure_entry, wait_entry_state
from scripts._dev.hass import HassProcess
from scripts._dev.hass_api import DEMO_USER, HassApi
from scripts._dev.processes import LOOPBACK, free_ports
from scripts._dev.simulator import SimulatorProcess, simulator_process

USER = "alice"
PASSWORD = "soak-Pa55-3c9d"  # noqa: S105  (a test value, distinctive in the logs)
PROBE = "soak_probe"
PROBE_YAML = "\n# The soak's probe of memory and tasks (scripts/_soak).\nsoak_probe:\n"
VOICEMAILS = 6


@dataclass
class SoakStack:
    """The two processes of one soak run and where they write."""

    work: Path
    sim: SimulatorProcess
    hass: HassProcess

    @property
    def connection(self) -> Connection:
        """The config flow's input (HTTPS, the simulator's self-signed certificate)."""
        return Connection(
            host=LOOPBACK,
            port=self.sim.port,
            ssl=True,
            verify_ssl=False,
            username=USER,
            password=PASSWORD,
        )

    @property
    def hass_log(self) -> Path:
        """Home Assistant's own log file."""
        return self.hass.config_dir / "home-assistant.log"


def spawn(work: Path) -> SoakStack:
    """Start both processes on free loopback ports (not waiting for them)."""
    sim_port, hass_port = free_ports(2)
    sim = simulator_process(
        sim_port,
        log_path=work / "simulator.log",
        tls=True,
        voicemails=VOICEMAILS,
        user=USER,
        password=PASSWORD,
    )
    hass = HassProcess(
        work / "config", hass_port, host=LOOPBACK, log_path=work / "hass.console.log"
    )
    config = hass.config_dir
    prepare_config_dir(config, port=hass_port, host=LOOPBACK, python=hass.python)
    yaml = config / "configuration.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8") + PROBE_YAML, encoding="utf-8")
    link_dev_components(config, (PROBE,))
    sim.child.start()
    hass.spawn()
    return SoakStack(work, sim, hass)


async def ready(
    stack: SoakStack, session: aiohttp.ClientSession
) -> tuple[HassApi, str]:
    """Wait for both, onboard, add the account; return the API and the entry id."""
    await stack.sim.wait_ready()
    api = await stack.hass.ready(session, DEMO_USER)
    outcome = await ensure_entry(api, stack.connection)
    await wait_entry_state(api, outcome.entry_id, ("loaded",))
    return api, outcome.entry_id


def stop(stack: SoakStack) -> None:
    """Stop both processes (idempotent)."""
    stack.hass.stop()
    stack.sim.stop()
