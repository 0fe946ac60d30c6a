"""Brand images and the quality scale file are what Home Assistant and HACS expect."""

from __future__ import annotations

from pathlib import Path

from PIL import Image
import pytest
import yaml

INTEGRATION = Path(__file__).parent.parent / "custom_components" / "voicemail"

RULES = {
    "bronze": (
        "action-setup appropriate-polling brands common-modules config-flow"
        " config-flow-test-coverage dependency-transparency docs-actions docs-conditions"
        " docs-high-level-description docs-installation-instructions"
        " docs-removal-instructions docs-triggers entity-event-setup entity-unique-id"
        " has-entity-name runtime-data test-before-configure test-before-setup"
        " unique-config-entry"
    ),
    "silver": (
        "action-exceptions config-entry-unloading docs-configuration-parameters"
        " docs-installation-parameters entity-unavailable integration-owner"
        " log-when-unavailable parallel-updates reauthentication-flow test-coverage"
    ),
    "gold": (
        "devices diagnostics discovery discovery-update-info docs-data-update"
        " docs-examples docs-known-limitations docs-supported-devices"
        " docs-supported-functions docs-troubleshooting docs-use-cases dynamic-devices"
        " entity-category entity-device-class entity-disabled-by-default"
        " entity-translations exception-translations icon-translations"
        " reconfiguration-flow repair-issues stale-devices"
    ),
    "platinum": "async-dependency inject-websession strict-typing",
}


@pytest.mark.parametrize(
    ("name", "size"),
    [
        ("icon.png", (256, 256)),
        ("icon@2x.png", (512, 512)),
        ("logo.png", (512, 256)),
        ("logo@2x.png", (1024, 512)),
        ("dark_logo.png", (512, 256)),
        ("dark_logo@2x.png", (1024, 512)),
    ],
)
def test_brand_images(name: str, size: tuple[int, int]) -> None:
    """Each brand image exists in its size, with transparency."""
    with Image.open(INTEGRATION / "brand" / name) as image:
        assert image.format == "PNG"
        assert image.size == size
        assert image.mode == "RGBA"


def test_quality_scale_lists_every_rule() -> None:
    """Every rule of every tier has a status; what is not done says why."""
    rules = yaml.safe_load((INTEGRATION / "quality_scale.yaml").read_text())["rules"]
    expected = {rule for tier in RULES.values() for rule in tier.split()}
    assert set(rules) == expected
    for rule, value in rules.items():
        status = value if isinstance(value, str) else value["status"]
        assert status in {"done", "todo", "exempt"}, rule
        if status != "done":
            assert value["comment"].strip(), rule
