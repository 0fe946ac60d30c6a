"""The options of an account: where voicemail plays, transcription, buttons, timeout.

Where voicemail plays (a phone play target, a media player) is asked three times with the
same fields and checks: when the account is added (config_flow.py), in these options, and
in the repair issue a Play without anywhere to play raises (repairs.py).
"""

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

PLAY_TARGET_MAX_LENGTH = 64
"""Longer than any phone number, extension or station name a user would type."""

PLAY_SCHEMA = probatio.Schema(
    {
        probatio.Optional(CONF_PLAY_TARGET): TextSelector(
            TextSelectorConfig(type=TextSelectorType.TEL)
        ),
        probatio.Optional(CONF_PLAY_MEDIA_PLAYER): EntitySelector(
            EntitySelectorConfig(domain="media_player")
        ),
    }
)
"""Where voicemail plays; both may stay empty."""

OPTIONS_SCHEMA = PLAY_SCHEMA.extend(
    {
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


def play_input(
    user_input: Mapping[str, Any],
) -> tuple[dict[str, Any], dict[str, str]]:
    """Return the play fields as stored (trimmed, empty ones left out), or form errors.

    A play target is a phone number, an extension or a station name: one line of text
    that the server dials, so a line break or a control character can only be a typo.
    """
    cleaned = dict(user_input)
    target = str(user_input.get(CONF_PLAY_TARGET) or "").strip()
    cleaned[CONF_PLAY_TARGET] = target
    if not cleaned.get(CONF_PLAY_MEDIA_PLAYER):
        cleaned.pop(CONF_PLAY_MEDIA_PLAYER, None)
    if len(target) > PLAY_TARGET_MAX_LENGTH or not target.isprintable():
        return cleaned, {CONF_PLAY_TARGET: "invalid_play_target"}
    return cleaned, {}


def has_play_target(options: Mapping[str, Any]) -> bool:
    """Return whether the options name a phone or a media player to play voicemail on."""
    return bool(options.get(CONF_PLAY_TARGET) or options.get(CONF_PLAY_MEDIA_PLAYER))


class VoicemailOptionsFlow(OptionsFlowWithReload):
    """Where to play, what transcribes, buttons and timeout; the entry reloads on change."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show and store the options; a bad play target is asked again, nothing lost."""
        errors: dict[str, str] = {}
        suggested = {**DEFAULT_OPTIONS, **self.config_entry.options}
        if user_input is not None:
            options, errors = play_input(user_input)
            if not errors:
                return self.async_create_entry(data=options)
            suggested = user_input
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(OPTIONS_SCHEMA, suggested),
            errors=errors,
        )
