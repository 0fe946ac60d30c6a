"""OUR checks that mirror rules of hassfest, Home Assistant core's validator (script/hassfest/).

hassfest cannot run here: it is not in the homeassistant wheel, its sdist or any package on
PyPI or npm (checked), and CI reaches no other source; the GitHub workflow
.github/workflows/hassfest.yaml runs the real one. Home Assistant's own load-time checks run in
tests/test_home_assistant_validation.py. These tests are written here, after the rules of
hassfest's icons.py, translations.py, services.py and manifest.py (named on each test); where
a rule uses one of Home Assistant's own validators (cv.slug, cv.string_with_no_html, the
loader's Manifest keys, the frontend's icon set), that validator is called.
"""

from __future__ import annotations

from collections.abc import Iterator
import json
from pathlib import Path
import re
import typing
from typing import Any

from homeassistant import loader
from homeassistant.helpers import config_validation as cv
from homeassistant.util.yaml import load_yaml_dict
import probatio
import pytest

ROOT = Path(__file__).parent.parent
INTEGRATION = ROOT / "custom_components" / "voicemail"
FRONTEND_ICONS = Path(cv.__file__).parents[2] / "hass_frontend" / "static" / "mdi"

# hassfest translations.py: [a-z0-9-_]+, not starting or ending with - or _.
TRANSLATION_KEY = re.compile(r"^(?![-_])[a-z0-9_-]+(?<![-_])$")
# A placeholder inside single quotes ('{name}'), which translators cannot move.
QUOTED_PLACEHOLDER = re.compile(r"'\{[^}]*\}'")
# A [%key:...%] reference with more text around it (hassfest: "combined translations").
REFERENCE = re.compile(r"\[%key:[^%]+%\]")
# hassfest translations.py: the top-level sections an integration's strings may have.
TRANSLATION_SECTIONS = {
    "common",
    "conditions",
    "config",
    "config_subentries",
    "device",
    "device_automation",
    "entity",
    "entity_component",
    "exceptions",
    "issues",
    "options",
    "selector",
    "services",
    "state",
    "system_health",
    "title",
    "triggers",
}
# hassfest icons.py for an integration that is not an entity component.
ICON_SECTIONS = {"config", "entity", "issues", "options", "services"}


