"""The voicemail coordinator: one ICWS session, its event stream, the mailbox it pushes."""

from __future__ import annotations

import asyncio
from bisect import bisect_left, insort
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from operator import attrgetter
import random
from types import MappingProxyType
from typing import Any, override

import aiohttp
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
)
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import (
    ConfigEntryAuthFailed,
    ConfigEntryError,
    ConfigEntryNotReady,
    HomeAssistantError,
    ServiceValidationError,
)
from homeassistant.helpers.aiohttp_client import async_create_clientsession
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .const import (
    APPLICATION_NAME,
    CONF_PLAY_TARGET,
    CONF_PLAYBACK_TIMEOUT,
    DEFAULT_PLAYBACK_TIMEOUT,
    DOMAIN,
    LAST_ERRORS_KEPT,
    LOGGER,
    RECONNECT_DELAY_MAX,
    RECONNECT_DELAY_MIN,
    REQUEST_TIMEOUT,
    SAFETY_REFRESH_INTERVAL,
    SNAPSHOT_TIMEOUT,
)
from .icws import (
    ConnectionStateChange,
    IcwsAuthenticationError,
    IcwsCertificateError,
    IcwsClient,
    IcwsError,
    IcwsEvent,
    IcwsUnsupportedServerError,
    MessageWaiting,
    PlayStatus,
    PlayStatusChange,
    SessionInfo,
    SessionReplaced,
    Voicemail,
    VoicemailDelta,
    VoicemailSnapshot,
)
from .issues import async_create_unsupported_issue, async_delete_unsupported_issue

type VoicemailConfigEntry = ConfigEntry[VoicemailCoordinator]


def async_create_client(hass: HomeAssistant, data: Mapping[str, Any]) -> IcwsClient:
    """Build an ICWS client from config entry data (the config flow uses it too).

    The session has no cookie jar: a jar would re-quote the ICWS session cookie
    and replace the header the client sets by hand.
    """
    verify_ssl: bool = data[CONF_VERIFY_SSL]
    session = async_create_clientsession(
        hass, verify_ssl=verify_ssl, cookie_jar=aiohttp.DummyCookieJar()
    )
    return IcwsClient(
        session,
        data[CONF_HOST],
        port=data[CONF_PORT],
        use_https=data[CONF_SSL],
        verify_ssl=verify_ssl,
        username=data[CONF_USERNAME],
        password=data[CONF_PASSWORD],
        application_name=APPLICATION_NAME,
        language=hass.config.language,
        request_timeout=REQUEST_TIMEOUT,
    )


def unique_id_of(info: SessionInfo) -> str:
    """Return the account's unique id, which survives a new host name and a switchover."""
    return f"{info.user_id}@{info.ic_server or info.host}".lower()


# Client errors at login as setup errors, the first that matches wins.
_SETUP_ERRORS: tuple[tuple[type[IcwsError], type[HomeAssistantError], str], ...] = (
    (IcwsAuthenticationError, ConfigEntryAuthFailed, "invalid_auth"),
    (IcwsUnsupportedServerError, ConfigEntryError, "unsupported_server"),
    (IcwsCertificateError, ConfigEntryNotReady, "certificate_not_trusted"),
    (IcwsError, ConfigEntryNotReady, "cannot_connect"),
)


def setup_error(err: IcwsError) -> HomeAssistantError:
    """Return the translated setup error for a client error at login."""
    error_type, key = next(
        (setup_type, key)
        for client_type, setup_type, key in _SETUP_ERRORS
        if isinstance(err, client_type)
    )
    return error_type(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders={"error": str(err)},
    )


def reconnect_delay(attempt: int) -> float:
    """Return the wait before reconnect `attempt` (from 0): 5 s doubling up to 5 min.

    Jitter spreads the reconnects of many clients; it only ever shortens the wait.
    """
    delay = min(RECONNECT_DELAY_MAX, RECONNECT_DELAY_MIN * 2**attempt)
    return random.uniform(delay / 2, delay)


def _newest_first(voicemail: Voicemail) -> tuple[datetime, str]:
    """Sort key: received, then id (ids are unique, so a total order)."""
    return (voicemail.received, voicemail.message_id)


@dataclass(frozen=True, slots=True)
class VoicemailData:
    """What the entities show: the mailbox, the playback, the waiting count."""

    voicemails: tuple[Voicemail, ...]
    """Newest first (by received, then id)."""
    playing: str | None
    """Id of the message that is playing, if any."""
    messages_waiting: int | None
    """The server's message-waiting count, None until it sent one."""
    by_id: Mapping[str, Voicemail] = field(compare=False)
    """The same voicemails by id."""
    unread: int = field(compare=False)
    """How many voicemails were not listened to (counted once, when built)."""

    @classmethod
    def build(
        cls,
        voicemails: Iterable[Voicemail],
        playing: str | None,
        messages_waiting: int | None,
    ) -> VoicemailData:
        """Sort the voicemails and index them."""
        mailbox = Mailbox()
        mailbox.reset(voicemails)
        return mailbox.data(playing, messages_waiting)


