"""Home Assistant's OWN code checks the integration's files, as it does when it loads them.

hassfest (Home Assistant core's script/hassfest/) is in neither the homeassistant wheel nor its
sdist, and no package on PyPI or npm ships it; the GitHub workflow runs it
(.github/workflows/hassfest.yaml). What the installed Home Assistant itself runs on a custom
integration is run here, on the real files:

- homeassistant.loader: the manifest of a custom integration (blocked without a valid version);
  integration_type against the Literal of loader.Manifest, iot_class against the classes of
  Home Assistant's generated integrations.json;
- homeassistant.helpers.service: services.yaml through the schema it loads the file with (which
  validates every selector with helpers.selector), then the descriptions the frontend gets,
  with the names from the translations;
- homeassistant.helpers.translation and homeassistant.helpers.icon: translations/en.json and
  icons.json loaded and flattened as the frontend receives them.

The rules only hassfest checks are mirrored, as our own code, in tests/test_hassfest_rules.py.
"""

from __future__ import annotations

import json
from pathlib import Path
import typing
from typing import Any

from homeassistant import loader
from homeassistant.core import HomeAssistant
from homeassistant.helpers import icon, service, translation
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import load_yaml_dict
import probatio
import pytest

from custom_components.voicemail.const import DOMAIN

INTEGRATION = Path(__file__).parent.parent / "custom_components" / "voicemail"
GENERATED = Path(loader.__file__).parent / "generated" / "integrations.json"
# Every category of translations/en.json that Home Assistant loads for the frontend and itself.
CATEGORIES = (
    "common",
    "config",
    "entity",
    "exceptions",
    "issues",
    "options",
    "services",
)


def _json(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((INTEGRATION / name).read_text(encoding="utf-8"))
    return data


def _leaves(tree: dict[str, Any], prefix: str) -> dict[str, str]:
    """Flatten a translations tree the way Home Assistant's keys read."""
    flat: dict[str, str] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            flat.update(_leaves(value, f"{prefix}.{key}"))
        else:
            flat[f"{prefix}.{key}"] = value
    return flat


def _iot_classes() -> set[str]:
    """Return the iot classes of Home Assistant's own integrations (its generated index)."""
    classes: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(value := node.get("iot_class"), str):
                classes.add(value)
            for child in node.values():
                walk(child)

    walk(json.loads(GENERATED.read_text(encoding="utf-8")))
    return classes


async def test_loader_accepts_the_manifest(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    """The loader finds the custom integration, its version, config flow and brand images."""
    manifest = _json("manifest.json")
    integration = await loader.async_get_integration(hass, DOMAIN)
    assert not integration.is_built_in
    assert str(integration.version) == manifest["version"]
    assert integration.config_flow is True
    assert integration.has_branding
    assert integration.documentation == manifest["documentation"]
    assert "blocked from loading" not in caplog.text
    integration_types = typing.get_args(
        typing.get_type_hints(loader.Manifest)["integration_type"]
    )
    assert integration.integration_type in integration_types
    assert integration.manifest["iot_class"] in _iot_classes()


def test_services_yaml_passes_home_assistants_schema() -> None:
    """services.yaml loads with the schema Home Assistant uses, selectors included."""
    raw = load_yaml_dict(str(INTEGRATION / "services.yaml"))
    validated = service._SERVICES_SCHEMA(raw)
    assert set(validated) == set(raw)


def test_home_assistants_schema_rejects_a_broken_selector() -> None:
    """The schema above is strict enough to fail: only the selector differs here."""
    raw = load_yaml_dict(str(INTEGRATION / "services.yaml"))
    broken = {**raw, "play": {"fields": {"target": {"selector": {"no_such": {}}}}}}
    with pytest.raises(probatio.Invalid):
        service._SERVICES_SCHEMA(broken)


async def test_every_action_is_described_and_translated(hass: HomeAssistant) -> None:
    """Each registered action has its services.yaml entry and translated name and fields.

    Home Assistant sends the frontend the descriptions (fields, selectors) and the
    translations (component.voicemail.services.<action>...) separately; both come from here.
    """
    assert await async_setup_component(hass, DOMAIN, {})
    await hass.async_block_till_done()
    registered = set(hass.services.async_services_for_domain(DOMAIN))
    descriptions = (await service.async_get_all_descriptions(hass))[DOMAIN]
    raw = load_yaml_dict(str(INTEGRATION / "services.yaml"))
    assert set(descriptions) == registered == set(raw)
    names = await translation.async_get_translations(hass, "en", "services", {DOMAIN})
    prefix = f"component.{DOMAIN}.services"
    for name, description in descriptions.items():
        assert names[f"{prefix}.{name}.name"]
        assert names[f"{prefix}.{name}.description"]
        assert set(description.get("fields", {})) == set(raw[name].get("fields") or {})
        for field in description.get("fields", {}):
            assert names[f"{prefix}.{name}.fields.{field}.name"]
            assert names[f"{prefix}.{name}.fields.{field}.description"]


@pytest.mark.parametrize("category", CATEGORIES)
async def test_home_assistant_loads_every_translation(
    hass: HomeAssistant, category: str
) -> None:
    """Each string of translations/en.json reaches Home Assistant under its full key."""
    await loader.async_get_integration(hass, DOMAIN)
    loaded = await translation.async_get_translations(hass, "en", category, {DOMAIN})
    written = _leaves(
        _json("translations/en.json")[category], f"component.{DOMAIN}.{category}"
    )
    assert written
    assert loaded == written


@pytest.mark.parametrize("category", ["entity", "services"])
async def test_home_assistant_loads_the_icons(
    hass: HomeAssistant, category: str
) -> None:
    """icons.json reaches the frontend as written (service icons in their long form)."""
    loaded = await icon.async_get_icons(hass, category, {DOMAIN})
    written = _json("icons.json")[category]
    if category == "services":
        written = {
            name: icon.convert_shorthand_service_icon(value)
            for name, value in written.items()
        }
    assert loaded == {DOMAIN: written}
