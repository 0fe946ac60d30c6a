"""The voicemail coordinator: listens to the account's connection, publishes the mailbox.

The ICWS connection (`icws/connection.py`) keeps the session up and pushes what the
server sends; this coordinator is its listener (as WLED's coordinator listens to its
device). It applies snapshots and deltas to the mailbox (mailbox.py), tracks the
playback (playback.py), turns the connection's phases into availability, reauth and
repair issues, and runs the actions through `connection.request()`.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed, ServiceValidationError
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .const import (
    CONF_PASSWORD_REFUSED,
    CONF_PLAYBACK_TIMEOUT,
    DEFAULT_PLAYBACK_TIMEOUT,
    DOMAIN,
    ISSUE_RESOURCE_GONE,
    LAST_ERRORS_KEPT,
    LOGGER,
    SETUP_TIMEOUT,
)
from .errors import setup_error
from .icws import (
    FAILED,
    READY,
    ConnectionState,
    ConnectionStateChange,
    IcwsClient,
    IcwsError,
    IcwsEvent,
    MessageWaiting,
    Phase,
    PlayStatusChange,
    SessionInfo,
    SubscriptionStateChange,
    Voicemail,
    VoicemailDelta,
    VoicemailSnapshot,
)
from .issues import CLEARED_WHEN_CONNECTED, async_create_issue_for, async_delete_issues
from .mailbox import (
    PLAYBACK_STARTED,
    PLAYBACK_STOPPED,
    Change,
    ChangeKind,
    Known,
    Mailbox,
    VoicemailData,
)
from .playback import Playback

if TYPE_CHECKING:
    from .audio import VoicemailAudio

type VoicemailConfigEntry = ConfigEntry[VoicemailCoordinator]

CHANGES_KEPT = 1000
"""Changes kept for the event entity while it is not there to take them."""


class VoicemailCoordinator(DataUpdateCoordinator[VoicemailData]):
    """Publishes one account's mailbox as its connection reports it."""

    config_entry: VoicemailConfigEntry
    session_info: SessionInfo
    """Of the current session; set by the first login (before any entity exists)."""
    audio: VoicemailAudio
    """The messages' audio; set by setup after the first mailbox (audio.py)."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: VoicemailConfigEntry,
        client: IcwsClient,
        known: Known | None,
    ) -> None:
        """Set up the coordinator for one account; nothing is sent yet.

        `known`: the message ids (and read states) seen before, None for a new account.
        """
        super().__init__(hass, LOGGER, config_entry=entry, name=entry.title)
        self.client = client
        self.connection = client.connection(self)
        self._mailbox = Mailbox(known)
        self._playback = Playback(
            hass,
            lambda: float(
                entry.options.get(CONF_PLAYBACK_TIMEOUT, DEFAULT_PLAYBACK_TIMEOUT)
            ),
            self._async_publish,
        )
        self._messages_waiting: int | None = None
        self._changes: deque[Change] = deque(maxlen=CHANGES_KEPT)
        self.change_listeners: list[Callable[[list[Change]], None]] = []
        """Told of every batch of mailbox changes (the audio forgets deleted ones)."""
        self._first_snapshot: asyncio.Future[None] | None = None
        self.subscription_problem: str | None = None
        """The server's text while it reports the voicemail subscription faulted."""
        self.last_errors: deque[str] = deque(maxlen=LAST_ERRORS_KEPT)
        """What the server said of the session and the subscription (safe texts).

        The connection's own errors are in `connection.stats`."""

    # --- Setup -----------------------------------------------------------------------

    @override
    async def _async_setup(self) -> None:
        """Start the connection (not with a password the server refused)."""
        if self.config_entry.data.get(CONF_PASSWORD_REFUSED):
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="invalid_auth"
            )
        self._first_snapshot = self.hass.loop.create_future()
        self.config_entry.async_create_background_task(
            self.hass,
            self.connection.run(),
            name=f"{DOMAIN} {self.config_entry.title} connection",
        )

    @override
    async def _async_update_data(self) -> VoicemailData:
        """First: wait for the mailbox. Later (a manual refresh): ask for a fresh one."""
        if (first := self._first_snapshot) is not None:
            try:
                async with asyncio.timeout(SETUP_TIMEOUT):
                    await first
            except TimeoutError as err:
                raise UpdateFailed(
                    translation_domain=DOMAIN,
                    translation_key="snapshot_timeout",
                    translation_placeholders={"seconds": str(int(SETUP_TIMEOUT))},
                ) from err
            finally:
                self._first_snapshot = None
        elif self.connection.phase in FAILED and self.connection.error is not None:
            raise setup_error(self.connection.error)
        else:
            self.connection.feed.request_resync()
        return self._build_data()

    # --- What the connection tells (ConnectionListener) ------------------------------

    @callback
    def on_session(self, info: SessionInfo) -> None:
        """Take a new session: it knows nothing of the old one's playback."""
        self.session_info = info
        self._async_playback_ended()

    @callback
    def on_phase(self, phase: Phase, error: IcwsError | None) -> None:
        """Turn the connection's phase into availability, reauth and repair issues."""
        if phase in READY:
            async_delete_issues(self.hass, self.config_entry, CLEARED_WHEN_CONNECTED)
            return
        if phase not in FAILED or error is None:
            return
        if (first := self._first_snapshot) is not None and not first.done():
            first.set_exception(setup_error(error))
        self._async_playback_ended()
        self._async_set_unavailable(error)
        entry = self.config_entry
        if phase is Phase.AUTH_FAILED:
            # The refused password is never sent again, not even after a restart.
            self.hass.config_entries.async_update_entry(
                entry, data={**entry.data, CONF_PASSWORD_REFUSED: True}
            )
            entry.async_start_reauth(self.hass)
        else:
            async_create_issue_for(
                self.hass, entry, phase, error, self.client.verifies_certificates
            )

    @callback
    def on_event(self, event: IcwsEvent) -> None:
        """Apply one message of the event channel."""
        changes: list[Change] = []
        match event:
            case VoicemailSnapshot():
                changes = self._mailbox.apply_snapshot(event)
                self.subscription_problem = None
                if self._mailbox.needs_confirmation:
                    self.connection.feed.request_resync()
                if (first := self._first_snapshot) is not None and not first.done():
                    first.set_result(None)
            case VoicemailDelta():
                changes = self._mailbox.apply_delta(event)
            case PlayStatusChange(message_id=message_id) if event.stopped:
                if message_id != self._playback.playing:
                    return
                self._async_playback_ended()
            case PlayStatusChange(message_id=message_id):
                self._async_playback_started(message_id)
            case MessageWaiting(count=count):
                self._async_check_waiting(count)
                self._messages_waiting = count
            case SubscriptionStateChange(subscription="voicemail") if not event.healthy:
                self.subscription_problem = event.message or "faulted"
                self.last_errors.append(
                    f"Voicemail subscription: {self.subscription_problem}"
                )
                return
            case ConnectionStateChange(new=new, reason=reason):
                state = (
                    ConnectionState(new).name.lower()
                    if new in ConnectionState
                    else str(new)
                )
                LOGGER.debug("ICWS session of %s is %s: %s", self.name, state, reason)
                self.last_errors.append(f"Session {state}: {reason}")
                return
            case _:
                return
        self._async_publish(changes)

    @callback
    def _async_check_waiting(self, count: int) -> None:
        """Resync once when the server counts more unread messages than the mailbox has.

        A voicemail whose Added delta was lost, or that a snapshot left out, shows
        here first. Once per count: a server that counts what the list does not show
        (another folder) costs one resync, not a loop.
        """
        if count != self._messages_waiting and count > self._build_data().unread:
            LOGGER.debug("The server counts %s unread voicemails: resync", count)
            self.connection.feed.request_resync()

    # --- Publishing ------------------------------------------------------------------

    @callback
    def _async_publish(self, changes: list[Change] | None = None) -> None:
        """Hand the current state and the changes to the entities, then the listeners."""
        self._changes.extend(changes or ())
        if self.data is not None and not self.last_update_success:
            LOGGER.info("Connection to the ICWS server of %s restored", self.name)
        self.async_set_updated_data(self._build_data())
        for listener in self.change_listeners if changes else ():
            listener(changes or [])

    @callback
    def async_take_changes(self) -> list[Change]:
        """Return the changes not taken yet (the event entity fires each once)."""
        changes = list(self._changes)
        self._changes.clear()
        return changes

    def known_messages(self) -> dict[str, bool | None]:
        """Return the ids (and read states) to remember across a restart."""
        return self._mailbox.known()

    @callback
    def _async_set_unavailable(self, err: IcwsError) -> None:
        """Mark the entities unavailable, logging once when the connection is lost."""
        if not self.last_update_success or self.data is None:
            return
        LOGGER.warning(
            "Lost the connection to the ICWS server of %s, retrying: %s", self.name, err
        )
        self.last_exception = err
        self.last_update_success = False
        self.async_update_listeners()

    def _build_data(self) -> VoicemailData:
        return self._mailbox.data(self._playback.playing, self._messages_waiting)

    # --- Playback --------------------------------------------------------------------

    @callback
    def _async_playback_started(self, message_id: str) -> None:
        """Remember the message that plays; publish the change."""
        before = self._playback.playing
        self._playback.start(message_id)
        changes: list[Change] = []
        if before != message_id:
            if before is not None:
                changes.append(self._change(PLAYBACK_STOPPED, before))
            changes.append(self._change(PLAYBACK_STARTED, message_id))
        self._async_publish(changes)

    @callback
    def _async_playback_ended(self) -> None:
        """Forget the playback (the caller publishes)."""
        before = self._playback.playing
        if before is not None and self._playback.stop():
            self._changes.append(self._change(PLAYBACK_STOPPED, before))

    def _change(
        self, kind: ChangeKind, message_id: str, error: str | None = None
    ) -> Change:
        return Change(kind, message_id, self._mailbox.get(message_id), error)

    @callback
    def async_publish_change(
        self, kind: ChangeKind, message_id: str, *, error: str | None = None
    ) -> None:
        """Publish a change found outside the mailbox (a transcript) for the events."""
        self._async_publish([self._change(kind, message_id, error)])

    # --- Actions (callers map the client's errors with errors.icws_errors) -----------
    # They run on the connection's session (`connection.request`: it never logs in for us).

    def voicemail(self, message_id: str) -> Voicemail:
        """Return the message with this id; raise a translated error for others."""
        if (voicemail := self._mailbox.get(message_id)) is None:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="unknown_message",
                translation_placeholders={"message_id": message_id},
            )
        return voicemail

    async def async_stop(self, message_id: str | None) -> list[str]:
        """Stop a playback (None: the one that is playing); the ids stopped."""
        if message_id is None:
            if self._playback.playing is None:
                return []
            message_id = self._playback.playing
        else:
            self.voicemail(message_id)
        stopped = message_id
        await self.connection.request(lambda session: session.stop(stopped))
        # A stop that works again (the server was fixed) ends a 410's repair issue.
        async_delete_issues(self.hass, self.config_entry, (ISSUE_RESOURCE_GONE,))
        if stopped == self._playback.playing:
            self._async_playback_ended()
            self._async_publish()
        return [stopped]

    async def async_play(self, message_id: str, target: str) -> None:
        """Play a message to a target (a phone number, an extension or a station).

        The request's `state` is the message's current state: the documentation
        leaves the field's meaning open, so playing should not change it. "Playing"
        shows as soon as the server accepted the request.
        """
        state = self.voicemail(message_id).state
        await self.connection.request(
            lambda session: session.play(message_id, target=target, state=state)
        )
        self._async_playback_started(message_id)

    async def async_set_read(self, message_id: str, read: bool) -> None:
        """Mark a message read or unread; the server pushes the change."""
        self.voicemail(message_id)
        await self.connection.request(
            lambda session: session.set_read(message_id, read)
        )

    async def async_delete(self, message_id: str) -> None:
        """Delete a message; the server pushes its removal."""
        self.voicemail(message_id)
        await self.connection.request(lambda session: session.delete(message_id))

    # --- Shutdown --------------------------------------------------------------------

    @override
    async def async_shutdown(self) -> None:
        """Stop the connection and log out (a login under way included)."""
        await super().async_shutdown()
        self._playback.stop()
        await self.connection.close()
