"""Fixtures of the audio tests, and the summary of what they measured (printed, never asserted)."""

from __future__ import annotations

from collections.abc import Iterator

from homeassistant import loader
from homeassistant.core import HomeAssistant
import pytest

import custom_components
from scripts._dev.audio_config import DEV_COMPONENTS

# Lines for the terminal summary: what the tests measured.
MEASUREMENTS: list[str] = []


@pytest.fixture
def dev_components(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Let Home Assistant find scripts/_dev/components/* as custom integrations.

    Home Assistant imports custom integrations as custom_components.<domain> and lists the
    folders of custom_components.__path__: adding scripts/_dev/components to that search path,
    for this test only, loads dev_pocketsphinx from the working tree as scripts/develop does
    through its symlink, without touching the repository's custom_components/.
    """
    monkeypatch.setattr(
        custom_components,
        "__path__",
        [*custom_components.__path__, str(DEV_COMPONENTS)],
    )
    # The list of custom integrations is cached per hass: make it read the new search path.
    hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
    yield
    hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print what the audio tests measured."""
    if not MEASUREMENTS:
        return
    terminalreporter.section("audio measurements (measured, never asserted)")
    for line in MEASUREMENTS:
        terminalreporter.write_line(line)
