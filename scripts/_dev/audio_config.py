"""Home Assistant configuration of the audio work: ffmpeg and the dev stt component.

scripts/_dev/config.py:prepare_config_dir wires it into every configuration directory it
prepares (scripts/develop, tests/e2e, scripts/soak):

    link_dev_components(config_dir)   # custom_components/dev_pocketsphinx -> the working tree
    # and once, when configuration.yaml is first written, audio_yaml(stt=...) after it:
    #   ffmpeg:
    #     ffmpeg_bin: /path/to/checkout/.venv/bin/ffmpeg
    #   dev_pocketsphinx:

`dev_pocketsphinx:` creates the config entry of the one stt entity, stt.pocketsphinx (it can
also be added in the UI: Settings -> Devices & services -> Add integration -> Pocketsphinx).
It is left out (a comment says why) when the Python that runs Home Assistant cannot import
pocketsphinx: the environments of other Home Assistant versions (.venv-ha-<version>, HASS_PYTHON)
hold only what a `hass` process of that version needs, and --skip-pip installs nothing.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
import subprocess
import sys

from scripts._dev.ffmpeg import ffmpeg_binary

DEV_COMPONENTS = Path(__file__).resolve().parent / "components"
DEV_DOMAINS = ("dev_pocketsphinx",)
PACKAGE_DOCSTRING = '"""Custom integrations of this configuration directory (scripts/_dev/audio_config.py)."""\n'


STT_MODULE = "pocketsphinx"
NO_STT_YAML = "# dev_pocketsphinx: left out, the Python of this Home Assistant has no pocketsphinx\n"


def audio_yaml(*, stt: bool = True) -> str:
    """Return the configuration.yaml lines of ffmpeg (the project's binary) and dev_pocketsphinx.

    stt False: dev_pocketsphinx only as a comment (see stt_available).
    """
    return (
        "\n# Audio: the project's ffmpeg (scripts/setup) and offline speech-to-text.\n"
        f"ffmpeg:\n  ffmpeg_bin: {ffmpeg_binary()}\n"
        + ("dev_pocketsphinx:\n" if stt else NO_STT_YAML)
    )


def stt_available(python: str | None = None) -> bool:
    """Return whether `python` (None: this interpreter) can import pocketsphinx."""
    if python is None or python == sys.executable:
        return importlib.util.find_spec(STT_MODULE) is not None
    probe = (
        "import importlib.util, sys; "
        f"sys.exit(importlib.util.find_spec({STT_MODULE!r}) is None)"
    )
    result = subprocess.run(  # noqa: S603  (argv built by us)
        [python, "-c", probe], check=False, capture_output=True
    )
    return result.returncode == 0


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
