"""Sensors of an ICWS voicemail account: counts and what is playing."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, override

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import VoicemailConfigEntry, VoicemailCoordinator
from .entity import VoicemailEntity
from .mailbox import VoicemailData

# The sensors only read what the coordinator already holds.
PARALLEL_UPDATES = 0

PLAYBACK_IDLE = "idle"
PLAYBACK_PLAYING = "playing"


def _playback_attributes(data: VoicemailData) -> dict[str, Any] | None:
    """Return the playing message's id and caller; nothing while idle."""
    if data.playing is None:
        return None
    voicemail = data.by_id.get(data.playing)
    return {
        "message_id": data.playing,
        "from": voicemail.sender if voicemail is not None else None,
    }


@dataclass(frozen=True, kw_only=True)
class VoicemailSensorEntityDescription(SensorEntityDescription):
    """How a sensor gets its state (and attributes) from the coordinator's data."""

    value_fn: Callable[[VoicemailData], int | str | None]
    attributes_fn: Callable[[VoicemailData], Mapping[str, Any] | None] = lambda _: None


# Mailbox counts go up and down: they are measurements (min/max/mean statistics),
# not totals that accumulate.
SENSORS: tuple[VoicemailSensorEntityDescription, ...] = (
    VoicemailSensorEntityDescription(
        key="voicemails",
        translation_key="voicemails",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda data: len(data.voicemails),
    ),
    VoicemailSensorEntityDescription(
        key="unread_voicemails",
        translation_key="unread_voicemails",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda data: data.unread,
    ),
    VoicemailSensorEntityDescription(
        key="messages_waiting",
        translation_key="messages_waiting",
        entity_category=EntityCategory.DIAGNOSTIC,
        # The server's own count mostly repeats the unread count: enable it when needed.
        entity_registry_enabled_default=False,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda data: data.messages_waiting,
    ),
    VoicemailSensorEntityDescription(
        key="playback",
        translation_key="playback",
        device_class=SensorDeviceClass.ENUM,
        options=[PLAYBACK_IDLE, PLAYBACK_PLAYING],
        value_fn=lambda data: (
            PLAYBACK_IDLE if data.playing is None else PLAYBACK_PLAYING
        ),
        attributes_fn=_playback_attributes,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: VoicemailConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the account's sensors."""
    coordinator = entry.runtime_data
    async_add_entities(
        VoicemailSensor(coordinator, description) for description in SENSORS
    )


class VoicemailSensor(VoicemailEntity, SensorEntity):
    """A sensor of one ICWS voicemail account."""

    entity_description: VoicemailSensorEntityDescription

    def __init__(
        self,
        coordinator: VoicemailCoordinator,
        description: VoicemailSensorEntityDescription,
    ) -> None:
        """Describe the sensor."""
        super().__init__(coordinator, description.key)
        self.entity_description = description

    @property
    @override
    def native_value(self) -> int | str | None:
        """The state, from the coordinator's data."""
        return self.entity_description.value_fn(self.coordinator.data)

    @property
    @override
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        """Attributes, for the playback sensor only (never the message list)."""
        return self.entity_description.attributes_fn(self.coordinator.data)
