"""The account: how its client is built from the entry, and what identifies it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aiohttp
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_create_clientsession

from .const import (
    APPLICATION_NAME,
    CONF_BASE_PATH,
    CONF_TRUSTED_CERTIFICATES,
    REQUEST_TIMEOUT,
)
from .icws import IcwsClient, SessionInfo


def async_create_client(
    hass: HomeAssistant, data: Mapping[str, Any], *, auto_cleanup: bool = True
) -> IcwsClient:
    """Build an ICWS client from config entry data (the config flow uses it too).

    The session has no cookie jar: the client keeps the cookies itself (aiohttp's jar
    would re-quote the ICWS session cookie). Created during an entry's setup, the
    session is detached when the entry unloads; the config flow passes
    `auto_cleanup=False` and detaches it itself after each attempt.
    """
    verify_ssl: bool = data[CONF_VERIFY_SSL]
    session = async_create_clientsession(
        hass,
        verify_ssl=verify_ssl,
        auto_cleanup=auto_cleanup,
        cookie_jar=aiohttp.DummyCookieJar(),
    )
    return IcwsClient(
        session,
        data[CONF_HOST],
        port=data[CONF_PORT],
        use_https=data[CONF_SSL],
        verify_ssl=verify_ssl,
        username=data[CONF_USERNAME],
        password=data[CONF_PASSWORD],
        application_name=APPLICATION_NAME,
        language=hass.config.language,
        country=hass.config.country,
        base_path=data.get(CONF_BASE_PATH, ""),
        trusted_certificates=data.get(CONF_TRUSTED_CERTIFICATES),
        request_timeout=REQUEST_TIMEOUT,
    )


def unique_id_of(info: SessionInfo) -> str:
    """Return the account's unique id, which survives a new host name and a switchover."""
    return f"{info.user_id}@{info.ic_server or info.host}".lower()


def title_of(info: SessionInfo) -> str:
    """Return the entry's title, e.g. `alice @ CIC-ICWS`."""
    return f"{info.user_id} @ {info.ic_server or info.host}"
