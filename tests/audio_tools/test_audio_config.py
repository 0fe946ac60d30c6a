"""Home Assistant's ffmpeg integration runs the project's ffmpeg; the dev component links.

And scripts/_dev/config.py's prepare_config_dir writes both into a configuration directory.
"""

from __future__ import annotations

from pathlib import Path
import sys

from homeassistant.components.ffmpeg import get_ffmpeg_manager
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import parse_yaml
import pytest

from scripts._dev import config as config_module
from scripts._dev.audio_config import (
    DEV_COMPONENTS,
    PACKAGE_DOCSTRING,
    audio_yaml,
    link_dev_components,
    stt_available,
)
from scripts._dev.config import CONFIGURATION_YAML, prepare_config_dir
from scripts._dev.ffmpeg import ffmpeg_binary


async def test_home_assistant_ffmpeg_uses_the_project_binary(
    hass: HomeAssistant,
) -> None:
    """The ffmpeg: block of audio_yaml() sets up; Home Assistant reads ffmpeg 9's version."""
    config = parse_yaml(audio_yaml())
    assert config == {
        "ffmpeg": {"ffmpeg_bin": str(ffmpeg_binary())},
        "dev_pocketsphinx": None,
    }
    assert await async_setup_component(hass, "ffmpeg", {"ffmpeg": config["ffmpeg"]})
    manager = get_ffmpeg_manager(hass)
    assert manager.binary == str(ffmpeg_binary())
    version, major = await manager.async_get_version()
    assert version is not None and version.startswith("n9.")
    assert major == 9


def test_link_dev_components(tmp_path: Path) -> None:
    """Absolute links, a package __init__.py; a second run keeps them, a wrong link is fixed."""
    (link,) = link_dev_components(tmp_path)
    assert link == tmp_path / "custom_components" / "dev_pocketsphinx"
    assert link.readlink() == DEV_COMPONENTS / "dev_pocketsphinx"
    assert (link / "manifest.json").is_file()
    package = tmp_path / "custom_components" / "__init__.py"
    assert package.read_text() == PACKAGE_DOCSTRING

    package.write_text('"""Edited."""\n')
    assert link_dev_components(tmp_path) == [link]
    assert package.read_text() == '"""Edited."""\n'

    link.unlink()
    link.symlink_to(tmp_path)
    link_dev_components(tmp_path)
    assert link.readlink() == DEV_COMPONENTS / "dev_pocketsphinx"


def _no_site_python(tmp_path: Path) -> str:
    """Return an interpreter like this one without its site-packages (so no pocketsphinx)."""
    wrapper = tmp_path / "python-without-site"
    wrapper.write_text(
        f'#!/bin/sh\nexec "{sys.executable}" -S "$@"\n', encoding="utf-8"
    )
    wrapper.chmod(0o755)
    return str(wrapper)


def test_stt_available_asks_the_python_of_home_assistant(tmp_path: Path) -> None:
    """The venv of the tests has pocketsphinx; a Python without site-packages has not."""
    assert stt_available()
    assert stt_available(sys.executable)
    assert not stt_available(_no_site_python(tmp_path))
    assert parse_yaml(audio_yaml(stt=False)) == {
        "ffmpeg": {"ffmpeg_bin": str(ffmpeg_binary())}
    }


def test_prepare_config_dir_configures_ffmpeg_and_the_stt_component(
    tmp_path: Path,
) -> None:
    """A new configuration.yaml has the audio part; both custom integrations are linked."""
    prepare_config_dir(tmp_path, port=8123, host="127.0.0.1")
    text = (tmp_path / "configuration.yaml").read_text(encoding="utf-8")
    assert text == CONFIGURATION_YAML + audio_yaml()
    config = parse_yaml(text)
    assert isinstance(config, dict)
    assert config["ffmpeg"] == {"ffmpeg_bin": str(ffmpeg_binary())}
    assert "dev_pocketsphinx" in config
    custom = tmp_path / "custom_components"
    assert (custom / "__init__.py").read_text() == PACKAGE_DOCSTRING
    assert (
        custom / "dev_pocketsphinx"
    ).readlink() == DEV_COMPONENTS / "dev_pocketsphinx"
    assert (custom / "voicemail" / "manifest.json").is_file()

    prepare_config_dir(tmp_path, port=8124, host="127.0.0.1")
    assert (tmp_path / "configuration.yaml").read_text(encoding="utf-8") == text


def test_prepare_config_dir_upgrades_only_an_unedited_earlier_file(
    tmp_path: Path,
) -> None:
    """CONFIGURATION_YAML alone gets the audio part once; an edited file stays as it is."""
    old, edited = tmp_path / "old", tmp_path / "edited"
    for directory in (old, edited):
        directory.mkdir()
    (old / "configuration.yaml").write_text(CONFIGURATION_YAML, encoding="utf-8")
    mine = CONFIGURATION_YAML + "automation: []\n"
    (edited / "configuration.yaml").write_text(mine, encoding="utf-8")
    for _ in range(2):
        for directory in (old, edited):
            prepare_config_dir(directory, port=8123, host=None)
    assert (old / "configuration.yaml").read_text(encoding="utf-8") == (
        CONFIGURATION_YAML + audio_yaml()
    )
    assert (edited / "configuration.yaml").read_text(encoding="utf-8") == mine


def test_prepare_config_dir_leaves_stt_out_for_a_python_without_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Python of Home Assistant decides: without pocketsphinx, dev_pocketsphinx is a comment."""
    asked: list[str | None] = []

    def without_stt(python: str | None = None) -> bool:
        asked.append(python)
        return False

    monkeypatch.setattr(config_module, "stt_available", without_stt)
    prepare_config_dir(tmp_path, port=8123, host=None, python=sys.executable)
    text = (tmp_path / "configuration.yaml").read_text(encoding="utf-8")
    assert asked == [sys.executable]
    assert text == CONFIGURATION_YAML + audio_yaml(stt=False)
    assert "dev_pocketsphinx" not in parse_yaml(text)
    assert "# dev_pocketsphinx: left out" in text
