"""Print the requirements a real `hass` process needs for our development configuration.

Usage: .venv/bin/python -m scripts._dev.requirements

Resolves, from the manifests of the installed Home Assistant, the integrations that bootstrap sets
up for scripts/_dev/config.py's configuration.yaml (bootstrap.DEFAULT_INTEGRATIONS, the base entity
platforms, the configured domains and all their dependencies) and prints their pinned requirements
that are not already installed with the right version, so requirements/hass.txt can be compared.
"""

from __future__ import annotations

from importlib import metadata
import json
from pathlib import Path

from homeassistant import bootstrap
from homeassistant.const import BASE_PLATFORMS
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


def main() -> None:
    """Print every requirement with the integrations that need it and whether it is installed."""
    needed: dict[str, set[str]] = {}
    for domain, manifest in integrations_loaded().items():
        reqs = manifest.get("requirements", [])
        assert isinstance(reqs, list)
        for req in reqs:
            needed.setdefault(str(req), set()).add(domain)
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
