"""Event entity of the ICWS Voicemail integration: one per account, for automations.

It fires what the coordinator reports changed (mailbox.py: `received`, `read`,
`deleted`; coordinator.py: `playback_started`, `playback_stopped`), each change once.

Each event is also fired on the bus as `voicemail_event` (the same data, plus
`entity_id` and `event_type`), for the logbook: logbook.py turns it into a line that
names the caller. The entity's state change then takes that event's context, so the
logbook names the line as the cause of the entity's own row.

`received` must fire once per voicemail that is really new, even across a restart of
Home Assistant: the ids (and read states) the account has seen are kept in a `Store`
per config entry. Setup hands them to the coordinator's mailbox, which compares the
first snapshot with them; this entity writes them after every change it fired. The very
first setup of an account has nothing stored and takes the mailbox as it is.
"""

from __future__ import annotations

from typing import Any, Final, override

from homeassistant.components.event import ATTR_EVENT_TYPE, EventEntity
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import Context, HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.start import async_at_started
from homeassistant.helpers.storage import Store

from .const import DOMAIN, EVENT_VOICEMAIL
from .coordinator import VoicemailConfigEntry, VoicemailCoordinator
from .entity import VoicemailEntity
from .mailbox import (
    DELETED,
    PLAYBACK_STARTED,
    PLAYBACK_STOPPED,
    READ,
    RECEIVED,
    TRANSCRIBED,
    TRANSCRIPTION_FAILED,
    Known,
)
from .services import ATTR_MESSAGE_ID, voicemail_data

# The entity only fires events; it never sends a request.
PARALLEL_UPDATES = 0

STORAGE_VERSION: Final = 2
# Writes are coalesced: a burst of changes is written once.
STORAGE_SAVE_DELAY: Final = 5

type KnownData = dict[str, dict[str, bool | None]]


class KnownMessagesStore(Store[KnownData]):
    """The message ids an account has seen, with their read state."""

    @override
    async def _async_migrate_func(
        self, old_major_version: int, old_minor_version: int, old_data: Any
    ) -> KnownData:
        """Version 1 kept only the ids: their read state is not known."""
        return {"messages": dict.fromkeys(old_data["message_ids"])}


def known_messages_store(hass: HomeAssistant, entry_id: str) -> KnownMessagesStore:
    """Return the store of the message ids an account has seen."""
    return KnownMessagesStore(
        hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.known_messages"
    )


async def async_load_known(store: KnownMessagesStore) -> Known | None:
    """Return the stored ids and read states (None: the account was never seen)."""
    stored = await store.async_load()
    return None if stored is None else stored["messages"]


async def async_setup_entry(
    hass: HomeAssistant,
    entry: VoicemailConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the account's event entity."""
    store = known_messages_store(hass, entry.entry_id)
    async_add_entities([VoicemailEventEntity(entry.runtime_data, store)])


class VoicemailEventEntity(VoicemailEntity, EventEntity):
    """Fires an event for each change of an account's mailbox."""

    _attr_translation_key = "voicemail"
    _attr_event_types = [
        RECEIVED,
        READ,
        DELETED,
        PLAYBACK_STARTED,
        PLAYBACK_STOPPED,
        TRANSCRIBED,
        TRANSCRIPTION_FAILED,
    ]

    def __init__(
        self, coordinator: VoicemailCoordinator, store: KnownMessagesStore
    ) -> None:
        """Fire the coordinator's changes; remember the known ids in `store`."""
        super().__init__(coordinator, "events")
        self._store = store
        # False until Home Assistant has started, so that automations see the
        # first events (the coordinator keeps the changes until then).
        self._started = False

    @override
    async def async_added_to_hass(self) -> None:
        """Catch up once Home Assistant has started."""
        await super().async_added_to_hass()
        self.async_on_remove(async_at_started(self.hass, self._async_started))

    @override
    async def async_will_remove_from_hass(self) -> None:
        """Write the known ids now: the next setup reads them at once."""
        await super().async_will_remove_from_hass()
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
        """Fire what changed while we were away (and since setup)."""
        self._started = True
        self._async_fire_changes()
        self._store.async_delay_save(self._stored_data, STORAGE_SAVE_DELAY)

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        """Write the state, then fire the events of this update.

        The order matters when the account comes back after the server was gone:
        a state trigger ignores a change from `unavailable`, so the events follow
        the entity's plain state.
        """
        super()._handle_coordinator_update()
        if self._started and self._async_fire_changes():
            self._store.async_delay_save(self._stored_data, STORAGE_SAVE_DELAY)

    @callback
    def _async_fire_changes(self) -> bool:
        """Fire one event per change not fired yet; whether there was any."""
        changes = self.coordinator.async_take_changes()
        for change in changes:
            attributes: dict[str, Any] = {ATTR_MESSAGE_ID: change.message_id}
            if change.voicemail is not None:
                attributes = voicemail_data(change.voicemail, self.coordinator.audio)
            if change.error is not None:
                attributes["error"] = change.error
            context = Context()
            self.hass.bus.async_fire(
                EVENT_VOICEMAIL,
                {
                    ATTR_ENTITY_ID: self.entity_id,
                    ATTR_EVENT_TYPE: change.kind,
                    **attributes,
                },
                context=context,
            )
            self.async_set_context(context)
            self._trigger_event(change.kind, attributes)
            self.async_write_ha_state()
        return bool(changes)

    def _stored_data(self) -> KnownData:
        """Return the known ids as stored (sorted, so that the file is stable)."""
        known = self.coordinator.known_messages()
        return {"messages": dict(sorted(known.items()))}