def _json(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((INTEGRATION / name).read_text(encoding="utf-8"))
    return data


def _walk(tree: dict[str, Any], path: str = "") -> Iterator[tuple[str, str, Any]]:
    """Yield (path, key, value) for every key of a nested JSON document."""
    for key, value in tree.items():
        yield path, key, value
        if isinstance(value, dict):
            yield from _walk(value, f"{path}.{key}" if path else key)


def _icon_ok(value: Any) -> str:
    """Apply hassfest icons.py's icon_value_validator: no HTML, an mdi: icon."""
    text = str(cv.string_with_no_html(value))
    assert text.startswith("mdi:"), text
    return text


def _frontend_icons() -> set[str]:
    """Return every icon the installed frontend can draw: the chunks its metadata lists."""
    metadata = json.loads((FRONTEND_ICONS / "iconMetadata.json").read_text("utf-8"))
    names: set[str] = set()
    for part in metadata["parts"]:
        chunk = FRONTEND_ICONS / f"{part['file']}.json"
        names.update(json.loads(chunk.read_text(encoding="utf-8")))
    return names


def _icons_in(tree: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for path, key, value in _walk(tree):
        if isinstance(value, str):
            yield f"{path}.{key}", value


def test_icons_schema() -> None:
    """Mirrors hassfest icons.py: sections, slug keys, mdi: icons, no state icon equal to its default."""
    icons = _json("icons.json")
    assert set(icons) <= ICON_SECTIONS
    for platform, keys in icons.get("entity", {}).items():
        cv.slug(platform)
        for key, spec in keys.items():
            assert TRANSLATION_KEY.match(key), key
            assert set(spec) <= {"default", "range", "state", "state_attributes"}, key
            _check_states(f"{platform}.{key}", spec)
            for attribute, attribute_spec in spec.get("state_attributes", {}).items():
                assert TRANSLATION_KEY.match(attribute), attribute
                assert set(attribute_spec) <= {"default", "range", "state"}, attribute
                _check_states(f"{platform}.{key}.{attribute}", attribute_spec)
    for action, spec in icons.get("services", {}).items():
        cv.slug(action)
        if isinstance(spec, str):
            _icon_ok(spec)
        else:
            assert set(spec) <= {"service", "sections"}, action
            _icon_ok(spec["service"])
            for section_icon in spec.get("sections", {}).values():
                _icon_ok(section_icon)


def _check_states(where: str, spec: dict[str, Any]) -> None:
    default = _icon_ok(spec["default"]) if "default" in spec else None
    for state, state_icon in spec.get("state", {}).items():
        assert TRANSLATION_KEY.match(state), f"{where}: state {state}"
        assert _icon_ok(state_icon) != default, (
            f"{where}: the icon of state {state} is the default icon (hassfest rejects it)"
        )


def test_the_icons_rule_catches_a_state_icon_equal_to_the_default() -> None:
    """The rule that failed hassfest before: a state repeating the default icon."""
    spec = {"default": "mdi:voicemail", "state": {"received": "mdi:voicemail"}}
    with pytest.raises(AssertionError, match="received"):
        _check_states("event.voicemail.event_type", spec)


def test_every_icon_exists_in_the_frontend() -> None:
    """Ours: an icon the frontend's Material Design Icons set lacks would show blank."""
    known = _frontend_icons()
    assert len(known) > 5000, "the frontend's icon set was not found"
    missing = {
        where: value
        for where, value in _icons_in(_json("icons.json"))
        if value.removeprefix("mdi:") not in known
    }
    assert missing == {}


def test_icons_and_services_name_the_same_things() -> None:
    """Ours: every action and translated entity has its icon, and no icon is left over."""
    icons = _json("icons.json")
    strings = _json("strings.json")
    services = load_yaml_dict(str(INTEGRATION / "services.yaml"))
    assert set(icons["services"]) == set(services) == set(strings["services"])
    for platform, keys in icons["entity"].items():
        assert set(keys) <= set(strings["entity"][platform]), platform


@pytest.mark.parametrize("name", ["strings.json", "translations/en.json"])
def test_translations_schema(name: str) -> None:
    """Mirrors hassfest translations.py: sections, keys and values of the strings files."""
    strings = _json(name)
    assert set(strings) <= TRANSLATION_SECTIONS
    for path, key, value in _walk(strings):
        assert TRANSLATION_KEY.match(key), f"{path}.{key}"
        if isinstance(value, dict):
            continue
        where = f"{path}.{key}"
        assert isinstance(value, str), where
        cv.string_with_no_html(value)
        assert value == value.strip(), f"{where}: leading or trailing spaces"
        assert not QUOTED_PLACEHOLDER.search(value), f"{where}: quoted placeholder"
        assert REFERENCE.sub("", value) == value or REFERENCE.fullmatch(value), where


def test_translations_of_flows_issues_and_exceptions() -> None:
    """Mirrors hassfest translations.py: flow steps, issues and exceptions have the parts they need."""
    strings = _json("strings.json")
    for flow in ("config", "options"):
        for step_id, step in strings[flow]["step"].items():
            assert set(step) <= {
                "title",
                "description",
                "data",
                "data_description",
                "sections",
                "menu_options",
                "submit",
            }, step_id
            # Ours: a description explains a field the step has.
            assert set(step.get("data_description", {})) <= set(step.get("data", {}))
    for issue_id, issue in strings["issues"].items():
        assert issue["title"], issue_id
        assert issue.get("description") or issue.get("fix_flow"), issue_id
    for key, exception in strings["exceptions"].items():
        assert set(exception) == {"message"}, key


def test_services_are_translated_not_described_in_yaml() -> None:
    """Mirrors hassfest services.py: each action and field has a translated name and description.

    hassfest's core rule too: services.yaml then has no name or description of its own, so
    the translations are the only source of those texts.
    """
    services = load_yaml_dict(str(INTEGRATION / "services.yaml"))
    strings = _json("strings.json")["services"]
    for action, spec in services.items():
        assert strings[action]["name"], action
        assert strings[action]["description"], action
        assert not {"name", "description"} & set(spec or {}), action
        for field, field_spec in ((spec or {}).get("fields") or {}).items():
            assert strings[action]["fields"][field]["name"], f"{action}.{field}"
            assert strings[action]["fields"][field]["description"], f"{action}.{field}"
            assert not {"name", "description"} & set(field_spec), f"{action}.{field}"
        assert set(strings[action].get("fields", {})) == set(
            (spec or {}).get("fields") or {}
        ), action


def test_manifest_schema() -> None:
    """Mirrors hassfest manifest.py, for a custom integration."""
    manifest = _json("manifest.json")
    allowed = set(typing.get_type_hints(loader.Manifest))
    assert set(manifest) <= allowed, set(manifest) - allowed
    assert manifest["domain"] == INTEGRATION.name
    assert cv.slug(manifest["domain"]) == manifest["domain"]
    for owner in manifest["codeowners"]:
        assert owner.startswith("@"), owner
    for key in ("documentation", "issue_tracker"):
        assert cv.url(manifest[key]).startswith("https://"), key
    for requirement in manifest["requirements"]:
        assert "==" in requirement, f"{requirement}: requirements are pinned"
    assert all(isinstance(name, str) for name in manifest["loggers"])
    if manifest.get("config_flow"):
        assert (INTEGRATION / "config_flow.py").is_file()
        assert "config" in _json("strings.json")


def test_url_and_slug_validators_can_fail() -> None:
    """The Home Assistant validators used above refuse what hassfest refuses."""
    with pytest.raises(probatio.Invalid):
        cv.slug("Voice Mail")
    with pytest.raises(probatio.Invalid):
        cv.string_with_no_html("<b>bold</b>")
    with pytest.raises(probatio.Invalid):
        cv.url("not a url")
