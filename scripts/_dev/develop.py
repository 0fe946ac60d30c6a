"""scripts/develop: the ICWS simulator and a real Home Assistant with this integration, ready.

Starts the simulator (HTTPS, self-signed certificate, a seeded mailbox, server-sent events) unless
--server names a real PureConnect server, then Home Assistant on <repo>/config with the integration
linked from the working tree; onboards it through its REST API (first run), adds the config entry
through the real config flow, prints where everything is, follows the log, and stops both process
groups on Ctrl-C. A restart asked for in the UI (exit status 100) starts Home Assistant again.
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
from contextlib import suppress
import getpass
import json
import os
from pathlib import Path
import signal
import sys
from typing import Any

import aiohttp

from scripts._dev.config import REPO
from scripts._dev.entry import (
    DOMAIN,
    Connection,
    EntryOutcome,
    FlowError,
    ensure_entry,
    wait_entry_state,
)
from scripts._dev.hass import RESTART_EXIT_CODE, HassProcess
from scripts._dev.hass_api import DEMO_USER, HassApi
from scripts._dev.processes import LOOPBACK, ProcessError, preferred_port
from scripts._dev.simulator import (
    SIM_PASSWORD,
    SIM_USER,
    SimulatorProcess,
    simulator_process,
)

DEV_DIR = REPO / ".dev"
STATE_FILE = DEV_DIR / "develop.json"  # read by scripts/simulate
DEFAULT_SIM_PORT = 8019
DEFAULT_HASS_PORT = 8123
DEMO_STATION = "1234"
"""Play target of a new account on the simulator (it plays any target it is given)."""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        prog="scripts/develop",
        description=(
            "Run Home Assistant with this integration against the bundled ICWS simulator "
            "(or a real PureConnect server with --server)."
        ),
    )
    real = parser.add_argument_group(
        "a real PureConnect server instead of the simulator"
    )
    real.add_argument("--server", metavar="HOST", help="host name or address")
    real.add_argument("--port", type=int, help="ICWS port (default 8019)")
    real.add_argument("--username", help="ICWS user (required with --server)")
    real.add_argument(
        "--password",
        help="ICWS password (default: $VOICEMAIL_PASSWORD, else asked for)",
    )
    real.add_argument("--no-ssl", action="store_true", help="plain HTTP")
    real.add_argument(
        "--verify-ssl",
        action="store_true",
        help="verify the server's certificate (off for the self-signed simulator)",
    )
    demo = parser.add_argument_group("the demo")
    demo.add_argument(
        "--hass-port",
        type=int,
        default=DEFAULT_HASS_PORT,
        help="Home Assistant's port (default 8123, another free one when busy)",
    )
    demo.add_argument(
        "--voicemails", type=int, default=12, help="messages in the simulator's mailbox"
    )
    demo.add_argument(
        "--messaging-version",
        type=int,
        choices=(1, 2),
        default=2,
        help="the simulator's unified-messaging feature version",
    )
    demo.add_argument(
        "--config",
        type=Path,
        default=REPO / "config",
        help="Home Assistant configuration directory (default <repo>/config)",
    )
    demo.add_argument(
        "--no-follow", action="store_true", help="do not print Home Assistant's log"
    )
    return parser.parse_args(argv)


def real_server_connection(args: argparse.Namespace) -> Connection:
    """Return the account on a real server; the password never appears in any output."""
    if not args.username:
        raise SystemExit("scripts/develop --server: give --username")
    password = args.password or os.environ.get("VOICEMAIL_PASSWORD")
    if not password:
        if not sys.stdin.isatty():
            raise SystemExit(
                "scripts/develop --server: give --password or set VOICEMAIL_PASSWORD"
            )
        password = getpass.getpass(
            f"ICWS password of {args.username} on {args.server}: "
        )
    return Connection(
        host=args.server,
        port=args.port or DEFAULT_SIM_PORT,
        ssl=not args.no_ssl,
        verify_ssl=args.verify_ssl,
        username=args.username,
        password=password,
    )


class Develop:
    """The running demo: children, their URLs, and the loop that watches them."""

    def __init__(self, args: argparse.Namespace) -> None:
        """Choose ports and describe the children (nothing started yet)."""
        self.args = args
        self.stop_requested = asyncio.Event()
        self.simulator: SimulatorProcess | None = None
        self.play: dict[str, str] = {}
        """The config flow's play step: the simulator's station; a real server's is asked."""
        if args.server is None:
            self.play = {"play_target": DEMO_STATION}
            sim_port = preferred_port(args.port or DEFAULT_SIM_PORT, LOOPBACK)
            self.simulator = simulator_process(
                sim_port,
                log_path=DEV_DIR / "simulator.log",
                tls=not args.no_ssl,
                voicemails=args.voicemails,
                messaging_version=args.messaging_version,
            )
            self.connection = Connection(
                host=LOOPBACK,
                port=sim_port,
                ssl=not args.no_ssl,
                verify_ssl=args.verify_ssl,
                username=SIM_USER,
                password=SIM_PASSWORD,
            )
        else:
            self.connection = real_server_connection(args)
        config_dir: Path = args.config.resolve()
        self.hass = HassProcess(config_dir, preferred_port(args.hass_port), host=None)

    async def run(self) -> int:
        """Start everything, print the summary, watch until Ctrl-C; return the exit status."""
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(signum, self.stop_requested.set)
        DEV_DIR.mkdir(exist_ok=True)
        try:
            async with aiohttp.ClientSession() as session:
                startup = asyncio.create_task(self._start(session))
                stop = asyncio.create_task(self.stop_requested.wait())
                await asyncio.wait({startup, stop}, return_when=asyncio.FIRST_COMPLETED)
                stop.cancel()
                if not startup.done():  # Ctrl-C while starting
                    startup.cancel()
                    with suppress(asyncio.CancelledError):
                        await startup
                    print("\nStopped while starting.")
                    return 130
                startup.result()
                return await self._watch(session)
        except (ProcessError, FlowError, TimeoutError) as err:
            print(f"scripts/develop: {err}", file=sys.stderr)
            return 1
        finally:
            self._stop_children()

    async def _start(self, session: aiohttp.ClientSession) -> None:
        if self.simulator is not None:
            print(f"Starting the ICWS simulator on {self.simulator.url} ...")
            await self.simulator.start()
        print(f"Starting Home Assistant on port {self.hass.port} ...")
        api = await self.hass.start(session, DEMO_USER)
        if self.hass.onboarded_now:
            print(f"Onboarded Home Assistant: owner {DEMO_USER.username}")
            for title in await self.hass.remove_failed_onboarding_entries(api):
                print(
                    f"  removed {title}: its packages are not part of this lean setup"
                )
        outcome = await ensure_entry(api, self.connection, self.play)
        with suppress(TimeoutError):  # not reachable: the summary shows the state
            await wait_entry_state(api, outcome.entry_id, ("loaded",), timeout=30.0)
        self._write_state()
        await self._print_summary(api, outcome)

    async def _watch(self, session: aiohttp.ClientSession) -> int:
        """Follow the log; restart Home Assistant after a restart from the UI."""
        follow = None
        if not self.args.no_follow:
            follow = asyncio.create_task(_follow(self.hass.child.log_path))
        try:
            while not self.stop_requested.is_set():
                with suppress(TimeoutError):
                    await asyncio.wait_for(self.stop_requested.wait(), 1.0)
                if self.simulator is not None and not self.simulator.child.running:
                    print(
                        "scripts/develop: the ICWS simulator ended "
                        f"(status {self.simulator.child.returncode}); stopping",
                        file=sys.stderr,
                    )
                    return 1
                code = self.hass.child.returncode
                if code == RESTART_EXIT_CODE:
                    print("Home Assistant asked for a restart: starting it again ...")
                    self.hass.child.wait()
                    await self.hass.start(session, DEMO_USER)
                    print(f"Home Assistant is back on {self._hass_url}")
                elif code is not None:
                    print(
                        f"scripts/develop: Home Assistant ended (status {code})",
                        file=sys.stderr,
                    )
                    return code or 1
            print(
                "\nStopping Home Assistant and the simulator ..."
                if self.simulator is not None
                else "\nStopping Home Assistant ..."
            )
            return 0
        finally:
            if follow is not None:
                follow.cancel()
                with suppress(asyncio.CancelledError):
                    await follow

    def _stop_children(self) -> None:
        self.hass.stop()
        if self.simulator is not None:
            self.simulator.stop()
        with suppress(FileNotFoundError):
            STATE_FILE.unlink()

    @property
    def _hass_url(self) -> str:
        return f"http://localhost:{self.hass.port}"

    def _write_state(self) -> None:
        state: dict[str, Any] = {"pid": os.getpid(), "hass_url": self._hass_url}
        if self.simulator is not None:
            state["simulator_url"] = self.simulator.url
            state["simulator_user"] = SIM_USER
        STATE_FILE.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")

    async def _print_summary(self, api: HassApi, outcome: EntryOutcome) -> None:
        entities = await _voicemail_entities(api, outcome.entry_id)
        kinds = Counter(entity_id.split(".")[0] for entity_id in entities)
        states = {s["entity_id"]: s for s in await api.states()}
        entries = {e["entry_id"]: e for e in await api.config_entries(DOMAIN)}
        entry_state = entries.get(outcome.entry_id, {}).get("state", "?")
        rel = _relative
        lines = [
            "",
            "Voicemail development setup is running.",
            f"  Home Assistant  {self._hass_url}",
            f"                  log in as {DEMO_USER.username} / {DEMO_USER.password}",
            (
                f"                  configuration in {rel(self.hass.config_dir)}/, "
                f"log {rel(self.hass.config_dir / 'home-assistant.log')}"
            ),
        ]
        if self.simulator is not None:
            lines += [
                f"  ICWS simulator  {self.simulator.url} (self-signed certificate)"
                if self.simulator.tls
                else f"  ICWS simulator  {self.simulator.url}",
                (
                    f"                  account {SIM_USER} / {SIM_PASSWORD}, "
                    f"log {rel(self.simulator.child.log_path)}"
                ),
                f"                  Play rings its station {DEMO_STATION} (a new account)",
            ]
        else:
            lines.append(
                f"  ICWS server     {self.connection.host}:{self.connection.port} "
                f"as {self.connection.username}"
            )
        summary = ", ".join(f"{kind}: {count}" for kind, count in sorted(kinds.items()))
        lines += [
            (
                f'  Integration     "{outcome.title}" ({outcome.action}, {entry_state}): '
                f"{summary or 'no entities yet'}"
            ),
        ]
        lines.append(
            f"                  {self._hass_url}/config/integrations/integration/{DOMAIN}"
        )
        for entity_id in sorted(entities):
            if entity_id.startswith("sensor."):
                # A sensor without a state is one that is disabled by default.
                state = states.get(entity_id, {}).get("state", "(disabled)")
                lines.append(f"                  {entity_id} = {state}")
        if self.simulator is not None:
            lines += [
                "  Try             scripts/simulate new-voicemail --from 'Bob <+15551234>'",
                (
                    "                  scripts/simulate list | expire-session | switchover | "
                    "fault 500 | clear-faults | drop-streams"
                ),
            ]
        stop = "both" if self.simulator is not None else "Home Assistant"
        lines += [f"Press Ctrl-C to stop {stop}.", ""]
        print("\n".join(lines), flush=True)


async def _voicemail_entities(api: HassApi, entry_id: str) -> list[str]:
    async with await api.websocket() as ws:
        entries = await ws.command("config/entity_registry/list")
    return [e["entity_id"] for e in entries if e.get("config_entry_id") == entry_id]


def _relative(path: Path) -> str:
    with suppress(ValueError):
        return str(path.relative_to(Path.cwd()))
    return str(path)


async def _follow(path: Path) -> None:
    """Print what Home Assistant writes to its console log from now on."""
    with path.open("rb") as log:
        log.seek(0, os.SEEK_END)
        while True:
            line = log.readline()
            if not line:
                await asyncio.sleep(0.3)
                if path.stat().st_size < log.tell():  # a new start truncated it? reopen
                    log.seek(0)
                continue
            sys.stdout.write("hass | " + line.decode("utf-8", "replace"))
            sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    """Entry point of scripts/develop."""
    args = parse_args(argv)
    return asyncio.run(Develop(args).run())


if __name__ == "__main__":
    sys.exit(main())
