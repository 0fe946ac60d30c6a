"""What the soak does to the server: faults, and another client's changes to the mailbox.

Each step is chosen by a seeded `random.Random`, so a run can be repeated. The `Ledger`
keeps what was done: the voicemails added and deleted by "another client", and how often
a session was lost on purpose (the bound for the logins).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
import random
from typing import Any

from scripts._dev.simulator import SimulatorControl
from scripts._soak.stack import USER

MESSAGES = "/messaging/messages$"
SUBSCRIPTION = "/messaging/subscriptions/unified-messaging/voicemail-messages$"
LOGIN = "^/icws/connection$"
HOSTS = ("localhost", "127.0.0.1")
"""The switchover pair: both are the simulator, told apart by the Host header."""
DEFAULT_SETTINGS: dict[str, Any] = {
    "stream_status": None,
    "repeated_subscription_put": "snapshot",
}
"""The settings a fault may change, as the run leaves them."""
ODD_SNAPSHOT_SPACING = 20.0


@dataclass
class Ledger:
    """What the soak did, for the checks."""

    initial: set[str] = field(default_factory=set)
    added: set[str] = field(default_factory=set)
    deleted: set[str] = field(default_factory=set)
    read: int = 0
    session_losses: int = 0
    """Sessions ended on purpose: expiry, restart, switchover, another logon."""
    other_logons: int = 0
    faults: dict[str, int] = field(default_factory=dict)
    host: str = "127.0.0.1"
    """The host the server accepts logins on (after a switchover, the other one)."""

    def did(self, name: str) -> None:
        """Count one step."""
        self.faults[name] = self.faults.get(name, 0) + 1


type Step = Callable[["Soaker"], Awaitable[None]]


class Soaker:
    """Runs the steps against the simulator's control API."""

    def __init__(
        self,
        control: SimulatorControl,
        rng: random.Random,
        ledger: Ledger,
        fix_repairs: Callable[[], Awaitable[int]],
    ) -> None:
        """Use the control API; `fix_repairs` is the user's answer to a repair issue."""
        self.control = control
        self.rng = rng
        self.ledger = ledger
        self._fix_repairs = fix_repairs
        self._undo: list[asyncio.Task[None]] = []
        self._last_odd_snapshot = float("-inf")

    async def step(self) -> str:
        """Do one random step; return its name."""
        name, action = self.rng.choice(STEPS)
        self.ledger.did(name)
        await action(self)
        return name

    def later(self, seconds: float, action: Callable[[], Awaitable[Any]]) -> None:
        """Undo a fault after a while."""

        async def run() -> None:
            await asyncio.sleep(seconds)
            await action()

        self._undo.append(asyncio.ensure_future(run()))

    async def settle(self) -> None:
        """End every fault: undo what is pending, clear faults, default settings."""
        for task in self._undo:
            task.cancel()
        await asyncio.gather(*self._undo, return_exceptions=True)
        await self.control.command("clear-faults")
        await self.control.command("settings", **DEFAULT_SETTINGS)
        await self.control.command("switch-back")
        await self._fix_repairs()

    # --- Another client's changes ----------------------------------------------------

    async def add(self) -> None:
        """Leave a voicemail, as a caller does."""
        vm = await self.control.command(
            "add-voicemail", user=USER, sender=f"Caller {self.rng.randrange(10**6)}"
        )
        self.ledger.added.add(vm["message_id"])

    async def mark_read(self) -> None:
        """Mark a voicemail read, as another client does."""
        unread = [vm for vm in await self.control.voicemails(USER) if not vm["read"]]
        if unread:
            vm = self.rng.choice(unread)
            await self.control.command(
                "set-read", user=USER, message_id=vm["message_id"], read=True
            )
            self.ledger.read += 1

    async def delete(self) -> None:
        """Delete a voicemail, as another client does."""
        voicemails = await self.control.voicemails(USER)
        if len(voicemails) > 2:
            vm = self.rng.choice(voicemails)
            await self.control.command(
                "remove-voicemail", user=USER, message_id=vm["message_id"]
            )
            self.ledger.deleted.add(vm["message_id"])

    # --- Faults -------------------------------------------------------------------------

    async def expire(self) -> None:
        """Make the server forget the session."""
        self.ledger.session_losses += await _count(
            self.control, "expire-sessions", "expired", user=USER
        )

    async def stream_401(self) -> None:
        """Answer the next stream (or poll) request 401, as a proxy that lost the cookie."""
        await self._fault(MESSAGES, 401)

    async def error_status(self) -> None:
        """Answer 500, 503 or 410 to the next subscription, login or stream request."""
        status = self.rng.choice((500, 503, 410))
        path = self.rng.choice((SUBSCRIPTION, LOGIN, MESSAGES))
        await self._fault(path, status)

    async def switchover(self) -> None:
        """Switch the server over to the other host, and stay there."""
        other = HOSTS[0] if self.ledger.host == HOSTS[1] else HOSTS[1]
        self.ledger.host = other
        self.ledger.session_losses += await _count(
            self.control, "switchover", "disconnected", alternate_hosts=[other]
        )

    async def drop_streams(self) -> None:
        """End the event stream (or break it off)."""
        await self.control.command("drop-streams", abort=self.rng.random() < 0.5)

    async def refuse_streams(self) -> None:
        """Refuse the event stream for a while, as a reverse proxy would."""
        await self.control.command("settings", stream_status=502)
        self.later(
            self.rng.uniform(2, 8),
            lambda: self.control.command("settings", stream_status=None),
        )

    async def slow_answers(self) -> None:
        """Make the next few requests take 5 s to answer."""
        await self.control.command(
            "inject-fault", path_regex="^/icws/", status=None, delay=5.0, count=3
        )

    async def restart(self) -> None:
        """Restart the server: every session is lost."""
        self.ledger.session_losses += await _count(
            self.control, "restart", "ended", downtime=self.rng.uniform(1, 4)
        )

    async def no_snapshot_on_put(self) -> None:
        """Send no snapshot on a repeated subscription PUT, for a while."""
        await self.control.command("settings", repeated_subscription_put="nothing")
        self.later(
            self.rng.uniform(3, 10),
            lambda: self.control.command(
                "settings", repeated_subscription_put="snapshot"
            ),
        )

    async def odd_snapshot(self) -> None:
        """Make the next snapshot empty, or lack a message it should have.

        Now and then: not within `ODD_SNAPSHOT_SPACING` of the last one. Two odd
        snapshots in a row would confirm a removal (mailbox.py says so); that is
        the documented limit, not what this soak measures.
        """
        now = asyncio.get_running_loop().time()
        if now - self._last_odd_snapshot < ODD_SNAPSHOT_SPACING:
            await self.add()
            return
        self._last_odd_snapshot = now
        kind = self.rng.choice(("empty", "omit"))
        # A message that never went away: one Home Assistant has known from the start.
        known = sorted(self.ledger.initial - self.ledger.deleted)
        omit = [self.rng.choice(known)] if known else []
        await self.control.command(
            "glitch-snapshots", user=USER, kind=kind, omit_ids=omit
        )

    async def another_logon(self) -> None:
        """Log the same user on elsewhere; the user reconnects in the repair later."""
        self.ledger.session_losses += await _count(
            self.control, "logon-elsewhere", "disconnected", user=USER
        )
        self.ledger.other_logons += 1
        self.later(self.rng.uniform(2, 5), self._fix_repairs)

    async def _fault(self, path: str, status: int) -> None:
        await self.control.command(
            "inject-fault", path_regex=path, status=status, count=1
        )


async def _count(control: SimulatorControl, command: str, key: str, **args: Any) -> int:
    """Run a command and return the count it answers (sessions it ended)."""
    answer = await control.command(command, **args)
    return int(answer.get(key, 1)) if isinstance(answer, dict) else 1


# Another client's changes are as frequent as all faults together.
STEPS: tuple[tuple[str, Step], ...] = (
    ("add voicemail", Soaker.add),
    ("add voicemail", Soaker.add),
    ("mark read", Soaker.mark_read),
    ("delete voicemail", Soaker.delete),
    ("session expiry", Soaker.expire),
    ("401 on the stream", Soaker.stream_401),
    ("500/503/410", Soaker.error_status),
    ("switchover", Soaker.switchover),
    ("stream dropped", Soaker.drop_streams),
    ("stream refused", Soaker.refuse_streams),
    ("5 s answers", Soaker.slow_answers),
    ("server restart", Soaker.restart),
    ("PUT without snapshot", Soaker.no_snapshot_on_put),
    ("odd snapshot", Soaker.odd_snapshot),
    ("another logon", Soaker.another_logon),
)
