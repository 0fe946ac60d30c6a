"""Per-voicemail buttons: play a message on the play target, stop its playback.

Buttons exist for the newest `max_buttons` voicemails; a fax has nothing to play and
gets none (nor does it take a place in the window). They are added when a voicemail
arrives, newest first, and removed from the entity registry when it is deleted or
falls out of that window, from a coordinator listener (no reload). Their names are
short ("Play · Bob Smith · 27 Nov 14:55") and fixed at registration. The device page
and the classic generated dashboard sort a device's entities by name; the new
Overview (2026.10) lists them in the order of the states, which is the order here.

Buttons are not exposed to voice assistants by default: Home Assistant exposes new
entities of a few domains only (lights, switches, covers, ...), and `button` is not
one of them, so nothing has to be done here to keep dozens of per-message buttons
away from Assist.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
import re
from typing import Any, override

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.const import Platform
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from .const import CONF_MAX_BUTTONS, DEFAULT_MAX_BUTTONS
from .coordinator import VoicemailConfigEntry, VoicemailCoordinator
from .entity import VoicemailEntity, entity_unique_id
from .errors import icws_errors
from .helpers import message_digest
from .icws import Voicemail
from .intent import caller_name
from .play import async_play

# Presses go to the server one at a time.
PARALLEL_UPDATES = 1

BUTTON_SYNC_DELAY = 0.1
"""Seconds after a coordinator update until the buttons follow the mailbox."""


@dataclass(frozen=True, kw_only=True)
class VoicemailButtonEntityDescription(ButtonEntityDescription):
    """What pressing a per-message button does."""

    press_fn: Callable[[VoicemailCoordinator, str], Awaitable[Any]]


BUTTONS: tuple[VoicemailButtonEntityDescription, ...] = (
    VoicemailButtonEntityDescription(
        key="play",
        translation_key="play",
        # Where the options say, marked read: the one way of playing (play.py). With
        # nowhere to play, pressing says where to set it (and raises a repair issue):
        # a greyed-out button would not say why.
        press_fn=lambda coordinator, message_id: async_play(
            coordinator.hass, coordinator.config_entry, message_id
        ),
    ),
    VoicemailButtonEntityDescription(
        key="stop",
        translation_key="stop_playback",
        press_fn=lambda coordinator, message_id: coordinator.async_stop(message_id),
    ),
)

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")  # fmt: skip
"""English month abbreviations (`%b` follows the process's locale, which may change)."""


def format_received(voicemail: Voicemail) -> str:
    """Format when a voicemail arrived, short, in Home Assistant's time zone.

    "27 Nov 14:55"; with the year when it is not this year: "27 Nov 2025 14:55".
    """
    local = dt_util.as_local(voicemail.received)
    year = "" if local.year == dt_util.now().year else f" {local.year}"
    return f"{local.day} {_MONTHS[local.month - 1]}{year} {local:%H:%M}"


async def async_setup_entry(
    hass: HomeAssistant,
    entry: VoicemailConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Keep one stop and one play button per voicemail of the newest-N window."""
    coordinator = entry.runtime_data
    max_buttons: int = entry.options.get(CONF_MAX_BUTTONS, DEFAULT_MAX_BUTTONS)
    entity_registry = er.async_get(hass)
    added: set[str] | None = None
    """Ids of the messages with buttons; None until the first sync."""
    # Unique ids of per-message buttons, of any message: other buttons are left alone.
    message_button = re.compile(
        re.escape(entity_unique_id(entry, ""))
        + r"[0-9a-f]{12}_(?:"
        + "|".join(description.key for description in BUTTONS)
        + ")"
    )

    @callback
    def _async_sync_buttons() -> None:
        nonlocal added
        # The newest `max_buttons` voicemails; a fax has nothing to play.
        voicemails = (vm for vm in coordinator.data.voicemails if not vm.is_fax)
        window = tuple(islice(voicemails, max_buttons))
        wanted = {voicemail.message_id for voicemail in window}
        if wanted == added:
            # A count or playback update: the window, and so the buttons, are the same.
            return
        have = added or set()
        # Newest first (the window's order): the order of the registry and the states.
        async_add_entities(
            VoicemailButton(coordinator, description, voicemail)
            for voicemail in window
            if voicemail.message_id not in have
            for description in BUTTONS
        )
        added = wanted
        # Also catches buttons of voicemails deleted while Home Assistant was not
        # running, which the registry still remembers.
        wanted_unique_ids = {
            entity_unique_id(entry, _button_key(message_id, description))
            for message_id in wanted
            for description in BUTTONS
        }
        for registry_entry in er.async_entries_for_config_entry(
            entity_registry, entry.entry_id
        ):
            if (
                registry_entry.domain == Platform.BUTTON
                and message_button.fullmatch(registry_entry.unique_id)
                and registry_entry.unique_id not in wanted_unique_ids
            ):
                entity_registry.async_remove(registry_entry.entity_id)

    pending: CALLBACK_TYPE | None = None

    @callback
    def _async_sync_later(_now: datetime) -> None:
        nonlocal pending
        pending = None
        _async_sync_buttons()

    @callback
    def _async_schedule_sync() -> None:
        """Sync shortly after an update, once for a burst of updates.

        Creating and removing buttons writes the registry and states: done inside
        the coordinator's update, it would delay the counts on their way out.
        """
        nonlocal pending
        if pending is None:
            pending = async_call_later(hass, BUTTON_SYNC_DELAY, _async_sync_later)

    @callback
    def _async_cancel_sync() -> None:
        if pending is not None:
            pending()

    _async_sync_buttons()
    entry.async_on_unload(coordinator.async_add_listener(_async_schedule_sync))
    entry.async_on_unload(_async_cancel_sync)


def _button_key(message_id: str, description: VoicemailButtonEntityDescription) -> str:
    """Return what makes one button of one message unique within the account."""
    return f"{message_digest(message_id)}_{description.key}"


class VoicemailButton(VoicemailEntity, ButtonEntity):
    """A button for one voicemail."""

    entity_description: VoicemailButtonEntityDescription

    def __init__(
        self,
        coordinator: VoicemailCoordinator,
        description: VoicemailButtonEntityDescription,
        voicemail: Voicemail,
    ) -> None:
        """Name the button after the caller and the time of the voicemail."""
        super().__init__(coordinator, _button_key(voicemail.message_id, description))
        self.entity_description = description
        self._message_id = voicemail.message_id
        self._attr_translation_placeholders = {
            "caller": caller_name(voicemail.sender),
            "received": format_received(voicemail),
        }
        self._attr_extra_state_attributes = {"message_id": voicemail.message_id}
        self._written_available: bool | None = None

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        """Write the state only when the availability changed.

        Nothing else of a button follows the mailbox, and writing every button's
        state at every update would delay the counts on their way out.
        """
        if (available := self.available) is not self._written_available:
            self._written_available = available
            self.async_write_ha_state()

    @override
    async def async_press(self) -> None:
        """Stop or play this voicemail."""
        async with icws_errors(self.hass, self.coordinator.config_entry):
            await self.entity_description.press_fn(self.coordinator, self._message_id)
