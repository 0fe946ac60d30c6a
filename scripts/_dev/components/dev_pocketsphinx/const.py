"""Constants of the development pocketsphinx speech-to-text component."""

from __future__ import annotations

DOMAIN = "dev_pocketsphinx"
TITLE = "Pocketsphinx"
LANGUAGE = "en-US"
