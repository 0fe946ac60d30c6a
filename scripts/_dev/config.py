"""The Home Assistant configuration directory of the demo and the end-to-end tests."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
INTEGRATION = REPO / "custom_components" / "voicemail"

# Domains configuration.yaml sets up on top of what Home Assistant always loads.
CONFIGURED_DOMAINS = ("history", "logbook", "logger")

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

# The port and the listening address: rewritten at every start (see http.yaml).
http: !include http.yaml

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


def prepare_config_dir(config_dir: Path, *, port: int, host: str | None) -> None:
    """Create the configuration directory and link the integration from the working tree.

    configuration.yaml is written only when missing (a developer may edit it); http.yaml, which
    holds the port chosen for this start, is rewritten every time. host None listens on all
    interfaces (Home Assistant's default); the tests use 127.0.0.1.
    """
    config_dir.mkdir(parents=True, exist_ok=True)
    yaml = config_dir / "configuration.yaml"
    if not yaml.exists():
        yaml.write_text(CONFIGURATION_YAML, encoding="utf-8")
    http = [
        "# Written by scripts/_dev/config.py at every start: the port chosen for this run.",
        f"server_port: {port}",
    ]
    if host is not None:
        http.append(f"server_host: {host}")
    (config_dir / "http.yaml").write_text("\n".join(http) + "\n", encoding="utf-8")

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
