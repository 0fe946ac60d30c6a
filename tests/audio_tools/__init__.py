"""Tests of the audio groundwork: committed voicemails, ffmpeg, pocketsphinx, dev stt component."""
