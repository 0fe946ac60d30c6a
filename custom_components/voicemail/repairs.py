"""Fix flows of the repair issues: reconnect, trust a certificate, choose where to play."""

from __future__ import annotations

from typing import Any

from homeassistant.components.repairs import RepairsFlow, RepairsFlowResult
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import probatio

from .account import async_create_client
from .const import (
    CONF_TRUSTED_CERTIFICATES,
    DOMAIN,
    ISSUE_NO_PLAY_TARGET,
    ISSUE_UNTRUSTED_CERTIFICATE,
)
from .coordinator import VoicemailConfigEntry
from .icws import IcwsError
from .options_flow import PLAY_SCHEMA, has_play_target, play_input


class ReconnectRepairFlow(RepairsFlow):
    """The server ended the session or refused the login: reconnect when confirmed.

    One confirmation step (`confirm`) with the issue's texts.
    """

    def __init__(self, entry: VoicemailConfigEntry) -> None:
        """Remember the account."""
        self._entry = entry

    async def async_step_init(
        self, user_input: dict[str, str] | None = None
    ) -> RepairsFlowResult:
        """Start with the confirmation (the flow's start carries no user input)."""
        return await self.async_step_confirm()

    async def async_step_confirm(
        self, user_input: dict[str, str] | None = None
    ) -> RepairsFlowResult:
        """Ask for the confirmation; act on it."""
        if user_input is not None:
            self._act()
            return self.async_create_entry(data={})
        try:
            placeholders = await self._async_placeholders()
        except IcwsError as err:
            return self.async_abort(
                reason="cannot_connect",
                description_placeholders={
                    **self._issue_placeholders(),
                    "error": str(err),
                },
            )
        return self.async_show_form(
            step_id="confirm",
            data_schema=probatio.Schema({}),
            description_placeholders=placeholders,
        )

    def _issue_placeholders(self) -> dict[str, str]:
        """Return the texts of the issue (its title, reason, host, ...)."""
        issue = ir.async_get(self.hass).async_get_issue(self.handler, self.issue_id)
        return dict(issue.translation_placeholders or {}) if issue else {}

    async def _async_placeholders(self) -> dict[str, str]:
        """Return the texts the confirmation shows."""
        return self._issue_placeholders()

    def _act(self) -> None:
        """Connect again now: reload an entry that is not loaded."""
        entry = self._entry
        if entry.state is ConfigEntryState.LOADED:
            entry.runtime_data.connection.reconnect()
        else:
            self.hass.config_entries.async_schedule_reload(entry.entry_id)


class TrustCertificateRepairFlow(ReconnectRepairFlow):
    """A host's certificate is not trusted: show its fingerprint, trust it if asked."""

    def __init__(self, entry: VoicemailConfigEntry, host: str) -> None:
        """Remember the account and the host."""
        super().__init__(entry)
        self._host = host
        self._fingerprint = ""

    async def _async_placeholders(self) -> dict[str, str]:
        """Read the certificate's fingerprint now, for the user to compare."""
        client = async_create_client(self.hass, self._entry.data, auto_cleanup=False)
        try:
            self._fingerprint = await client.certificate_fingerprint(self._host)
        finally:
            client.transport.http.detach()
        return {**self._issue_placeholders(), "fingerprint": self._fingerprint}

    def _act(self) -> None:
        """Pin the fingerprint the user compared, and reload the entry."""
        entry = self._entry
        trusted = {
            **entry.data.get(CONF_TRUSTED_CERTIFICATES, {}),
            self._host.lower(): self._fingerprint,
        }
        self.hass.config_entries.async_update_entry(
            entry, data={**entry.data, CONF_TRUSTED_CERTIFICATES: trusted}
        )
        self.hass.config_entries.async_schedule_reload(entry.entry_id)


class PlayTargetRepairFlow(RepairsFlow):
    """A Play found nowhere to play: ask for the phone or the media player, as the options do.

    The options change in place (no reload): every play reads them when it starts.
    """

    def __init__(self, entry: VoicemailConfigEntry) -> None:
        """Remember the account."""
        self._entry = entry

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> RepairsFlowResult:
        """Start with the form (the start carries the issue id, not an answer)."""
        return await self.async_step_play()

    async def async_step_play(
        self, user_input: dict[str, Any] | None = None
    ) -> RepairsFlowResult:
        """Ask where voicemail plays; one of the two must be chosen."""
        errors: dict[str, str] = {}
        if user_input is not None:
            play, errors = play_input(user_input)
            if not errors and not has_play_target(play):
                errors = {"base": "no_play_target_chosen"}
            if not errors:
                options = {**self._entry.options, **play}
                self.hass.config_entries.async_update_entry(
                    self._entry, options=options
                )
                return self.async_create_entry(data={})
        return self.async_show_form(
            step_id="play",
            data_schema=self.add_suggested_values_to_schema(
                PLAY_SCHEMA, user_input or dict(self._entry.options)
            ),
            description_placeholders={"title": self._entry.title},
            errors=errors,
        )


async def async_create_fix_flow(
    hass: HomeAssistant,
    issue_id: str,
    data: dict[str, str | int | float | None] | None,
) -> RepairsFlow:
    """Return the fix flow of one of our fixable issues."""
    assert data is not None
    entry: VoicemailConfigEntry | None = hass.config_entries.async_get_entry(
        str(data["entry_id"])
    )
    assert entry is not None and entry.domain == DOMAIN
    if data["kind"] == ISSUE_UNTRUSTED_CERTIFICATE:
        return TrustCertificateRepairFlow(entry, str(data["host"]))
    if data["kind"] == ISSUE_NO_PLAY_TARGET:
        return PlayTargetRepairFlow(entry)
    return ReconnectRepairFlow(entry)
