"""Diagnostics: what helps with a bug report, without secrets or personal data."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import REDACTED, async_redact_data
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant

from .const import CONF_TRUSTED_CERTIFICATES
from .coordinator import VoicemailConfigEntry

TO_REDACT = {
    # Secrets: the client keeps the session's own ones private, these keys only
    # make sure that none could ever slip through.
    CONF_PASSWORD,
    "csrf_token",
    "cookie",
    "session_id",
    # Who and where: diagnostics end up in public bug reports.
    CONF_USERNAME,
    CONF_HOST,
    "alternate_hosts",
    CONF_TRUSTED_CERTIFICATES,
    "ic_server",
    "title",
    "unique_id",
    "user_display_name",
    "user_id",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: VoicemailConfigEntry
) -> dict[str, Any]:
    """Return the server, the session state, counts and the recent errors."""
    coordinator = entry.runtime_data
    info = coordinator.session_info
    data = coordinator.data
    connection = coordinator.connection
    hosts = {
        host
        for host in (
            entry.data[CONF_HOST],
            coordinator.client.host,
            *info.alternate_hosts,
            *entry.data.get(CONF_TRUSTED_CERTIFICATES, {}),
        )
        if host
    }
    last_errors = [*connection.stats.recent_errors, *coordinator.last_errors]
    for host in hosts:
        last_errors = [error.replace(host, REDACTED) for error in last_errors]
    return async_redact_data(
        {
            "entry": {
                "title": entry.title,
                "unique_id": entry.unique_id,
                "data": dict(entry.data),
                "options": dict(entry.options),
            },
            "server": {
                "host": coordinator.client.host,
                "ic_server": info.ic_server,
                "alternate_hosts": list(info.alternate_hosts),
                "user_id": info.user_id,
                "user_display_name": info.user_display_name,
                "version": None if info.version is None else asdict(info.version),
                "version_display": None
                if info.version is None
                else info.version.display,
                "features": dict(info.features),
            },
            "connection": {
                "phase": connection.phase,
                "mode": connection.feed.mode,
                "messages_waiting_subscription": connection.feed.mwi_available,
                "subscription_problem": coordinator.subscription_problem,
                "logins": connection.stats.logins,
                "immediate_relogins": connection.stats.immediate_relogins,
                "backoffs": connection.stats.backoffs,
                "stream_fallbacks": connection.stats.stream_fallbacks,
                "resyncs": connection.stats.resyncs,
            },
            "state": {
                "available": coordinator.last_update_success,
                "last_exception": None
                if coordinator.last_exception is None
                else type(coordinator.last_exception).__name__,
                "voicemails": len(data.voicemails),
                "unread": data.unread,
                "messages_waiting": data.messages_waiting,
                "playing": data.playing is not None,
            },
            "last_errors": last_errors,
        },
        TO_REDACT,
    )
