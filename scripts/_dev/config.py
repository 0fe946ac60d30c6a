"""The Home Assistant configuration directory of the demo and the end-to-end tests."""

from __future__ import annotations

from datetime import UTC, datetime
import json
from pathlib import Path
import subprocess
import sys
from typing import Any

from scripts._dev.audio_config import audio_yaml, link_dev_components, stt_available

REPO = Path(__file__).resolve().parents[2]
INTEGRATION = REPO / "custom_components" / "voicemail"

# Domains configuration.yaml sets up on top of what Home Assistant always loads (ffmpeg: from
# audio_yaml(); its dev_pocketsphinx is a custom integration, pocketsphinx is in requirements/audio.txt).
CONFIGURED_DOMAINS = ("history", "logbook", "logger", "ffmpeg")

CONFIGURATION_YAML = """\
# Home Assistant configuration of the voicemail development setup (scripts/develop, tests/e2e).
# Written by scripts/_dev/config.py when missing: edit it freely, delete it to get it back.
#
# Why not `default_config:`? It sets up bluetooth, usb, dhcp, ssdp, zeroconf, stream, go2rtc,
# cloud, mobile_app, media players ... : heavy packages (av, numpy, bleak, ...), hardware scanning
# and network discovery that a voicemail demo does not need and a CI machine cannot use.
# Home Assistant always sets up its DEFAULT_INTEGRATIONS (homeassistant/bootstrap.py): frontend
# with the config, onboarding, auth, api and websocket_api stack, automation, script, scene,
# person, zone, the helpers, and every base entity platform (sensor, button, event, ...).
# On top of that we add only:
#   history + logbook  the state history graphs and the Activity log of the voicemail entities
#                      (both need recorder, a SQLite file in this directory)
#   logger             the integration logs at debug level
# requirements/hass.txt pins the packages of exactly this set (scripts/_dev/requirements.py).

homeassistant:
  name: Voicemail demo
  # Fixed location, units and country: no network lookup at first start, no repair issue.
  latitude: 52.3731
  longitude: 4.8922
  elevation: 0
  unit_system: metric
  currency: EUR
  country: NL
  time_zone: UTC

# No `http:` here: since 2026.10 Home Assistant imports http: YAML once into its storage as a
# "pending" trial that it reverts (with a restart) unless confirmed within 5 minutes, and shows a
# deprecation repair. scripts/_dev/config.py writes the confirmed HTTP configuration (port, listening
# address) to .storage/http before every start instead: Settings -> System -> Network shows it.

history:
logbook:

logger:
  default: warning
  logs:
    custom_components.voicemail: debug
    # The demo has no camera and no text-to-speech: their system binaries (ffmpeg, libturbojpeg)
    # are not installed and their complaints at startup are only noise here.
    haffmpeg: critical
    homeassistant.components.camera.img_util: critical
"""


OLD_HTTP_INCLUDE = "http: !include http.yaml\n"
OLD_HTTP_COMMENT = (
    "# The port and the listening address: rewritten at every start (see http.yaml).\n"
)


def prepare_config_dir(
    config_dir: Path, *, port: int, host: str | None, python: str | None = None
) -> None:
    """Create the configuration directory and link the integration from the working tree.

    configuration.yaml is written only when missing (a developer may edit it): CONFIGURATION_YAML
    and the audio part (audio_config.audio_yaml: the project's ffmpeg, and dev_pocketsphinx when
    the Python of Home Assistant has pocketsphinx); an unchanged file of an earlier version
    (CONFIGURATION_YAML alone) gets the audio part appended. The dev components are linked
    beside the integration (audio_config.link_dev_components). The HTTP
    configuration, with the port chosen for this start, is written every time (Home Assistant
    must not be running). host None listens on every interface (Home Assistant's default);
    the tests use 127.0.0.1. `python`: the interpreter that will run Home Assistant when it
    is not this one (HASS_PYTHON); its Home Assistant writes the HTTP store in its own format.
    """
    config_dir.mkdir(parents=True, exist_ok=True)
    yaml = config_dir / "configuration.yaml"
    if not yaml.exists():
        text = CONFIGURATION_YAML + audio_yaml(stt=stt_available(python))
        yaml.write_text(text, encoding="utf-8")
    else:
        text = yaml.read_text(encoding="utf-8")
        if OLD_HTTP_INCLUDE in text:
            # Written by an earlier version of this script.
            text = text.replace(OLD_HTTP_INCLUDE, "").replace(OLD_HTTP_COMMENT, "")
            yaml.write_text(text, encoding="utf-8")
            (config_dir / "http.yaml").unlink(missing_ok=True)
        if text == CONFIGURATION_YAML:
            # Written before the audio part existed, and not edited since.
            text += audio_yaml(stt=stt_available(python))
            yaml.write_text(text, encoding="utf-8")
    _seed_onboarding(config_dir)
    if python is None or python == sys.executable:
        write_http_store(config_dir, port=port, host=host)
    else:
        subprocess.run(  # noqa: S603  (argv built by us)
            [
                python,
                "-m",
                "scripts._dev.config",
                str(config_dir),
                str(port),
                host or "",
            ],
            cwd=REPO,
            check=True,
        )
    _link_integration(config_dir)
    link_dev_components(config_dir)


