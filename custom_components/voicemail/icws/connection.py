"""The connection state machine: the one live session of an account, kept up.

`IcwsConnection.run()` logs in, opens the event channel, subscribes, and follows what the
server pushes, until `close()`. It owns the account's only session: actions get it from
`request()`, which never logs in on its own; a 401 they meet is reported here, and the
machine logs in again (once) while they wait.

States and transitions (`Phase`, `TRANSITIONS`)::

    IDLE ──run──▶ CONNECTING ──login ok──▶ SUBSCRIBING ──subscribed──▶ STREAMING ⇄ POLLING
                   ▲    │                     │                          │  (stream refused:
                   │    │ refused password    │ session lost / failure   │   poll, retry the
                   │    ▼                     ▼                          │   stream later)
                   │  AUTH_FAILED      BACKING_OFF ◀─────────────────────┘
                   │  REFUSED (licence, too old)  │ the policy's delay
                   └────────────────────────────────┘
    STREAMING/POLLING ──shouldReconnect false──▶ STOPPED_BY_SERVER
    AUTH_FAILED, REFUSED, STOPPED_BY_SERVER ──reconnect() (the user)──▶ CONNECTING
    any ──close()──▶ CLOSED

Rules that keep a PureConnect server safe from us:
- One reconnect policy (backoff.py) for every failure, whoever noticed it.
- A session that delivered something may be replaced at once, once; after that, a new
  login waits by the policy until a session stayed healthy (`Pacing.healthy_after`). So a 401
  leads to at most one immediate re-login, and no server behaviour makes us loop.
- The old session is logged out before a new one is made: at most one live session.
- A refused password is never sent again (AUTH_FAILED waits for the user).
- `shouldReconnect: false` (another logon, an administrator) is obeyed until the user
  chooses to reconnect.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass, field
import logging
import time
from typing import TYPE_CHECKING, Any, Protocol

from .backoff import Backoff, Pacing
from .errors import (
    IcwsAuthenticationError,
    IcwsClosedError,
    IcwsError,
    IcwsLoginRefusedError,
    IcwsReconnectingError,
    IcwsSessionEndedError,
    IcwsSessionError,
    IcwsSessionRejectedError,
    IcwsTimeoutError,
    IcwsUnsupportedServerError,
)
from .feed import Feed
from .models import IcwsEvent, SessionInfo
from .phase import READY, TRANSITIONS, WAITING_FOR_USER, Phase

if TYPE_CHECKING:
    from .client import IcwsClient
    from .session import IcwsSession

_LOGGER = logging.getLogger(__name__)


class ConnectionListener(Protocol):
    """What the owner of a connection hears (called on the event loop, synchronously)."""

    def on_event(self, event: IcwsEvent) -> None:
        """Take a message of the current session's event channel."""

    def on_phase(self, phase: Phase, error: IcwsError | None) -> None:
        """Hear that the connection entered `phase` (`error`: why, for a failure)."""

    def on_session(self, info: SessionInfo) -> None:
        """Hear of a new session (it knows nothing of the old one's playback)."""


@dataclass(slots=True)
class ConnectionStats:
    """What the connection did, for diagnostics and the soak test."""

    logins: int = 0
    immediate_relogins: int = 0
    backoffs: int = 0
    stream_fallbacks: int = 0
    resyncs: int = 0
    """Resyncs done (whether or not they worked)."""
    last_error: str | None = None
    recent_errors: list[str] = field(default_factory=list)

    def error(self, err: BaseException) -> None:
        """Remember the safe text of an error (the last ten)."""
        text = f"{type(err).__name__}: {err}"
        self.last_error = text
        self.recent_errors = [*self.recent_errors[-9:], text]


