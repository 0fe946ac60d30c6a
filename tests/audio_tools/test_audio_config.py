"""Home Assistant's ffmpeg integration runs the project's ffmpeg; the dev component links."""

from __future__ import annotations

from pathlib import Path

from homeassistant.components.ffmpeg import get_ffmpeg_manager
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import parse_yaml

from scripts._dev.audio_config import (
    DEV_COMPONENTS,
    PACKAGE_DOCSTRING,
    audio_yaml,
    link_dev_components,
)
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
