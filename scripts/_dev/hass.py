"""A real Home Assistant process on a configuration directory with this integration linked."""

from __future__ import annotations

from dataclasses import dataclass, field
import os
from pathlib import Path
import time

import aiohttp

from scripts._dev.config import REPO, prepare_config_dir
from scripts._dev.hass_api import Credentials, HassApi, wait_for
from scripts._dev.processes import Child, PortTakenError, python_child

# Home Assistant's exit status when a restart was asked for (homeassistant.const).
RESTART_EXIT_CODE = 100
# What Home Assistant logs when it cannot listen on its port (components/http/config.py).
BIND_FAILURES = (
    "The new HTTP configuration could not be applied",
    "Failed to create HTTP server at port",
    "The HTTP configuration could not be applied in recovery mode",
)
# Integrations Home Assistant's onboarding sets up (onboarding/views.py, core_config step).
ONBOARDING_INTEGRATIONS = ("google_translate", "met", "radio_browser", "shopping_list")
# The interpreter that runs Home Assistant, when not this one: another environment with
# another Home Assistant version (scripts/setup makes .venv-ha-<version>/, scripts/test sets it).
HASS_PYTHON = "HASS_PYTHON"


def hass_python() -> str | None:
    """Return $HASS_PYTHON (None: this interpreter, the venv's)."""
    return os.environ.get(HASS_PYTHON) or None


@dataclass
class HassProcess:
    """`python -m homeassistant -c <config_dir> --skip-pip` listening on `port`.

    --skip-pip: Home Assistant installs nothing at run time; scripts/setup installed
    requirements/hass.txt. `host` None listens on every interface (the demo), the tests
    use 127.0.0.1. The process runs in its own process group and is stopped as a group.
    """

    config_dir: Path
    port: int
    host: str | None = None
    log_path: Path | None = None
    child: Child = field(init=False)
    startup_seconds: list[float] = field(default_factory=list)
    onboarded_now: bool = False
    python: str | None = field(default_factory=hass_python)
    _spawned_at: float = field(default=0.0, repr=False)
    _log_offset: int = field(default=0, repr=False)

    def __post_init__(self) -> None:
        """Describe the child process (not started yet)."""
        log = self.log_path or self.config_dir / "hass.console.log"
        self.child = python_child(
            "Home Assistant",
            ["-m", "homeassistant", "-c", str(self.config_dir), "--skip-pip"],
            log_path=log,
            cwd=REPO,
            python=self.python,
        )
        assert self.child.env is not None
        # Home Assistant's own fallback port when the configured one cannot be bound is
        # 8123 unless SETUP_PORT says otherwise: never fall back onto another instance.
        self.child.env["SETUP_PORT"] = str(self.port)

    @property
    def base_url(self) -> str:
        """URL of the frontend and the APIs."""
        return f"http://{self.host or '127.0.0.1'}:{self.port}"

    def api(self, session: aiohttp.ClientSession) -> HassApi:
        """Return a REST client (not logged in) on `session`."""
        return HassApi(session, self.base_url)

    async def start(
        self, session: aiohttp.ClientSession, user: Credentials, timeout: float = 180.0
    ) -> HassApi:
        """Start, onboard or log in, wait until RUNNING; return the logged-in API.

        The time from spawn to RUNNING is appended to startup_seconds.
        """
        self.spawn()
        return await self.ready(session, user, timeout)

    def spawn(self) -> None:
        """Write the configuration and start the process (see Child.start: in the main thread)."""
        prepare_config_dir(
            self.config_dir, port=self.port, host=self.host, python=self.python
        )
        self._spawned_at = time.monotonic()
        try:
            self._log_offset = self.child.log_path.stat().st_size
        except FileNotFoundError:
            self._log_offset = 0
        self.child.start()

    async def ready(
        self, session: aiohttp.ClientSession, user: Credentials, timeout: float = 180.0
    ) -> HassApi:
        """Wait for the spawned process to answer, onboard or log in, wait until RUNNING."""
        api = self.api(session)
        await wait_for(
            api.answers,
            timeout=timeout,
            what=f"Home Assistant on {self.base_url}",
            check=self.check,
            interval=0.1,
        )
        self.onboarded_now = await api.onboard(user)
        await api.wait_running(timeout)
        self.startup_seconds.append(time.monotonic() - self._spawned_at)
        return api

    def check(self) -> None:
        """Raise when the process ended, or could not listen on its port."""
        self.child.check_alive()
        try:
            with self.child.log_path.open("rb") as file:
                file.seek(self._log_offset)
                log = file.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return
        if any(marker in log for marker in BIND_FAILURES):
            raise PortTakenError(
                f"Home Assistant could not listen on port {self.port} (taken?): "
                f"see {self.child.log_path}"
            )

    async def wait_exit(self, timeout: float = 60.0) -> int:
        """Wait for the process to end by itself (after a restart or stop action)."""

        async def ended() -> int | None:
            return self.child.returncode

        code = await wait_for(ended, timeout=timeout, what="Home Assistant to exit")
        self.child.wait()
        return code

    async def remove_failed_onboarding_entries(self, api: HassApi) -> list[str]:
        """Remove the entries onboarding added that cannot load here; return their titles.

        Finishing onboarding's core_config step starts the flows of google_translate, met,
        radio_browser and shopping_list. Our lean setup does not install their packages
        (gTTS, pymetno, radios: they need the internet anyway), so google_translate's entry
        would sit in the UI as failed. Only entries in setup_error of these domains go.
        """
        removed = []
        for domain in ONBOARDING_INTEGRATIONS:
            for entry in await api.config_entries(domain):
                if entry["state"] in {"setup_error", "not_loaded"}:
                    await api.request(
                        "DELETE",
                        f"/api/config/config_entries/entry/{entry['entry_id']}",
                    )
                    removed.append(f"{entry['title']} ({domain})")
        return removed

    def stop(self) -> int | None:
        """Stop Home Assistant (SIGTERM to the group; it saves its state), SIGKILL after 60 s."""
        return self.child.stop(timeout=60.0)
