"""The one place that turns ICWS client errors into translated Home Assistant errors.

Buttons and every action run their client calls inside `icws_errors(...)`, so a user
sees the same words for the same failure wherever it happens.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
import hashlib

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.service import async_get_config_entry

from .const import DOMAIN
from .coordinator import VoicemailConfigEntry
from .icws import (
    IcwsAuthenticationError,
    IcwsConnectionError,
    IcwsError,
    IcwsGoneError,
    IcwsNotAllowedError,
    IcwsSessionError,
    IcwsTimeoutError,
)
from .issues import async_create_gone_issue


def message_digest(message_id: str) -> str:
    """Return a short stable hash of a message id, for unique ids.

    ICWS message ids are long opaque strings (IMAP URIs on some servers) that do not
    belong in an entity's unique id.
    """
    return hashlib.sha256(message_id.encode()).hexdigest()[:12]


@callback
def async_get_loaded_entries(
    hass: HomeAssistant, entry_id: str | None
) -> list[VoicemailConfigEntry]:
    """Return the loaded accounts an action is about: the one named, else all.

    With an id, Home Assistant's own helper checks that the entry exists, is ours and
    is loaded (and raises its own translated errors). Without one, every loaded
    account counts; with none loaded, a translated error says so.
    """
    if entry_id is not None:
        entry: VoicemailConfigEntry = async_get_config_entry(hass, DOMAIN, entry_id)
        return [entry]
    loaded: list[VoicemailConfigEntry] = hass.config_entries.async_loaded_entries(
        DOMAIN
    )
    if not loaded:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="not_loaded"
        )
    return loaded


# Failures, most specific first: the first class an error is an instance of names it.
_FAILURE_KEYS: tuple[tuple[type[IcwsError], str], ...] = (
    # The client's re-login after a 401 was refused (the password changed), or the
    # server refused the session again right after a new login.
    (IcwsAuthenticationError, "session_expired"),
    (IcwsSessionError, "session_expired"),
    (IcwsGoneError, "resource_gone"),
    (IcwsTimeoutError, "timeout"),
    (IcwsConnectionError, "cannot_connect"),
)


def _failure_key(err: IcwsError) -> str:
    """Return the translation key of a failure (5xx and anything else: server_error)."""
    return next(
        (key for cls, key in _FAILURE_KEYS if isinstance(err, cls)), "server_error"
    )


@asynccontextmanager
async def icws_errors(
    hass: HomeAssistant, entry: VoicemailConfigEntry
) -> AsyncIterator[None]:
    """Raise the translated Home Assistant error for a client error.

    A request the server refuses for the message at hand (400) is the caller's
    problem: `ServiceValidationError`. Everything else is a failure:
    `HomeAssistantError`, with the side effects the user needs (a reauth flow when
    the server refuses the stored credentials, a repair issue on 410 Gone).
    """
    try:
        yield
    except IcwsNotAllowedError as err:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="not_allowed",
            translation_placeholders={"message": err.server_message},
        ) from err
    except IcwsError as err:
        if isinstance(err, IcwsAuthenticationError):
            entry.async_start_reauth(hass)
        elif isinstance(err, IcwsGoneError):
            async_create_gone_issue(hass, entry)
        # Client error texts are safe to show: they never carry a secret.
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key=_failure_key(err),
            translation_placeholders={"error": str(err)},
        ) from err
