"""Repair issues the user can act on (their fix flows are in repairs.py)."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .const import (
    DOMAIN,
    ISSUE_LOGIN_REFUSED,
    ISSUE_NO_PLAY_TARGET,
    ISSUE_RESOURCE_GONE,
    ISSUE_STOPPED_BY_SERVER,
    ISSUE_UNSUPPORTED_SERVER,
    ISSUE_UNTRUSTED_CERTIFICATE,
)
from .icws import (
    IcwsCertificateError,
    IcwsError,
    IcwsSessionEndedError,
    IcwsUnsupportedServerError,
    Phase,
)

ALL_KINDS = (
    ISSUE_UNSUPPORTED_SERVER,
    ISSUE_RESOURCE_GONE,
    ISSUE_STOPPED_BY_SERVER,
    ISSUE_LOGIN_REFUSED,
    ISSUE_UNTRUSTED_CERTIFICATE,
    ISSUE_NO_PLAY_TARGET,
)
CLEARED_WHEN_CONNECTED = (
    ISSUE_UNSUPPORTED_SERVER,
    ISSUE_STOPPED_BY_SERVER,
    ISSUE_LOGIN_REFUSED,
    ISSUE_UNTRUSTED_CERTIFICATE,
)
"""Kinds whose issue lasts only while the problem does: cleared when connected again."""
FIXABLE = (
    ISSUE_STOPPED_BY_SERVER,
    ISSUE_LOGIN_REFUSED,
    ISSUE_UNTRUSTED_CERTIFICATE,
    ISSUE_NO_PLAY_TARGET,
)


def issue_id(kind: str, entry: ConfigEntry) -> str:
    """One issue of each kind per config entry."""
    return f"{kind}_{entry.entry_id}"


@callback
def async_create_issue(
    hass: HomeAssistant,
    entry: ConfigEntry,
    kind: str,
    placeholders: dict[str, str] | None = None,
    *,
    severity: ir.IssueSeverity = ir.IssueSeverity.ERROR,
    data: dict[str, str] | None = None,
) -> None:
    """Create (or update) the entry's issue of one kind; the texts are its kind.

    A fixable issue carries the entry id, so its fix flow knows the account.
    """
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id(kind, entry),
        is_fixable=kind in FIXABLE,
        is_persistent=False,
        severity=severity,
        translation_key=kind,
        translation_placeholders={"title": entry.title, **(placeholders or {})},
        data={"entry_id": entry.entry_id, "kind": kind, **(data or {})},
    )


@callback
def async_create_unsupported_issue(
    hass: HomeAssistant, entry: ConfigEntry, err: IcwsUnsupportedServerError
) -> None:
    """Tell the user that the server's feature is too old for voicemail."""
    async_create_issue(
        hass,
        entry,
        ISSUE_UNSUPPORTED_SERVER,
        {
            "feature": err.feature,
            "version": "none" if err.version is None else str(err.version),
            "required": str(err.required),
        },
    )


@callback
def async_create_gone_issue(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Tell the user that the server removed the stop endpoint (answered 410)."""
    async_create_issue(
        hass, entry, ISSUE_RESOURCE_GONE, severity=ir.IssueSeverity.WARNING
    )


@callback
def async_create_no_play_target_issue(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Offer to choose where voicemail plays: a Play found nowhere to play."""
    async_create_issue(
        hass, entry, ISSUE_NO_PLAY_TARGET, severity=ir.IssueSeverity.WARNING
    )


@callback
def async_delete_issues(
    hass: HomeAssistant, entry: ConfigEntry, kinds: tuple[str, ...] = ALL_KINDS
) -> None:
    """Remove the entry's issues of these kinds (all: the entry is being removed)."""
    for kind in kinds:
        ir.async_delete_issue(hass, DOMAIN, issue_id(kind, entry))


@callback
def async_create_issue_for(
    hass: HomeAssistant,
    entry: ConfigEntry,
    phase: Phase,
    error: IcwsError,
    verifies_certificates: bool,
) -> None:
    """Raise the repair issue of a connection failure that waits for the user, if any.

    A refused password has the reauth flow instead; a plain connection failure is
    retried by the connection and raises nothing.
    """
    if isinstance(error, IcwsUnsupportedServerError):
        async_create_unsupported_issue(hass, entry, error)
    elif phase is Phase.REFUSED:
        async_create_issue(hass, entry, ISSUE_LOGIN_REFUSED, {"error": str(error)})
    elif isinstance(error, IcwsSessionEndedError):
        async_create_issue(
            hass, entry, ISSUE_STOPPED_BY_SERVER, {"reason": error.reason or "-"}
        )
    elif isinstance(error, IcwsCertificateError) and verifies_certificates:
        async_create_issue(
            hass,
            entry,
            ISSUE_UNTRUSTED_CERTIFICATE,
            {"host": error.host},
            data={"host": error.host},
        )