class Mailbox:
    """The voicemails of an account, kept in order as changes arrive.

    A snapshot is sorted once; each later change costs a binary search (and a
    list insert or delete), not a sort of the whole mailbox. The published view
    is built only when the mailbox changed since the last one.
    """

    def __init__(self) -> None:
        """Start empty."""
        self._by_id: dict[str, Voicemail] = {}
        self._order: list[Voicemail] = []
        """Oldest first: the reverse of what is published."""
        self._unread = 0
        self._view: (
            tuple[tuple[Voicemail, ...], Mapping[str, Voicemail], int] | None
        ) = None

    def get(self, message_id: str) -> Voicemail | None:
        """Return the voicemail with this id, if any."""
        return self._by_id.get(message_id)

    def reset(self, voicemails: Iterable[Voicemail]) -> None:
        """Replace the whole mailbox (a snapshot)."""
        self._by_id = {vm.message_id: vm for vm in voicemails}
        self._order = sorted(self._by_id.values(), key=_newest_first)
        self._unread = sum(1 for vm in self._order if not vm.read)
        self._view = None

    def put(self, voicemail: Voicemail) -> None:
        """Add a voicemail, or replace the one with the same id."""
        if (old := self._by_id.get(voicemail.message_id)) is not None:
            index = self._index(old)
            if _newest_first(old) == _newest_first(voicemail):
                self._order[index] = voicemail
            else:
                del self._order[index]
                insort(self._order, voicemail, key=_newest_first)
            self._unread -= not old.read
        else:
            insort(self._order, voicemail, key=_newest_first)
        self._by_id[voicemail.message_id] = voicemail
        self._unread += not voicemail.read
        self._view = None

    def remove(self, message_id: str) -> None:
        """Remove the voicemail with this id, if there is one."""
        if (old := self._by_id.pop(message_id, None)) is None:
            return
        del self._order[self._index(old)]
        self._unread -= not old.read
        self._view = None

    def _index(self, voicemail: Voicemail) -> int:
        """Return the position of a voicemail that is in the mailbox."""
        return bisect_left(self._order, _newest_first(voicemail), key=_newest_first)

    def data(self, playing: str | None, messages_waiting: int | None) -> VoicemailData:
        """Return the mailbox as published, with the playback and waiting count.

        While the mailbox is unchanged, the same tuple and mapping are handed out
        again: listeners can tell with `is` that only the rest changed.
        """
        if self._view is None:
            ordered = tuple(reversed(self._order))
            index = dict(
                zip(map(attrgetter("message_id"), ordered), ordered, strict=True)
            )
            self._view = (ordered, MappingProxyType(index), self._unread)
        voicemails, by_id, unread = self._view
        return VoicemailData(
            voicemails=voicemails,
            playing=playing,
            messages_waiting=messages_waiting,
            by_id=by_id,
            unread=unread,
        )


