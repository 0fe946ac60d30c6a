"""The LLM tools, obtained the way an assistant gets them: through Home Assistant's LLM API.

Against the ICWS simulator over loopback.
"""

from __future__ import annotations

from typing import Any, override

from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.components.llm import async_get_tools
from homeassistant.const import Platform
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import llm
from homeassistant.setup import async_setup_component
import probatio
import pytest

from custom_components.voicemail.coordinator import VoicemailConfigEntry
from tests.icws_simulator.fixtures import USER
from tests.icws_simulator.simulator import IcwsSimulator
from tests.integration_helpers import (
    PLAY_PATH,
    STOP_PATH,
    async_set_play_target,
    async_start_playback,
    registered_entity_id,
)

ASSISTANT = "conversation"
TOOLS = ("voicemail__stop_playback", "voicemail__play", "voicemail__list")


def _context(assistant: str = ASSISTANT) -> llm.LLMContext:
    return llm.LLMContext(
        platform="test",
        context=Context(),
        language="en",
        assistant=assistant,
        device_id=None,
    )


@pytest.fixture
async def llm_ready(
    hass: HomeAssistant, init_integration: VoicemailConfigEntry
) -> VoicemailConfigEntry:
    """Load the llm integration, and expose the account's event entity to Assist."""
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "llm", {})
    event_entity = registered_entity_id(
        hass, init_integration, Platform.EVENT, "events"
    )
    async_expose_entity(hass, ASSISTANT, event_entity, True)
    return init_integration


async def _api(hass: HomeAssistant) -> llm.APIInstance:
    return await llm.async_get_api(hass, llm.LLM_API_ASSIST, _context())


def _ours(api: llm.APIInstance) -> dict[str, llm.Tool]:
    return {tool.name: tool for tool in api.tools if tool.name.startswith("voicemail")}


async def _call(
    api: llm.APIInstance, name: str, args: dict[str, Any] | None = None
) -> llm.ToolResult:
    return await api.async_call_tool(llm.ToolInput(name, args or {}))


async def test_tools_offered_to_assist(
    hass: HomeAssistant, llm_ready: VoicemailConfigEntry
) -> None:
    """Three tools, tagged with the integration; delete is not among them."""
    api = await _api(hass)
    tools = _ours(api)

    assert set(tools) == set(TOOLS)
    for tool in tools.values():
        assert tool.integration == "voicemail"
        assert tool.description
        assert tool.title
        # A model gets each schema as OpenAPI: it must convert.
        probatio.to_openapi(tool.parameters, custom_serializer=api.custom_serializer)
    assert not any("delete" in tool.name for tool in api.tools)
    assert tools["voicemail__list"].annotations == llm.ToolAnnotations(
        read_only=True, destructive=False, idempotent=True, open_world=False
    )
    assert not tools["voicemail__play"].annotations.read_only
    assert not tools["voicemail__play"].annotations.destructive
    assert tools["voicemail__stop_playback"].annotations.idempotent
    list_schema = probatio.to_openapi(
        tools["voicemail__list"].parameters, custom_serializer=api.custom_serializer
    )
    assert set(list_schema["properties"]) == {"unread_only", "limit"}
    play_schema = probatio.to_openapi(
        tools["voicemail__play"].parameters, custom_serializer=api.custom_serializer
    )
    assert set(play_schema["properties"]) == {"message_id", "target"}


async def test_tools_need_an_exposed_entity(
    hass: HomeAssistant, init_integration: VoicemailConfigEntry
) -> None:
    """Voicemail is personal: without an exposed voicemail entity, no tools."""
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "llm", {})

    assert _ours(await _api(hass)) == {}


async def test_tools_only_for_the_assist_api(
    hass: HomeAssistant, llm_ready: VoicemailConfigEntry
) -> None:
    """Another LLM API that asks the platforms for its tools gets none of ours."""

    class OtherAPI(llm.API):
        @override
        async def async_get_api_instance(
            self, llm_context: llm.LLMContext
        ) -> llm.APIInstance:
            tools = await async_get_tools(self.hass, llm_context, self.id)
            return llm.APIInstance(self, "", llm_context, tools.tools)

    unregister = llm.async_register_api(
        hass, OtherAPI(hass=hass, id="other", name="Other")
    )
    try:
        api = await llm.async_get_api(hass, "other", _context())
    finally:
        unregister()

    assert _ours(api) == {}


async def test_list(
    hass: HomeAssistant,
    llm_ready: VoicemailConfigEntry,
) -> None:
    """The list tool returns the voicemails; blank arguments count as left out."""
    api = await _api(hass)

    result = await _call(api, "voicemail__list", {"unread_only": True, "limit": None})

    assert not result.error
    data: dict[str, Any] = result.data
    assert [vm["from"] for vm in data["voicemails"]] == [
        "Bob Smith <+15551234>",
        "+15559876543",
        "Acme Corp <+18005550100>",
    ]


async def test_play(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    llm_ready: VoicemailConfigEntry,
) -> None:
    """The play tool plays the newest unread voicemail and says which."""
    await async_set_play_target(hass, llm_ready, "1234")
    api = await _api(hass)

    result = await _call(api, "voicemail__play", {"target": "", "message_id": " "})

    data: dict[str, Any] = result.data
    assert data["voicemail"]["from"] == "Bob Smith <+15551234>"
    [play] = sim.requests_to(PLAY_PATH, "POST")
    assert sim.voicemails(USER)[-1].message_id in play.path


async def test_play_unknown_message(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    llm_ready: VoicemailConfigEntry,
) -> None:
    """An id the model made up: the translated error reaches the conversation."""
    api = await _api(hass)

    with pytest.raises(ServiceValidationError) as exc_info:
        await _call(api, "voicemail__play", {"message_id": "42", "target": "1234"})

    assert exc_info.value.translation_key == "unknown_message"
    assert sim.requests_to(PLAY_PATH) == []


async def test_stop_playback(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    llm_ready: VoicemailConfigEntry,
) -> None:
    """The stop tool stops what plays and returns the ids it stopped."""
    playing = await async_start_playback(hass, sim, llm_ready)
    api = await _api(hass)

    result = await _call(api, "voicemail__stop_playback")

    assert result == llm.ToolResult(data={"stopped": [playing]})
    assert [r.status for r in sim.requests_to(STOP_PATH)] == [204]