class IcwsConnection:
    """Keeps one ICWS session up for an account and tells a listener what happens."""

    def __init__(
        self,
        client: IcwsClient,
        listener: ConnectionListener,
        pacing: Pacing | None = None,
    ) -> None:
        """Prepare the connection; nothing is sent before `run()`."""
        self.client = client
        self.pacing = pacing or Pacing()
        self.listener = listener
        self.phase = Phase.IDLE
        self.error: IcwsError | None = None
        """Why the connection is in a failed phase (none while it works)."""
        self.stats = ConnectionStats()
        self.retry_at: float | None = None
        """Monotonic time of the next attempt while BACKING_OFF."""
        self.session: IcwsSession | None = None
        self.feed = Feed(self)
        self._backoff = Backoff(self.pacing)
        self._immediate_relogin = True
        self._changed = asyncio.Event()
        self._wake = asyncio.Event()
        self._lost: dict[IcwsSession, IcwsError] = {}
        self._lost_event = asyncio.Event()
        self._login_task: asyncio.Task[IcwsSession] | None = None
        self._logout: asyncio.Task[None] | None = None
        self._runner: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        """Show the phase and the host, never a secret."""
        return f"IcwsConnection({self.client!r}, phase={self.phase})"

    # --- The state machine -----------------------------------------------------------

    def enter(self, phase: Phase, error: IcwsError | None = None) -> None:
        """Take a transition of `TRANSITIONS` and tell the listener.

        Nothing moves a closed connection (tasks that were cancelled by `close()` may
        still finish a step).
        """
        if phase is self.phase or self.phase is Phase.CLOSED:
            return
        if phase not in TRANSITIONS[self.phase]:
            raise RuntimeError(f"No transition from {self.phase} to {phase}")
        _LOGGER.debug("Connection of %s: %s -> %s", self.client, self.phase, phase)
        self.phase = phase
        self.error = error
        if error is not None:
            self.stats.error(error)
        self._changed.set()
        self._changed = asyncio.Event()
        self.listener.on_phase(phase, error)

    async def run(self) -> None:
        """Keep the account connected until `close()` (cancel-safe; raises nothing else)."""
        self._runner = asyncio.current_task()
        while self.phase is not Phase.CLOSED:
            if self.phase in WAITING_FOR_USER:
                await self._wake.wait()
                self._wake.clear()
                continue
            if self.phase is Phase.BACKING_OFF:
                await self._sleep_until_retry()
            self.enter(Phase.CONNECTING)
            session = await self._log_in()
            if session is not None:
                await self._serve(session)

    async def _sleep_until_retry(self) -> None:
        """Wait for the policy's delay; `reconnect()` cuts it short."""
        delay = max(0.0, (self.retry_at or 0.0) - time.monotonic())
        with suppress(TimeoutError):
            async with asyncio.timeout(delay):
                await self._wake.wait()
        self._wake.clear()

    async def _log_in(self) -> IcwsSession | None:
        """Log in (one attempt, over the switchover hosts); None after a failure."""
        self.stats.logins += 1
        self._login_task = asyncio.ensure_future(self.client.login())
        try:
            # Shielded: a close() during the login waits for it and logs it out.
            session = await asyncio.shield(self._login_task)
        except IcwsAuthenticationError as err:
            self.enter(Phase.AUTH_FAILED, err)
            return None
        except (IcwsLoginRefusedError, IcwsUnsupportedServerError) as err:
            self.enter(Phase.REFUSED, err)
            return None
        except IcwsError as err:
            self._back_off(err)
            return None
        finally:
            self._login_task = None
        return session

    async def _serve(self, session: IcwsSession) -> None:
        """Use one session until it is lost; log it out; choose the next phase."""
        self.session = session
        self.listener.on_session(session.info)
        self.enter(Phase.SUBSCRIBING)
        feed = asyncio.ensure_future(self.feed.run(session))
        lost = asyncio.ensure_future(self._lost_event.wait())
        try:
            await asyncio.wait({feed, lost}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (feed, lost):
                task.cancel()
            await asyncio.wait({feed, lost})
            self.session = None
        outcome = self._lost.pop(session, None) or _outcome(feed)
        self._lost.clear()
        self._lost_event.clear()
        # Shielded: a close() meanwhile waits for this logout instead of cancelling it.
        self._logout = asyncio.ensure_future(session.logout())
        await asyncio.shield(self._logout)
        self._forgive_if_healthy()
        if isinstance(outcome, IcwsSessionEndedError):
            self.enter(Phase.STOPPED_BY_SERVER, outcome)
        elif isinstance(outcome, IcwsSessionRejectedError) and self._may_relogin_now():
            self.stats.immediate_relogins += 1
            _LOGGER.debug("Session of %s lost, logging in again", self.client)
            self.enter(Phase.CONNECTING)
        else:
            self._back_off(outcome)

    def _forgive_if_healthy(self) -> None:
        """Start the policy over after a session that stayed healthy (`healthy_after`).

        Whatever ended it: the failures before it no longer lengthen the next wait, and
        the immediate re-login is allowed again.
        """
        delivered = self.feed.delivered_at
        if (
            delivered is not None
            and time.monotonic() - delivered >= self.pacing.healthy_after
        ):
            self._backoff.reset()
            self._immediate_relogin = True

    def _may_relogin_now(self) -> bool:
        """Whether the loss of `session` allows an immediate re-login (see the module doc)."""
        if self.feed.delivered_at is None:
            return False
        allowed, self._immediate_relogin = self._immediate_relogin, False
        return allowed

    def _back_off(self, err: IcwsError) -> None:
        """Wait by the policy before the next login: something failed."""
        delay = self._backoff.next_delay()
        self.stats.backoffs += 1
        self.retry_at = time.monotonic() + delay
        _LOGGER.debug(
            "Connection of %s failed (%s); next attempt in %.1f s",
            self.client,
            err,
            delay,
        )
        self.enter(Phase.BACKING_OFF, err)

    def lose(self, session: IcwsSession, err: IcwsError) -> None:
        """Report that `session` is over (a 401, a DOWN message): the machine moves on."""
        if session is self.session and session not in self._lost:
            self._lost[session] = err
            self._lost_event.set()

    # --- Actions ----------------------------------------------------------------------

    async def request[T](self, operation: Callable[[IcwsSession], Awaitable[T]]) -> T:
        """Run an operation on the current session; on a 401, once more on the next one.

        Never logs in itself: it waits (`Pacing.ready_timeout`) for a login or a
        subscription under way, and fails at once, without a request, while the
        connection backs off or waits for the user.
        """
        session = await self._ready_session(None)
        try:
            return await operation(session)
        except IcwsSessionRejectedError as err:
            self.lose(session, err)
        session = await self._ready_session(session)
        try:
            return await operation(session)
        except IcwsSessionRejectedError as err:
            self.lose(session, err)
            raise IcwsSessionError(
                "The ICWS server rejected the session even after logging in again"
            ) from err

    async def _ready_session(self, not_this: IcwsSession | None) -> IcwsSession:
        """Return a subscribed session other than `not_this`, or raise why there is none.

        Raises IcwsTimeoutError when none is ready within `Pacing.ready_timeout`.
        """
        try:
            return await self._wait_for_session(not_this)
        except TimeoutError as err:
            raise IcwsTimeoutError("The ICWS connection was not ready in time") from err

    async def _wait_for_session(self, not_this: IcwsSession | None) -> IcwsSession:
        async with asyncio.timeout(self.pacing.ready_timeout):
            while True:
                session = self.session
                if (
                    self.phase in READY
                    and session is not None
                    and session is not not_this
                ):
                    return session
                if self.phase is Phase.BACKING_OFF:
                    retry_in = max(0.0, (self.retry_at or 0.0) - time.monotonic())
                    raise IcwsReconnectingError(
                        f"Reconnecting to the ICWS server in {retry_in:.0f} s",
                        retry_in=retry_in,
                    ) from self.error
                if self.phase is Phase.CLOSED:
                    raise IcwsClosedError("The ICWS connection is closed")
                if self.phase in WAITING_FOR_USER and self.error is not None:
                    raise self.error
                await self._changed.wait()

    # --- The user's choices ---------------------------------------------------------

    def reconnect(self) -> None:
        """Try again now: after a stop by the server, a refusal, or during a backoff."""
        if self.phase in WAITING_FOR_USER or self.phase is Phase.BACKING_OFF:
            self._backoff.reset()
            self._immediate_relogin = True
            self.retry_at = time.monotonic()
            if self.phase in WAITING_FOR_USER:
                self.enter(Phase.CONNECTING)
            self._wake.set()

    async def close(self) -> None:
        """Stop: end the loop, log out the session (and one a login is still making)."""
        if self.phase is Phase.CLOSED:
            return
        session = self.session
        login = self._login_task
        self.enter(Phase.CLOSED)
        if (
            runner := self._runner
        ) is not None and runner is not asyncio.current_task():
            runner.cancel()
            await asyncio.wait([runner])
        if self._logout is not None:
            await self._logout
        if login is not None:
            with suppress(IcwsError, asyncio.CancelledError):
                session = await login
        if session is not None:
            await session.logout()


def _outcome(feed: asyncio.Task[Any]) -> IcwsError:
    """Return why a session's feed ended by itself: it only ends by raising.

    (A lost session is told by `_lost`, not by its cancelled feed.)
    """
    err = feed.exception()
    if isinstance(err, IcwsError):
        return err
    # A bug must not end the pushes for good: log it, back off, start over.
    _LOGGER.error("Unexpected error following the ICWS session", exc_info=err)
    return IcwsError(f"Unexpected error: {type(err).__name__}")
