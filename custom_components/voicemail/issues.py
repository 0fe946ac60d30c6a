"""Repair issues the user can act on."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN, ISSUE_RESOURCE_GONE, ISSUE_UNSUPPORTED_SERVER
from .icws import IcwsUnsupportedServerError


def _issue_id(kind: str, entry: ConfigEntry) -> str:
    """One issue of each kind per config entry."""
    return f"{kind}_{entry.entry_id}"


@callback
def _async_create_issue(
    hass: HomeAssistant,
    entry: ConfigEntry,
    kind: str,
    severity: ir.IssueSeverity,
    placeholders: dict[str, str],
) -> None:
    """Create (or update) the entry's issue of one kind; the texts are its kind."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        _issue_id(kind, entry),
        is_fixable=False,
        is_persistent=False,
        severity=severity,
        translation_key=kind,
        translation_placeholders={"title": entry.title, **placeholders},
    )


@callback
def async_create_unsupported_issue(
    hass: HomeAssistant, entry: ConfigEntry, err: IcwsUnsupportedServerError
) -> None:
    """Tell the user that the server's feature is too old for voicemail."""
    _async_create_issue(
        hass,
        entry,
        ISSUE_UNSUPPORTED_SERVER,
        ir.IssueSeverity.ERROR,
        {
            "feature": err.feature,
            "version": "none" if err.version is None else str(err.version),
            "required": str(err.required),
        },
    )


@callback
def async_create_gone_issue(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Tell the user that the server removed the stop endpoint (answered 410)."""
    _async_create_issue(hass, entry, ISSUE_RESOURCE_GONE, ir.IssueSeverity.WARNING, {})


@callback
def async_delete_unsupported_issue(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Remove the issue once the server is new enough."""
    ir.async_delete_issue(hass, DOMAIN, _issue_id(ISSUE_UNSUPPORTED_SERVER, entry))


@callback
def async_delete_issues(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Remove every issue of a config entry that is being removed."""
    for kind in (ISSUE_UNSUPPORTED_SERVER, ISSUE_RESOURCE_GONE):
        ir.async_delete_issue(hass, DOMAIN, _issue_id(kind, entry))
