"""Config flow of the ICWS Voicemail integration: user, reauth, reconfigure, options.

Adding an account logs in for real (user step), then asks where voicemail plays
(play step, optional) before the entry is stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, override

from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    ConfigFlow,
    ConfigFlowResult,
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

from .account import async_create_client, title_of, unique_id_of
from .const import (
    CONF_BASE_PATH,
    CONF_PASSWORD_REFUSED,
    CONF_TRUSTED_CERTIFICATES,
    DEFAULT_PORT,
    DEFAULT_SSL,
    DEFAULT_VERIFY_SSL,
    DOMAIN,
    LOGGER,
)
from .coordinator import VoicemailConfigEntry
from .errors import flow_error
from .icws import IcwsCertificateError, IcwsClient, IcwsError, SessionInfo
from .icws.transport import normalize_base_path
from .options_flow import DEFAULT_OPTIONS, PLAY_SCHEMA, VoicemailOptionsFlow, play_input

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
        probatio.Optional(CONF_BASE_PATH): TextSelector(
            TextSelectorConfig(autocomplete="off")
        ),
    }
)

RECONFIGURE_SCHEMA = CONNECTION_SCHEMA.extend(
    {probatio.Optional(CONF_PASSWORD): PASSWORD_SELECTOR}
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


def _cleaned(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Return the input as stored: a host name (no URL), a base path like `/a/b`."""
    host = str(user_input[CONF_HOST]).strip()
    if "://" in host:
        # Pasted from a browser: keep the host of the URL.
        host = URL(host).host or host
    cleaned = {**user_input, CONF_HOST: host}
    base_path = normalize_base_path(user_input.get(CONF_BASE_PATH))
    if base_path:
        cleaned[CONF_BASE_PATH] = base_path
    else:
        cleaned.pop(CONF_BASE_PATH, None)
    if not cleaned.get(CONF_PASSWORD):
        cleaned.pop(CONF_PASSWORD, None)
    return cleaned


def _without(data: Mapping[str, Any], key: str) -> dict[str, Any]:
    """Return a copy of `data` without `key`."""
    return {k: value for k, value in data.items() if k != key}


