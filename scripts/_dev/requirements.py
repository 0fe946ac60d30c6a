"""Print the requirements a real `hass` process needs for our development configuration.

Usage: .venv/bin/python -m scripts._dev.requirements [--pins]

Resolves, from the manifests of the installed Home Assistant, the integrations that bootstrap sets
up for scripts/_dev/config.py's configuration.yaml (bootstrap.DEFAULT_INTEGRATIONS, the base entity
platforms, the configured domains and all their dependencies) and prints their pinned requirements
(and those of their after_dependencies, which they may import)
that are not already installed with the right version, so requirements/hass.txt can be compared.
--pins prints them all as a requirements file, with the installed Home Assistant itself: run
with another environment's Python it writes requirements/ha-versions/<version>.txt (see there).
"""

from __future__ import annotations

from importlib import metadata
import json
from pathlib import Path
import sys

from homeassistant import bootstrap
from homeassistant.const import BASE_PLATFORMS, __version__ as HA_VERSION
from packaging.requirements import Requirement

from scripts._dev.config import CONFIGURED_DOMAINS


def integrations_loaded() -> dict[str, dict[str, object]]:
    """Return the manifests of every integration a start with our configuration sets up."""
    components = Path(bootstrap.__file__).parent / "components"
    todo = {*bootstrap.DEFAULT_INTEGRATIONS, *BASE_PLATFORMS, *CONFIGURED_DOMAINS}
    manifests: dict[str, dict[str, object]] = {}
    while todo:
        domain = todo.pop()
        if domain in manifests:
            continue
        path = components / domain / "manifest.json"
        manifest: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
        manifests[domain] = manifest
        deps = manifest.get("dependencies", [])
        assert isinstance(deps, list)
        todo.update(str(dep) for dep in deps)
    return manifests


def requirements_needed() -> dict[str, set[str]]:
    """Return every requirement of the integrations set up, with the domains that need it.

    With those of their `after_dependencies`: an integration may import one at load time
    even when it is not set up (analytics and backup import hassio's aiohasupervisor).
    """
    components = Path(bootstrap.__file__).parent / "components"
    loaded = integrations_loaded()
    needed: dict[str, set[str]] = {}
    for domain, manifest in loaded.items():
        after = manifest.get("after_dependencies", [])
        assert isinstance(after, list)
        imported = {
            str(dep): json.loads(
                (components / str(dep) / "manifest.json").read_text(encoding="utf-8")
            )
            for dep in after
            if dep not in loaded
        }
        for source, source_manifest in ((domain, manifest), *imported.items()):
            reqs = source_manifest.get("requirements", [])
            assert isinstance(reqs, list)
            for req in reqs:
                needed.setdefault(str(req), set()).add(source)
    return needed


def print_pins(needed: dict[str, set[str]]) -> None:
    """Print a requirements file: this Home Assistant and what a `hass` process loads."""
    print(
        f"# Home Assistant {HA_VERSION} for the e2e and browser tests (scripts/test runs its\n"
        f"# `hass` from .venv-ha-{HA_VERSION}/, made by scripts/setup). Generated from that\n"
        "# version's own manifests, do not edit: python -m scripts._dev.requirements --pins\n"
        "# (with that environment's Python). scripts/setup adds Home Assistant's\n"
        "# package_constraints.txt as constraints, as Home Assistant does at run time."
    )
    print(f"homeassistant=={HA_VERSION}")
    for req in sorted(needed, key=str.lower):
        print(f"{req}  # {', '.join(sorted(needed[req]))}")


def main() -> None:
    """Print every requirement with the integrations that need it and whether it is installed."""
    needed = requirements_needed()
    if sys.argv[1:] == ["--pins"]:
        print_pins(needed)
        return
    for req in sorted(needed, key=str.lower):
        parsed = Requirement(req)
        try:
            installed = metadata.version(parsed.name)
        except metadata.PackageNotFoundError:
            installed = None
        status = (
            "ok" if installed and parsed.specifier.contains(installed) else "MISSING"
        )
        print(f"{req:45} # {', '.join(sorted(needed[req]))} [{status}]")


if __name__ == "__main__":
    main()