def write_http_store(config_dir: Path, *, port: int, host: str | None) -> None:
    """Write Home Assistant's HTTP configuration store as a confirmed ("stable") config.

    The same document Home Assistant writes after a change in Settings -> System -> Network
    is confirmed (http/config/promote), built with its own schema and keys so that every
    default matches the installed version.
    """
    from homeassistant.components.http import config as http_config  # noqa: PLC0415

    wanted: dict[str, Any] = {"server_port": port}
    if host is not None:
        wanted["server_host"] = [host]
    stable = {
        **http_config.HTTP_STORAGE_SCHEMA(wanted),
        "created_at": datetime.now(UTC).isoformat(),
        "error": None,
        "error_message": None,
    }
    document = {
        "version": http_config.STORAGE_VERSION,
        "minor_version": http_config.STORAGE_MINOR_VERSION,
        "key": http_config.STORAGE_KEY,
        "data": {
            http_config.KEY_STABLE: stable,
            http_config.KEY_PENDING: None,
            http_config.KEY_YAML_MIGRATION_DONE: True,
        },
    }
    storage = config_dir / ".storage"
    storage.mkdir(exist_ok=True)
    (storage / http_config.STORAGE_KEY).write_text(
        json.dumps(document, indent=2) + "\n", encoding="utf-8"
    )


def _seed_onboarding(config_dir: Path) -> None:
    """Mark onboarding's core_config and analytics steps done before the first start.

    Finishing core_config starts the config flows of google_translate, met, radio_browser
    and shopping_list (onboarding/views.py). Our lean setup does not install their
    packages (they need the internet anyway), so each would log an error and a "Task
    exception was never retrieved". Location, units and time zone come from
    configuration.yaml; analytics stays off. The owner and the integration step are still
    done through the API (scripts/_dev/hass_api.py), or by a user in the browser.
    """
    storage = config_dir / ".storage"
    store = storage / "onboarding"
    if store.exists():
        return
    storage.mkdir(parents=True, exist_ok=True)
    document = {
        "version": 4,
        "minor_version": 1,
        "key": "onboarding",
        "data": {"done": ["core_config", "analytics"]},
    }
    store.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def _link_integration(config_dir: Path) -> None:
    """Link <config>/custom_components/voicemail to the working tree's integration."""
    custom = config_dir / "custom_components"
    custom.mkdir(exist_ok=True)
    link = custom / "voicemail"
    target = Path("..") / ".." / "custom_components" / "voicemail"
    if config_dir.resolve().parent != REPO:
        # A config directory outside the repository (the e2e tests) links by absolute path.
        target = INTEGRATION
    if link.is_symlink() or link.exists():
        if link.is_symlink() and link.readlink() == target:
            return
        link.unlink()
    link.symlink_to(target, target_is_directory=True)


def main(argv: list[str]) -> None:
    """Write the HTTP store with this interpreter's Home Assistant: CONFIG_DIR PORT HOST."""
    config_dir, port, host = argv
    write_http_store(Path(config_dir), port=int(port), host=host or None)


if __name__ == "__main__":
    main(sys.argv[1:])
