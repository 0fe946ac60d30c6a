"""Tests of the ICWS client (custom_components.voicemail.icws)."""
