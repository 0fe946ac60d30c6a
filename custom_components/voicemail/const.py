"""Constants of the ICWS Voicemail integration."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Final

DOMAIN: Final = "voicemail"
LOGGER = logging.getLogger(__package__)

# Config entry data: CONF_HOST, CONF_PORT, CONF_SSL (use HTTPS), CONF_VERIFY_SSL,
# CONF_USERNAME and CONF_PASSWORD come from homeassistant.const.
DEFAULT_PORT: Final = 8019
DEFAULT_SSL: Final = True
DEFAULT_VERIFY_SSL: Final = True

# Options.
CONF_PLAY_TARGET: Final = "play_target"
"""Phone number or extension voicemail is played to; empty means none is set."""
CONF_MAX_BUTTONS: Final = "max_buttons"
"""How many of the newest messages get their own play and stop buttons."""
CONF_PLAYBACK_TIMEOUT: Final = "playback_timeout"
"""Seconds after which a playback counts as ended when the server never said so."""

DEFAULT_PLAY_TARGET: Final = ""
DEFAULT_MAX_BUTTONS: Final = 20
DEFAULT_PLAYBACK_TIMEOUT: Final = 600

# What the ICWS server is told about us.
APPLICATION_NAME: Final = "Home Assistant"
REQUEST_TIMEOUT: Final = 10.0

# The server pushes every change; the refresh only resubscribes as a safety net.
SAFETY_REFRESH_INTERVAL: Final = timedelta(minutes=30)
SNAPSHOT_TIMEOUT: Final = 30.0
"""Seconds to wait for the mailbox snapshot after subscribing."""

# Reconnect after the server could not be reached: 5 s doubling up to 5 minutes.
RECONNECT_DELAY_MIN: Final = 5.0
RECONNECT_DELAY_MAX: Final = 300.0

LAST_ERRORS_KEPT: Final = 10

MANUFACTURER: Final = "Genesys"
MODEL: Final = "PureConnect (ICWS)"

ISSUE_UNSUPPORTED_SERVER: Final = "unsupported_server"
ISSUE_RESOURCE_GONE: Final = "resource_gone"
