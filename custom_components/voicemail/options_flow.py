"""The options of an account: where voicemail plays, transcription, buttons, timeout."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigFlowResult, OptionsFlowWithReload
from homeassistant.helpers.selector import (
    EntitySelector,
    EntitySelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import probatio

from .const import (
    CONF_MAX_BUTTONS,
    CONF_PLAY_MEDIA_PLAYER,
    CONF_PLAY_TARGET,
    CONF_PLAYBACK_TIMEOUT,
    CONF_STT_ENGINE,
    DEFAULT_MAX_BUTTONS,
    DEFAULT_PLAY_TARGET,
    DEFAULT_PLAYBACK_TIMEOUT,
)

OPTIONS_SCHEMA = probatio.Schema(
    {
        probatio.Optional(CONF_PLAY_TARGET): TextSelector(
            TextSelectorConfig(type=TextSelectorType.TEL)
        ),
        probatio.Optional(CONF_PLAY_MEDIA_PLAYER): EntitySelector(
            EntitySelectorConfig(domain="media_player")
        ),
        probatio.Optional(CONF_STT_ENGINE): EntitySelector(
            EntitySelectorConfig(domain="stt")
        ),
        probatio.Required(CONF_MAX_BUTTONS): probatio.All(
            NumberSelector(
                NumberSelectorConfig(min=0, max=100, mode=NumberSelectorMode.BOX)
            ),
            probatio.Coerce(int),
        ),
        probatio.Required(CONF_PLAYBACK_TIMEOUT): probatio.All(
            NumberSelector(
                NumberSelectorConfig(
                    min=30,
                    max=3600,
                    step=1,
                    mode=NumberSelectorMode.BOX,
                    unit_of_measurement="s",
                )
            ),
            probatio.Coerce(int),
        ),
    }
)

DEFAULT_OPTIONS: Mapping[str, Any] = {
    CONF_PLAY_TARGET: DEFAULT_PLAY_TARGET,
    CONF_MAX_BUTTONS: DEFAULT_MAX_BUTTONS,
    CONF_PLAYBACK_TIMEOUT: DEFAULT_PLAYBACK_TIMEOUT,
}


class VoicemailOptionsFlow(OptionsFlowWithReload):
    """Where to play, what transcribes, buttons and timeout; the entry reloads on change."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show and store the options."""
        if user_input is not None:
            target = str(user_input.get(CONF_PLAY_TARGET, "")).strip()
            return self.async_create_entry(
                data={**user_input, CONF_PLAY_TARGET: target}
            )
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(
                OPTIONS_SCHEMA, {**DEFAULT_OPTIONS, **self.config_entry.options}
            ),
        )
