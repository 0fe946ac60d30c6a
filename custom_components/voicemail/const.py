"""Constants of the ICWS Voicemail integration."""

from __future__ import annotations

import logging
from typing import Final

DOMAIN: Final = "voicemail"
LOGGER = logging.getLogger(__package__)
