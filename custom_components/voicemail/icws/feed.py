"""The feed of one session: its event channel, its subscriptions, its resyncs.

Run by the connection (connection.py) for as long as a session lives; it raises when the
session is over (`IcwsSessionRejectedError`, `IcwsSessionEndedError`, or the failure).

- The channel is opened before subscribing, so the snapshot the subscription sends
  cannot be missed. Server-sent events when the server offers them; short polling when
  it does not, or while the stream cannot be had (refused, no headers in time, or
  `SHORT_STREAMS_TO_FALL_BACK` streams in a row that ended early): then the stream is
  tried again every `Pacing.stream_retry`.
- A stream that ends after a healthy life is reopened at once (after the server's
  `retry:`, capped); so is the first that ended early; the second waits by the
  reconnect policy, and the third makes the feed poll instead.
- A fresh snapshot is got by DELETE then PUT ("resync"): a repeated PUT need not send
  one. Resyncs happen on request (a removal to confirm), after a stream was reopened
  (a server may drop what was queued meanwhile), every `Pacing.resync_interval` as a
  safety net, and, with the reconnect policy, while the server reports the subscription faulted.
  A failed resync never ends a healthy session.
- The messages-waiting subscription is best-effort.
"""

from __future__ import annotations

import asyncio
from contextlib import aclosing, suppress
import logging
import time
from typing import TYPE_CHECKING, Final, Literal, NoReturn

from .backoff import Backoff
from .channel import EventStream, open_stream, poll
from .errors import (
    IcwsError,
    IcwsProtocolError,
    IcwsSessionEndedError,
    IcwsSessionRejectedError,
    IcwsStreamRefusedError,
)
from .models import (
    ConnectionStateChange,
    IcwsEvent,
    SubscriptionStateChange,
    VoicemailSnapshot,
)
from .phase import Phase

if TYPE_CHECKING:
    from .connection import IcwsConnection
    from .session import IcwsSession

_LOGGER = logging.getLogger(__name__)

SHORT_STREAMS_TO_FALL_BACK: Final = 3
"""This many streams in a row that ended early: poll instead for a while."""

type Mode = Literal["stream", "polling"]


