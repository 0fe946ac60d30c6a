"""A fresh Home Assistant: onboarded through its API, then the voicemail account is added.

Everything goes through Home Assistant's REST API, as the frontend would send it.
"""

from __future__ import annotations

from pathlib import Path

import aiohttp

from scripts._dev.audio_config import stt_available
from scripts._dev.entry import wait_entry_state
from scripts._dev.ffmpeg import transcode
from scripts._dev.hass_api import DEMO_USER, ONBOARDING_STEPS, HassApi
from scripts._dev.simulator import SimulatorControl
from tests.audio import VOICEMAILS, path
from tests.e2e.harness import DOMAIN, E2E_PASSWORD, Stack, entry_entities

STT_ENTITY = "stt.pocketsphinx"
STT_CONTENT = (
    "format=wav; codec=pcm; sample_rate=16000; bit_rate=16; channel=1; language=en-US"
)


async def test_home_assistant_runs_onboarded_and_offers_the_integration(
    stack: Stack, api: HassApi, session: aiohttp.ClientSession
) -> None:
    """Hass runs (not in recovery mode), onboarding is finished, ICWS Voicemail can be added."""
    config = await api.get("/api/config")
    assert config["state"] == "RUNNING"
    assert config["recovery_mode"] is False
    # The lean development configuration: the UI and its history/logbook are there.
    assert {"frontend", "config", "onboarding", "history", "logbook"} <= set(
        config["components"]
    )
    # Onboarding is done: its status endpoint is gone, and the owner can log in again.
    done = await HassApi(session, stack.hass.base_url).onboarding_done()
    assert done == dict.fromkeys(ONBOARDING_STEPS, True)
    again = HassApi(session, stack.hass.base_url)
    assert await again.onboard(DEMO_USER) is False
    assert again.token is not None
    # The integration is loaded from the working tree and offered under "Add integration".
    assert DOMAIN in await api.flow_handlers()
    assert await api.config_entries(DOMAIN) == []
    # The frontend is served.
    async with session.get(stack.hass.base_url + "/") as response:
        assert response.status == 200
        assert "<html" in (await response.text()).lower()


async def test_config_flow_refuses_a_wrong_password_then_adds_the_account(
    stack: Stack, api: HassApi, control: SimulatorControl
) -> None:
    """A wrong password shows invalid_auth on the form; the right one creates the entry."""
    form = await api.start_flow(DOMAIN)
    assert form["type"] == "form"
    assert form["step_id"] == "user"
    assert {field["name"] for field in form["data_schema"]} == {
        "host",
        "port",
        "ssl",
        "verify_ssl",
        "base_path",
        "username",
        "password",
    }
    wrong = {**stack.connection.user_input(), "password": "not-the-password"}
    result = await api.flow_step(form["flow_id"], wrong)
    assert result["type"] == "form"
    assert result["errors"] == {"base": "invalid_auth"}
    assert await api.config_entries(DOMAIN) == []

    # The login worked: where should voicemail play? (optional; left empty here).
    result = await api.flow_step(form["flow_id"], stack.connection.user_input())
    assert result["type"] == "form"
    assert result["step_id"] == "play"
    assert {field["name"] for field in result["data_schema"]} == {
        "play_target",
        "play_media_player",
    }
    assert await api.config_entries(DOMAIN) == []
    result = await api.flow_step(form["flow_id"], {})
    assert result["type"] == "create_entry"
    assert result["result"]["title"] == result["title"]
    entry = result["result"]
    assert entry["title"].startswith("alice @ ")
    assert await wait_entry_state(api, entry["entry_id"], ("loaded",)) == "loaded"

    # The account's device and entities exist; the sensors agree with the server.
    entities = await entry_entities(api, entry["entry_id"])
    voicemails = await control.voicemails()
    sensors = {e["translation_key"]: e["entity_id"] for e in entities.values()}
    state = await api.state(sensors["voicemails"])
    assert state is not None
    assert state["state"] == str(len(voicemails))

    # Adding the same account again is refused.
    form = await api.start_flow(DOMAIN)
    again = await api.flow_step(form["flow_id"], stack.connection.user_input())
    assert again == {**again, "type": "abort", "reason": "already_configured"}
    assert len(await api.config_entries(DOMAIN)) == 1

    # The password is stored, but never written to Home Assistant's log.
    log = (stack.hass.config_dir / "home-assistant.log").read_text(encoding="utf-8")
    assert E2E_PASSWORD not in log


async def test_audio_is_configured_and_the_mailbox_speaks(
    stack: Stack,
    api: HassApi,
    session: aiohttp.ClientSession,
    control: SimulatorControl,
    tmp_path: Path,
) -> None:
    """The ffmpeg integration is set up, stt.pocketsphinx transcribes, the voicemails speak.

    dev_pocketsphinx only where the Python of Home Assistant has pocketsphinx (HASS_PYTHON
    environments of other versions do not): there configuration.yaml leaves it out.
    """
    components = set((await api.get("/api/config"))["components"])
    assert "ffmpeg" in components
    sizes = {vm.path.stat().st_size for vm in VOICEMAILS}
    mailbox = await control.voicemails()
    spoken = [vm for vm in mailbox if vm["kind"] == "voicemail"]
    assert spoken
    assert all(vm["audio_bytes"] in sizes for vm in spoken)
    assert mailbox[-1]["subject"].endswith("(8 s)")  # the newest: Bob Smith, 8.34 s
    if not stt_available(stack.hass.python):
        assert "dev_pocketsphinx" not in components
        return
    assert "dev_pocketsphinx" in components
    wav = tmp_path / "bob.wav"
    transcode(path("bob_mulaw.wav"), wav)
    async with session.post(
        f"{stack.hass.base_url}/api/stt/{STT_ENTITY}",
        data=wav.read_bytes(),
        headers={
            "Authorization": f"Bearer {stack.token}",
            "X-Speech-Content": STT_CONTENT,
        },
    ) as response:
        assert response.status == 200
        body = await response.json()
    assert body["result"] == "success"
    assert "call me back at five five five one two three four" in body["text"]


async def test_the_log_shows_no_error_of_the_setup(api: HassApi) -> None:
    """Settings -> System -> Logs after onboarding and adding the account: no error.

    The development setup (scripts/develop, these tests) must not log errors of its own
    making: onboarding's default integrations it cannot run, a task left failing, ...
    """
    async with await api.websocket() as ws:
        logged = await ws.command("system_log/list")
    errors = [
        f"{entry['level']} {entry['name']}: {entry['message']}"
        for entry in logged
        if entry["level"] in {"ERROR", "CRITICAL"}
        or any("Task exception was never retrieved" in m for m in entry["message"])
    ]
    assert errors == []
