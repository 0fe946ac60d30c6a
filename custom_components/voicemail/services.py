"""Actions of the ICWS Voicemail integration."""

from __future__ import annotations

from homeassistant.const import ATTR_CONFIG_ENTRY_ID
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.helpers import config_validation as cv
import probatio

from .const import DOMAIN
from .helpers import async_get_loaded_entry, icws_errors

SERVICE_STOP_PLAYBACK = "stop_playback"
ATTR_MESSAGE_ID = "message_id"

STOP_PLAYBACK_SCHEMA = probatio.Schema(
    {
        probatio.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        probatio.Optional(ATTR_MESSAGE_ID): cv.string,
    }
)


async def _async_stop_playback(call: ServiceCall) -> ServiceResponse:
    """Stop a voicemail's playback: the one given, or whatever the account plays.

    The coordinator refuses a message id the account does not have before any
    request; a known one is stopped whether or not it plays.
    """
    entry = async_get_loaded_entry(call.hass, call.data.get(ATTR_CONFIG_ENTRY_ID))
    async with icws_errors(call.hass, entry):
        stopped = await entry.runtime_data.async_stop(call.data.get(ATTR_MESSAGE_ID))
    return {"stopped": list(stopped)}


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions (from `async_setup`, once)."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_STOP_PLAYBACK,
        _async_stop_playback,
        schema=STOP_PLAYBACK_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
