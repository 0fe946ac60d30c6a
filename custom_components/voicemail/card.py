"""The voicemail card: its files served by Home Assistant, loaded on every dashboard.

`frontend/voicemail-card.js` (the card, `custom:voicemail-card`) and
`frontend/voicemail-card-editor.js` (its visual editor, imported when the editor opens)
are served from `/voicemail/frontend/`, and the card is added to the frontend's extra
modules, so users need no dashboard resource. The URL carries a hash of both files:
browsers keep them cached until the files change (an update of the integration).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Final

from homeassistant.components.frontend import add_extra_js_url
from homeassistant.components.http.server import StaticPathConfig  # where it is defined
from homeassistant.core import HomeAssistant

CARD_DIR: Final = Path(__file__).parent / "frontend"
CARD_URL_BASE: Final = "/voicemail/frontend"
CARD_FILE: Final = "voicemail-card.js"


def files_version() -> str:
    """Return a short hash of the card's files (reads them: run in the executor)."""
    digest = hashlib.sha256()
    for path in sorted(CARD_DIR.glob("*.js")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


async def async_register_card(hass: HomeAssistant) -> str:
    """Serve the card's files and load the card on every dashboard; return its URL."""
    version = await hass.async_add_executor_job(files_version)
    await hass.http.async_register_static_paths(
        [StaticPathConfig(CARD_URL_BASE, str(CARD_DIR), cache_headers=True)]
    )
    url = f"{CARD_URL_BASE}/{CARD_FILE}?v={version}"
    add_extra_js_url(hass, url)
    return url
