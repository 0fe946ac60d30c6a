"""Opt-in Home Assistant configuration of the audio work: ffmpeg and the dev stt component.

Not wired into scripts/develop yet. To load both in a configuration directory (two lines in
scripts/_dev/config.py:prepare_config_dir, or by hand):

    from scripts._dev.audio_config import audio_yaml, link_dev_components
    link_dev_components(config_dir)   # custom_components/dev_pocketsphinx -> the working tree
    # and once, append audio_yaml() to configuration.yaml:
    #   ffmpeg:
    #     ffmpeg_bin: /path/to/checkout/.venv/bin/ffmpeg
    #   dev_pocketsphinx:

`dev_pocketsphinx:` creates the config entry of the one stt entity, stt.pocketsphinx (it can
also be added in the UI: Settings -> Devices & services -> Add integration -> Pocketsphinx).
"""

from __future__ import annotations

from pathlib import Path

from scripts._dev.ffmpeg import ffmpeg_binary

DEV_COMPONENTS = Path(__file__).resolve().parent / "components"
DEV_DOMAINS = ("dev_pocketsphinx",)
PACKAGE_DOCSTRING = '"""Custom integrations of this configuration directory (scripts/_dev/audio_config.py)."""\n'


def audio_yaml() -> str:
    """Return the configuration.yaml lines of ffmpeg (the project's binary) and dev_pocketsphinx."""
    return (
        "\n# Audio: the project's ffmpeg (scripts/setup) and offline speech-to-text.\n"
        f"ffmpeg:\n  ffmpeg_bin: {ffmpeg_binary()}\n"
        "dev_pocketsphinx:\n"
    )


def link_dev_components(
    config_dir: Path, domains: tuple[str, ...] = DEV_DOMAINS
) -> list[Path]:
    """Link <config_dir>/custom_components/<domain> to scripts/_dev/components/<domain>.

    Absolute links (a configuration directory may be anywhere); an existing correct link is
    kept, anything else of that name is replaced. Returns the links.

    It also writes <config_dir>/custom_components/__init__.py. Home Assistant imports
    `custom_components` with the configuration directory first on sys.path, but `hass` runs
    with the repository as its working directory (first on sys.path too), and there the
    repository's custom_components/ is a regular package, which wins over a folder without
    __init__.py: the links would be ignored. With it, the configuration directory's folder
    (holding the voicemail link too, see config.py) is the package.
    """
    custom = config_dir / "custom_components"
    custom.mkdir(parents=True, exist_ok=True)
    package = custom / "__init__.py"
    if not package.exists():
        package.write_text(PACKAGE_DOCSTRING, encoding="utf-8")
    links = []
    for domain in domains:
        link = custom / domain
        target = DEV_COMPONENTS / domain
        if not (link.is_symlink() and link.readlink() == target):
            if link.is_symlink() or link.exists():
                link.unlink()
            link.symlink_to(target, target_is_directory=True)
        links.append(link)
    return links
