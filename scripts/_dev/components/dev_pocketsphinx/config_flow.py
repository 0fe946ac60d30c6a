"""One config entry, no options: from the UI (one click) or from `dev_pocketsphinx:` in YAML."""

from __future__ import annotations

from typing import Any, override

from homeassistant.config_entries import ConfigFlow, ConfigFlowResult
import probatio

from .const import DOMAIN, TITLE


class PocketsphinxConfigFlow(ConfigFlow, domain=DOMAIN):
    """Create the entry; manifest.json's single_config_entry refuses a second one."""

    VERSION = 1

    @override
    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Confirm, then create the entry."""
        if user_input is None:
            return self.async_show_form(step_id="user", data_schema=probatio.Schema({}))
        return self.async_create_entry(title=TITLE, data={})

    async def async_step_import(self, import_data: dict[str, Any]) -> ConfigFlowResult:
        """Create the entry for `dev_pocketsphinx:` in configuration.yaml."""
        return self.async_create_entry(title=TITLE, data={})
