"""The one table from ICWS client errors to what Home Assistant shows.

Each row says, for one client error: the setup error (and its translation key), the
config flow's error key, and the action error (translation key, and whether it is the
caller's mistake: `ServiceValidationError`). Setup, the config flow, the repairs, every
action, button, intent and LLM tool go through this table, so a user sees the same words
for the same failure wherever it happens. Rows are ordered most specific first.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import (
    ConfigEntryAuthFailed,
    ConfigEntryError,
    ConfigEntryNotReady,
    HomeAssistantError,
    ServiceValidationError,
)

from .const import DOMAIN
from .icws import (
    IcwsAttachmentMissingError,
    IcwsAttachmentRefusedError,
    IcwsAttachmentTooLargeError,
    IcwsAuthenticationError,
    IcwsCertificateError,
    IcwsClosedError,
    IcwsConnectionError,
    IcwsError,
    IcwsGoneError,
    IcwsLoginRefusedError,
    IcwsNotAllowedError,
    IcwsReconnectingError,
    IcwsResponseError,
    IcwsSessionEndedError,
    IcwsSessionError,
    IcwsTimeoutError,
    IcwsUnsupportedServerError,
)
from .issues import async_create_gone_issue

type SetupError = type[ConfigEntryAuthFailed | ConfigEntryError | ConfigEntryNotReady]


@dataclass(frozen=True, slots=True)
class ErrorRow:
    """What one kind of client error means in Home Assistant."""

    error: type[IcwsError]
    setup: SetupError
    setup_key: str
    flow_key: str
    action_key: str
    caller_error: bool = False
    """The action's error is the caller's (ServiceValidationError), not a failure."""


ERRORS: tuple[ErrorRow, ...] = (
    ErrorRow(IcwsAttachmentMissingError, ConfigEntryNotReady, "cannot_connect", "cannot_connect", "audio_missing"),
    ErrorRow(IcwsAttachmentRefusedError, ConfigEntryNotReady, "cannot_connect", "cannot_connect", "audio_refused"),
    ErrorRow(IcwsAttachmentTooLargeError, ConfigEntryNotReady, "cannot_connect", "cannot_connect", "audio_too_large"),
    ErrorRow(IcwsNotAllowedError, ConfigEntryNotReady, "cannot_connect", "cannot_connect", "not_allowed", caller_error=True),
    ErrorRow(IcwsAuthenticationError, ConfigEntryAuthFailed, "invalid_auth", "invalid_auth", "reauth_required"),
    ErrorRow(IcwsLoginRefusedError, ConfigEntryError, "login_refused", "login_refused", "login_refused"),
    ErrorRow(IcwsUnsupportedServerError, ConfigEntryError, "unsupported_server", "unsupported_server", "unsupported_server"),
    ErrorRow(IcwsSessionEndedError, ConfigEntryNotReady, "stopped_by_server", "cannot_connect", "stopped_by_server"),
    ErrorRow(IcwsCertificateError, ConfigEntryNotReady, "certificate_not_trusted", "certificate_not_trusted", "certificate_not_trusted"),
    ErrorRow(IcwsReconnectingError, ConfigEntryNotReady, "cannot_connect", "cannot_connect", "reconnecting"),
    ErrorRow(IcwsTimeoutError, ConfigEntryNotReady, "cannot_connect", "cannot_connect", "timeout"),
    ErrorRow(IcwsConnectionError, ConfigEntryNotReady, "cannot_connect", "cannot_connect", "cannot_connect"),
    ErrorRow(IcwsSessionError, ConfigEntryNotReady, "cannot_connect", "cannot_connect", "session_expired"),
    ErrorRow(IcwsGoneError, ConfigEntryNotReady, "cannot_connect", "cannot_connect", "resource_gone"),
    ErrorRow(IcwsClosedError, ConfigEntryNotReady, "cannot_connect", "cannot_connect", "not_loaded"),
    ErrorRow(IcwsError, ConfigEntryNotReady, "cannot_connect", "cannot_connect", "server_error"),
)  # fmt: skip


def error_row(err: IcwsError) -> ErrorRow:
    """Return the row of a client error (the last row matches every one)."""
    return next(row for row in ERRORS if isinstance(err, row.error))


def _placeholders(err: IcwsError) -> dict[str, str]:
    """Return the texts a translation may use: the error, the server's own message."""
    message = err.server_message if isinstance(err, IcwsResponseError) else str(err)
    return {"error": str(err), "message": message}


def setup_error(err: IcwsError) -> HomeAssistantError:
    """Return the translated setup error for a client error at login."""
    row = error_row(err)
    return row.setup(
        translation_domain=DOMAIN,
        translation_key=row.setup_key,
        translation_placeholders=_placeholders(err),
    )


def flow_error(err: IcwsError) -> str:
    """Return the config flow's error key for a client error."""
    return error_row(err).flow_key


def action_error(err: IcwsError) -> HomeAssistantError:
    """Return the translated error an action, button, intent or tool raises."""
    row = error_row(err)
    cls = ServiceValidationError if row.caller_error else HomeAssistantError
    return cls(
        translation_domain=DOMAIN,
        translation_key=row.action_key,
        translation_placeholders=_placeholders(err),
    )


@asynccontextmanager
async def icws_errors(hass: HomeAssistant, entry: ConfigEntry) -> AsyncIterator[None]:
    """Raise the translated Home Assistant error for a client error of an action.

    A 410 Gone also raises the repair issue that tells the user what to do.
    """
    try:
        yield
    except IcwsError as err:
        if isinstance(err, IcwsGoneError):
            async_create_gone_issue(hass, entry)
        # Client error texts are safe to show: they never carry a secret.
        raise action_error(err) from err


class AudioError(Exception):
    """Audio could not be fetched, transcoded or transcribed.

    `key` is a translation key of `exceptions` (strings.json); `detail` is safe to
    show (never a URL of the ICWS server or a secret).
    """

    def __init__(self, key: str, detail: str = "") -> None:
        """Keep the key and the detail."""
        super().__init__(f"{key}: {detail}" if detail else key)
        self.key = key
        self.detail = detail

    def to_ha(self) -> HomeAssistantError:
        """Return the translated Home Assistant error."""
        return HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key=self.key,
            translation_placeholders={"detail": self.detail or "-"},
        )
