"""Tests of the ICWS Voicemail integration."""
