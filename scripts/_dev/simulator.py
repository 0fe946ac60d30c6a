"""The ICWS simulator as a child process, and its HTTP control API under /_simulator/."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from scripts._dev.config import REPO
from scripts._dev.hass_api import wait_for
from scripts._dev.processes import (
    LOOPBACK,
    Child,
    PortTakenError,
    ProcessError,
    python_child,
)

# The simulator's demo account (tests/icws_simulator/__main__.py defaults): demo values.
SIM_USER = "alice"
SIM_PASSWORD = "secret"  # noqa: S105  (the simulator's demo password)


class SimulatorControlError(RuntimeError):
    """A control command was refused."""


class SimulatorControl:
    """Client of the simulator's control API (JSON in, JSON out)."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str) -> None:
        """Use `session` (owned by the caller); TLS certificates are not verified."""
        self.session = session
        self.base_url = base_url.rstrip("/")

    async def command(self, name: str, **args: Any) -> Any:
        """Run a control command (POST /_simulator/<name>) and return its answer."""
        async with self.session.post(
            f"{self.base_url}/_simulator/{name}", json=args, ssl=False
        ) as response:
            body = await response.json(content_type=None)
            if response.status != 200:
                raise SimulatorControlError(
                    f"{name}: {response.status} {body.get('error', body)}"
                )
            return body

    async def state(self) -> dict[str, Any]:
        """Users, sessions, faults and counters."""
        state: dict[str, Any] = await self.command("state")
        return state

    async def voicemails(self, user: str = SIM_USER) -> list[dict[str, Any]]:
        """Return the messages of a mailbox, as the simulator stores them."""
        answer = await self.command("voicemails", user=user)
        voicemails: list[dict[str, Any]] = answer["voicemails"]
        return voicemails

    async def requests(self) -> list[dict[str, Any]]:
        """Every request the simulator has answered (method, path, headers, status ...)."""
        answer = await self.command("requests")
        requests: list[dict[str, Any]] = answer["requests"]
        return requests

    async def answers(self) -> bool | None:
        """Return True once the control API answers."""
        try:
            await self.state()
        except aiohttp.ClientError, SimulatorControlError:
            return None
        return True


@dataclass
class SimulatorProcess:
    """`python -m tests.icws_simulator` on a port of ours (restartable on the same port)."""

    child: Child
    port: int
    tls: bool
    host: str = LOOPBACK

    @property
    def url(self) -> str:
        """Base URL of the server."""
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"

    def control(self, session: aiohttp.ClientSession) -> SimulatorControl:
        """Return a control client on `session`."""
        return SimulatorControl(session, self.url)

    async def start(self, timeout: float = 30.0) -> None:
        """Start the process and wait until it answers."""
        self.child.start()
        await self.wait_ready(timeout)

    async def wait_ready(self, timeout: float = 30.0) -> None:
        """Wait until the started process answers on its control API."""
        async with aiohttp.ClientSession() as session:
            await wait_for(
                self.control(session).answers,
                timeout=timeout,
                what="ICWS simulator",
                check=self._check,
            )

    def _check(self) -> None:
        try:
            self.child.check_alive()
        except ProcessError as err:
            if "address already in use" in str(err):
                raise PortTakenError(
                    f"the ICWS simulator could not listen on port {self.port} (taken?)"
                ) from err
            raise

    def stop(self) -> None:
        """Stop the process group."""
        self.child.stop(timeout=10.0)


def simulator_process(
    port: int,
    *,
    log_path: Path,
    tls: bool = True,
    voicemails: int = 12,
    messaging_version: int = 2,
    user: str = SIM_USER,
    password: str = SIM_PASSWORD,
    extra_args: tuple[str, ...] = (),
) -> SimulatorProcess:
    """Describe (not start) a simulator on 127.0.0.1:`port`."""
    args = [
        "-m",
        "tests.icws_simulator",
        "--host",
        LOOPBACK,
        "--port",
        str(port),
        "--voicemails",
        str(voicemails),
        "--messaging-version",
        str(messaging_version),
        "--user",
        user,
        "--password",
        password,
        *extra_args,
    ]
    if tls:
        args.append("--tls")
    child = python_child("ICWS simulator", args, log_path=log_path, cwd=REPO)
    return SimulatorProcess(child, port, tls)
