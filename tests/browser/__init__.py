"""Real-browser end-to-end tests."""