def _without_password(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Return what the form may show again: everything but the password."""
    return _without(user_input, CONF_PASSWORD)


class VoicemailConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add an ICWS account: log in for real before anything is stored."""

    VERSION = 1

    def __init__(self) -> None:
        """Start with nothing typed."""
        self._input: dict[str, Any] = {}
        """What the user typed last (the whole entry data it makes)."""
        self._untrusted: tuple[str, str] | None = None
        """Host and SHA-256 fingerprint of a certificate the user may choose to trust."""
        self._title = ""
        """Title of the account whose login worked (the play step comes next)."""

    async def _async_log_in(
        self, data: Mapping[str, Any]
    ) -> tuple[SessionInfo | None, dict[str, str]]:
        """Log in and out once; return the session or the form errors.

        Each attempt has a web session of its own, closed right after it.
        """
        self._untrusted = None
        client = async_create_client(self.hass, data, auto_cleanup=False)
        try:
            session = await client.login()
        except IcwsCertificateError as err:
            await self._async_offer_trust(client, err.host)
            return None, {"base": flow_error(err)}
        except IcwsError as err:
            return None, {"base": flow_error(err)}
        except Exception:  # noqa: BLE001  (anything else: logged, the form says "unknown")
            LOGGER.exception("Unexpected error logging in to the ICWS server")
            return None, {"base": "unknown"}
        else:
            await session.logout()
            return session.info, {}
        finally:
            client.transport.http.detach()

    async def _async_offer_trust(self, client: IcwsClient, host: str) -> None:
        """Read the refused certificate's fingerprint, so the user can choose to trust it.

        (Only a client that verifies refuses a certificate.)
        """
        try:
            self._untrusted = (host, await client.certificate_fingerprint(host))
        except IcwsError as err:
            LOGGER.debug("Could not read the certificate of %s: %s", host, err)

    async def _async_attempt(
        self, data: dict[str, Any], step_id: str
    ) -> tuple[SessionInfo | None, dict[str, str], ConfigFlowResult | None]:
        """Log in with `data`; offer to trust a refused certificate instead of a form."""
        self._input = data
        info, errors = await self._async_log_in(data)
        if info is None and self._untrusted is not None:
            return None, errors, await self.async_step_certificate()
        return info, errors, None

    async def async_step_certificate(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show the refused certificate's fingerprint: trust it, or back to the form."""
        assert self._untrusted is not None
        host, fingerprint = self._untrusted
        back = "reconfigure" if self.source == SOURCE_RECONFIGURE else "user"
        return self.async_show_menu(
            step_id="certificate",
            menu_options=["trust_certificate", back],
            description_placeholders={"host": host, "fingerprint": fingerprint},
        )

    @override
    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the server and the account."""
        errors = self._back_from_certificate()
        if user_input is not None:
            info, errors, menu = await self._async_attempt(_cleaned(user_input), "user")
            if menu is not None:
                return menu
            if info is not None:
                return await self._async_create(info)
        return self._async_show_connection_form("user", errors)

    def _back_from_certificate(self) -> dict[str, str]:
        """Back to the form from the certificate menu: say why it is shown again."""
        if self._untrusted is None:
            return {}
        self._untrusted = None
        return {"base": "certificate_not_trusted"}

    async def _async_create(self, info: SessionInfo) -> ConfigFlowResult:
        """Go on to the play step after a login that worked (unless the account has one)."""
        await self.async_set_unique_id(unique_id_of(info))
        self._abort_if_unique_id_configured()
        self._title = title_of(info)
        return await self.async_step_play()

    async def async_step_play(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask (optionally) for the phone or media player voicemail plays on; store the entry."""
        errors: dict[str, str] = {}
        if user_input is not None:
            play, errors = play_input(user_input)
            if not errors:
                return self.async_create_entry(
                    title=self._title,
                    data=self._input,
                    options={**DEFAULT_OPTIONS, **play},
                )
        return self.async_show_form(
            step_id="play",
            data_schema=self.add_suggested_values_to_schema(
                PLAY_SCHEMA, user_input or {}
            ),
            description_placeholders={"title": self._title},
            errors=errors,
        )

    async def async_step_trust_certificate(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Trust the certificate the user compared, and log in with it pinned."""
        assert self._untrusted is not None
        host, fingerprint = self._untrusted
        trusted = {
            **self._input.get(CONF_TRUSTED_CERTIFICATES, {}),
            host.lower(): fingerprint,
        }
        data = {**self._input, CONF_TRUSTED_CERTIFICATES: trusted}
        reconfiguring = self.source == SOURCE_RECONFIGURE
        step_id = "reconfigure" if reconfiguring else "user"
        info, errors, menu = await self._async_attempt(data, step_id)
        if menu is not None:
            return menu
        if info is not None:
            if reconfiguring:
                return await self._async_reconfigured(info)
            return await self._async_create(info)
        return self._async_show_connection_form(step_id, errors)

    def _async_show_connection_form(
        self, step_id: str, errors: dict[str, str]
    ) -> ConfigFlowResult:
        """Show the user or reconfigure form again with what was typed."""
        if step_id == "user":
            return self.async_show_form(
                step_id="user",
                data_schema=self.add_suggested_values_to_schema(
                    USER_SCHEMA, _without_password(self._input)
                ),
                errors=errors,
            )
        entry = self._get_reconfigure_entry()
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                RECONFIGURE_SCHEMA, _without_password(self._input)
            ),
            description_placeholders={"username": entry.data[CONF_USERNAME]},
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
            data = {
                **_without(entry.data, CONF_PASSWORD_REFUSED),
                CONF_PASSWORD: user_input[CONF_PASSWORD],
            }
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
        """Change how the server is reached (the account stays the same).

        The password field may stay empty to keep the stored one, unless the server
        refused it: a refused password is not sent again.
        """
        entry = self._get_reconfigure_entry()
        if user_input is None:
            if self._untrusted is not None:
                return self._async_show_connection_form(
                    "reconfigure", self._back_from_certificate()
                )
            self._input = _without(entry.data, CONF_PASSWORD)
            return self._async_show_connection_form("reconfigure", {})
        changes = _cleaned(user_input)
        data = {**_without(entry.data, CONF_BASE_PATH), **changes}
        if CONF_PASSWORD in changes:
            data.pop(CONF_PASSWORD_REFUSED, None)
        elif entry.data.get(CONF_PASSWORD_REFUSED):
            self._input = data
            return self._async_show_connection_form(
                "reconfigure", {"base": "password_refused"}
            )
        info, errors, menu = await self._async_attempt(data, "reconfigure")
        if menu is not None:
            return menu
        if info is not None:
            return await self._async_reconfigured(info)
        return self._async_show_connection_form("reconfigure", errors)

    async def _async_reconfigured(self, info: SessionInfo) -> ConfigFlowResult:
        """Store the new connection of the same account, and reload."""
        await self.async_set_unique_id(unique_id_of(info))
        self._abort_if_unique_id_mismatch()
        return self.async_update_reload_and_abort(
            self._get_reconfigure_entry(), data=self._input
        )

    @staticmethod
    @callback
    def async_get_options_flow(
        config_entry: VoicemailConfigEntry,
    ) -> VoicemailOptionsFlow:
        """Return the options flow of an account."""
        return VoicemailOptionsFlow()
