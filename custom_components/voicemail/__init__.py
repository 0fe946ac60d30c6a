"""The ICWS Voicemail integration."""
