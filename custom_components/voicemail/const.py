"""Constants of the ICWS Voicemail integration."""

from __future__ import annotations

import logging
from typing import Final

DOMAIN: Final = "voicemail"
LOGGER = logging.getLogger(__package__)

EVENT_VOICEMAIL: Final = f"{DOMAIN}_event"
"""Fired on the bus with each event of an event entity, for the logbook (logbook.py)."""

# Config entry data: CONF_HOST, CONF_PORT, CONF_SSL (use HTTPS), CONF_VERIFY_SSL,
# CONF_USERNAME and CONF_PASSWORD come from homeassistant.const.
CONF_BASE_PATH: Final = "base_path"
"""Path of a reverse proxy in front of ICWS (e.g. `/api/icserver1`); empty for none."""
CONF_TRUSTED_CERTIFICATES: Final = "trusted_certificates"
"""Host -> SHA-256 fingerprint (hex) of a certificate the user chose to trust."""
CONF_PASSWORD_REFUSED: Final = "password_refused"
"""Set when the server refused the stored password: it is not sent again."""
DEFAULT_PORT: Final = 8019
DEFAULT_SSL: Final = True
DEFAULT_VERIFY_SSL: Final = True

# Options.
CONF_PLAY_TARGET: Final = "play_target"
"""Phone number or extension voicemail is played to; empty means none is set."""
CONF_PLAY_MEDIA_PLAYER: Final = "play_media_player"
"""Media player (entity id) voicemail plays on; when set, it is used instead of the phone."""
CONF_STT_ENGINE: Final = "stt_engine"
"""Speech-to-text entity that transcribes each new voicemail; empty means none."""
CONF_MAX_BUTTONS: Final = "max_buttons"
"""How many of the newest messages get their own play and stop buttons."""
CONF_PLAYBACK_TIMEOUT: Final = "playback_timeout"
"""Seconds after which a playback counts as ended when the server never said so."""

DEFAULT_PLAY_TARGET: Final = ""
DEFAULT_MAX_BUTTONS: Final = 5
DEFAULT_PLAYBACK_TIMEOUT: Final = 600

# What the ICWS server is told about us.
APPLICATION_NAME: Final = "Home Assistant"
REQUEST_TIMEOUT: Final = 10.0

# The server pushes every change (the connection resyncs as a safety net).
SETUP_TIMEOUT: Final = 60.0
"""Seconds setup waits for the first mailbox (a login over switchover hops included)."""

LAST_ERRORS_KEPT: Final = 10

MANUFACTURER: Final = "Genesys"
MODEL: Final = "PureConnect (ICWS)"

ISSUE_UNSUPPORTED_SERVER: Final = "unsupported_server"
ISSUE_RESOURCE_GONE: Final = "resource_gone"
ISSUE_STOPPED_BY_SERVER: Final = "stopped_by_server"
ISSUE_LOGIN_REFUSED: Final = "login_refused"
ISSUE_UNTRUSTED_CERTIFICATE: Final = "untrusted_certificate"
ISSUE_NO_PLAY_TARGET: Final = "no_play_target"
