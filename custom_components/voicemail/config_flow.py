"""Config flow of the ICWS Voicemail integration: user, reauth, reconfigure, options."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, override

from homeassistant.config_entries import (
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
)
from homeassistant.core import callback
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import probatio
from yarl import URL

from .const import (
    CONF_MAX_BUTTONS,
    CONF_PLAY_TARGET,
    CONF_PLAYBACK_TIMEOUT,
    DEFAULT_MAX_BUTTONS,
    DEFAULT_PLAY_TARGET,
    DEFAULT_PLAYBACK_TIMEOUT,
    DEFAULT_PORT,
    DEFAULT_SSL,
    DEFAULT_VERIFY_SSL,
    DOMAIN,
    LOGGER,
)
from .coordinator import VoicemailConfigEntry, async_create_client, unique_id_of
from .icws import (
    IcwsAuthenticationError,
    IcwsCertificateError,
    IcwsError,
    IcwsUnsupportedServerError,
    SessionInfo,
)

PASSWORD_SELECTOR = TextSelector(
    TextSelectorConfig(type=TextSelectorType.PASSWORD, autocomplete="current-password")
)

CONNECTION_SCHEMA = probatio.Schema(
    {
        probatio.Required(CONF_HOST): TextSelector(
            TextSelectorConfig(autocomplete="off")
        ),
        probatio.Required(CONF_PORT, default=DEFAULT_PORT): probatio.All(
            NumberSelector(
                NumberSelectorConfig(min=1, max=65535, mode=NumberSelectorMode.BOX)
            ),
            probatio.Coerce(int),
        ),
        probatio.Required(CONF_SSL, default=DEFAULT_SSL): BooleanSelector(),
        probatio.Required(
            CONF_VERIFY_SSL, default=DEFAULT_VERIFY_SSL
        ): BooleanSelector(),
    }
)

USER_SCHEMA = CONNECTION_SCHEMA.extend(
    {
        probatio.Required(CONF_USERNAME): TextSelector(
            TextSelectorConfig(autocomplete="username")
        ),
        probatio.Required(CONF_PASSWORD): PASSWORD_SELECTOR,
    }
)

REAUTH_SCHEMA = probatio.Schema({probatio.Required(CONF_PASSWORD): PASSWORD_SELECTOR})

OPTIONS_SCHEMA = probatio.Schema(
    {
        probatio.Optional(CONF_PLAY_TARGET): TextSelector(
            TextSelectorConfig(type=TextSelectorType.TEL)
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


def _cleaned(user_input: dict[str, Any]) -> dict[str, Any]:
    """Return the input with a host as ICWS wants it: a name or address, no URL."""
    host = str(user_input[CONF_HOST]).strip()
    if "://" in host:
        # Pasted from a browser: keep the host of the URL.
        host = URL(host).host or host
    return {**user_input, CONF_HOST: host}


def _without_password(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Return what the form may show again: everything but the password."""
    return {key: value for key, value in user_input.items() if key != CONF_PASSWORD}


class VoicemailConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add an ICWS account: log in for real before anything is stored."""

    VERSION = 1

    async def _async_log_in(
        self, data: Mapping[str, Any]
    ) -> tuple[SessionInfo | None, dict[str, str]]:
        """Log in and out once; return the session or the form errors."""
        client = async_create_client(self.hass, data)
        try:
            return await client.login(), {}
        except IcwsAuthenticationError:
            return None, {"base": "invalid_auth"}
        except IcwsCertificateError:
            return None, {"base": "certificate_not_trusted"}
        except IcwsUnsupportedServerError:
            return None, {"base": "unsupported_server"}
        except IcwsError:
            return None, {"base": "cannot_connect"}
        except Exception:  # noqa: BLE001  (anything else: logged, the form says "unknown")
            LOGGER.exception("Unexpected error logging in to the ICWS server")
            return None, {"base": "unknown"}
        finally:
            await client.logout()

    @override
    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the server and the account."""
        errors: dict[str, str] = {}
        if user_input is not None:
            user_input = _cleaned(user_input)
            info, errors = await self._async_log_in(user_input)
            if info is not None:
                await self.async_set_unique_id(unique_id_of(info))
                self._abort_if_unique_id_configured()
                return self.async_create_entry(
                    title=f"{info.user_id} @ {info.ic_server or info.host}",
                    data=user_input,
                    options=DEFAULT_OPTIONS,
                )
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                USER_SCHEMA, _without_password(user_input or {})
            ),
            errors=errors,
        )

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """Start over with a new password: the server refused the stored one."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the account's new password."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {**entry.data, CONF_PASSWORD: user_input[CONF_PASSWORD]}
            info, errors = await self._async_log_in(data)
            if info is not None:
                return self.async_update_reload_and_abort(entry, data=data)
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=REAUTH_SCHEMA,
            description_placeholders={
                "username": entry.data[CONF_USERNAME],
                "host": entry.data[CONF_HOST],
            },
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change how the server is reached (the account stays the same)."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            user_input = _cleaned(user_input)
            info, errors = await self._async_log_in({**entry.data, **user_input})
            if info is not None:
                await self.async_set_unique_id(unique_id_of(info))
                self._abort_if_unique_id_mismatch()
                return self.async_update_reload_and_abort(
                    entry, data_updates=user_input
                )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                CONNECTION_SCHEMA, user_input or entry.data
            ),
            description_placeholders={"username": entry.data[CONF_USERNAME]},
            errors=errors,
        )

    @staticmethod
    @callback
    def async_get_options_flow(
        config_entry: VoicemailConfigEntry,
    ) -> VoicemailOptionsFlow:
        """Return the options flow of an account."""
        return VoicemailOptionsFlow()


class VoicemailOptionsFlow(OptionsFlowWithReload):
    """Play target, button count and playback timeout; the entry reloads on change."""

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
