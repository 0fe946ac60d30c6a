"""Event entity of the ICWS Voicemail integration: one per account, for automations.

The entity compares each mailbox the coordinator publishes with the one before and
fires `received`, `read`, `deleted`, `playback_started` and `playback_stopped`.

`received` must fire once per voicemail that is really new, even across a restart
of Home Assistant and across reconnects that replay the whole mailbox. So the ids
the entity has already seen are kept in a `Store` per config entry: a voicemail is
new when its id is not among them. The very first setup of an account has nothing
stored and takes the mailbox as it is.
"""

from __future__ import annotations

from typing import Any, Final, override

from homeassistant.components.event import EventEntity
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.start import async_at_started
from homeassistant.helpers.storage import Store

from .const import DOMAIN
from .coordinator import VoicemailConfigEntry, VoicemailCoordinator, VoicemailData
from .entity import VoicemailEntity
from .services import ATTR_MESSAGE_ID, voicemail_data

# The entity only fires events; it never sends a request.
PARALLEL_UPDATES = 0

EVENT_RECEIVED: Final = "received"
EVENT_READ: Final = "read"
EVENT_DELETED: Final = "deleted"
EVENT_PLAYBACK_STARTED: Final = "playback_started"
EVENT_PLAYBACK_STOPPED: Final = "playback_stopped"

STORAGE_VERSION: Final = 1
# Writes are coalesced: a burst of changes is written once.
STORAGE_SAVE_DELAY: Final = 5

type KnownMessagesStore = Store[dict[str, list[str]]]


def known_messages_store(hass: HomeAssistant, entry_id: str) -> KnownMessagesStore:
    """Return the store of the message ids an account's event entity has seen."""
    return Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.known_messages")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: VoicemailConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the account's event entity, with the ids it saw before."""
    store = known_messages_store(hass, entry.entry_id)
    stored = await store.async_load()
    known = None if stored is None else set(stored["message_ids"])
    async_add_entities([VoicemailEventEntity(entry.runtime_data, store, known)])


class VoicemailEventEntity(VoicemailEntity, EventEntity):
    """Fires an event for each change of an account's mailbox."""

    _attr_translation_key = "voicemail"
    _attr_event_types = [
        EVENT_RECEIVED,
        EVENT_READ,
        EVENT_DELETED,
        EVENT_PLAYBACK_STARTED,
        EVENT_PLAYBACK_STOPPED,
    ]

    def __init__(
        self,
        coordinator: VoicemailCoordinator,
        store: KnownMessagesStore,
        known: set[str] | None,
    ) -> None:
        """Start from the ids seen before (None: the account was never seen)."""
        super().__init__(coordinator, "events")
        self._store = store
        self._known = known
        # The mailbox the events were last computed from; None until Home
        # Assistant has started, so that automations see the first events.
        self._previous: VoicemailData | None = None

    @override
    async def async_added_to_hass(self) -> None:
        """Compare with the stored ids once Home Assistant has started."""
        await super().async_added_to_hass()
        self.async_on_remove(async_at_started(self.hass, self._async_started))

    @override
    async def async_will_remove_from_hass(self) -> None:
        """Write the known ids now: the next setup reads them at once."""
        await super().async_will_remove_from_hass()
        if self._known is not None:
            await self._store.async_save(self._stored_data())

    @callback
    def _async_started(self, hass: HomeAssistant) -> None:
        """Catch up once the entity's first state is written.

        Automations attach their triggers when Home Assistant has started, and a
        state trigger ignores the change from `unavailable` that adding the entity
        writes. Not eager: the task runs after the platform wrote that first state.
        """
        self.coordinator.config_entry.async_create_task(
            hass, self._async_catch_up(), eager_start=False
        )

    async def _async_catch_up(self) -> None:
        """Fire `received` for the voicemails that came while we were away."""
        self._async_process(self.coordinator.data)

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        """Write the state, then fire the events of this update.

        The order matters when the account comes back after the server was gone:
        a state trigger ignores a change from `unavailable`, so the events follow
        the entity's plain state.
        """
        super()._handle_coordinator_update()
        if self._previous is not None:
            self._async_process(self.coordinator.data)

    @callback
    def _async_process(self, data: VoicemailData) -> None:
        """Fire one event per change between the last mailbox and this one."""
        previous = self._previous
        self._previous = data
        if self._known is None:
            # First setup: the mailbox as it is now is the starting point.
            self._known = set(data.by_id)
            self._store.async_delay_save(self._stored_data, STORAGE_SAVE_DELAY)
            return

        if previous is not None:
            if previous.playing is not None and previous.playing != data.playing:
                self._async_fire(EVENT_PLAYBACK_STOPPED, previous, previous.playing)
            if data.by_id is previous.by_id:
                # The coordinator hands out the same mailbox while it is unchanged:
                # only the playback (or the waiting count) changed.
                self._async_playback_started(previous, data)
                return
            for message_id, old in previous.by_id.items():
                if message_id not in data.by_id:
                    self._async_fire(EVENT_DELETED, previous, message_id)
                elif not old.read and data.by_id[message_id].read:
                    self._async_fire(EVENT_READ, data, message_id)

        # Oldest first, so that the last event is the newest voicemail.
        for voicemail in reversed(data.voicemails):
            if voicemail.message_id not in self._known:
                self._async_fire(EVENT_RECEIVED, data, voicemail.message_id)

        self._async_playback_started(previous, data)

        if self._known != data.by_id.keys():
            self._known = set(data.by_id)
            self._store.async_delay_save(self._stored_data, STORAGE_SAVE_DELAY)

    @callback
    def _async_playback_started(
        self, previous: VoicemailData | None, data: VoicemailData
    ) -> None:
        """Fire `playback_started` when a message began playing since `previous`."""
        if data.playing is not None and (
            previous is None or previous.playing != data.playing
        ):
            self._async_fire(EVENT_PLAYBACK_STARTED, data, data.playing)

    @callback
    def _async_fire(
        self, event_type: str, data: VoicemailData, message_id: str
    ) -> None:
        """Fire one event about one message and publish it at once."""
        attributes: dict[str, Any] = {ATTR_MESSAGE_ID: message_id}
        if (voicemail := data.by_id.get(message_id)) is not None:
            attributes = voicemail_data(voicemail)
        self._trigger_event(event_type, attributes)
        self.async_write_ha_state()

    def _stored_data(self) -> dict[str, list[str]]:
        """Return the known ids as stored (sorted, so that the file is stable)."""
        return {"message_ids": sorted(self._known or ())}
