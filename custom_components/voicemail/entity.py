"""Base entity of the ICWS Voicemail integration: one device per ICWS account."""

from __future__ import annotations

from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN, MANUFACTURER, MODEL
from .coordinator import VoicemailConfigEntry, VoicemailCoordinator


def entity_unique_id(entry: VoicemailConfigEntry, key: str) -> str:
    """Return the unique id of the account's entity `key`."""
    return f"{entry.unique_id}_{key}"


class VoicemailEntity(CoordinatorEntity[VoicemailCoordinator]):
    """An entity of one ICWS account, fed by the account's coordinator."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: VoicemailCoordinator, key: str) -> None:
        """Attach the entity to the account's device; `key` makes the unique id."""
        super().__init__(coordinator)
        entry = coordinator.config_entry
        self._attr_unique_id = entity_unique_id(entry, key)
        # The account is a service on the PureConnect server, not a box of its own.
        info = coordinator.session_info
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, entry.unique_id or entry.entry_id)},
            entry_type=DeviceEntryType.SERVICE,
            manufacturer=MANUFACTURER,
            model=MODEL,
            name=entry.title,
            sw_version=info.version.display if info and info.version else None,
        )
