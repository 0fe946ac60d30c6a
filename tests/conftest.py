"""Fixtures shared by every test."""

from __future__ import annotations

import os

from hypothesis import settings
import pytest

# 2-core CI machines make per-example deadlines flaky: CI runs without them.
settings.register_profile("ci", deadline=None, max_examples=200)
settings.register_profile("dev", deadline=None, max_examples=50)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load the integration from custom_components/."""