class Feed:
    """Follows one session at a time for a connection."""

    def __init__(self, connection: IcwsConnection) -> None:
        """Belong to a connection; nothing runs yet."""
        self._connection = connection
        self.delivered_at: float | None = None
        """When the current session first delivered a message."""
        self.mode: Mode | None = None
        self.stream_retry_at = 0.0
        """Monotonic time until which the stream is not tried (polling instead)."""
        self.voicemail_state: SubscriptionStateChange | None = None
        """The last state the server reported for the voicemail subscription."""
        self.mwi_available = True
        self._resync_wanted = asyncio.Event()
        self._last_resync = 0.0
        self._faults = Backoff(connection.pacing)
        self._last_event_id = ""
        self._short_streams = 0
        self._maintenance: asyncio.Task[NoReturn] | None = None

    # --- Requests from outside -------------------------------------------------------

    def request_resync(self) -> None:
        """Ask for a fresh snapshot soon (at most one per `Pacing.resync_spacing`)."""
        self._resync_wanted.set()

    # --- The session's life --------------------------------------------------------

    async def run(self, session: IcwsSession) -> NoReturn:
        """Open the channel, subscribe, deliver; raise when the session is over.

        A new session tries the stream again, whatever made the last one poll.
        """
        self.delivered_at = None
        self.stream_retry_at = 0.0
        self._resync_wanted.clear()
        self._short_streams = 0
        self._last_event_id = ""  # event ids belong to one session's stream
        try:
            while True:
                if session.offers_stream and time.monotonic() >= self.stream_retry_at:
                    await self._stream_once(session)
                else:
                    await self._poll_once(session)
        finally:
            if (maintenance := self._maintenance) is not None:
                self._maintenance = None
                maintenance.cancel()
                with suppress(asyncio.CancelledError):
                    await maintenance

    async def _ready(self, session: IcwsSession, mode: Mode) -> None:
        """Subscribe the first time the channel is open; tell the connection."""
        if self._maintenance is None:
            await self._subscribe(session)
            self._maintenance = asyncio.ensure_future(self._maintain(session))
        self.mode = mode
        self._connection.enter(Phase.STREAMING if mode == "stream" else Phase.POLLING)

    async def _stream_once(self, session: IcwsSession) -> None:
        """Follow one stream to its end, then wait as its life says."""
        pacing = self._connection.pacing
        reopened = self._maintenance is not None
        stream = await self._open_stream(session)
        if stream is None:
            return
        await self._ready(session, "stream")
        if reopened:
            # The server may have dropped what it queued while no stream was open.
            self.request_resync()
        await self._follow(session, stream)
        if time.monotonic() - stream.opened >= pacing.short_stream:
            self._short_streams = 0
            await asyncio.sleep(pacing.server_retry(stream.retry))
            return
        self._short_streams += 1
        if self._short_streams >= SHORT_STREAMS_TO_FALL_BACK:
            self._short_streams = 0
            self._fall_back("The event stream keeps ending early")
            return
        # The first early end is reopened at once (a session that ended shows at the
        # next request); the next one waits by the policy.
        delay = 0.0 if self._short_streams == 1 else pacing.reconnect_delay(0)
        await asyncio.sleep(max(pacing.server_retry(stream.retry), delay))

    async def _poll_once(self, session: IcwsSession) -> None:
        """Poll the message queue once, then wait the poll interval."""
        await self._ready(session, "polling")
        for event in await poll(session):
            self._deliver(session, event)
        await asyncio.sleep(self._connection.client.poll_interval)

    async def _open_stream(self, session: IcwsSession) -> EventStream | None:
        """Open the stream; None when it cannot be had (and polling takes over)."""
        client = self._connection.client
        try:
            return await open_stream(
                session,
                last_event_id=self._last_event_id,
                read_timeout=client.stream_read_timeout,
                max_event_bytes=client.max_message_bytes,
            )
        except IcwsStreamRefusedError as err:
            for event in err.events:
                self._deliver(session, event)
            self._fall_back(str(err))
        except IcwsSessionRejectedError:
            # A proxy that strips the cookie from the stream only, or a token bound to
            # another address: if a plain request on the session works, poll instead.
            events = await poll(session)
            for event in events:
                self._deliver(session, event)
            self._fall_back(
                "The event stream was refused (401) while the session works"
            )
        return None

    def _fall_back(self, why: str) -> None:
        """Poll instead of streaming until `Pacing.stream_retry` passed."""
        _LOGGER.info("%s; polling for messages instead", why)
        self.stream_retry_at = time.monotonic() + self._connection.pacing.stream_retry
        self._connection.stats.stream_fallbacks += 1

    async def _follow(self, session: IcwsSession, stream: EventStream) -> None:
        """Deliver the stream's messages until it ends (an oversized one ends it too)."""
        try:
            async with aclosing(stream.events()) as events:
                async for event in events:
                    self._deliver(session, event)
        except IcwsProtocolError as err:
            _LOGGER.warning("Reopening the event stream: %s", err)
        finally:
            self._last_event_id = stream.last_event_id

    async def _subscribe(self, session: IcwsSession) -> None:
        """Subscribe to the voicemail list, and (best-effort) the waiting count."""
        await session.subscribe_voicemail()
        try:
            await session.subscribe_mwi()
        except IcwsSessionRejectedError:
            raise
        except IcwsError as err:
            if self.mwi_available:
                _LOGGER.info("No messages-waiting count from this server: %s", err)
            self.mwi_available = False
        else:
            self.mwi_available = True

    # --- Messages -----------------------------------------------------------------------

    def _deliver(self, session: IcwsSession, event: IcwsEvent) -> None:
        """Hand one message to the listener; act on the ones about the session."""
        if self.delivered_at is None:
            self.delivered_at = time.monotonic()
        match event:
            case ConnectionStateChange(should_reconnect=False) if event.down:
                self._connection.listener.on_event(event)
                raise IcwsSessionEndedError(
                    f"The ICWS server ended the session: {event.reason or 'no reason given'}",
                    reason=event.reason,
                )
            case ConnectionStateChange() if event.down:
                self._connection.listener.on_event(event)
                raise IcwsSessionRejectedError(
                    f"The ICWS session went down: {event.reason or 'no reason given'}"
                )
            case SubscriptionStateChange(subscription="voicemail"):
                self.voicemail_state = event
                if not event.healthy:
                    _LOGGER.warning(
                        "The server reports the voicemail subscription %s: %s",
                        "suspended" if event.state == 2 else "faulted",
                        event.message or "no reason given",
                    )
                    self.request_resync()
            case VoicemailSnapshot():
                self._faults.reset()
                self.voicemail_state = None
        self._connection.listener.on_event(event)

    # --- Maintenance ----------------------------------------------------------------------

    async def _maintain(self, session: IcwsSession) -> NoReturn:
        """Resync on request and every `Pacing.resync_interval`.

        A resync that failed (its DELETE may have ended the subscription), or one the
        server answers with a faulted subscription, is retried by the reconnect policy
        until a snapshot arrives. A 401 loses the session.
        """
        pacing = self._connection.pacing
        retry = False
        while True:
            state = self.voicemail_state
            if retry or (state is not None and not state.healthy):
                await asyncio.sleep(self._faults.next_delay())
            else:
                with suppress(TimeoutError):
                    async with asyncio.timeout(pacing.resync_interval):
                        await self._resync_wanted.wait()
                wait = pacing.resync_spacing - (time.monotonic() - self._last_resync)
                if wait > 0:
                    await asyncio.sleep(wait)
            self._resync_wanted.clear()
            self._last_resync = time.monotonic()
            retry = not await self._resync(session)

    async def _resync(self, session: IcwsSession) -> bool:
        """DELETE and PUT the voicemail subscription; whether the requests worked."""
        try:
            try:
                await session.unsubscribe_voicemail()
            except IcwsSessionRejectedError:
                raise
            except IcwsError as err:
                # Not subscribed (any more) is fine: the PUT is what matters.
                _LOGGER.debug("Unsubscribing before the resync failed: %s", err)
            await session.subscribe_voicemail()
        except IcwsSessionRejectedError as err:
            self._connection.lose(session, err)
            return True
        except IcwsError as err:
            _LOGGER.warning(
                "Could not resubscribe to the voicemail list (retrying): %s", err
            )
            self._connection.stats.error(err)
            return False
        finally:
            self._connection.stats.resyncs += 1
        return True
