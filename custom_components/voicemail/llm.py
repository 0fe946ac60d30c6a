"""LLM tools of the ICWS Voicemail integration (the `llm` platform).

Assistants backed by a language model get three tools: stop playback, play a
voicemail, list the voicemails. Deleting is not offered: a model should not destroy
messages. Like the intents, each tool runs one of the integration's actions, so the
choice of account and message, the validation and the translated errors are the
actions' own; an error propagates, and the conversation's chat log hands the model
its translated text.

Voicemails are personal: the tools are offered only to an assistant that one of
the integration's entities is exposed to (Settings → Voice assistants → Expose).
"""

from __future__ import annotations

from typing import override

from homeassistant.components.homeassistant.exposed_entities import async_should_expose
from homeassistant.components.llm import LLMTools
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import (
    config_validation as cv,
    entity_registry as er,
    intent,
    llm,
)
from homeassistant.util.json import JsonObjectType
import probatio

from .const import DOMAIN
from .services import (
    ATTR_LIMIT,
    ATTR_MESSAGE_ID,
    ATTR_TARGET,
    ATTR_UNREAD_ONLY,
    SERVICE_LIST,
    SERVICE_PLAY,
    SERVICE_STOP_PLAYBACK,
)


@callback
def async_get_tools(
    hass: HomeAssistant, llm_context: llm.LLMContext, api_id: str
) -> LLMTools | None:
    """Offer the tools to the Assist API when the assistant may see voicemail."""
    if api_id != llm.LLM_API_ASSIST:
        return None
    entity_registry = er.async_get(hass)
    if not any(
        async_should_expose(hass, llm_context.assistant, entity.entity_id)
        for entry in hass.config_entries.async_loaded_entries(DOMAIN)
        for entity in er.async_entries_for_config_entry(entity_registry, entry.entry_id)
    ):
        return None
    return LLMTools(tools=[StopPlaybackTool(), PlayTool(), ListTool()])


class _ActionTool(llm.Tool):
    """A tool that runs one of the integration's actions and returns its response."""

    integration = DOMAIN
    service: str

    @override
    async def async_call(
        self,
        hass: HomeAssistant,
        tool_input: llm.ToolInput,
        llm_context: llm.LLMContext,
    ) -> llm.ToolResult:
        """Run the action with the model's arguments (a blank one counts as left out)."""
        response = await hass.services.async_call(
            DOMAIN,
            self.service,
            {
                key: value
                for key, value in tool_input.tool_args.items()
                if not intent.is_blank_slot_value(value)
            },
            blocking=True,
            context=llm_context.context,
            return_response=True,
        )
        data: JsonObjectType = dict(response or {})
        return llm.ToolResult(data=data)


class StopPlaybackTool(_ActionTool):
    """Stop whatever voicemail plays, on every account."""

    name = f"{DOMAIN}__stop_playback"
    title = "Stop voicemail playback"
    description = (
        "Stops the voicemail that is playing on the phone, on every voicemail "
        "account. Returns the IDs of the voicemails it stopped (none when nothing "
        "was playing)."
    )
    annotations = llm.ToolAnnotations(
        read_only=False, destructive=False, idempotent=True, open_world=True
    )
    service = SERVICE_STOP_PLAYBACK


class PlayTool(_ActionTool):
    """Play a voicemail on a phone."""

    name = f"{DOMAIN}__play"
    title = "Play a voicemail"
    description = (
        "Plays a voicemail on a phone and marks it as read. Without a message ID it "
        "plays the newest unread voicemail (the newest one when all are read). The "
        "phone rings the configured number or extension unless a target is given. "
        "Returns the voicemail that plays."
    )
    parameters = probatio.Schema(
        {
            probatio.Optional(
                ATTR_MESSAGE_ID,
                description="ID of the voicemail, as the list tool returns it",
            ): cv.string,
            probatio.Optional(
                ATTR_TARGET,
                description="Phone number or extension to play on; leave out to use the configured one",
            ): cv.string,
        }
    )
    annotations = llm.ToolAnnotations(
        read_only=False, destructive=False, idempotent=False, open_world=True
    )
    service = SERVICE_PLAY


class ListTool(_ActionTool):
    """List the voicemails."""

    name = f"{DOMAIN}__list"
    title = "List voicemails"
    description = (
        "Lists the voicemails of every voicemail account, newest first: ID, caller "
        "(from), subject, when it was received, whether it was read, whether it is "
        "playing. Use it to count voicemails or to find one to play."
    )
    parameters = probatio.Schema(
        {
            probatio.Optional(
                ATTR_UNREAD_ONLY, description="Only unread (new) voicemails"
            ): cv.boolean,
            probatio.Optional(
                ATTR_LIMIT, description="At most this many voicemails"
            ): probatio.All(probatio.Coerce(int), probatio.Range(min=1)),
        }
    )
    annotations = llm.ToolAnnotations(
        read_only=True, destructive=False, idempotent=True, open_world=False
    )
    service = SERVICE_LIST