class VoicemailCoordinator(DataUpdateCoordinator[VoicemailData]):
    """Keeps one ICWS session subscribed to the mailbox and follows what it pushes.

    The first refresh logs in, starts the event-stream task and waits for the
    snapshot the subscription sends. From then on the task applies every pushed
    change; the scheduled refresh only resubscribes, as a safety net, to get a
    fresh snapshot.
    """

    config_entry: VoicemailConfigEntry
    session_info: SessionInfo
    """Of the current session; set by the first refresh."""

    def __init__(
        self, hass: HomeAssistant, entry: VoicemailConfigEntry, client: IcwsClient
    ) -> None:
        """Set up the coordinator for one account; nothing is sent yet."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=entry.title,
            update_interval=SAFETY_REFRESH_INTERVAL,
        )
        self.client = client
        self._logged_in = False
        self.last_errors: deque[str] = deque(maxlen=LAST_ERRORS_KEPT)
        self._mailbox = Mailbox()
        self._playing: str | None = None
        self._messages_waiting: int | None = None
        self._connected = False
        self._auth_failed = False
        self._snapshot_waiter: asyncio.Future[None] | None = None
        self._listener: asyncio.Task[None] | None = None
        self._unsub_playback_timeout: CALLBACK_TYPE | None = None

    # --- Setup and the safety-net refresh --------------------------------------------

    @override
    async def _async_setup(self) -> None:
        """Log in and start following the event stream."""
        try:
            self.session_info = await self.client.login()
        except IcwsError as err:
            if isinstance(err, IcwsUnsupportedServerError):
                async_create_unsupported_issue(self.hass, self.config_entry, err)
            raise setup_error(err) from err
        async_delete_unsupported_issue(self.hass, self.config_entry)
        self._logged_in = self._connected = True
        self._listener = self.config_entry.async_create_background_task(
            self.hass,
            self._async_follow_events(),
            name=f"{DOMAIN} {self.config_entry.title} event stream",
        )

    @override
    async def _async_update_data(self) -> VoicemailData:
        """Subscribe (again) and wait for the snapshot the server sends."""
        if self._auth_failed:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="invalid_auth"
            )
        if not self._connected:
            # The event-stream task is reconnecting; it reports when it is back.
            raise UpdateFailed(
                translation_domain=DOMAIN, translation_key="reconnecting"
            )
        waiter = self._snapshot_waiter = self.hass.loop.create_future()
        try:
            await self.client.subscribe_voicemail()
            async with asyncio.timeout(SNAPSHOT_TIMEOUT):
                await waiter
        except IcwsAuthenticationError as err:
            raise setup_error(err) from err
        except IcwsError as err:
            self._remember_error(err)
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="cannot_connect",
                translation_placeholders={"error": str(err)},
            ) from err
        except TimeoutError as err:
            self.last_errors.append("No voicemail snapshot after subscribing")
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="snapshot_timeout",
                translation_placeholders={"seconds": str(int(SNAPSHOT_TIMEOUT))},
            ) from err
        finally:
            self._snapshot_waiter = None
        return self._build_data()

    # --- The event stream --------------------------------------------------------------

    async def _async_follow_events(self) -> None:
        """Apply what the server pushes; reconnect with backoff when it is gone."""
        attempt = 0
        while True:
            try:
                if not self._connected:
                    await self._async_reconnect()
                    attempt = 0
                async for event in self.client.events():
                    await self._async_handle_event(event)
            except IcwsAuthenticationError as err:
                self._async_set_unavailable(err)
                self._auth_failed = True
                self.config_entry.async_start_reauth(self.hass)
                return
            except IcwsUnsupportedServerError as err:
                self._async_set_unavailable(err)
                async_create_unsupported_issue(self.hass, self.config_entry, err)
                return
            except IcwsError as err:
                self._async_set_unavailable(err)
            except Exception as err:  # noqa: BLE001  (a bug must not end the pushes for good)
                LOGGER.exception(
                    "Unexpected error following the events of %s", self.name
                )
                self._async_set_unavailable(err)
            await asyncio.sleep(reconnect_delay(attempt))
            attempt += 1

    async def _async_reconnect(self) -> None:
        """Start over after a failure: end the old session, log in, subscribe."""
        # The old session may be alive on the server still (e.g. a failed resubscribe).
        await self.client.logout()
        self.session_info = await self.client.login()
        self._logged_in = True
        await self.client.subscribe_voicemail()
        self._connected = True

    async def _async_handle_event(self, event: IcwsEvent) -> None:
        """Apply one event of the stream."""
        match event:
            case VoicemailSnapshot(voicemails=voicemails):
                self._mailbox.reset(voicemails)
                if (waiter := self._snapshot_waiter) is not None and not waiter.done():
                    waiter.set_result(None)
                    return
            case VoicemailDelta(added=added, changed=changed, removed=removed):
                for vm in added:
                    self._mailbox.put(vm)
                for change in changed:
                    if (old := self._mailbox.get(change.message_id)) is not None:
                        self._mailbox.put(replace(old, state=change.state))
                for message_id in removed:
                    self._mailbox.remove(message_id)
            case PlayStatusChange(message_id=message_id, status=PlayStatus.PLAYING):
                self._async_playback_started(message_id)
            case PlayStatusChange(message_id=message_id):
                if message_id != self._playing:
                    return
                self._async_playback_ended()
            case MessageWaiting(count=count):
                self._messages_waiting = count
            case ConnectionStateChange(new=state, reason=reason):
                # On DOWN the client logs in again itself, then yields SessionReplaced.
                state_name = state.name.lower()
                LOGGER.debug(
                    "ICWS session of %s is %s: %s", self.name, state_name, reason
                )
                self.last_errors.append(f"Session {state_name}: {reason}")
                return
            case SessionReplaced(session=session):
                # A new session knows nothing of the old one's playback or subscriptions.
                LOGGER.debug("ICWS session of %s replaced, resubscribing", self.name)
                self.session_info = session
                self._async_playback_ended()
                await self.client.subscribe_voicemail()
        self._async_publish()

    @callback
    def _async_publish(self) -> None:
        """Hand the current state to the entities (and say when we are back)."""
        if not self.last_update_success:
            LOGGER.info("Connection to the ICWS server of %s restored", self.name)
        self.async_set_updated_data(self._build_data())

    @callback
    def _async_set_unavailable(self, err: Exception) -> None:
        """Mark the entities unavailable, logging once when the connection is lost."""
        self._connected = False
        self._remember_error(err)
        self._async_playback_ended()
        if not self.last_update_success:
            return
        LOGGER.warning(
            "Lost the connection to the ICWS server of %s, retrying: %s",
            self.name,
            err,
        )
        self.last_exception = err
        self.last_update_success = False
        self.async_update_listeners()

    def _remember_error(self, err: Exception) -> None:
        """Keep the error's safe text for diagnostics."""
        self.last_errors.append(f"{type(err).__name__}: {err}")

    def _build_data(self) -> VoicemailData:
        return self._mailbox.data(self._playing, self._messages_waiting)

    # --- Playback state ----------------------------------------------------------------

    @callback
    def _async_playback_started(self, message_id: str) -> None:
        """Remember the message that plays, with a timeout: its end may go unreported."""
        self._async_cancel_playback_timeout()
        self._playing = message_id
        timeout: float = self.config_entry.options.get(
            CONF_PLAYBACK_TIMEOUT, DEFAULT_PLAYBACK_TIMEOUT
        )
        self._unsub_playback_timeout = async_call_later(
            self.hass, timeout, self._async_playback_timed_out
        )

    @callback
    def _async_playback_timed_out(self, _now: datetime) -> None:
        """No stop status came in time: the playback is over."""
        self._unsub_playback_timeout = None
        self._playing = None
        self._async_publish()

    @callback
    def _async_playback_ended(self) -> None:
        self._async_cancel_playback_timeout()
        self._playing = None

    @callback
    def _async_cancel_playback_timeout(self) -> None:
        if self._unsub_playback_timeout is not None:
            self._unsub_playback_timeout()
            self._unsub_playback_timeout = None

    # --- Actions (callers map the client's errors with helpers.icws_errors) -------------

    def voicemail(self, message_id: str) -> Voicemail:
        """Return the message with this id; raise a translated error for others."""
        if (voicemail := self._mailbox.get(message_id)) is None:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="unknown_message",
                translation_placeholders={"message_id": message_id},
            )
        return voicemail

    def _validated(self, message_id: str) -> str:
        """Return the id of a message in the mailbox; raise a translated error for others."""
        return self.voicemail(message_id).message_id

    async def async_stop(self, message_id: str | None) -> list[str]:
        """Stop a playback (None: the one that is playing); the ids stopped."""
        if message_id is None:
            if self._playing is None:
                return []
            message_id = self._playing
        else:
            self._validated(message_id)
        await self.client.stop(message_id)
        if message_id == self._playing:
            self._async_playback_ended()
            self._async_publish()
        return [message_id]

    async def async_play(self, message_id: str, target: str | None) -> None:
        """Play a message to a target (None: the play target of the options).

        The request's `state` is the message's current state: the documentation
        leaves the field's meaning open, so playing should not change it (the play
        action marks the message read with a request of its own).
        """
        state = self.voicemail(message_id).state
        target = target or self.config_entry.options.get(CONF_PLAY_TARGET) or None
        if target is None:
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key="no_play_target"
            )
        await self.client.play(message_id, target=target, state=state)

    async def async_set_read(self, message_id: str, read: bool) -> None:
        """Mark a message read or unread; the server pushes the change."""
        await self.client.set_read(self._validated(message_id), read)

    async def async_delete(self, message_id: str) -> None:
        """Delete a message; the server pushes its removal."""
        await self.client.delete(self._validated(message_id))

    # --- Shutdown ------------------------------------------------------------------------

    @override
    async def async_shutdown(self) -> None:
        """Stop the event-stream task, unsubscribe and log out (once)."""
        await super().async_shutdown()
        self._async_playback_ended()
        if (waiter := self._snapshot_waiter) is not None:
            waiter.cancel()
        if (listener := self._listener) is not None:
            self._listener = None
            listener.cancel()
            await asyncio.wait([listener])
        if not self._logged_in:
            return
        self._logged_in = False
        if self._connected:
            self._connected = False
            try:
                await self.client.unsubscribe_voicemail()
            except IcwsError as err:
                LOGGER.debug("Unsubscribing %s failed: %s", self.name, err)
        await self.client.logout()
