"""The `voicemail/subscribe` WebSocket command: pushes an account's mailbox changes.

The card lists the mailbox with `voicemail.list`; this subscription tells it when to
list again: on every batch of mailbox changes the coordinator publishes, and when the
audio side learns what a listing shows (a duration, a transcript), which changes no
entity's state. Any user may subscribe (the card is for everyone), to a loaded account.
"""

from __future__ import annotations

from typing import Any

from homeassistant.components.websocket_api import async_register_command

# From where they are defined (the package does not re-export them for mypy --strict).
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.components.websocket_api.const import ERR_NOT_FOUND
from homeassistant.components.websocket_api.decorators import websocket_command
from homeassistant.components.websocket_api.messages import event_message
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback
import probatio

from .const import DOMAIN
from .coordinator import VoicemailConfigEntry
from .mailbox import Change

SUBSCRIBE = f"{DOMAIN}/subscribe"


@callback
def async_setup_websocket(hass: HomeAssistant) -> None:
    """Register the integration's WebSocket commands."""
    async_register_command(hass, ws_subscribe)


@websocket_command(
    {probatio.Required("type"): SUBSCRIBE, probatio.Required("config_entry_id"): str}
)
@callback
def ws_subscribe(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
) -> None:
    """Send an event with the message ids whenever the account's mailbox changes."""
    entry: VoicemailConfigEntry | None = hass.config_entries.async_get_entry(
        msg["config_entry_id"]
    )
    if (
        entry is None
        or entry.domain != DOMAIN
        or entry.state is not ConfigEntryState.LOADED
    ):
        connection.send_error(msg["id"], ERR_NOT_FOUND, "Voicemail account not loaded")
        return
    coordinator = entry.runtime_data

    @callback
    def send(message_ids: list[str]) -> None:
        connection.send_message(event_message(msg["id"], {"message_ids": message_ids}))

    @callback
    def on_changes(changes: list[Change]) -> None:
        send(list(dict.fromkeys(change.message_id for change in changes)))

    @callback
    def on_audio(message_id: str) -> None:
        send([message_id])

    @callback
    def unsubscribe() -> None:
        coordinator.change_listeners.remove(on_changes)
        coordinator.audio.listeners.remove(on_audio)

    coordinator.change_listeners.append(on_changes)
    coordinator.audio.listeners.append(on_audio)
    connection.subscriptions[msg["id"]] = unsubscribe
    connection.send_result(msg["id"])
