"""The repository's blueprint, loaded by Home Assistant and used by an automation.

Home Assistant's blueprint loader accepts it, and an automation made from it notifies
when a voicemail arrives (through the simulator, over loopback). The README's
automation examples are valid automations and scripts too.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
import re
import shutil

from homeassistant.components.automation.config import (
    async_validate_config_item as async_validate_automation,
)
from homeassistant.components.automation.helpers import async_get_blueprints
from homeassistant.components.script.config import (
    async_validate_config_item as async_validate_script,
)
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import parse_yaml
import pytest
from pytest_homeassistant_custom_component.common import async_mock_service

from custom_components.voicemail.coordinator import VoicemailConfigEntry
from tests.icws_simulator.fixtures import USER
from tests.icws_simulator.simulator import IcwsSimulator
from tests.integration_helpers import entity_id_of, wait_until
from tests.stt_engine import RecordingEngine, async_add_engine, async_use_engine

ROOT = Path(__file__).parent.parent
BLUEPRINT = "voicemail/notify_new_voicemail.yaml"
SOURCE = ROOT / "blueprints" / "automation" / BLUEPRINT


@pytest.fixture
async def config_dir(hass: HomeAssistant, tmp_path: Path) -> Path:
    """Give the test a config dir of its own, with the blueprint where users put it.

    The plugin's config dir is a folder inside its installed package, shared by all
    tests: never write there.
    """
    hass.config.config_dir = str(tmp_path)
    target = tmp_path / "blueprints" / "automation" / "voicemail"
    await hass.async_add_executor_job(lambda: target.mkdir(parents=True))
    await hass.async_add_executor_job(shutil.copy, SOURCE, target)
    return tmp_path


async def test_blueprint_loads(hass: HomeAssistant, config_dir: Path) -> None:
    """Home Assistant's blueprint loader accepts it for this version."""
    blueprint = await async_get_blueprints(hass).async_get_blueprint(BLUEPRINT)

    assert blueprint.domain == "automation"
    assert blueprint.name == "Notify on a new voicemail"
    assert set(blueprint.inputs) == {
        "voicemail_event",
        "notify_action",
        "include_transcript",
        "title",
    }
    assert blueprint.validate() is None


async def test_automation_notifies_on_a_new_voicemail(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
    config_dir: Path,
) -> None:
    """A voicemail arrives: one notification with the caller and the local time."""
    event_entity = entity_id_of(hass, init_integration, Platform.EVENT, "events")
    notifications = async_mock_service(hass, "notify", "alices_phone")
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "alias": "Voicemail to my phone",
                "use_blueprint": {
                    "path": BLUEPRINT,
                    "input": {
                        "voicemail_event": event_entity,
                        "notify_action": "notify.alices_phone",
                    },
                },
            }
        },
    )
    await hass.async_block_till_done()
    coordinator = init_integration.runtime_data

    # 09:14 UTC is 01:14 in the test time zone (US/Pacific).
    vm = sim.add_voicemail(
        USER,
        sender="Erin Stone <4004>",
        received=datetime(2026, 11, 28, 9, 14, tzinfo=UTC),
    )
    await wait_until(hass, lambda: vm.message_id in coordinator.data.by_id)

    assert [call.data for call in notifications] == [
        {
            "title": "New voicemail",
            "message": "New voicemail from Erin Stone at 01:14 on 2026-11-28.",
        }
    ]

    # Other events (read, deleted) notify nothing.
    sim.set_read(USER, vm.message_id, True)
    await wait_until(hass, lambda: coordinator.data.by_id[vm.message_id].read)
    sim.remove_voicemail(USER, vm.message_id)
    await wait_until(hass, lambda: vm.message_id not in coordinator.data.by_id)
    assert len(notifications) == 1


async def test_automation_quotes_the_transcript(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
    config_dir: Path,
) -> None:
    """With `include_transcript`, one notification once the voicemail is transcribed."""
    engine = RecordingEngine("Please call me back about the invoice.", ["en-US"])
    await async_add_engine(hass, engine)
    await async_use_engine(hass, init_integration)
    event_entity = entity_id_of(hass, init_integration, Platform.EVENT, "events")
    notifications = async_mock_service(hass, "notify", "alices_phone")
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "alias": "Voicemail to my phone, with what was said",
                "use_blueprint": {
                    "path": BLUEPRINT,
                    "input": {
                        "voicemail_event": event_entity,
                        "notify_action": "notify.alices_phone",
                        "include_transcript": True,
                    },
                },
            }
        },
    )
    await hass.async_block_till_done()

    sim.add_voicemail(
        USER,
        sender="Bob Smith <+15551234>",
        received=datetime(2026, 11, 28, 9, 14, tzinfo=UTC),
    )
    await wait_until(hass, lambda: bool(notifications))
    await hass.async_block_till_done()

    assert [call.data for call in notifications] == [
        {
            "title": "New voicemail",
            "message": "New voicemail from Bob Smith at 01:14 on 2026-11-28: "
            '"Please call me back about the invoice."',
        }
    ]


def _readme_examples() -> list[str]:
    """Return the YAML blocks of the README's Automations section."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Automations\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```yaml\n(.*?)```", section, re.DOTALL)


async def test_readme_examples_are_valid(hass: HomeAssistant) -> None:
    """Each example of the README's Automations section passes Home Assistant's checks."""
    examples = _readme_examples()
    assert len(examples) == 4
    checked = 0
    for example in examples:
        config = parse_yaml(example)
        assert isinstance(config, dict)
        for automation in config.get("automation", []):
            assert await async_validate_automation(hass, "automation", automation)
            checked += 1
        for object_id, script in config.get("script", {}).items():
            assert await async_validate_script(hass, object_id, script)
            checked += 1

    assert checked == 4
