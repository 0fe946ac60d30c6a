"""The repository is shaped as HACS and Home Assistant expect."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).parent.parent
INTEGRATION = ROOT / "custom_components" / "voicemail"


def test_manifest_keys_ordered_as_hassfest_wants() -> None:
    """Domain and name first, then the other keys alphabetically."""
    manifest = json.loads((INTEGRATION / "manifest.json").read_text())
    keys = list(manifest)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])
    assert manifest["domain"] == INTEGRATION.name == "voicemail"
    assert manifest["iot_class"] == "local_push"
    assert manifest["requirements"] == []


def test_hacs_json() -> None:
    """HACS needs a name and gets the minimum Home Assistant version."""
    hacs = json.loads((ROOT / "hacs.json").read_text())
    assert hacs["name"] == "ICWS Voicemail"
    assert hacs["homeassistant"] == "2026.10.0"


def test_the_oldest_version_tested_is_the_minimum_hacs_allows() -> None:
    """scripts/test runs the e2e and browser tests on hacs.json's minimum version."""
    hacs = json.loads((ROOT / "hacs.json").read_text())
    files = sorted((ROOT / "requirements" / "ha-versions").glob("*.txt"))
    versions = sorted(
        (tuple(int(part) for part in path.stem.split(".")), path) for path in files
    )
    oldest = versions[0][1]
    assert oldest.stem == hacs["homeassistant"]
    assert f"homeassistant=={oldest.stem}\n" in oldest.read_text()


def test_readme_names_the_supported_and_tested_versions() -> None:
    """README's "Supported Home Assistant versions" says hacs.json's minimum and what is tested."""
    hacs = json.loads((ROOT / "hacs.json").read_text())
    readme = (ROOT / "README.md").read_text()
    after = readme.partition("### Supported Home Assistant versions\n")[2]
    section = after.partition("\n#")[0]
    assert f"**{hacs['homeassistant']}** or newer" in section
    for path in (ROOT / "requirements" / "ha-versions").glob("*.txt"):
        assert path.stem in section, path.name


def test_client_imports_nothing_from_home_assistant() -> None:
    """The ICWS client could be published on its own."""
    for path in (INTEGRATION / "icws").glob("*.py"):
        for line in path.read_text().splitlines():
            stripped = line.strip()
            assert not stripped.startswith(
                ("import homeassistant", "from homeassistant")
            ), path
    assert (INTEGRATION / "icws" / "py.typed").exists()
